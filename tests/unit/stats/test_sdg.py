"""SDG 16.2.2 rates per 100,000 from a population file the user supplies."""

from __future__ import annotations

from pathlib import Path

import pytest

from opennrm.stats.sdg import Figure, PopulationFileError, read_population, sdg_16_2_2

POPULATION = """year,sex,age_group,population
2024,total,total,5000000
2024,female,total,2500000
2024,female,child,500000
2024,total,child,1000000
"""


def test_rates_are_victims_per_100000_of_the_matching_population(tmp_path: Path) -> None:
    path = tmp_path / "pop.csv"
    path.write_text(POPULATION, encoding="utf-8")
    figures = {
        (("year", "2024"),): Figure(250, 240, 260),
        (("sex", "female"), ("year", "2024")): Figure(200),
        (("age_group", "child"), ("sex", "female"), ("year", "2024")): Figure(50),
        (("sex", "male"), ("year", "2024")): Figure(None),
    }

    def lookup(cell):  # type: ignore[no-untyped-def]
        return figures.get(tuple(sorted(cell.items())))

    rows = sdg_16_2_2(
        lookup,
        {"year": ["2024"], "sex": ["female", "male"], "age_group": ["child", "adult"]},
        read_population(path),
    )
    by_group = {r.group: r for r in rows}
    assert by_group["all victims"].rate == pytest.approx(5.0)
    assert by_group["all victims"].rate_interval == pytest.approx((4.8, 5.2))
    assert by_group["female"].rate == pytest.approx(8.0)
    assert by_group["female, child"].rate == pytest.approx(10.0)
    assert by_group["male"].rate is None  # "<11": no rate is derived from a suppressed count


@pytest.mark.parametrize(
    "text",
    [
        "year,sex,population\n2024,total,1\n",
        "year,sex,age_group,population\n2024,women,total,10\n",
        "year,sex,age_group,population\n2024,total,total,-5\n",
        "year,sex,age_group,population\n2024,total,total,10\n2024,total,total,11\n",
    ],
)
def test_a_bad_population_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "pop.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PopulationFileError):
        read_population(path)
