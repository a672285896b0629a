"""anonymous reports (receipt hash, encrypted text, messages and attachments) and hotline contacts

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymous_reports",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("receipt_hash", sa.String(length=200), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("about", sa.String(length=20), nullable=True),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reporter_wrote_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_anonymous_reports_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_anonymous_reports_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_reports")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_anonymous_reports_receipt_hash")),
    )
    op.create_index(
        "ix_anonymous_reports_queue", "anonymous_reports", ["organisation_id", "status", "created_at"]
    )
    op.create_index("ix_anonymous_reports_recent", "anonymous_reports", ["organisation_id", "created_at"])
    op.create_index(op.f("ix_anonymous_reports_purge_after"), "anonymous_reports", ["purge_after"])
    op.create_table(
        "report_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=True),
        sa.Column("body_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["anonymous_reports.id"],
            name=op.f("fk_report_messages_report_id_anonymous_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_report_messages_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_messages")),
    )
    op.create_index(op.f("ix_report_messages_report_id"), "report_messages", ["report_id"])
    op.create_table(
        "report_attachments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename_enc", sa.LargeBinary(), nullable=False),
        sa.Column("content_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["anonymous_reports.id"],
            name=op.f("fk_report_attachments_report_id_anonymous_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_attachments")),
    )
    op.create_index(op.f("ix_report_attachments_report_id"), "report_attachments", ["report_id"])
    op.create_table(
        "hotline_contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("operator_id", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("contact_type", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("interpreter", sa.String(length=20), nullable=True),
        sa.Column("caller", sa.String(length=20), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("urgency", sa.String(length=20), nullable=False),
        sa.Column("immediate_danger", sa.Boolean(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("people_at_risk", sa.Integer(), nullable=False),
        sa.Column("callback_consent", sa.Boolean(), nullable=False),
        sa.Column("callback_enc", sa.LargeBinary(), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("phone_index", sa.String(length=32), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_hotline_contacts_case_id_cases"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["users.id"], name=op.f("fk_hotline_contacts_operator_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_hotline_contacts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotline_contacts")),
    )
    op.create_index(op.f("ix_hotline_contacts_organisation_id"), "hotline_contacts", ["organisation_id"])
    op.create_index(op.f("ix_hotline_contacts_phone_index"), "hotline_contacts", ["phone_index"])
    op.create_index(op.f("ix_hotline_contacts_case_id"), "hotline_contacts", ["case_id"])
    op.create_index(op.f("ix_hotline_contacts_started_at"), "hotline_contacts", ["started_at"])


def downgrade() -> None:
    op.drop_table("hotline_contacts")
    op.drop_table("report_attachments")
    op.drop_table("report_messages")
    op.drop_table("anonymous_reports")
