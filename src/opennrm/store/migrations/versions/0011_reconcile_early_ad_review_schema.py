"""reconcile databases made with the first text of migration 0008

Migration 0008 was edited after it had run on development databases: its first text gave ``scanned_ads`` a
``flag_count`` column (NOT NULL, never read), which the current code does not write, so inserting a scanned ad
fails there. Landed migrations never change (CONTRIBUTING.md); this one brings such a database to the schema
every other database has, and does nothing elsewhere.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    if "flag_count" in _columns("scanned_ads"):
        with op.batch_alter_table("scanned_ads", schema=None) as batch_op:
            batch_op.drop_column("flag_count")


def downgrade() -> None:
    # the column was never part of the schema the code expects; nothing to restore
    pass
