"""identification panels, decisions, reconsiderations and the move-on period (GR38 §77-78)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:33:45.806484
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identification_panels",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("procedure", sa.String(length=40), nullable=False),
        sa.Column("procedure_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("next_stage", sa.String(length=40), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("convened_by", sa.String(length=36), nullable=True),
        sa.Column("convened_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_identification_panels_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["convened_by"], ["users.id"], name=op.f("fk_identification_panels_convened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identification_panels")),
    )
    with op.batch_alter_table("identification_panels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identification_panels_case_id"), ["case_id"], unique=False)
        batch_op.create_index("ix_identification_panels_status_due", ["status", "due_on"], unique=False)

    op.create_table(
        "identification_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("panel_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=40), nullable=False),
        sa.Column("stage_kind", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("screening_id", sa.String(length=36), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("reasons_enc", sa.LargeBinary(), nullable=False),
        sa.Column("dissent_enc", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_by_organisation", sa.String(length=36), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("working_days_taken", sa.Integer(), nullable=False),
        sa.Column("in_force", sa.Boolean(), nullable=False),
        sa.Column("reconsideration_of", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_identification_decisions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_identification_decisions_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_organisation"],
            ["organisations.id"],
            name=op.f("fk_identification_decisions_decided_by_organisation_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"],
            ["identification_panels.id"],
            name=op.f("fk_identification_decisions_panel_id_identification_panels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reconsideration_of"],
            ["identification_decisions.id"],
            name=op.f("fk_identification_decisions_reconsideration_of_identification_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_identification_decisions_screening_id_screenings"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identification_decisions")),
    )
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identification_decisions_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_identification_decisions_panel_id"), ["panel_id"], unique=False)
        batch_op.create_index(
            "ix_identification_decisions_stage_outcome", ["stage_kind", "outcome"], unique=False
        )

    op.create_table(
        "panel_members",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("panel_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("disclosure_id", sa.String(length=36), nullable=True),
        sa.Column("recused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recused_by", sa.String(length=36), nullable=True),
        sa.Column("recusal_reason_enc", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["disclosure_id"], ["disclosures.id"], name=op.f("fk_panel_members_disclosure_id_disclosures")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_panel_members_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"],
            ["identification_panels.id"],
            name=op.f("fk_panel_members_panel_id_identification_panels"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["recused_by"], ["users.id"], name=op.f("fk_panel_members_recused_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_members")),
    )
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_panel_members_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_panel_members_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "reconsiderations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("grounds_enc", sa.LargeBinary(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("reasons_enc", sa.LargeBinary(), nullable=True),
        sa.Column("new_decision_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_reconsiderations_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_reconsiderations_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["identification_decisions.id"],
            name=op.f("fk_reconsiderations_decision_id_identification_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["new_decision_id"],
            ["identification_decisions.id"],
            name=op.f("fk_reconsiderations_new_decision_id_identification_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["users.id"], name=op.f("fk_reconsiderations_requested_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconsiderations")),
    )
    with op.batch_alter_table("reconsiderations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reconsiderations_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identification_stage", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("move_on_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("move_on_until")
        batch_op.drop_column("identification_stage")

    with op.batch_alter_table("reconsiderations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reconsiderations_case_id"))

    op.drop_table("reconsiderations")
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_members_panel_id"))
        batch_op.drop_index(batch_op.f("ix_panel_members_organisation_id"))

    op.drop_table("panel_members")
    with op.batch_alter_table("identification_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_identification_decisions_stage_outcome")
        batch_op.drop_index(batch_op.f("ix_identification_decisions_panel_id"))
        batch_op.drop_index(batch_op.f("ix_identification_decisions_case_id"))

    op.drop_table("identification_decisions")
    with op.batch_alter_table("identification_panels", schema=None) as batch_op:
        batch_op.drop_index("ix_identification_panels_status_due")
        batch_op.drop_index(batch_op.f("ix_identification_panels_case_id"))

    op.drop_table("identification_panels")
