"""Log-in with password and TOTP, server-side sessions, and who the session's user is."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from opennrm.access.credentials import verify_password, verify_totp
from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import DEFAULT_ENFORCEMENT_TYPES, Settings
from opennrm.services.cases import decrypt_text, now
from opennrm.services.errors import Unauthenticated
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import AppMeta, LoginSession, Organisation, User

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=5)
_REFUSED = "username, password or one-time code not accepted"


@dataclass(frozen=True)
class SessionUser:
    actor: Actor
    username: str
    organisation: str
    csrf_secret: str


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enforcement_types(db: Database) -> frozenset[str]:
    """Organisation types that count as enforcement (the firewall's list)."""
    with db.transaction() as session:
        row = session.get(AppMeta, "enforcement_types")
    if row is None:
        return frozenset(t.value for t in DEFAULT_ENFORCEMENT_TYPES)
    return frozenset(json.loads(row.value))


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def log_in(db: Database, username: str, password: str, totp: str | None) -> str:
    """Check the credentials; return a new session token. Every attempt is audited, without the username."""
    at = now()
    with db.transaction() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        password_ok = verify_password(user.password_hash if user else None, password)
        if user is None:
            audit.record_one(session, db.keyring, AuditEntry(None, "session.create", "user", None, "denied"))
            refused = True
        else:
            locked_until = _aware(user.locked_until)
            locked = locked_until is not None and locked_until > at
            second_ok = True
            if user.totp_secret_enc is not None:
                secret = decrypt_text(db.keyring, "totp", user.id, user.totp_secret_enc)
                second_ok = totp is not None and verify_totp(secret, totp)
            refused = locked or not password_ok or not second_ok or not user.active
            if refused:
                if not locked:
                    user.failed_logins += 1
                    if user.failed_logins >= MAX_FAILURES:
                        user.locked_until = at + LOCKOUT
                        user.failed_logins = 0
                audit.record_one(
                    session,
                    db.keyring,
                    AuditEntry(
                        user.id, "session.create", "user", user.id, "denied", detail={"locked": locked}
                    ),
                )
            else:
                user.failed_logins = 0
                user.locked_until = None
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
    if refused:
        raise Unauthenticated(_REFUSED)
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
    actor = Actor(user.id, org.id, Role(user.role), enforcement=org.type in kinds)
    return SessionUser(actor, user.username, org.name, row.csrf_secret)


def log_out(db: Database, token: str) -> None:
    with db.transaction() as session:
        row = session.get(LoginSession, _token_id(token))
        if row is not None:
            user_id = row.user_id
            session.execute(delete(LoginSession).where(LoginSession.id == row.id))
            audit.record_one(session, db.keyring, AuditEntry(user_id, "session.delete", "user", user_id))
