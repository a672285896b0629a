"""dependants, return / resettlement / transfer plans, follow-ups, the child steps before a move, partner
organisations abroad, and imported trafficking statuses (GR38 §84, §89–91, §95–96)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("country", sa.String(length=2), nullable=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("status_imported", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("case_entitlements") as batch:
        batch.add_column(sa.Column("unaccompanied", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("family_traced_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("reunification_assessed_on", sa.Date(), nullable=True))
    op.create_table(
        "dependants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.Column("with_her", sa.Boolean(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("details_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_dependants_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_dependants_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dependants")),
    )
    op.create_index(op.f("ix_dependants_case_id"), "dependants", ["case_id"], unique=False)
    op.create_table(
        "move_plans",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("move", sa.String(length=20), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("plan_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_move_plans_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_move_plans_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_move_plans")),
    )
    op.create_index(op.f("ix_move_plans_case_id"), "move_plans", ["case_id"], unique=False)
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("anchor_id", sa.String(length=36), nullable=True),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=True),
        sa.Column("safety", sa.String(length=20), nullable=True),
        sa.Column("housing", sa.String(length=20), nullable=True),
        sa.Column("income", sa.String(length=20), nullable=True),
        sa.Column("re_trafficking_risk", sa.String(length=20), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_follow_ups_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["recorded_by"], ["users.id"], name=op.f("fk_follow_ups_recorded_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
    )
    op.create_index(op.f("ix_follow_ups_case_id"), "follow_ups", ["case_id"], unique=False)
    op.create_index(op.f("ix_follow_ups_due_on"), "follow_ups", ["due_on"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_follow_ups_due_on"), table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_case_id"), table_name="follow_ups")
    op.drop_table("follow_ups")
    op.drop_index(op.f("ix_move_plans_case_id"), table_name="move_plans")
    op.drop_table("move_plans")
    op.drop_index(op.f("ix_dependants_case_id"), table_name="dependants")
    op.drop_table("dependants")
    with op.batch_alter_table("case_entitlements") as batch:
        batch.drop_column("reunification_assessed_on")
        batch.drop_column("family_traced_on")
        batch.drop_column("unaccompanied")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("status_imported")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_column("country")
