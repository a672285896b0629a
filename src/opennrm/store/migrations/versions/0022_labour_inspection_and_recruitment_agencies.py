"""labour inspection and recruitment agencies: the agency registry (licences, their status history,
complaints, violations), workplaces, inspections, labour-law actions and the referrals of workers met

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None

ID = sa.String(length=36)


def _fk(table: str, column: str, target: str, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "recruitment_agencies",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("registration_ref", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("recruitment_agencies", "organisation_id", "organisations.id"),
        _fk("recruitment_agencies", "created_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_agencies")),
    )
    op.create_index(
        op.f("ix_recruitment_agencies_name_key"), "recruitment_agencies", ["name_key"], unique=False
    )
    op.create_table(
        "agency_licences",
        sa.Column("id", ID, nullable=False),
        sa.Column("agency_id", ID, nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("number_key", sa.String(length=60), nullable=False),
        sa.Column("issuing_authority", sa.String(length=200), nullable=False),
        sa.Column("countries_served", sa.JSON(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("agency_licences", "agency_id", "recruitment_agencies.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_licences")),
        sa.UniqueConstraint("number_key", name=op.f("uq_agency_licences_number_key")),
    )
    op.create_index(op.f("ix_agency_licences_agency_id"), "agency_licences", ["agency_id"], unique=False)
    op.create_table(
        "licence_events",
        sa.Column("id", ID, nullable=False),
        sa.Column("licence_id", ID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("decision_ref", sa.String(length=200), nullable=True),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("licence_events", "licence_id", "agency_licences.id", "CASCADE"),
        _fk("licence_events", "recorded_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licence_events")),
    )
    op.create_index(op.f("ix_licence_events_licence_id"), "licence_events", ["licence_id"], unique=False)
    op.create_table(
        "agency_complaints",
        sa.Column("id", ID, nullable=False),
        sa.Column("agency_id", ID, nullable=False),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("allegations", sa.JSON(), nullable=False),
        sa.Column("payments", sa.JSON(), nullable=False),
        sa.Column("summary_enc", sa.LargeBinary(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_ref", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("agency_complaints", "agency_id", "recruitment_agencies.id", "CASCADE"),
        _fk("agency_complaints", "organisation_id", "organisations.id"),
        _fk("agency_complaints", "recorded_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_complaints")),
    )
    op.create_index(op.f("ix_agency_complaints_agency_id"), "agency_complaints", ["agency_id"], unique=False)
    op.create_table(
        "workplaces",
        sa.Column("id", ID, nullable=False),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=False),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("created_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("workplaces", "organisation_id", "organisations.id"),
        _fk("workplaces", "agency_id", "recruitment_agencies.id", "SET NULL"),
        _fk("workplaces", "created_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workplaces")),
    )
    op.create_index(op.f("ix_workplaces_organisation_id"), "workplaces", ["organisation_id"], unique=False)
    op.create_table(
        "inspections",
        sa.Column("id", ID, nullable=False),
        sa.Column("workplace_id", ID, nullable=False),
        sa.Column("organisation_id", ID, nullable=False),
        sa.Column("inspector_id", ID, nullable=True),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("women_met", sa.Integer(), nullable=False),
        sa.Column("men_met", sa.Integer(), nullable=False),
        sa.Column("others_met", sa.Integer(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("agency_id", ID, nullable=True),
        sa.Column("record_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("inspections", "workplace_id", "workplaces.id", "CASCADE"),
        _fk("inspections", "organisation_id", "organisations.id"),
        _fk("inspections", "inspector_id", "users.id"),
        _fk("inspections", "agency_id", "recruitment_agencies.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    op.create_index(op.f("ix_inspections_workplace_id"), "inspections", ["workplace_id"], unique=False)
    op.create_index(op.f("ix_inspections_organisation_id"), "inspections", ["organisation_id"], unique=False)
    op.create_table(
        "agency_violations",
        sa.Column("id", ID, nullable=False),
        sa.Column("agency_id", ID, nullable=False),
        sa.Column("complaint_id", ID, nullable=True),
        sa.Column("inspection_id", ID, nullable=True),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("agency_violations", "agency_id", "recruitment_agencies.id", "CASCADE"),
        _fk("agency_violations", "complaint_id", "agency_complaints.id", "CASCADE"),
        _fk("agency_violations", "inspection_id", "inspections.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_violations")),
    )
    op.create_index(op.f("ix_agency_violations_agency_id"), "agency_violations", ["agency_id"], unique=False)
    op.create_table(
        "labour_actions",
        sa.Column("id", ID, nullable=False),
        sa.Column("inspection_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("finding", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("labour_actions", "inspection_id", "inspections.id", "CASCADE"),
        _fk("labour_actions", "recorded_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_actions")),
    )
    op.create_index(
        op.f("ix_labour_actions_inspection_id"), "labour_actions", ["inspection_id"], unique=False
    )
    op.create_table(
        "inspection_referrals",
        sa.Column("id", ID, nullable=False),
        sa.Column("inspection_id", ID, nullable=False),
        sa.Column("case_id", ID, nullable=False),
        sa.Column("referral_id", ID, nullable=True),
        sa.Column("referred_by", ID, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("inspection_referrals", "inspection_id", "inspections.id", "CASCADE"),
        _fk("inspection_referrals", "case_id", "cases.id", "CASCADE"),
        _fk("inspection_referrals", "referral_id", "referrals.id", "SET NULL"),
        _fk("inspection_referrals", "referred_by", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_referrals")),
    )
    op.create_index(
        op.f("ix_inspection_referrals_inspection_id"), "inspection_referrals", ["inspection_id"], unique=False
    )


def downgrade() -> None:
    for table in (
        "inspection_referrals",
        "labour_actions",
        "agency_violations",
        "inspections",
        "workplaces",
        "agency_complaints",
        "licence_events",
        "agency_licences",
        "recruitment_agencies",
    ):
        op.drop_table(table)
