"""Notifications: in the product and by e-mail, in the recipient's language, with no personal data.

A notification is a *kind* and a *link* into the product ("A referral is waiting for you" and
``/referrals/<id>``): never a name, a case's content or anything a reader of her mailbox could use. What
she sees behind the link is decided, and audited, by the page as for any other visit. Each user chooses
the kinds she is told in the product and by e-mail (``/notifications/preferences``); the address is
encrypted. E-mail is sent by the worker (job ``notification.email``), so a slow mail relay never holds up
a page. Nobody of an enforcement organisation, and no enforcement liaison, is ever notified (DESIGN
invariant 2).
"""

from __future__ import annotations

import datetime as dt
import re
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage

from sqlalchemy import func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput
from opennrm.services.firewall import enforcement_types_in
from opennrm.services.jobs import JobContext, enqueue
from opennrm.services.sealing import decrypt_text, encrypt_text
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import Notification, NotificationPreference, Organisation, User

REFERRAL_NEW = "referral_new"
ANSWER_OVERDUE = "answer_overdue"
ESCALATION = "escalation"
DECISION_DUE = "decision_due"
REPORT_REPLY = "report_reply"
KINDS = (REFERRAL_NEW, ANSWER_OVERDUE, ESCALATION, DECISION_DUE, REPORT_REPLY)
EMAIL_JOB = "notification.email"
REPEAT_AFTER = dt.timedelta(hours=24)
"""The same notice (user, kind, link) is not repeated sooner: a reminder sweep runs every hour."""
_LINK = re.compile(r"^/[A-Za-z0-9/_\-]{0,298}$")
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,180}\.[A-Za-z]{2,24}$")

Compose = Callable[[str | None, str, str], tuple[str, str]]
"""(language tag, kind, absolute link) → (subject, body): provided by the web layer's translations."""


def _check(kind: str, link: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"unknown notification kind {kind!r}", field="kind")
    if not _LINK.match(link):  # a path of ids only: no query string, no text anyone typed
        raise InvalidInput("a notification links to a path of the product", field="link")


def _recipients_allowed(session: Session, user_ids: Iterable[str]) -> list[str]:
    """The active users among ``user_ids`` who may be notified: never enforcement (the firewall)."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    enforcement = enforcement_types_in(session)
    rows = session.execute(
        select(User.id, User.role, Organisation.type)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(ids), User.active.is_(True))
    ).all()
    return [
        str(uid)
        for uid, role, org_type in rows
        if role != Role.ENFORCEMENT_LIAISON.value and org_type not in enforcement
    ]


def _preferences_row(session: Session, user_id: str) -> NotificationPreference | None:
    return session.get(NotificationPreference, user_id)


def notify_in(session: Session, db: Database, user_ids: Iterable[str], kind: str, link: str) -> int:
    """Notify users inside the caller's transaction (so a notice exists only if what it announces does);
    returns how many were notified."""
    _check(kind, link)
    at = now()
    told = 0
    for user_id in _recipients_allowed(session, user_ids):
        recent = session.execute(
            select(Notification.id).where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.link == link,
                Notification.created_at > at - REPEAT_AFTER,
            )
        ).first()
        if recent is not None:
            continue
        prefs = _preferences_row(session, user_id)
        in_app = KINDS if prefs is None else tuple(prefs.in_app)
        by_email = () if prefs is None or prefs.email_enc is None else tuple(prefs.email)
        if kind in in_app or kind in by_email:
            # Kept even when only e-mailed: it is also what stops the notice from repeating too soon.
            session.add(
                Notification(
                    id=new_id(),
                    user_id=user_id,
                    kind=kind,
                    link=link,
                    created_at=at,
                    read_at=None if kind in in_app else at,
                )
            )
            told += 1
        if kind in by_email:
            enqueue(db, EMAIL_JOB, {"user_id": user_id, "kind": kind, "link": link}, session=session)
    return told


def notify(db: Database, user_id: str, kind: str, link: str) -> int:
    """Notify one user (in the product and, if she chose it, by e-mail): for callers outside a
    transaction, such as the reporting channel's reply. Returns 1 when she was notified, else 0."""
    with db.transaction() as session:
        return notify_in(session, db, [user_id], kind, link)


