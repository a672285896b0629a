"""financial investigations, their uploaded transactions and scores, confiscations and the restitution ledger

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finance_investigations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("title_enc", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_finance_investigations_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_finance_investigations_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_investigations")),
    )
    op.create_index(
        op.f("ix_finance_investigations_organisation_id"),
        "finance_investigations",
        ["organisation_id"],
        unique=False,
    )
    op.create_table(
        "finance_datasets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("investigation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("transactions_enc", sa.LargeBinary(), nullable=False),
        sa.Column("results_enc", sa.LargeBinary(), nullable=False),
        sa.Column("transaction_count", sa.Integer(), nullable=False),
        sa.Column("account_count", sa.Integer(), nullable=False),
        sa.Column("rejected_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["finance_investigations.id"],
            name=op.f("fk_finance_datasets_investigation_id_finance_investigations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_finance_datasets_created_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_datasets")),
    )
    op.create_index(
        op.f("ix_finance_datasets_investigation_id"), "finance_datasets", ["investigation_id"], unique=False
    )
    op.create_table(
        "finance_confiscations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("investigation_id", sa.String(length=36), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_enc", sa.LargeBinary(), nullable=False),
        sa.Column("confiscated_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investigation_id"],
            ["finance_investigations.id"],
            name=op.f("fk_finance_confiscations_investigation_id_finance_investigations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_finance_confiscations_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_confiscations")),
    )
    op.create_index(
        op.f("ix_finance_confiscations_investigation_id"),
        "finance_confiscations",
        ["investigation_id"],
        unique=False,
    )
    op.create_table(
        "finance_restitutions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("confiscation_id", sa.String(length=36), nullable=False),
        sa.Column("allocation_id", sa.String(length=36), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["confiscation_id"],
            ["finance_confiscations.id"],
            name=op.f("fk_finance_restitutions_confiscation_id_finance_confiscations"),
        ),
        sa.ForeignKeyConstraint(
            ["allocation_id"],
            ["proceeds_allocations.id"],
            name=op.f("fk_finance_restitutions_allocation_id_proceeds_allocations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_finance_restitutions_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_restitutions")),
    )
    op.create_index(
        op.f("ix_finance_restitutions_confiscation_id"),
        "finance_restitutions",
        ["confiscation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_finance_restitutions_allocation_id"), "finance_restitutions", ["allocation_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_finance_restitutions_allocation_id"), table_name="finance_restitutions")
    op.drop_index(op.f("ix_finance_restitutions_confiscation_id"), table_name="finance_restitutions")
    op.drop_table("finance_restitutions")
    op.drop_index(op.f("ix_finance_confiscations_investigation_id"), table_name="finance_confiscations")
    op.drop_table("finance_confiscations")
    op.drop_index(op.f("ix_finance_datasets_investigation_id"), table_name="finance_datasets")
    op.drop_table("finance_datasets")
    op.drop_index(op.f("ix_finance_investigations_organisation_id"), table_name="finance_investigations")
    op.drop_table("finance_investigations")
