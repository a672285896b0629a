"""Reports: HTML and PDF with the SDG table, charts, tables, trends and the CEDAW draft section."""

from __future__ import annotations

from pathlib import Path

import pytest

from opennrm.stats import ctdc, synthetic
from opennrm.stats.dimensions import nrm_dimensions, with_margins
from opennrm.stats.published import from_exact, from_release
from opennrm.stats.records import count_persons
from opennrm.stats.release import release_tables
from opennrm.stats.report import build_report
from opennrm.stats.sdg import Population
from opennrm.stats.tables import frame_from_persons

from .conftest import small_ctdc_frame


@pytest.fixture(scope="module")
def released():  # type: ignore[no-untyped-def]
    frame = small_ctdc_frame()
    made = release_tables(frame, ctdc.DEFAULT_TABLES, 1.0)
    dims = {n: frame.dimensions[n] for n in ctdc.RELEASE_DIMENSIONS}
    return made, from_release(made, dims, "test CTDC-shaped data")


def test_report_from_a_release_has_every_part(released, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, stats = released
    report = build_report(stats, tmp_path)
    html = report.html.read_text(encoding="utf-8")
    for part in (
        "SDG indicator 16.2.2",
        "Draft for the CEDAW periodic report",
        "Disaggregated tables",
        "Differential privacy",
        '<svg xmlns="http://www.w3.org/2000/svg"',
    ):
        assert part in html
    assert "INTERNAL" not in html
    pdf = report.pdf.read_bytes()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3


def test_report_shows_small_counts_as_less_than_11(released, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    made, stats = released
    html = build_report(stats, tmp_path).html.read_text(encoding="utf-8")
    assert "&lt;11" in html
    small = [c for c in made.table("sex") if c.count < 11]
    for cell in small:  # a one-way table would otherwise print the number with its interval
        assert f">{cell.count} (" not in html


def test_internal_report_from_exact_counts_says_so(tmp_path: Path) -> None:
    frame = small_ctdc_frame()
    stats = from_exact(frame, ctdc.DEFAULT_TABLES, "test", "2025-01-01")
    report = build_report(stats, tmp_path)
    assert "INTERNAL" in report.html.read_text(encoding="utf-8")


def test_trends_by_year_and_sdg_rates_for_case_records(tmp_path: Path) -> None:
    persons = count_persons(synthetic.synthetic_records(4000, seed=2)).persons
    dims = nrm_dimensions(synthetic.classification())
    tables = with_margins([("year", "sex", "age_group"), ("year", "exploitation")])
    frame = frame_from_persons(persons, dims, sorted({n for t in tables for n in t}))
    stats = from_exact(frame, tables, "synthetic records", "2025-01-01")
    population = Population(
        {
            (y, s, a): 1_000_000
            for y in synthetic.YEARS
            for s in ("female", "male", "total")
            for a in ("child", "adult", "total")
        }
    )
    html = build_report(stats, tmp_path, population).html.read_text(encoding="utf-8")
    assert "Persons identified by year" in html
    assert "per 100,000 population" in html and "no trend by year" not in html


def test_report_charts_draw_a_count_below_11_as_withheld_never_as_a_zero_bar(
    released, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import math
    import re

    from opennrm.stats.report import charts

    _, stats = released
    made = charts(stats)
    sex_by_age = next(c for c in made if c.title == "Persons by sex and age group")
    small = [
        (s, a)
        for s in stats.dimensions["sex"].categories
        for a in stats.dimensions["age_group"].categories
        if (f := stats.lookup({"sex": s, "age_group": a})) is not None and f.count is None
    ]
    assert small, "the test data must have a count below 11"
    # SVG (the HTML report): a hatched mark and the words, one per small count; no bar of zero width
    assert sex_by_age.svg.count('class="chart-withheld"') == len(small)
    assert "fewer than 11" in sex_by_age.svg
    assert not re.search(
        r'<g class="chart-bar"><title>[^<]*</title><rect[^>]* width="0(\.0)?"', sex_by_age.svg
    )
    # PDF (matplotlib): the small counts are not bars of height zero, and say "<11"
    axes = sex_by_age.figure.axes[0]
    heights = [p.get_height() for p in axes.patches]
    assert sum(1 for h in heights if math.isnan(h)) == len(small)
    assert sum(1 for t in axes.texts if t.get_text() == "<11") == len(small)
