"""What the worker runs: the periodic tasks and the job kinds (ADR 0013).

``build_registry`` is the one list. A module that adds a periodic task registers it here, as
``purge_closed_reports`` is: ``registry.every("reports.purge", DAILY, purge_closed_reports)``, with a function
of ``(db, settings, at)`` that is idempotent and returns counts (no identifiers).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.identification.working_days import add_working_days
from opennrm.services import jobs, notifications
from opennrm.services.jobs import JobContext, Registry
from opennrm.services.notifications import Compose
from opennrm.services.referrals import REFERRAL_HANDLERS
from opennrm.store.database import Database
from opennrm.store.tables import IdentificationPanel, PanelMember, Referral, ReferralEscalation

log = logging.getLogger("opennrm.scheduled")

SWEEP_EVERY = dt.timedelta(minutes=5)
REMIND_EVERY = dt.timedelta(hours=1)
DAILY = dt.timedelta(days=1)
DECISION_DUE_WITHIN_WORKING_DAYS = 2


def consent_and_referral_deadlines(db: Database, _settings: Settings, at: dt.datetime) -> dict[str, int]:
    """Referrals first (one resting on an expired consent closes as ``consent_expired``), then every other
    disclosure whose consent has ended; then notify the supervisors of new escalations."""
    from opennrm.services.consent import expire_consents
    from opennrm.services.referrals import run_deadlines

    report = run_deadlines(db, at=at)
    closed = expire_consents(db, at)
    return {
        "escalated": report.escalated,
        "expired": report.expired,
        "revoked": report.revoked,
        "disclosures_closed": closed,
    }


def reminders(db: Database, _settings: Settings, at: dt.datetime) -> dict[str, int]:
    """Overdue answers (to the receiving organisation), open escalations (to both supervisors) and
    identification decisions due within two working days (to the supervisors of the panel's
    organisations). A notice is not repeated within a day."""
    told = 0
    with db.transaction() as session:
        overdue = session.execute(
            select(Referral.id, Referral.recipient_organisation_id).where(
                Referral.status == "sent", Referral.respond_by < at
            )
        ).all()
        for referral_id, recipient in overdue:
            told += notifications.notify_in(
                session,
                db,
                notifications.users_of(session, [recipient], REFERRAL_HANDLERS),
                notifications.ANSWER_OVERDUE,
                f"/referrals/{referral_id}",
            )
        escalations = session.execute(
            select(
                ReferralEscalation.sender_organisation_id, ReferralEscalation.recipient_organisation_id
            ).where(ReferralEscalation.resolved_at.is_(None))
        ).all()
        orgs = {o for pair in escalations for o in pair}
        if orgs:
            told += notifications.notify_in(
                session,
                db,
                notifications.users_of(session, orgs, [Role.SUPERVISOR]),
                notifications.ESCALATION,
                "/referrals/escalations",
            )
        soon = add_working_days(at.date(), DECISION_DUE_WITHIN_WORKING_DAYS, db.holidays)
        panels = session.execute(
            select(IdentificationPanel.id, IdentificationPanel.case_id).where(
                IdentificationPanel.status == "open",
                IdentificationPanel.due_on.is_not(None),
                IdentificationPanel.due_on <= soon,
            )
        ).all()
        for panel_id, case_id in panels:
            members = session.execute(
                select(PanelMember.organisation_id).where(
                    PanelMember.panel_id == panel_id, PanelMember.recused_at.is_(None)
                )
            ).scalars()
            told += notifications.notify_in(
                session,
                db,
                notifications.users_of(session, set(members), [Role.SUPERVISOR]),
                notifications.DECISION_DUE,
                f"/cases/{case_id}/identification",
            )
    return {"notified": told}


def purge_ad_scans(db: Database, settings: Settings, at: dt.datetime) -> dict[str, int]:
    from opennrm.services.ad_review import purge_scans

    deleted = purge_scans(db, dt.timedelta(days=settings.ads_retention_days), at=at)
    return {"scans": len(deleted), "ads": sum(n for _, n in deleted)}


def purge_closed_reports(db: Database, settings: Settings, at: dt.datetime) -> dict[str, int]:
    """Anonymous reports closed longer ago than their retention period go, with their messages and files."""
    from opennrm.services.reporting import purge_expired_reports

    return {"reports": purge_expired_reports(db, at)}


def scheduled_backup(db: Database, settings: Settings, at: dt.datetime) -> dict[str, int]:
    """Write an encrypted, verified backup into ``OPENNRM_BACKUP_DIR`` (mode 0700) and keep the newest
    ``OPENNRM_BACKUP_KEEP``. Without the folder set, nothing."""
    from opennrm.services.backup import verify_backup, write_backup

    if settings.backup_dir is None:
        return {"written": 0}
    folder = settings.backup_dir
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / f"opennrm-{at:%Y%m%dT%H%M%SZ}.backup"
    partial = target.with_suffix(".partial")
    summary = write_backup(db, partial)
    verify_backup(db, partial)
    partial.replace(target)
    kept = sorted(folder.glob("opennrm-*.backup"))
    for old in kept[: max(0, len(kept) - settings.backup_keep)]:
        old.unlink()
    return {"written": 1, "rows": summary.total}


def prune_jobs(db: Database, _settings: Settings, at: dt.datetime) -> dict[str, int]:
    return {"deleted": jobs.prune(db, at)}


def scan_uploaded_ads(ctx: JobContext) -> Mapping[str, Any]:
    """The ``ads.scan`` job: an upload from the ad-review page, scanned off the request."""
    from opennrm.services.ad_review import scan_queued_upload

    return scan_queued_upload(ctx)


def build_registry(settings: Settings, compose: Compose | None = None) -> Registry:
    """Every periodic task and job kind of the product. ``compose`` writes e-mails in the recipient's
    language (the web layer's ``mail.compose``); without it no e-mail job is registered."""
    registry = Registry()
    registry.every("deadlines", SWEEP_EVERY, consent_and_referral_deadlines)
    registry.every("reminders", REMIND_EVERY, reminders)
    registry.every("ads.purge", DAILY, purge_ad_scans)
    registry.every("reports.purge", DAILY, purge_closed_reports)
    registry.every("backup", DAILY, scheduled_backup)
    registry.every("jobs.prune", DAILY, prune_jobs)
    registry.handler("ads.scan", scan_uploaded_ads)
    if compose is not None:
        registry.handler(notifications.EMAIL_JOB, lambda ctx: notifications.send_email(ctx, compose))
    return registry
