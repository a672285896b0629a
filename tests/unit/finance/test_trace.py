"""Traces on hand-built chains: exact attribution, both methods side by side, time order and hop limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from opennrm.finance.ingest import read_accounts, read_transactions
from opennrm.finance.jurisdiction import load
from opennrm.finance.seeds import SeedError, match_identifiers
from opennrm.finance.trace import TraceError, Tracer

ROWS = """id,timestamp,source,target,amount,currency
early,2025-01-01T09:00:00Z,B,F,10,USD
t1,2025-01-01T10:00:00Z,A,B,100,USD
t2,2025-01-01T11:00:00Z,B,C,100,USD
t3,2025-01-01T12:00:00Z,B,D,100,USD
t4,2025-01-01T13:00:00Z,C,E,30,USD
t5,2025-01-01T14:00:00Z,E,G,30,USD
"""


@pytest.fixture
def tracer(tmp_path: Path) -> Tracer:
    (tmp_path / "t.csv").write_text(ROWS, encoding="utf-8")
    # B held 110 of its own before the seed's money came (10 of it left at 09:00 to F)
    (tmp_path / "a.csv").write_text(
        "account,opening_balance,phone\nB,110,+1 555 0100\nA,0,\n", encoding="utf-8"
    )
    data = read_accounts(tmp_path / "a.csv", read_transactions(tmp_path / "t.csv", load()))
    return Tracer(data)


def _by(trace):  # type: ignore[no-untyped-def]
    return {d.account: d for d in trace.destinations}


def test_forward_proportional_and_fifo_side_by_side(tracer: Tracer) -> None:
    got = _by(tracer.trace(["A"], "forward", 3))
    assert "F" not in got  # paid before the seed's money arrived: not time-respecting
    b, c, d = got["B"], got["C"], got["D"]
    assert (b.hop, c.hop, d.hop) == (1, 2, 2)
    assert b.proportional_received == pytest.approx(100)
    # B holds 100 own + 100 traced: proportional halves each payment, FIFO spends B's own money first
    assert c.proportional_received == pytest.approx(50)
    assert d.proportional_received == pytest.approx(50)
    assert c.fifo_received == pytest.approx(0)
    assert d.fifo_received == pytest.approx(100)
    assert b.proportional_kept == pytest.approx(0) and b.fifo_kept == pytest.approx(0)
    assert got["E"].proportional_received == pytest.approx(15)  # 30 of C's 100, half traced
    assert got["E"].fifo_received == pytest.approx(0)
    assert c.path == ("t1", "t2") and c.path_accounts == ("A", "B", "C")


def test_hop_limit(tracer: Tracer) -> None:
    got = _by(tracer.trace(["A"], "forward", 2))
    assert set(got) == {"B", "C", "D"}
    assert got["C"].proportional_kept == pytest.approx(50)  # a last-hop account keeps what it received


def test_backward(tracer: Tracer) -> None:
    got = _by(tracer.trace(["E"], "backward", 3))
    assert set(got) == {"C", "B", "A"}
    assert got["C"].hop == 1 and got["B"].hop == 2 and got["A"].hop == 3
    assert got["C"].proportional_received == pytest.approx(30)
    assert got["A"].path_accounts == ("E", "C", "B", "A")


def test_bad_seed_and_options(tracer: Tracer) -> None:
    with pytest.raises(TraceError, match="does not appear"):
        tracer.trace(["nobody"])
    with pytest.raises(TraceError, match="hops"):
        tracer.trace(["A"], "forward", 0)
    with pytest.raises(TraceError, match="direction"):
        tracer.trace(["A"], "sideways", 2)


def test_identifiers_matched_through_the_accounts_file(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(ROWS, encoding="utf-8")
    (tmp_path / "a.csv").write_text("account,phone\nB,+1 (555) 0100\nQ,+1 555 0100\n", encoding="utf-8")
    data = read_accounts(tmp_path / "a.csv", read_transactions(tmp_path / "t.csv", load()))
    assert match_identifiers(data, ["+15550100"]) == ["B"]  # Q has no transactions
    with pytest.raises(SeedError):
        match_identifiers(data, ["nobody@example.org"])
