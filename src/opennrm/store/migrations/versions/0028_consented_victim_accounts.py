"""a victim's own account, recorded with her consent for compensation, as a trace seed for one unit

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 16:30:00

Issue 17, item 6: her own account identifier (encrypted), recorded on her case by the caseworker with her
consent for the purpose ``compensation``, naming one financial intelligence unit. The unit traces from it,
as an opaque label, only while that consent is in force; it never reads the case. The consent purposes are
stored as a JSON list (no constrained column), so the new purpose needs no change here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finance_consented_accounts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("account_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_finance_consented_accounts_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_finance_consented_accounts_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_finance_consented_accounts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_finance_consented_accounts_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finance_consented_accounts")),
    )
    op.create_index(
        op.f("ix_finance_consented_accounts_case_id"), "finance_consented_accounts", ["case_id"], unique=False
    )
    op.create_index(
        op.f("ix_finance_consented_accounts_consent_id"),
        "finance_consented_accounts",
        ["consent_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_finance_consented_accounts_organisation_id"),
        "finance_consented_accounts",
        ["organisation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_finance_consented_accounts_organisation_id"), table_name="finance_consented_accounts"
    )
    op.drop_index(op.f("ix_finance_consented_accounts_consent_id"), table_name="finance_consented_accounts")
    op.drop_index(op.f("ix_finance_consented_accounts_case_id"), table_name="finance_consented_accounts")
    op.drop_table("finance_consented_accounts")
