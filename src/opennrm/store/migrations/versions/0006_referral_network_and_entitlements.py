"""referral network and entitlements

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 13:03:28.729076
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_services",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("service_type", sa.String(length=40), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("available", sa.Integer(), nullable=True),
        sa.Column("opening_hours", sa.String(length=200), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("place_key", sa.String(length=200), nullable=False),
        sa.Column("nationwide", sa.Boolean(), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_directory_services_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_services")),
    )
    with op.batch_alter_table("directory_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_services_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index("ix_directory_services_type_place", ["service_type", "place_key"], unique=False)

    op.create_table(
        "service_gaps",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("service_type", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("place_key", sa.String(length=200), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_service_gaps_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_gaps")),
    )
    with op.batch_alter_table("service_gaps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_service_gaps_type_place_language", ["service_type", "place_key", "language"], unique=False
        )

    op.create_table(
        "case_entitlements",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("reflection_start", sa.Date(), nullable=True),
        sa.Column("reflection_days", sa.Integer(), nullable=True),
        sa.Column("residence_permit", sa.String(length=20), nullable=True),
        sa.Column("legal_aid", sa.String(length=20), nullable=True),
        sa.Column("interpreter", sa.String(length=20), nullable=True),
        sa.Column("interpreter_language", sa.String(length=8), nullable=True),
        sa.Column("guardian_appointed_on", sa.Date(), nullable=True),
        sa.Column("best_interests_determined_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=36), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_entitlements_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_case_entitlements_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_entitlements")),
    )
    op.create_table(
        "case_outcomes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_outcomes_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["users.id"], name=op.f("fk_case_outcomes_decided_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_outcomes")),
    )
    with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_outcomes_case_id"), ["case_id"], unique=False)

    op.create_table(
        "risk_assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("risk_found", sa.Boolean(), nullable=False),
        sa.Column("risks", sa.JSON(), nullable=False),
        sa.Column("summary_enc", sa.LargeBinary(), nullable=True),
        sa.Column("assessed_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessed_by"], ["users.id"], name=op.f("fk_risk_assessments_assessed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_risk_assessments_case_id_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_assessments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("service_id", sa.String(length=36), nullable=False),
        sa.Column("sender_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("service_type", sa.String(length=40), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("purpose_enc", sa.LargeBinary(), nullable=False),
        sa.Column("consent_id", sa.String(length=36), nullable=True),
        sa.Column("disclosure_id", sa.String(length=36), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sent_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respond_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.String(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("close_reason", sa.String(length=40), nullable=True),
        sa.Column("decline_reason", sa.String(length=40), nullable=True),
        sa.Column("decline_note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["closed_by"], ["users.id"], name=op.f("fk_referrals_closed_by_users")),
        sa.ForeignKeyConstraint(
            ["consent_id"], ["consents.id"], name=op.f("fk_referrals_consent_id_consents")
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"], ["disclosures.id"], name=op.f("fk_referrals_disclosure_id_disclosures")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referrals_recipient_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["responded_by"], ["users.id"], name=op.f("fk_referrals_responded_by_users")),
        sa.ForeignKeyConstraint(
            ["sender_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referrals_sender_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["sent_by"], ["users.id"], name=op.f("fk_referrals_sent_by_users")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["directory_services.id"], name=op.f("fk_referrals_service_id_directory_services")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_consent_id"), ["consent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_disclosure_id"), ["disclosure_id"], unique=False)
        batch_op.create_index(
            "ix_referrals_recipient_created", ["recipient_organisation_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_referrals_sender_created", ["sender_organisation_id", "created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_referrals_service_id"), ["service_id"], unique=False)
        batch_op.create_index(
            "ix_referrals_status_decline_reason", ["status", "decline_reason"], unique=False
        )
        batch_op.create_index(
            "ix_referrals_status_recipient", ["status", "recipient_organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_referrals_status_respond_by",
            ["status", "respond_by", "recipient_organisation_id"],
            unique=False,
        )

    op.create_table(
        "first_services",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=True),
        sa.Column("identified_on", sa.Date(), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_first_services_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_first_services_referral_id_referrals"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_first_services")),
    )
    with op.batch_alter_table("first_services", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_first_services_days"), ["days"], unique=False)

    op.create_table(
        "referral_escalations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("referral_id", sa.String(length=36), nullable=False),
        sa.Column("sender_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_organisation_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["recipient_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referral_escalations_recipient_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["referrals.id"],
            name=op.f("fk_referral_escalations_referral_id_referrals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sender_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_referral_escalations_sender_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_escalations")),
    )
    with op.batch_alter_table("referral_escalations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_referral_escalations_recipient_organisation_id"),
            ["recipient_organisation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_referral_escalations_referral_id"), ["referral_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_referral_escalations_sender_organisation_id"),
            ["sender_organisation_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("referral_escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_escalations_sender_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_referral_escalations_referral_id"))
        batch_op.drop_index(batch_op.f("ix_referral_escalations_recipient_organisation_id"))

    op.drop_table("referral_escalations")
    with op.batch_alter_table("first_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_first_services_days"))

    op.drop_table("first_services")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_status_respond_by")
        batch_op.drop_index("ix_referrals_status_recipient")
        batch_op.drop_index("ix_referrals_status_decline_reason")
        batch_op.drop_index(batch_op.f("ix_referrals_service_id"))
        batch_op.drop_index("ix_referrals_sender_created")
        batch_op.drop_index("ix_referrals_recipient_created")
        batch_op.drop_index(batch_op.f("ix_referrals_disclosure_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_consent_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("risk_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessments_case_id"))

    op.drop_table("risk_assessments")
    with op.batch_alter_table("case_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_outcomes_case_id"))

    op.drop_table("case_outcomes")
    op.drop_table("case_entitlements")
    with op.batch_alter_table("service_gaps", schema=None) as batch_op:
        batch_op.drop_index("ix_service_gaps_type_place_language")

    op.drop_table("service_gaps")
    with op.batch_alter_table("directory_services", schema=None) as batch_op:
        batch_op.drop_index("ix_directory_services_type_place")
        batch_op.drop_index(batch_op.f("ix_directory_services_organisation_id"))

    op.drop_table("directory_services")
