"""Dates, numbers and sums of money written the way the active language writes them (Babel's CLDR data):
``2 avr. 2024``, ``12 345,5``, ``1 234,50 €``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from opennrm.web.i18n import active


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        try:
            return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def format_date(value: Any) -> str:
    """A date in the active language (``2 avr. 2024``); ``–`` for none; text that is no date as it is."""
    when = _as_datetime(value)
    if when is None:
        return "–" if value in (None, "") else str(value)
    day = when.date() if isinstance(when, dt.datetime) else when
    return babel_dates.format_date(day, "medium", locale=active().locale)


def format_datetime(value: Any) -> str:
    """A date and time in UTC in the active language (``2 avr. 2024, 14:05 UTC``)."""
    when = _as_datetime(value)
    if when is None:
        return "–" if value in (None, "") else str(value)
    if not isinstance(when, dt.datetime):
        return format_date(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    locale = active().locale
    day = babel_dates.format_date(when.astimezone(dt.UTC).date(), "medium", locale=locale)
    time = babel_dates.format_time(when, "short", tzinfo=dt.UTC, locale=locale)
    pattern = str(locale.datetime_formats.get("medium") or "{1} {0}")
    return pattern.replace("{1}", day).replace("{0}", time) + " UTC"


def format_number(value: Any) -> str:
    """A number in the active language's notation (``12 345,5``); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–" if value is None else str(value)
    return babel_numbers.format_decimal(value, locale=active().locale)


def format_money(minor: Any, currency: str) -> str:
    """An amount kept in integer minor units (``123450``, ``EUR``) in the active language's notation
    (``1 234,50 €``); anything else as it is."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        return "–" if minor is None else str(minor)
    digits = babel_numbers.get_currency_precision(currency)
    return babel_numbers.format_currency(minor / 10**digits, currency, locale=active().locale)
