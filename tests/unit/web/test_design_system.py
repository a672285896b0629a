"""The design system (ADR 0003): the committed stylesheets are Bootstrap's, of the version package-lock.json
pins, rebuilt from scss/opennrm.scss when node is here; the right-to-left build is really flipped; and every
status the pages show as a badge has a tone and its words."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from opennrm.domain.services import ReferralStatus
from opennrm.domain.vocabularies import CaseStatus, TraffickingStatus
from opennrm.identification.rules import Outcome, ReconsiderationResult
from opennrm.web import i18n
from opennrm.web.labels import label
from opennrm.web.pages.render import environment

REPO = Path(__file__).resolve().parents[3]
STATIC = REPO / "src" / "opennrm" / "web" / "static"
BUILT = ("opennrm.css", "opennrm.rtl.css", "LICENSE-bootstrap.txt", "design-system.json")
CONSENT_STATES = ("active", "expired", "revoked")
TONES = {"success", "info", "warning", "danger", "neutral", "primary"}


def _locked(name: str) -> str:
    lock = json.loads((REPO / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"][f"node_modules/{name}"]["version"])


def test_the_recorded_version_and_licence_match_the_lock() -> None:
    recorded = json.loads((STATIC / "design-system.json").read_text(encoding="utf-8"))
    assert recorded["library"] == "bootstrap" and recorded["license"] == "MIT"
    assert recorded["version"] == _locked("bootstrap")
    assert recorded["version"].startswith("5.3.")
    assert recorded["built_with"] == {"sass": _locked("sass"), "rtlcss": _locked("rtlcss")}
    licence = (STATIC / "LICENSE-bootstrap.txt").read_text(encoding="utf-8")
    assert "The MIT License" in licence and "Permission is hereby granted" in licence
    for name in ("opennrm.css", "opennrm.rtl.css"):
        head = (STATIC / name).read_text(encoding="utf-8")[:200]
        assert head.startswith('@charset "UTF-8";\n/*! OpenNRM styles on Bootstrap v' + recorded["version"])
        assert "\ufeff" not in (STATIC / name).read_text(encoding="utf-8")  # a stray mark voids a rule


def test_the_right_to_left_stylesheet_is_the_left_to_right_one_mirrored() -> None:
    ltr = (STATIC / "opennrm.css").read_text(encoding="utf-8")
    rtl = (STATIC / "opennrm.rtl.css").read_text(encoding="utf-8")
    assert ltr != rtl and abs(len(ltr) - len(rtl)) < 0.01 * len(ltr)
    # Bootstrap's select arrow sits at the end of the field: on the right in one, on the left in the other.
    assert "background-position:right .75rem center" in ltr
    assert "background-position:left .75rem center" in rtl
    # Both are small enough for a page under 200 KB on the wire with room for the page itself.
    assert len(ltr.encode()) < 80_000 and len(rtl.encode()) < 80_000


def test_the_committed_build_is_current(tmp_path: Path) -> None:
    node = shutil.which("node")
    needed = [REPO / "node_modules" / name / "package.json" for name in ("bootstrap", "sass", "rtlcss")]
    if node is None or not all(path.exists() for path in needed):
        pytest.skip("node or node_modules missing (make node-deps): the version check above still runs")
    installed = json.loads(needed[0].read_text(encoding="utf-8"))["version"]
    if installed != _locked("bootstrap"):
        pytest.skip(f"node_modules holds Bootstrap {installed}, not the locked one (run make node-deps)")
    subprocess.run([node, str(REPO / "scripts" / "build-css.mjs"), str(tmp_path)], check=True, timeout=300)
    stale = [name for name in BUILT if (tmp_path / name).read_bytes() != (STATIC / name).read_bytes()]
    assert not stale, f"rebuild with `make css` and commit: {stale} differ from scss/opennrm.scss's build"


def _tones() -> dict[str, str]:
    return dict(environment().get_template("badges.html").module.TONES)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "codes",
    [
        [s.value for s in CaseStatus],
        [s.value for s in TraffickingStatus],
        [s.value for s in ReferralStatus],
        [s.value for s in Outcome] + [s.value for s in ReconsiderationResult],
        list(CONSENT_STATES),
    ],
    ids=["case", "trafficking", "referral", "decision", "consent"],
)
def test_every_status_has_a_tone_of_the_design_system(codes: list[str]) -> None:
    tones = _tones()
    assert not set(codes) - tones.keys(), "a status with no tone would show as grey by accident"
    assert {tones[code] for code in codes} <= TONES
    scss = (REPO / "src" / "opennrm" / "web" / "scss" / "opennrm.scss").read_text(encoding="utf-8")
    css = (STATIC / "opennrm.css").read_text(encoding="utf-8")
    for tone in {tones[code] for code in codes}:
        assert tone in scss and f".tone-{tone}{{" in css


def test_a_badge_says_the_status_in_words_in_the_page_language() -> None:
    module = environment().get_template("badges.html").module
    with i18n.activated("fr"):
        html = str(module.status_badge("declined"))  # type: ignore[attr-defined]
        words = label("declined")
        consent = str(module.consent_badge("revoked"))  # type: ignore[attr-defined]
    assert html == f'<span class="badge tone-danger">{words}</span>'
    assert words and words != "declined"
    assert re.fullmatch(r'<span class="badge tone-neutral">[^<]+</span>', consent)
    assert "revoked" not in consent
