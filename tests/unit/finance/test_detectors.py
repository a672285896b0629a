"""Every planted pattern is found, with every one of its transactions named, and each hit says its rule."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from opennrm.finance import jurisdiction, synthetic
from opennrm.finance.detectors import cycle_edges, cycle_hits, detect
from opennrm.finance.ingest import Transactions
from opennrm.finance.jurisdiction import Jurisdiction

Planted = tuple[synthetic.Synthetic, Transactions]


def _with(j: Jurisdiction, section: str, **values: object) -> Jurisdiction:
    sections = {k: dict(v) for k, v in j.sections.items()}
    sections[section].update(values)
    return dataclasses.replace(j, sections=sections)


@pytest.fixture(scope="module")
def report(planted: Planted):  # type: ignore[no-untyped-def]
    _, data = planted
    # cross-border is off by default (no listed countries); the test jurisdiction lists the planted one
    return detect(data, _with(jurisdiction.load(), "cross_border", countries=["ZZ"]))


def test_every_planted_pattern_is_found_with_its_transactions(planted: Planted, report) -> None:  # type: ignore[no-untyped-def]
    syn, _ = planted
    missing = []
    for p in syn.planted:
        hits = [h for h in report.hits if h.rule == p.rule and h.account == p.subject]
        named = {t for h in hits for t in h.transactions}
        if not hits or not set(p.transactions) <= named:
            missing.append((p.rule, p.subject, sorted(set(p.transactions) - named)))
    assert not missing
    assert {p.rule for p in syn.planted} >= {
        "fan_in",
        "fan_out",
        "cycle",
        "scatter_gather",
        "gather_scatter",
        "bipartite",
        "stack",
        "pass_through",
        "structuring",
        "exploitation_spending",
        "off_hours",
        "mobility",
        "payroll",
        "alternative_payments",
        "cross_border",
        "shared_identifiers",
    }


def test_every_hit_names_rule_thresholds_and_source(report) -> None:  # type: ignore[no-untyped-def]
    for hit in report.hits:
        assert hit.rule in hit.explanation
        assert hit.source and hit.thresholds
        assert hit.transactions or hit.rule == "shared_identifiers"
        assert 0.0 < hit.strength <= 1.0


def test_thresholds_come_from_the_jurisdiction(planted: Planted) -> None:
    _, data = planted
    strict = _with(jurisdiction.load(), "fan_in", min_counterparties=50)
    assert not [h for h in detect(data, strict, ["fan_in"]).hits]
    assert [h for h in detect(data, jurisdiction.load(), ["fan_in"]).hits]


def test_detectors_without_their_fields_say_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from opennrm.finance.ingest import read_transactions

    path = tmp_path / "t.csv"
    path.write_text(
        "id,timestamp,source,target,amount,currency\nt1,2025-01-01T00:00:00Z,A,B,5,USD\n", encoding="utf-8"
    )
    result = detect(read_transactions(path, jurisdiction.load()), jurisdiction.load())
    assert result.skipped["exploitation_spending"] == "the data has no merchant_category"
    assert result.skipped["shared_identifiers"] == "no accounts file"


def test_payroll_names_possible_victims_in_the_explanation(planted: Planted, report) -> None:  # type: ignore[no-untyped-def]
    hit = next(h for h in report.hits if h.rule == "payroll")
    assert "may be victims" in hit.explanation


def _payments(*rows: tuple[str, str, float]) -> pl.DataFrame:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return pl.DataFrame(
        {
            "id": [f"T{i}" for i in range(len(rows))],
            "ts": [start + timedelta(hours=i) for i in range(len(rows))],
            "source": [r[0] for r in rows],
            "target": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
        }
    )


def test_the_cycle_search_sees_only_payments_that_can_lie_on_a_loop() -> None:
    # a loop A→B→C→A of similar amounts, a tail C→D, a payment into the loop of another size, and a loop
    # E→F→E whose second hop is far from the first's amount: only A→B→C→A remains
    frame = _payments(
        ("A", "B", 100.0),
        ("B", "C", 95.0),
        ("C", "A", 90.0),
        ("C", "D", 92.0),
        ("X", "A", 5.0),
        ("E", "F", 100.0),
        ("F", "E", 10.0),
    )
    kept = cycle_edges(frame, 0.9)
    assert kept["id"].to_list() == ["T0", "T1", "T2"]
    assert cycle_edges(frame.head(0), 0.9).is_empty()
    cfg = dict(jurisdiction.load()["cycle"])
    hits = cycle_hits(kept, {"A": 1, "B": 1, "C": 2}, cfg)
    assert {(h.account, h.transactions) for h in hits} == {(a, ("T0", "T1", "T2")) for a in "ABC"}
    assert cycle_hits(kept, {"A": 1, "B": 1, "C": 99}, cfg) == []  # C pays too many accounts to step through
