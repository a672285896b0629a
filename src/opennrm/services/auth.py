"""Log-in with password and TOTP, server-side sessions, and who the session's user is."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opennrm.access.credentials import (
    normalise_recovery_code,
    totp_step,
    verify_password,
    verify_recovery_code,
)
from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.services.cases import decrypt_text, now
from opennrm.services.errors import Unauthenticated
from opennrm.services.firewall import enforcement_types
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import LoginSession, Organisation, RecoveryCode, User

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)
_REFUSED = "username, password or one-time code not accepted"


@dataclass(frozen=True)
class SessionUser:
    actor: Actor
    username: str
    organisation: str
    csrf_secret: str
    language: str | None = None
    """The interface language she last chose (``web.i18n`` prefers it to the cookie and the browser)."""


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def log_in(db: Database, username: str, password: str, totp: str | None) -> str:
    """Check the credentials; return a new session token. Every attempt is audited, without the username.

    Lock-out: after MAX_FAILURES failures in a row the account is locked for LOCKOUT. While it is locked,
    an attempt is only considered when it carries a valid, unused one-time code — which an attacker who merely
    knows the username cannot produce — so nobody can lock a person out of her account at will, and guessing
    the password still needs the second factor. Accounts without a second factor (aggregate-only roles) are
    simply locked. A one-time code is accepted once only."""
    at = now()
    token: str | None = None
    with db.transaction() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            verify_password(None, password)  # same work as for a real account: timing reveals nothing
            audit.record_one(session, db.keyring, AuditEntry(None, "session.create", "user", None, "denied"))
        else:
            token = _check_user(db, session, user, password, totp, at)
    if token is None:
        raise Unauthenticated(_REFUSED)
    return token


def _looks_like_recovery_code(code: str) -> bool:
    return len(normalise_recovery_code(code)) == 16


def _matching_recovery_code(session: Session, user_id: str, code: str) -> RecoveryCode | None:
    unused = session.execute(
        select(RecoveryCode).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    ).scalars()
    return next((row for row in unused if verify_recovery_code(row.code_hash, code)), None)


def _check_user(
    db: Database, session: Session, user: User, password: str, totp: str | None, at: dt.datetime
) -> str | None:
    locked_until = _aware(user.locked_until)
    locked = locked_until is not None and locked_until > at
    step: int | None = None
    recovery: RecoveryCode | None = None
    if user.totp_secret_enc is not None:
        secret = decrypt_text(db.keyring, "totp", user.id, user.totp_secret_enc)
        step = totp_step(secret, totp) if totp else None
        if step is not None and user.totp_last_step is not None and step <= user.totp_last_step:
            step = None  # replayed code
        # Recovery codes are checked only after the password, so guessing them costs a password too.
        if (
            step is None
            and totp
            and _looks_like_recovery_code(totp)
            and not locked
            and user.active
            and verify_password(user.password_hash, password)
        ):
            recovery = _matching_recovery_code(session, user.id, totp)
        second_ok = step is not None or recovery is not None
    else:
        second_ok = True
    considered = not locked or (user.totp_secret_enc is not None and second_ok)
    accepted = considered and second_ok and user.active and verify_password(user.password_hash, password)
    if accepted and recovery is not None:
        recovery.used_at = at
        audit.record_one(session, db.keyring, AuditEntry(user.id, "recovery_code.use", "user", user.id))
    if not accepted:
        if not locked:
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = at + LOCKOUT
                user.failed_logins = 0
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(user.id, "session.create", "user", user.id, "denied", detail={"locked": locked}),
        )
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.totp_last_step = step if step is not None else user.totp_last_step
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            id=_token_id(token),
            user_id=user.id,
            csrf_secret=secrets.token_hex(32),
            created_at=at,
            last_seen_at=at,
        )
    )
    audit.record_one(session, db.keyring, AuditEntry(user.id, "session.create", "user", user.id))
    return token


def resolve(db: Database, settings: Settings, token: str | None) -> SessionUser:
    """The user behind a session token, or ``Unauthenticated``. Expired sessions are removed."""
    if not token:
        raise Unauthenticated("log in first")
    at = now()
    kinds = enforcement_types(db)
    with db.transaction() as session:
        row = session.get(LoginSession, _token_id(token))
        if row is None:
            raise Unauthenticated("your session has ended; log in again")
        created, seen = _aware(row.created_at), _aware(row.last_seen_at)
        assert created is not None and seen is not None  # noqa: S101 - columns are not nullable
        if at - seen > dt.timedelta(minutes=settings.session_idle_minutes) or at - created > dt.timedelta(
            hours=settings.session_absolute_hours
        ):
            session.delete(row)
            expired = True
        else:
            expired = False
            row.last_seen_at = at
            user = session.get(User, row.user_id)
            org = session.get(Organisation, user.organisation_id) if user else None
    if expired or user is None or org is None or not user.active:
        raise Unauthenticated("your session has ended; log in again")
    actor = Actor(user.id, org.id, Role(user.role), enforcement=org.type in kinds, team=user.team)
    return SessionUser(actor, user.username, org.name, row.csrf_secret, user.language)


def remember_language(db: Database, user: SessionUser, tag: str) -> None:
    """Keep the interface language the user chose, so it follows her to another device."""
    with db.transaction() as session:
        row = session.get(User, user.actor.user_id)
        if row is not None and row.language != tag:
            row.language = tag[:20]
            audit.record_one(
                session,
                db.keyring,
                AuditEntry(
                    user.actor.user_id, "user.language", "user", row.id, detail={"language": tag[:20]}
                ),
            )


def log_out(db: Database, token: str) -> None:
    with db.transaction() as session:
        row = session.get(LoginSession, _token_id(token))
        if row is not None:
            user_id = row.user_id
            session.execute(delete(LoginSession).where(LoginSession.id == row.id))
            audit.record_one(session, db.keyring, AuditEntry(user_id, "session.delete", "user", user_id))
