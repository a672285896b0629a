"""Ingest: every rejected row reported with its line and reason; amounts in the base currency."""

from __future__ import annotations

from pathlib import Path

import pytest

from opennrm.finance.ingest import IngestError, read_accounts, read_transactions
from opennrm.finance.jurisdiction import JurisdictionError, load

HEADER = "id,timestamp,source,target,amount,currency,channel\n"


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_bad_row_is_reported_with_line_and_reason(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        HEADER
        + "t1,2025-01-01T10:00:00Z,A,B,100.50,USD,wire\n"  # line 2: good
        + ",2025-01-01T10:00:00Z,A,B,1,USD,\n"  # 3: no id
        + "t3,yesterday,A,B,1,USD,\n"  # 4: bad time
        + "t4,2025-01-01T10:00:00Z,,B,1,USD,\n"  # 5: no source
        + "t5,2025-01-01T10:00:00Z,A,A,1,USD,\n"  # 6: self
        + "t6,2025-01-01T10:00:00Z,A,B,abc,USD,\n"  # 7: amount text
        + "t7,2025-01-01T10:00:00Z,A,B,-5,USD,\n"  # 8: negative
        + "t8,2025-01-01T10:00:00Z,A,B,5,XXX,\n"  # 9: unknown currency
        + "t1,2025-01-02T10:00:00Z,A,C,5,USD,\n"  # 10: repeated id
        + "t9,2025-01-02 11:00:00,B,C,10,eur,CASH\n",  # 11: good, naive time is UTC, EUR converted
    )
    data = read_transactions(path, load())
    assert [(r.line, r.reason) for r in data.rejects] == [
        (3, "id is empty"),
        (4, "timestamp is not an ISO 8601 date and time"),
        (5, "source is empty"),
        (6, "source and target are the same account"),
        (7, "amount is not a number"),
        (8, "amount must be a positive number"),
        (9, "currency XXX has no rate in the jurisdiction file"),
        (10, "id repeats an earlier row"),
    ]
    assert data.frame["id"].to_list() == ["t1", "t9"]
    assert data.frame["amount"].to_list() == pytest.approx([100.5, 10.8])
    assert data.frame["channel"].to_list() == ["wire", "cash"]
    assert data.accounts == ["A", "B", "C"]


def test_missing_column_is_one_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "id,timestamp,source,target,amount\nt1,2025-01-01T00:00:00Z,A,B,1\n")
    with pytest.raises(IngestError, match=r"missing column.*currency"):
        read_transactions(path, load())


def test_parquet_reads_like_csv(tmp_path: Path) -> None:
    import polars as pl

    frame = pl.DataFrame(
        {
            "id": ["a", "b"],
            "timestamp": ["2025-01-01T00:00:00Z", "bad"],
            "source": ["X", "Y"],
            "target": ["Y", "Z"],
            "amount": ["5", "6"],
            "currency": ["USD", "USD"],
        }
    )
    frame.write_parquet(tmp_path / "t.parquet")
    data = read_transactions(tmp_path / "t.parquet", load())
    assert data.frame["id"].to_list() == ["a"]
    assert [(r.line, r.reason) for r in data.rejects] == [(3, "timestamp is not an ISO 8601 date and time")]


def test_accounts_file_rejects_with_lines(tmp_path: Path) -> None:
    tx = _write(tmp_path, HEADER + "t1,2025-01-01T10:00:00Z,A,B,1,USD,\n")
    acc = _write(tmp_path, "account,opening_balance,phone\nA,10,+1 555\n,5,\nB,lots,\nA,3,\n", "a.csv")
    data = read_accounts(acc, read_transactions(tx, load()))
    assert [(r.line, r.reason) for r in data.account_rejects] == [
        (3, "account is empty"),
        (4, "opening_balance is not a number"),
        (5, "account repeats an earlier row"),
    ]
    assert data.accounts_frame is not None and data.accounts_frame["account"].to_list() == ["A"]


def test_jurisdiction_file_must_carry_every_threshold(tmp_path: Path) -> None:
    bad = tmp_path / "j.toml"
    bad.write_text('name = "x"\n[currency]\nbase = "USD"\nrates = { USD = 1 }\n', encoding="utf-8")
    with pytest.raises(JurisdictionError, match=r"lacks the \[fan_in\] section"):
        load(bad)
    assert load().base_currency == "USD"
