"""The GR38 glossary (src/opennrm/web/glossary.toml) and the catalogues: where the English speaks of a term
the Committee uses, every translation uses the Committee's word for it and never a variant the glossary rules
out (被害人 for "victim", 女孩 for "girl", 給付 for "giving or receiving payments")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po

from opennrm.web import glossary, i18n
from tests.support import shared_dir

REPO = Path(__file__).resolve().parents[3]
TRANSLATIONS = REPO / "src" / "opennrm" / "web" / "translations"
SCREENING = REPO / "src" / "opennrm" / "screening" / "catalogues"
LOCALES = sorted(p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.po").exists())


def test_every_term_has_every_language_with_its_source() -> None:
    assert {"ar", "es", "fr", "ru", "zh_Hans", "zh_Hant"} <= set(LOCALES)
    assert len(glossary.terms()) >= 15
    named = set(glossary.sources())
    for term in glossary.terms():
        assert set(LOCALES) <= set(term.languages), (
            f"{term.key}: no entry for {set(LOCALES) - set(term.languages)}"
        )
        for locale, entry in term.languages.items():
            assert entry.use and all(entry.use), (term.key, locale)
            first = entry.source.split()[0].rstrip(";,")
            assert entry.source == "unsourced" or first in named or "http" in entry.source, (
                f"{term.key} ({locale}): say where {entry.term!r} comes from, or 'unsourced'"
            )


def test_the_chinese_words_are_in_the_committees_own_text() -> None:
    reference = shared_dir() / "reference" / "gr38-zh-Hant.txt"
    if not reference.exists():
        pytest.skip(f"{reference} is not here")
    text = "".join(reference.read_text(encoding="utf-8").split())
    for term in glossary.terms():
        entry = term.languages["zh_Hant"]
        if entry.source.startswith("gr38-zh"):
            assert any(word in text for word in entry.use), (
                f"{term.key}: {entry.use} not in CEDAW/C/GC/38 (zh)"
            )


def test_the_check_finds_the_variants_it_rules_out() -> None:
    wrong = [
        ("presumed victim", "推定被害人"),
        ("For women and girls.", "給婦女與女孩。"),
        ("payments to a person in control", "向控制者給付金錢或利益"),
        ("Reflection and recovery period", "復原與考慮期"),
        ("abduction", "綁架"),
    ]
    problems = list(glossary.check("zh_Hant", wrong))
    assert {p.term for p in problems} == {
        "victim",
        "presumed victim",
        "girl",
        "giving or receiving payments or benefits",
        "reflection and recovery period",
        "abduction",
    }
    assert not list(glossary.check("zh_Hant", [("giving or receiving payments", "授受酬金或利益")]))
    assert not list(glossary.check("ar", [("Time from identification", "المدة من التعرّف على الضحية")]))


def _po_messages(locale: str) -> list[tuple[str, str]]:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    pairs = []
    for message in catalogue:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            texts = message.string if isinstance(message.string, tuple) else (message.string,)
            pairs += [(ids[min(i, len(ids) - 1)], str(text)) for i, text in enumerate(texts) if text]
    return pairs


@pytest.mark.parametrize("locale", LOCALES)
def test_the_interface_catalogue_follows_the_glossary(locale: str) -> None:
    problems = list(glossary.check(locale, _po_messages(locale)))
    assert not problems, f"{len(problems)} terms off the GR38 glossary:\n" + "\n".join(map(str, problems))


def _leaves(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, str(i)))
    elif isinstance(node, str):
        yield path, node


def _screening_messages(tag: str) -> list[tuple[str, str]]:
    """(English, translation) pairs of the screening catalogues: the explanations file keeps one tree per
    language; the indicator catalogue keeps {en: ..., <tag>: ...} at each text."""
    pairs: list[tuple[str, str]] = []
    explanations = yaml.safe_load((SCREENING / "explanations.yaml").read_text(encoding="utf-8"))["messages"]
    english = dict(_leaves(explanations["en"]))
    pairs += [(english[path], text) for path, text in _leaves(explanations.get(tag, {})) if path in english]
    for file in sorted(SCREENING.glob("*.yaml")):
        if file.name == "explanations.yaml":
            continue
        texts: dict[tuple[str, ...], dict[str, str]] = {}
        for path, text in _leaves(yaml.safe_load(file.read_text(encoding="utf-8"))):
            texts.setdefault(path[:-1], {})[path[-1]] = text
        pairs += [(t["en"], t[tag]) for t in texts.values() if "en" in t and tag in t]
    return pairs


@pytest.mark.parametrize("locale", LOCALES)
def test_the_screening_catalogues_follow_the_glossary(locale: str) -> None:
    tag = i18n.language(locale.replace("_", "-")).tag if "_" in locale else locale
    pairs = _screening_messages(tag)
    assert pairs, f"no {tag} text found in the screening catalogues"
    problems = list(glossary.check(locale, pairs))
    assert not problems, f"{len(problems)} terms off the GR38 glossary:\n" + "\n".join(map(str, problems))
