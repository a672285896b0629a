"""Every stored moment comes back aware and in UTC on both backends (``store.types.UTCDateTime``), so no
service needs to patch a zone onto what SQLite hands back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column, Integer, MetaData, Table, insert, select

from opennrm.store.tables import Base, Case
from opennrm.store.types import UTCDateTime
from tests.conftest import Installation

TOKYO = dt.timezone(dt.timedelta(hours=9))


def test_a_moment_comes_back_aware_in_utc_whatever_zone_it_was_written_in(inst: Installation) -> None:
    table = Table("utc_probe", MetaData(), Column("id", Integer, primary_key=True), Column("at", UTCDateTime))
    table.create(inst.db.engine)
    try:
        written = dt.datetime(2026, 3, 1, 9, 30, tzinfo=TOKYO)
        naive = dt.datetime(2026, 3, 1, 0, 30)  # taken as UTC, as the database took it before
        with inst.db.engine.begin() as conn:
            conn.execute(
                insert(table), [{"id": 1, "at": written}, {"id": 2, "at": naive}, {"id": 3, "at": None}]
            )
            rows = dict(conn.execute(select(table.c.id, table.c.at)).tuples().all())
            # a comparison binds its parameter through the same type
            later = conn.execute(select(table.c.id).where(table.c.at >= written)).scalars().all()
            # a day compared with moments stands for its first moment, in UTC
            that_day = (
                conn.execute(select(table.c.id).where(table.c.at >= dt.date(2026, 3, 1))).scalars().all()
            )
        assert rows[1] == written and rows[1].tzinfo == dt.UTC and rows[1].hour == 0
        assert rows[2] == naive.replace(tzinfo=dt.UTC) and rows[3] is None
        assert sorted(later) == [1, 2] and sorted(that_day) == [1, 2]
    finally:
        table.drop(inst.db.engine)


def test_every_timestamp_column_of_the_schema_is_a_utc_moment() -> None:
    from sqlalchemy import DateTime

    plain = [
        f"{t.name}.{c.name}"
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, DateTime) and not isinstance(c.type, UTCDateTime)
    ]
    assert plain == []
    assert isinstance(Case.__table__.c.created_at.type, UTCDateTime)
