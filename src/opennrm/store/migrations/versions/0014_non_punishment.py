"""non-punishment matters and record-clearance requests (GR38 §98)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "non_punishment_matters",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("legal_aid", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction_country", sa.String(length=2), nullable=False),
        sa.Column("record_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_non_punishment_matters_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_non_punishment_matters_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_non_punishment_matters")),
    )
    op.create_index(
        op.f("ix_non_punishment_matters_case_id"), "non_punishment_matters", ["case_id"], unique=False
    )
    op.create_table(
        "record_clearance_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("matter_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("details_enc", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["non_punishment_matters.id"],
            name=op.f("fk_record_clearance_requests_matter_id_non_punishment_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_record_clearance_requests_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_clearance_requests")),
    )
    op.create_index(
        op.f("ix_record_clearance_requests_matter_id"),
        "record_clearance_requests",
        ["matter_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_record_clearance_requests_matter_id"), table_name="record_clearance_requests")
    op.drop_table("record_clearance_requests")
    op.drop_index(op.f("ix_non_punishment_matters_case_id"), table_name="non_punishment_matters")
    op.drop_table("non_punishment_matters")
