"""The privacy-budget ledger: per controller and year, refuses an overspend, append-only, tamper-evident."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from opennrm.stats.ledger import DEFAULT_ANNUAL_CAP, BudgetExceeded, JsonLinesLedger, LedgerError


@pytest.fixture
def ledger(tmp_path: Path) -> JsonLinesLedger:
    return JsonLinesLedger.in_home(tmp_path)


def test_the_ledger_refuses_an_overspend_and_records_nothing(ledger: JsonLinesLedger) -> None:
    ledger.set_cap("ministry", 2025, Decimal("1.5"))
    ledger.charge("ministry", [2025], Decimal("1"), "r1")
    before = ledger.path.read_bytes()
    with pytest.raises(BudgetExceeded) as refused:
        ledger.charge("ministry", [2025], Decimal("0.6"), "r2")
    assert refused.value.spent == Decimal("1") and refused.value.cap == Decimal("1.5")
    assert ledger.path.read_bytes() == before
    assert ledger.spent("ministry", 2025) == Decimal("1")


def test_spending_up_to_the_cap_exactly_is_allowed(ledger: JsonLinesLedger) -> None:
    for i in range(10):
        ledger.charge("c", [2025], Decimal("0.2"), f"r{i}")  # 10 × 0.2 = 2, exact with decimals
    assert ledger.spent("c", 2025) == DEFAULT_ANNUAL_CAP
    with pytest.raises(BudgetExceeded):
        ledger.charge("c", [2025], Decimal("0.01"), "one more")


def test_budgets_are_separate_per_controller_and_per_year(ledger: JsonLinesLedger) -> None:
    ledger.charge("a", [2024], DEFAULT_ANNUAL_CAP, "r1")
    ledger.charge("b", [2024], DEFAULT_ANNUAL_CAP, "r2")
    ledger.charge("a", [2025], DEFAULT_ANNUAL_CAP, "r3")
    with pytest.raises(BudgetExceeded):
        ledger.charge("a", [2024], Decimal("0.1"), "r4")


def test_a_release_over_several_years_is_refused_if_any_year_would_overspend(ledger: JsonLinesLedger) -> None:
    ledger.charge("a", [2024], Decimal("1.8"), "r1")
    with pytest.raises(BudgetExceeded) as refused:
        ledger.charge("a", [2023, 2024, 2025], Decimal("0.5"), "r2")
    assert refused.value.year == 2024
    assert ledger.spent("a", 2023) == 0 and ledger.spent("a", 2025) == 0


def test_an_altered_ledger_is_detected(ledger: JsonLinesLedger) -> None:
    ledger.charge("a", [2025], Decimal("1.5"), "r1")
    ledger.charge("a", [2025], Decimal("0.5"), "r2")
    lines = ledger.path.read_text(encoding="utf-8").splitlines()
    entry = json.loads(lines[0])
    entry["epsilon"] = "0.1"  # someone tries to free budget
    lines[0] = json.dumps(entry, sort_keys=True)
    ledger.path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="hash chain"):
        ledger.charge("a", [2025], Decimal("1"), "r3")


def test_a_removed_line_is_detected(ledger: JsonLinesLedger) -> None:
    for i in range(3):
        ledger.charge("a", [2025], Decimal("0.5"), f"r{i}")
    lines = ledger.path.read_text(encoding="utf-8").splitlines()
    ledger.path.write_text("\n".join([lines[0], lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(LedgerError):
        ledger.spent("a", 2025)


def test_concurrent_releases_cannot_both_pass_the_check(tmp_path: Path) -> None:
    JsonLinesLedger.in_home(tmp_path).set_cap("a", 2025, Decimal("2"))
    outcomes: list[bool] = []

    def attempt(i: int) -> None:
        try:
            JsonLinesLedger.in_home(tmp_path).charge("a", [2025], Decimal("0.5"), f"r{i}")
            outcomes.append(True)
        except BudgetExceeded:
            outcomes.append(False)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count(True) == 4
    assert JsonLinesLedger.in_home(tmp_path).spent("a", 2025) == Decimal("2")


def test_entries_are_appended_not_rewritten(ledger: JsonLinesLedger) -> None:
    ledger.charge("a", [2025], Decimal("0.5"), "r1")
    first = ledger.path.read_text(encoding="utf-8")
    ledger.charge("a", [2025], Decimal("0.5"), "r2")
    assert ledger.path.read_text(encoding="utf-8").startswith(first)
    assert [e.release_id for e in ledger.entries()] == ["r1", "r2"]


@pytest.mark.parametrize("bad", ["0", "-1", "nan", "inf", "abc"])
def test_epsilon_must_be_a_positive_number(ledger: JsonLinesLedger, bad: str) -> None:
    with pytest.raises(ValueError):
        ledger.charge("a", [2025], bad, "r")  # type: ignore[arg-type]
