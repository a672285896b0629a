"""every consent ends: consents recorded without an end get one (given_on + 12 months), and the column
becomes required

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:00:00

A consent without ``expires_on`` used to last for ever. From this revision every consent ends; those
recorded before it end 12 months after they were given (the installation default of that time,
``OPENNRM_CONSENT_DEFAULT_MONTHS``), which for old consents may already be in the past: the receiver then
loses access until she is asked again.
"""

from __future__ import annotations

import calendar
import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DEFAULT_MONTHS = 12


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def upgrade() -> None:
    consents = sa.table(
        "consents",
        sa.column("id", sa.String),
        sa.column("given_on", sa.Date),
        sa.column("expires_on", sa.Date),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(consents.c.id, consents.c.given_on).where(consents.c.expires_on.is_(None)))
    for consent_id, given_on in rows.all():
        if isinstance(given_on, str):  # SQLite without type information hands back text
            given_on = dt.date.fromisoformat(given_on)
        bind.execute(
            sa.update(consents)
            .where(consents.c.id == consent_id)
            .values(expires_on=_add_months(given_on, DEFAULT_MONTHS))
        )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.alter_column("expires_on", existing_type=sa.Date(), nullable=True)
