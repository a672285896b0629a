"""remedies (compensation and back-wage claims, payments, allocated proceeds) and justice aggregates

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remedy_claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payer", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("claimed_minor", sa.BigInteger(), nullable=False),
        sa.Column("awarded_minor", sa.BigInteger(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("awarded_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_remedy_claims_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_remedy_claims_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remedy_claims")),
    )
    op.create_index(op.f("ix_remedy_claims_case_id"), "remedy_claims", ["case_id"], unique=False)
    op.create_table(
        "remedy_payments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("payer", sa.String(length=20), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["remedy_claims.id"],
            name=op.f("fk_remedy_payments_claim_id_remedy_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_remedy_payments_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remedy_payments")),
    )
    op.create_index(op.f("ix_remedy_payments_claim_id"), "remedy_payments", ["claim_id"], unique=False)
    op.create_table(
        "proceeds_allocations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("claim_id", sa.String(length=36), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("source_enc", sa.LargeBinary(), nullable=False),
        sa.Column("allocated_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["remedy_claims.id"],
            name=op.f("fk_proceeds_allocations_claim_id_remedy_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_proceeds_allocations_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proceeds_allocations")),
    )
    op.create_index(
        op.f("ix_proceeds_allocations_claim_id"), "proceeds_allocations", ["claim_id"], unique=False
    )
    op.create_table(
        "justice_aggregates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("exploitation", sa.String(length=40), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=False),
        sa.Column("age_group", sa.String(length=10), nullable=False),
        sa.Column("nationality", sa.String(length=7), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("entered_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["users.id"], name=op.f("fk_justice_aggregates_entered_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_justice_aggregates")),
        sa.UniqueConstraint(
            "year",
            "stage",
            "exploitation",
            "sex",
            "age_group",
            "nationality",
            name="uq_justice_aggregates_cell",
        ),
    )


def downgrade() -> None:
    op.drop_table("justice_aggregates")
    op.drop_index(op.f("ix_proceeds_allocations_claim_id"), table_name="proceeds_allocations")
    op.drop_table("proceeds_allocations")
    op.drop_index(op.f("ix_remedy_payments_claim_id"), table_name="remedy_payments")
    op.drop_table("remedy_payments")
    op.drop_index(op.f("ix_remedy_claims_case_id"), table_name="remedy_claims")
    op.drop_table("remedy_claims")
