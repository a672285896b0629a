"""Categories come from the statistics office's configuration, never from the data: a year or a region
that exists because one person has it would itself disclose her (issue 12, item 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opennrm.stats.dimensions import NationalClassification, default_classification, read_classification

TODAY = dt.date(2026, 5, 1)


def test_without_a_file_the_documented_defaults_apply(tmp_path: Path) -> None:
    found = read_classification(tmp_path / "domains.toml", TODAY)
    assert found == default_classification(TODAY)
    assert found.years == tuple(range(2017, 2027)) and found.regions == () and found.nationalities == ()


def test_the_file_lists_the_categories(tmp_path: Path) -> None:
    path = tmp_path / "domains.toml"
    path.write_text('years = [2024, 2023]\nregions = ["North", "South"]\nnationalities = ["GB"]\n')
    assert read_classification(path, TODAY) == NationalClassification(
        years=(2023, 2024), regions=("North", "South"), nationalities=("GB",)
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("years = []", "years"),
        ('years = ["2024"]', "years"),
        ('regions = ["a|b"]', "regions"),
        ('regions = ["other"]', "regions"),
        ('places = ["x"]', "unknown setting"),
        ("years = [", "not a TOML file"),
    ],
)
def test_a_bad_file_is_refused_naming_what_does_not_fit(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "domains.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_classification(path, TODAY)
