"""signals shared between platforms about recruiters (keyed contact hashes, PDQ hashes) and their matches

Revision ID: 0024
Revises: 0018
Create Date: 2026-12-06 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recruitment_signals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("exchange_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("review_id", sa.String(length=36), nullable=True),
        sa.Column("scanned_ad_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("status_reason", sa.String(length=40), nullable=True),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("disputed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_recruitment_signals_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["ad_reviews.id"],
            name=op.f("fk_recruitment_signals_review_id_ad_reviews"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["scanned_ad_id"],
            ["scanned_ads.id"],
            name=op.f("fk_recruitment_signals_scanned_ad_id_scanned_ads"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_signals")),
    )
    op.create_index(
        "ix_recruitment_signals_exchange",
        "recruitment_signals",
        ["organisation_id", "direction", "source", "exchange_id"],
        unique=True,
    )
    op.create_index(
        "ix_recruitment_signals_match",
        "recruitment_signals",
        ["organisation_id", "direction", "status", "value"],
        unique=False,
    )
    op.create_table(
        "recruitment_signal_matches",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("signal_id", sa.String(length=36), nullable=False),
        sa.Column("scanned_ad_id", sa.String(length=36), nullable=False),
        sa.Column("matched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("feedback", sa.String(length=12), nullable=True),
        sa.Column("feedback_by", sa.String(length=36), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["recruitment_signals.id"],
            name=op.f("fk_recruitment_signal_matches_signal_id_recruitment_signals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scanned_ad_id"],
            ["scanned_ads.id"],
            name=op.f("fk_recruitment_signal_matches_scanned_ad_id_scanned_ads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["feedback_by"], ["users.id"], name=op.f("fk_recruitment_signal_matches_feedback_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recruitment_signal_matches")),
    )
    op.create_index(
        "ix_recruitment_signal_matches_ad",
        "recruitment_signal_matches",
        ["scanned_ad_id", "signal_id"],
        unique=True,
    )
    op.create_index(
        "ix_recruitment_signal_matches_signal", "recruitment_signal_matches", ["signal_id"], unique=False
    )


def downgrade() -> None:
    op.drop_table("recruitment_signal_matches")
    op.drop_table("recruitment_signals")
