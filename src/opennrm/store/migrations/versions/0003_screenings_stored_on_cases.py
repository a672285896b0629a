"""screenings stored on cases

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 12:11:18.188854
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("screened_by", sa.String(length=36), nullable=True),
        sa.Column("presumed_victim", sa.Boolean(), nullable=False),
        sa.Column("near_miss", sa.Boolean(), nullable=False),
        sa.Column("child", sa.Boolean(), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("profile", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=80), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("record_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_screenings_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["screened_by"], ["users.id"], name=op.f("fk_screenings_screened_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screenings_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screenings_case_id"))

    op.drop_table("screenings")
