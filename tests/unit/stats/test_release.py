"""The DP release: public keys, budget, consistent totals, intervals, and the "<11" display rule."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from opennrm.stats import ctdc
from opennrm.stats.release import (
    RELEASE_COLUMNS,
    ReleaseError,
    plan_release,
    read_release_csv,
    release_tables,
    write_release,
)
from opennrm.stats.tables import DISPLAY_THRESHOLD, count_table, display_count

from .conftest import small_ctdc_frame


@pytest.fixture(scope="module")
def frame():  # type: ignore[no-untyped-def]
    return small_ctdc_frame()


@pytest.fixture(scope="module")
def made(frame):  # type: ignore[no-untyped-def]
    return release_tables(frame, ctdc.DEFAULT_TABLES, 1.0)


@pytest.mark.parametrize("value", [-40.0, -0.4, 0.0, 3.0, 10.0, 10.49])
def test_counts_below_the_threshold_are_shown_as_less_than_11(value: float) -> None:
    assert display_count(value) == "<11"


@pytest.mark.parametrize(("value", "shown"), [(10.6, "11"), (11.0, "11"), (12345.4, "12345")])
def test_counts_at_or_above_the_threshold_are_shown_as_numbers(value: float, shown: str) -> None:
    assert display_count(value) == shown


def test_cells_under_the_threshold_are_never_printed_as_numbers(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv_path, _ = write_release(made, tmp_path)
    with csv_path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    small = [r for r in rows if r["count"] == f"<{DISPLAY_THRESHOLD}"]
    assert small, "the test frame is built to have small cells"
    for row in rows:
        if row["count"].startswith("<"):
            assert row["ci_low"] == "" and row["ci_high"] == ""  # an interval would give the number away
        else:
            assert int(row["count"]) >= DISPLAY_THRESHOLD
            assert int(row["ci_low"]) <= int(row["count"]) <= int(row["ci_high"])
    by_cell = {(c.table, c.cell): c for c in made.cells}
    for row in small:
        assert by_cell[(row["table"], row["cell"])].count < DISPLAY_THRESHOLD


def test_release_csv_is_long_form_with_the_issue_columns(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    csv_path, _ = write_release(made, tmp_path)
    header = csv_path.read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == RELEASE_COLUMNS == ("table", "cell", "count", "ci_low", "ci_high")
    cells = read_release_csv(csv_path)
    tables = {c.table for c in cells}
    assert "sex×age_group" in tables and "sex×age_group×exploitation" in tables
    assert any(c.cell == "sex=woman|age_group=child" for c in cells)


def test_every_public_cell_is_published_even_when_empty(frame, made) -> None:  # type: ignore[no-untyped-def]
    for names in ctdc.DEFAULT_TABLES:
        expected = math.prod(frame.dimensions[n].size for n in names)
        name = "×".join(names)
        assert len(made.table(name)) == expected


def test_totals_are_consistent_across_tables(made) -> None:  # type: ignore[no-untyped-def]
    total = made.table("total")[0].count
    for names in ctdc.DEFAULT_TABLES:
        assert sum(c.count for c in made.table("×".join(names))) == total
    # a two-way table adds up to its one-way margins
    by_sex: dict[str, int] = {}
    for c in made.table("sex×age_group"):
        sex = c.cell.split("|")[0]
        by_sex[sex] = by_sex.get(sex, 0) + c.count
    assert by_sex == {c.cell: c.count for c in made.table("sex")}


def test_opendp_certifies_the_budget(made) -> None:  # type: ignore[no-untyped-def]
    assert made.certified_epsilon <= 1.0 + 1e-9
    assert sum(m.epsilon for m in made.plan.measured) == pytest.approx(1.0)


def test_estimates_are_never_negative(made) -> None:  # type: ignore[no-untyped-def]
    assert all(c.count >= 0 and c.estimate >= 0 and c.ci_low >= 0 for c in made.cells)


def test_release_is_close_to_the_truth(frame, made) -> None:  # type: ignore[no-untyped-def]
    # ε = 1 on 72 cells: a one-way cell sums 18–36 noisy cells (s.d. about 6–8); 60 is far outside
    truth = count_table(frame, ["sex"])
    for cell in made.table("sex"):
        category = cell.cell.split("=")[1]
        assert abs(cell.count - truth.value(sex=category)) < 60


def test_the_planner_measures_the_full_table_when_that_is_more_accurate(frame) -> None:  # type: ignore[no-untyped-def]
    plan = plan_release(frame.dimensions, ctdc.DEFAULT_TABLES, 1.0)
    assert len(plan.measured) == 1
    assert set(plan.measured[0].names) == set(ctdc.RELEASE_DIMENSIONS)


def test_per_table_strategy_splits_the_budget_across_tables(frame) -> None:  # type: ignore[no-untyped-def]
    plan = plan_release(frame.dimensions, ctdc.DEFAULT_TABLES, 1.0, strategy="per_table")
    assert len(plan.measured) == 14
    assert sum(m.epsilon for m in plan.measured) == pytest.approx(1.0)
    assert all(m.epsilon < 1.0 for m in plan.measured)


def test_several_measured_tables_are_made_consistent(frame) -> None:  # type: ignore[no-untyped-def]
    tables = [("sex", "age_group"), ("sex", "exploitation"), ("sex",), ("age_group",), ("exploitation",)]
    made = release_tables(frame, tables, 2.0, strategy="per_table")
    total = made.table("total")[0].estimate
    for name in ("sex×age_group", "sex×exploitation", "sex"):
        assert sum(c.estimate for c in made.table(name)) == pytest.approx(total, abs=1e-6)
    sums: dict[str, float] = {}
    for c in made.table("sex×age_group"):
        sums[c.cell.split("|")[0]] = sums.get(c.cell.split("|")[0], 0.0) + c.estimate
    for c in made.table("sex"):
        assert sums[c.cell] == pytest.approx(c.estimate, abs=1e-6)


@pytest.mark.parametrize("epsilon", [0.0, -1.0, 1000.0, float("nan")])
def test_bad_epsilon_is_refused(frame, epsilon: float) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReleaseError):
        plan_release(frame.dimensions, ctdc.DEFAULT_TABLES, epsilon)


def test_unknown_dimension_is_refused(frame) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ReleaseError, match="unknown"):
        plan_release(frame.dimensions, [("sex", "religion")], 1.0)


def test_noise_is_signed_not_clamped(frame) -> None:  # type: ignore[no-untyped-def]
    made = release_tables(frame, [("sex", "age_group", "exploitation", "citizenship")], 0.1)
    truth = count_table(frame, made.plan.measured[0].names).values.ravel()
    assert (truth < 3).sum() >= 10
    assert (made.noisy[0] < 0).any()  # noise of scale 10 on ten or more near-empty cells
