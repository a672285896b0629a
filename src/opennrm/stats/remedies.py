"""Counting remedies (GR38 §101, §108) for statistics: claims by route and status, awards, amounts paid by
currency and the time from filing to full payment.

Every count is shown with the display rule of ``opennrm.stats.tables`` (counts under 11 as "<11"). Amounts
and medians are figures about few people when few claims stand behind them, so each is shown only when at
least ``threshold`` claims do (otherwise ``SUPPRESSED``), and totals are rounded to two significant figures
so that one more payment cannot be read off the difference between two reports."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from opennrm.domain.remedies import ClaimStatus, RemedyRoute, format_minor, minor_digits
from opennrm.stats.disclosure import SUPPRESSED
from opennrm.stats.tables import DISPLAY_THRESHOLD, display_count

ROUTES = tuple(r.value for r in RemedyRoute)
STATUSES = tuple(s.value for s in ClaimStatus)
#: Where currencies paid to fewer than ``threshold`` claims are counted (and shown suppressed).
OTHER_CURRENCIES = "other"


@dataclass(frozen=True)
class ClaimFacts:
    """One claim as statistics see it: whose (an opaque person id, to count persons once), its route,
    status, currency, whether something was awarded, what was paid (minor units) and the days from filing
    to full payment (``None`` unless paid in full)."""

    person: str
    route: str
    status: str
    currency: str
    awarded: bool
    paid_minor: int
    days_to_payment: int | None


@dataclass(frozen=True)
class RouteCounts:
    claims: str
    awarded: str
    paid: str
    median_days_to_payment: str


@dataclass(frozen=True)
class RemedyCounts:
    """The published figures (text: a number, "<11", or ``SUPPRESSED``)."""

    persons: str
    claims: str
    by_route: Mapping[str, RouteCounts]
    by_status: Mapping[str, str]
    paid_by_currency: Mapping[str, str]
    median_days_to_payment: str


def round_significant(minor: int, currency: str, digits: int = 2) -> str:
    """A total in major units rounded to ``digits`` significant figures (``"12000.00"`` for 12 345.67)."""
    if minor == 0:
        return format_minor(0, currency)
    major = Decimal(minor).scaleb(-minor_digits(currency))
    shift = major.adjusted() - digits + 1
    rounded = major.scaleb(-shift).quantize(Decimal(1)).scaleb(shift)
    return format_minor(int(rounded.scaleb(minor_digits(currency))), currency)


def _median(days: list[int], threshold: int) -> str:
    if len(days) < threshold:
        return SUPPRESSED
    return str(round(statistics.median(days)))


def count_remedies(claims: Iterable[ClaimFacts], threshold: int = DISPLAY_THRESHOLD) -> RemedyCounts:
    rows = list(claims)
    by_route: dict[str, RouteCounts] = {}
    for route in ROUTES:
        mine = [c for c in rows if c.route == route]
        by_route[route] = RouteCounts(
            claims=display_count(len(mine), threshold),
            awarded=display_count(sum(1 for c in mine if c.awarded), threshold),
            paid=display_count(sum(1 for c in mine if c.paid_minor > 0), threshold),
            median_days_to_payment=_median(
                [c.days_to_payment for c in mine if c.days_to_payment is not None], threshold
            ),
        )
    statuses = Counter(c.status for c in rows)
    paid_claims: dict[str, list[int]] = defaultdict(list)
    for c in rows:
        if c.paid_minor > 0:
            paid_claims[c.currency].append(c.paid_minor)
    # a currency is named only when enough claims were paid in it: a rare currency alone could point at her
    paid = {
        currency: round_significant(sum(amounts), currency)
        for currency, amounts in sorted(paid_claims.items())
        if len(amounts) >= threshold
    }
    if any(len(amounts) < threshold for amounts in paid_claims.values()):
        paid[OTHER_CURRENCIES] = SUPPRESSED
    return RemedyCounts(
        persons=display_count(len({c.person for c in rows}), threshold),
        claims=display_count(len(rows), threshold),
        by_route=by_route,
        by_status={s: display_count(statuses.get(s, 0), threshold) for s in STATUSES},
        paid_by_currency=paid,
        median_days_to_payment=_median(
            [c.days_to_payment for c in rows if c.days_to_payment is not None], threshold
        ),
    )
