"""Each hit's sentence is a catalogue message with its values: the English explanation is that message
filled in, every message a detector can use is in the catalogue template, and it fills in every language the
interface speaks (the pages show it in the reader's language; issue 17)."""

from __future__ import annotations

import ast
import dataclasses
import json
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from opennrm.finance import detectors, jurisdiction
from opennrm.finance.detectors import Hit, detect
from opennrm.finance.ingest import Transactions
from opennrm.finance.jurisdiction import Jurisdiction
from opennrm.web import i18n
from opennrm.web.pages.finance import hit_explanation

TEMPLATE = Path(i18n.TRANSLATIONS) / "messages.pot"
TRANSLATED = [tag for tag in i18n.available() if tag != i18n.SOURCE_LANGUAGE]


def _with(j: Jurisdiction, section: str, **values: object) -> Jurisdiction:
    sections = {k: dict(v) for k, v in j.sections.items()}
    sections[section].update(values)
    return dataclasses.replace(j, sections=sections)


def _marked_in_detectors() -> set[str]:
    """The message ids marked ``N_`` in ``finance/detectors.py``."""
    tree = ast.parse(Path(detectors.__file__).read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and isinstance(node.args[0], ast.Constant)
    }


@pytest.fixture(scope="module")
def hits(planted: tuple[object, Transactions]) -> list[Hit]:
    """Every rule's hits on the planted data, the cycle rule both with and without its time order."""
    _, data = planted
    j = _with(jurisdiction.load(), "cross_border", countries=["ZZ"])
    ordered = _with(j, "cycle", time_respecting=not bool(j["cycle"]["time_respecting"]))
    return detect(data, j).hits + detect(data, ordered, ["cycle"]).hits


def test_the_explanation_is_the_message_filled_in(hits: list[Hit]) -> None:
    for hit in hits:
        assert hit.explanation == hit.message % hit.params
        assert hit.account in hit.params.values() or hit.rule in {
            "cycle",
            "scatter_gather",
            "bipartite",
            "stack",
        }
        assert all(isinstance(v, str | int | float) for v in hit.params.values())


def test_every_message_a_detector_marks_is_used_and_in_the_catalogue_template(hits: list[Hit]) -> None:
    marked = _marked_in_detectors()
    assert len(marked) == 18
    assert {h.message for h in hits} == marked  # the planted data exercises every sentence
    with TEMPLATE.open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert marked <= template


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_hit_reads_in_every_language(tag: str, hits: list[Hit]) -> None:
    catalogue = i18n.translations(tag)
    seen: set[str] = set()
    for hit in hits:
        translated = catalogue.gettext(hit.message)
        assert translated != hit.message, (tag, hit.message)
        text = translated % hit.params  # no placeholder lost or invented
        assert text != hit.explanation
        assert all(str(v) in text for v in hit.params.values() if isinstance(v, str)), (tag, text)
        seen.add(hit.message)
    assert len(seen) == 18


def test_a_stored_hit_reads_in_the_page_language_and_an_old_one_in_english(hits: list[Hit]) -> None:
    hit = next(h for h in hits if h.rule == "payroll")
    stored = json.loads(json.dumps(dataclasses.asdict(hit)))  # as the dataset's results keep it
    assert stored["explanation"] == hit.explanation
    with i18n.activated("zh-Hant"):
        assert "受害者" in hit_explanation(stored) and hit.account in hit_explanation(stored)
        old = {k: v for k, v in stored.items() if k not in ("message", "params")}
        assert hit_explanation(old) == hit.explanation
        assert hit_explanation({**stored, "params": {}}) == hit.explanation  # cannot be filled: English
    with i18n.activated("en"):
        assert hit_explanation(stored) == hit.explanation
