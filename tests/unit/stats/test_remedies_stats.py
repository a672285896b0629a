"""Remedy statistics: counts with the display rule, amounts and medians only when at least 11 claims stand
behind them, amounts rounded so that one more payment cannot be read off a difference."""

from __future__ import annotations

from opennrm.stats.remedies import ClaimFacts, count_remedies, round_significant


def claim(
    n: int, *, route: str = "labour", currency: str = "EUR", paid: int = 0, days: int | None = None
) -> ClaimFacts:
    return ClaimFacts(f"p{n}", route, "paid" if days is not None else "filed", currency, paid > 0, paid, days)


def test_small_groups_show_no_number_no_amount_and_no_median() -> None:
    counted = count_remedies([claim(i, paid=100_00, days=30 + i) for i in range(10)])
    assert counted.claims == "<11" and counted.persons == "<11"
    assert (
        counted.by_route["labour"].paid == "<11" and counted.by_route["labour"].median_days_to_payment == "x"
    )
    assert counted.paid_by_currency == {"other": "x"} and counted.median_days_to_payment == "x"


def test_enough_claims_show_rounded_totals_and_the_median() -> None:
    paid = [claim(i, paid=1_234_56 + i, days=10 * i) for i in range(11)]
    rare = [claim(100, currency="NPR", paid=5_000_00, days=3)]
    counted = count_remedies(paid + rare + [claim(200, route="civil")])
    assert counted.claims == "13" and counted.by_route["labour"].claims == "12"
    assert counted.by_route["labour"].median_days_to_payment == "45"  # 0, 3, 10 … 100
    assert counted.by_route["civil"].claims == "<11"
    # 11 payments of about 1 234.56 EUR: 13 580.71, shown as 14 000; the one NPR payment is not named
    assert counted.paid_by_currency == {"EUR": "14000.00", "other": "x"}


def test_rounding_keeps_two_significant_figures_in_the_currencys_units() -> None:
    assert round_significant(1_234_567, "EUR") == "12000.00"
    assert round_significant(1_234_567, "JPY") == "1200000"
    assert round_significant(987_654, "KWD") == "990.000"
    assert round_significant(0, "EUR") == "0.00"
