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
        "data:image/png;base64,",
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
