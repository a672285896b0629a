"""Fixtures of the recruitment tests: synthetic ads (generated once per session) and helpers."""

from __future__ import annotations

from typing import Any

import pytest

from opennrm.recruitment.synthetic import SyntheticAd, synthetic_ads


@pytest.fixture(scope="session")
def planted() -> list[SyntheticAd]:
    """1,500 synthetic ads in English, Simplified and Traditional Chinese with planted ground truth."""
    return synthetic_ads(1500, seed=11)


@pytest.fixture(scope="session")
def labelled_records() -> list[dict[str, Any]]:
    """400 synthetic ads with their labels, as contract records (for train / evaluate)."""
    records = []
    for item in synthetic_ads(400, seed=5, deceptive_share=0.3):
        record = dict(item.record)
        record["label"] = item.label
        records.append(record)
    return records


@pytest.fixture(scope="session")
def planted_analyses(planted: list[SyntheticAd]) -> list[Any]:
    from opennrm.recruitment.analysis import analyse_ad
    from tests.unit.recruitment.helpers import as_ad

    return [analyse_ad(as_ad(item.record)) for item in planted]


@pytest.fixture(scope="session")
def planted_scan(planted: list[SyntheticAd]) -> list[dict[str, Any]]:
    """The scan output of the planted ads with the shipped default model."""
    from opennrm.recruitment.model import default_model
    from opennrm.recruitment.pipeline import scan_ads
    from tests.unit.recruitment.helpers import as_ad

    records, _ = scan_ads([as_ad(item.record) for item in planted], default_model())
    return records
