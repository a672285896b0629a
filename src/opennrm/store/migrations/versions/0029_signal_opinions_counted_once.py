"""each receiver's opinion on a signal counted once, whatever the number of imports

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 17:00:00

Issue 18: an exchange file carries a receiver's current opinions on the signals it received, every time it is
exported; importing it again added them to the shared counts again. The opinions now live one per (signal,
receiver), the latest kept, and the counts on ``recruitment_signals`` are recomputed from them. Counts made
before this revision are left as they were (which imports they came from is not known).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recruitment_signal_opinions",
        sa.Column("signal_id", sa.String(length=36), nullable=False),
        sa.Column("receiver", sa.String(length=200), nullable=False),
        sa.Column("opinion", sa.String(length=12), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["recruitment_signals.id"],
            name=op.f("fk_recruitment_signal_opinions_signal_id_recruitment_signals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("signal_id", "receiver", name=op.f("pk_recruitment_signal_opinions")),
    )


def downgrade() -> None:
    op.drop_table("recruitment_signal_opinions")
