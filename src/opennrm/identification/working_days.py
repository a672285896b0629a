"""Working-day arithmetic on a national holiday calendar (ADR 0002: the ``holidays`` package).

A working day is Monday to Friday and not a public holiday of the calendar. ``add_working_days(d, n)`` is the
n-th working day after ``d`` (``d`` itself never counts, so a decision taken on a Saturday with a five-day
deadline is due on the following Friday); ``working_days_between(a, b)`` counts the working days after ``a``
up to and including ``b``, so ``working_days_between(d, add_working_days(d, n)) == n``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from functools import cache

import holidays

WEEKEND = frozenset({5, 6})  # Saturday, Sunday
MAX_WORKING_DAYS = 3660


class UnknownCountry(ValueError):
    """No holiday calendar for this country code."""


@cache
def _calendar(country: str, subdivision: str | None) -> holidays.HolidayBase:
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except (NotImplementedError, KeyError) as error:
        raise UnknownCountry(f"no public-holiday calendar for {country!r} ({error})") from None


def national_holidays(country: str, subdivision: str | None = None) -> Container[dt.date]:
    """The public holidays of ``country`` (ISO 3166-1 alpha-2, e.g. ``GB``; optional subdivision, ``ENG``),
    any year, loaded on demand."""
    return _calendar(country.upper(), subdivision)


def is_working_day(day: dt.date, holidays_of: Container[dt.date] = frozenset()) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays_of


def add_working_days(start: dt.date, days: int, holidays_of: Container[dt.date] = frozenset()) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself for 0)."""
    if not 0 <= days <= MAX_WORKING_DAYS:
        raise ValueError(f"days must be between 0 and {MAX_WORKING_DAYS}")
    day, left = start, days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays_of):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, holidays_of: Container[dt.date] = frozenset()) -> int:
    """The working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
    if end < start:
        return -working_days_between(end, start, holidays_of)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays_of):
            count += 1
    return count


def add_working_days_at(
    start: dt.datetime, days: int, holidays_of: Container[dt.date] = frozenset()
) -> dt.datetime:
    """The same time of day on the ``days``-th working day after ``start``'s date (a deadline set on a
    Friday afternoon with one working day falls on Monday afternoon). The date is ``start``'s own, in its
    time zone (UTC for the timestamps the product stores)."""
    day = add_working_days(start.date(), days, holidays_of)
    return start + dt.timedelta(days=(day - start.date()).days)
