"""each child who came with her has the best interests of a move assessed before it

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 12:40:00

A return or resettlement of a woman whose children are with her moves them too. ``best_interests_on`` is the
day the best interests of that child in a move were assessed (GR38 §84, §95; CRC art. 3); a return or
resettlement waits for it for every child with her. Dependants recorded before have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dependants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("best_interests_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("dependants", schema=None) as batch_op:
        batch_op.drop_column("best_interests_on")
