"""the job queue, notifications and their preferences; open referrals' deadlines in working days

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-06 13:00:00

Referral deadlines are now counted in working days (an emergency still in clock hours). A referral still
waiting for an answer gets its answer deadline and its expiry counted again from when it was sent, on
weekends and the public holidays of ``OPENNRM_COUNTRY`` (weekends only when it is not set); neither moves
earlier than it was, so nobody loses time by the change.
"""

from __future__ import annotations

import datetime as dt
import os

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0018"
branch_labels = None
depends_on = None

# The rule of this revision, written out here so that later changes to the code do not change what it did.
_ANSWER_WORKING_DAYS = {"urgent": 1, "routine": 5}
_EXPIRY_WORKING_DAYS = {"urgent": 5, "routine": 20}


def _calendar() -> object:
    country = (os.environ.get("OPENNRM_COUNTRY") or "").strip().upper()
    if not country:
        return frozenset()
    import holidays

    subdivision = (os.environ.get("OPENNRM_COUNTRY_SUBDIVISION") or "").strip().upper() or None
    try:
        return holidays.country_holidays(country, subdiv=subdivision)
    except (NotImplementedError, KeyError):
        return frozenset()


def _add(at: dt.datetime, days: int, off: object) -> dt.datetime:
    day, left = at.date(), days
    while left:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in off:  # type: ignore[operator]
            left -= 1
    return at + dt.timedelta(days=(day - at.date()).days)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("dedupe_key", sa.String(length=160), nullable=True),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=True),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("claim_token", sa.String(length=36), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_jobs_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_jobs_dedupe_key")),
    )
    op.create_index("ix_jobs_status_run_after", "jobs", ["status", "run_after"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    op.create_index(op.f("ix_notifications_user_id"), "notifications", ["user_id"], unique=False)
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email_enc", sa.LargeBinary(), nullable=True),
        sa.Column("in_app", sa.JSON(), nullable=False),
        sa.Column("email", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"], ["users.id"], name=op.f("fk_notification_preferences_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
    )
    referrals = sa.table(
        "referrals",
        sa.column("id", sa.String),
        sa.column("status", sa.String),
        sa.column("urgency", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("respond_by", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(
            referrals.c.id,
            referrals.c.urgency,
            referrals.c.created_at,
            referrals.c.respond_by,
            referrals.c.expires_at,
        ).where(referrals.c.status == "sent", referrals.c.urgency.in_(sorted(_ANSWER_WORKING_DAYS)))
    ).all()
    if not rows:
        return
    off = _calendar()
    for referral_id, urgency, created_at, respond_by, expires_at in rows:
        created = created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)
        old_answer = respond_by if respond_by.tzinfo else respond_by.replace(tzinfo=dt.UTC)
        old_expiry = expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=dt.UTC)
        bind.execute(
            sa.update(referrals)
            .where(referrals.c.id == referral_id)
            .values(
                respond_by=max(old_answer, _add(created, _ANSWER_WORKING_DAYS[urgency], off)),
                expires_at=max(old_expiry, _add(created, _EXPIRY_WORKING_DAYS[urgency], off)),
            )
        )


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_index(op.f("ix_notifications_user_id"), table_name="notifications")
    op.drop_table("notifications")
    op.drop_index("ix_jobs_status_run_after", table_name="jobs")
    op.drop_table("jobs")
