"""The time every use case records: one clock, in UTC."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """This moment, timezone-aware in UTC (what every ``…_at`` column stores)."""
    return dt.datetime.now(dt.UTC)
