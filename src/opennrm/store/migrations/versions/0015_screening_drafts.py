"""unfinished screenings kept as encrypted drafts, one per case and user

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screening_drafts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("section", sa.Integer(), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_screening_drafts_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_screening_drafts_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_drafts")),
        sa.UniqueConstraint("case_id", "user_id", name=op.f("uq_screening_drafts_case_id")),
    )
    op.create_index(op.f("ix_screening_drafts_case_id"), "screening_drafts", ["case_id"], unique=False)
    op.create_index(op.f("ix_screening_drafts_user_id"), "screening_drafts", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_screening_drafts_user_id"), table_name="screening_drafts")
    op.drop_index(op.f("ix_screening_drafts_case_id"), table_name="screening_drafts")
    op.drop_table("screening_drafts")
