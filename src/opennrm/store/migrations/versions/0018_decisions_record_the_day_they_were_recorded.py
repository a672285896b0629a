"""identification decisions record the day they were recorded: her periods run from it

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 10:45:00

A decision carries the date the panel wrote on it (``decided_on``) and now also the day it was recorded
(``recorded_on``), when she is told. Her move-on period, the time she has to ask for reconsideration and
the earliest final decision run from ``recorded_on``, so a decision dated earlier cannot shorten them.
Decisions recorded before this revision take their ``decided_on``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_on", sa.Date(), nullable=True))
    decisions = sa.table(
        "identification_decisions", sa.column("decided_on", sa.Date), sa.column("recorded_on", sa.Date)
    )
    op.get_bind().execute(sa.update(decisions).values(recorded_on=decisions.c.decided_on))
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.alter_column("recorded_on", existing_type=sa.Date(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.drop_column("recorded_on")