def users_of(session: Session, organisation_ids: Iterable[str], roles: Iterable[Role]) -> list[str]:
    """The active users of these organisations with these roles."""
    orgs, wanted = sorted(set(organisation_ids)), sorted(r.value for r in roles)
    if not orgs:
        return []
    return [
        str(u)
        for u in session.execute(
            select(User.id).where(
                User.organisation_id.in_(orgs), User.role.in_(wanted), User.active.is_(True)
            )
        ).scalars()
    ]


# -- reading and preferences ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationItem:
    id: str
    kind: str
    link: str
    created_at: dt.datetime
    read: bool


def list_notifications(db: Database, user_id: str, *, limit: int = 50) -> list[NotificationItem]:
    with db.transaction() as session:
        rows = session.execute(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
            .limit(limit)
        ).scalars()
        return [NotificationItem(n.id, n.kind, n.link, n.created_at, n.read_at is not None) for n in rows]


def unread_count(db: Database, user_id: str) -> int:
    with db.transaction() as session:
        return int(
            session.execute(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            ).scalar_one()
        )


def mark_read(db: Database, user_id: str, notification_id: str | None = None) -> int:
    """Mark one of her notifications (or all) read; another user's id changes nothing."""
    with db.transaction() as session:
        stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        if notification_id is not None:
            stmt = stmt.where(Notification.id == notification_id)
        return int(_rows(session.execute(stmt.values(read_at=now()))))


@dataclass(frozen=True)
class Preferences:
    email: str | None
    in_app: frozenset[str]
    by_email: frozenset[str]


def preferences(db: Database, user_id: str) -> Preferences:
    with db.transaction() as session:
        row = _preferences_row(session, user_id)
        if row is None:
            return Preferences(None, frozenset(KINDS), frozenset())
        address = (
            decrypt_text(db.keyring, "notification_email", user_id, row.email_enc) if row.email_enc else None
        )
        return Preferences(address, frozenset(row.in_app), frozenset(row.email))


def set_preferences(
    db: Database, user_id: str, email: str | None, in_app: Iterable[str], by_email: Iterable[str]
) -> Preferences:
    """Replace her choices; an unknown kind or a malformed address is refused naming the field."""
    chosen_in_app, chosen_email = frozenset(in_app), frozenset(by_email)
    for name, kinds in (("in_app", chosen_in_app), ("by_email", chosen_email)):
        unknown = kinds - set(KINDS)
        if unknown:
            raise InvalidInput(f"unknown notification kind {sorted(unknown)[0]!r}", field=name)
    address = (email or "").strip() or None
    if address is not None and not _EMAIL.match(address):
        raise InvalidInput("give an e-mail address such as name@example.org", field="email")
    if chosen_email and address is None:
        raise InvalidInput("give the e-mail address to send these notices to", field="email")
    with db.transaction() as session:
        row = _preferences_row(session, user_id)
        if row is None:
            row = NotificationPreference(id=user_id)
            session.add(row)
        row.email_enc = encrypt_text(db.keyring, "notification_email", user_id, address) if address else None
        row.in_app = sorted(chosen_in_app)
        row.email = sorted(chosen_email)
        row.updated_at = now()
    return Preferences(address, chosen_in_app, chosen_email)


# -- e-mail ----------------------------------------------------------------------------------------------


def send_email(ctx: JobContext, compose: Compose) -> dict[str, int]:
    """The ``notification.email`` job: look up her address and language now (she may have changed them),
    compose the message in her language and hand it to the relay."""
    settings: Settings = ctx.settings
    user_id, kind, link = str(ctx.payload["user_id"]), str(ctx.payload["kind"]), str(ctx.payload["link"])
    _check(kind, link)
    if settings.smtp_host is None:
        return {"sent": 0}
    with ctx.db.transaction() as session:
        allowed = _recipients_allowed(session, [user_id])
        user = session.get(User, user_id)
        row = _preferences_row(session, user_id)
        if not allowed or user is None or row is None or row.email_enc is None or kind not in row.email:
            return {"sent": 0}
        address = decrypt_text(ctx.db.keyring, "notification_email", user_id, row.email_enc)
        language = user.language
    subject, body = compose(language, kind, settings.public_url + link)
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Subject"] = subject
    if language:
        message["Content-Language"] = language
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)
    return {"sent": 1}


def _rows(result: object) -> int:
    """Rows an UPDATE or DELETE changed."""
    assert isinstance(result, CursorResult)  # noqa: S101 - DML statements return a cursor result
    return int(result.rowcount)
