"""The screening questions speak to her in one voice (issue 13, item 3): every question addresses her as
"you" in English (or names no one) and never as 她 in Chinese, never as "she" or 她; the form's own words about her (for the
caseworker) are in the third person and live in the page, not in the catalogue."""

from __future__ import annotations

import re

from opennrm.screening import default_catalogue


def test_every_question_addresses_her_directly() -> None:
    catalogue = default_catalogue()
    addressed = [
        i.id for i in catalogue.indicators.values() if re.search(r"\byou(r)?\b", i.question["en"], re.I)
    ]
    assert (
        len(addressed) >= len(catalogue.indicators) - 2
    )  # the rest name no one ("Was the work dangerous…?")
    for indicator in catalogue.indicators.values():
        english = indicator.question["en"]
        assert not re.search(r"\b(she|her|hers|herself)\b", english, re.I), (indicator.id, english)
        for tag in ("zh-Hant", "zh-Hans"):
            assert "她" not in indicator.question[tag], (indicator.id, tag)
    for texts in catalogue.dimensions.values():
        if texts.intro:
            assert not re.search(r"\b(she|her)\b", texts.intro["en"], re.I)
