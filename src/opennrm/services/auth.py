"""Log-in with password and TOTP, server-side sessions, and who the session's user is."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opennrm.access.credentials import (
    looks_like_recovery_code,
    matching_recovery_code,
    totp_step,
    verify_password,
)
from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.domain.text import N_
from opennrm.services.clock import now
from opennrm.services.errors import Unauthenticated
from opennrm.services.firewall import enforcement_types_in
from opennrm.services.sealing import decrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import LoginSession, Organisation, RecoveryCode, User

FREE_FAILURES = 2
"""Failures in a row an account allows before every further attempt waits (typing slips)."""
FIRST_DELAY = dt.timedelta(seconds=15)
LONGEST_DELAY = dt.timedelta(hours=4)
_REFUSED = N_("username, password or one-time code not accepted")
SEEN_GRANULARITY = dt.timedelta(seconds=30)
"""A session's last-seen time is written at most this often: a request within it only reads (the idle
timeout, counted in minutes, may end a session up to this much early)."""


def backoff(failures: int) -> dt.timedelta:
    """How long an account refuses every attempt, unexamined, after ``failures`` counted failures in a row:
    nothing for the first FREE_FAILURES, then FIRST_DELAY doubling with each failure up to LONGEST_DELAY.
    docs/security.md works out what this costs someone guessing the one-time code."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    doubled: dt.timedelta = FIRST_DELAY * 2 ** min(failures - FREE_FAILURES - 1, 32)
    return min(doubled, LONGEST_DELAY)


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


@dataclass(frozen=True)
class _Account:
    """What an attempt is checked against, read in a short transaction of its own so that no database lock
    is held while the password is hashed."""

    user_id: str
    password_hash: str
    totp_secret_enc: bytes | None
    totp_secret: str | None
    recovery_ids: tuple[str, ...]
    recovery_hashes: tuple[str, ...]


@dataclass(frozen=True)
class _Evidence:
    password_ok: bool
    step: int | None
    recovery_id: str | None


def log_in(db: Database, username: str, password: str, totp: str | None) -> str:
    """Check the credentials; return a new session token. Every attempt is audited, without the username.

    The same work on every path: the password is always hashed (against a dummy for an unknown name) and a
    code shaped like a recovery code is always checked against RECOVERY_CODES hashes, so the time an
    answer takes tells nothing about the name, the password or the code.

    Back-off: a failure counts when exactly one factor was right — a right password with a wrong code, or a
    valid code with a wrong password (for an account without a second factor, every wrong password). After
    FREE_FAILURES counted failures in a row the account refuses every attempt for ``backoff(n)`` without
    examining it: a right password and code are refused too, with the same answer, so guessing gains
    nothing there and the back-off cannot be seen from outside. Someone who has neither factor cannot move
    the count, so cannot lock the holder of both out. A one-time code is accepted once only."""
    account = _read_account(db, username)
    evidence = _examine(account, password, totp)
    with db.transaction() as session:
        token = _decide(db, session, account, evidence, now())
    if token is None:
        raise Unauthenticated(_REFUSED)
    return token


def _read_account(db: Database, username: str) -> _Account | None:
    with db.transaction() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is None:
            return None
        unused = session.execute(
            select(RecoveryCode.id, RecoveryCode.code_hash).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
        secret = (
            decrypt_text(db.keyring, "totp", user.id, user.totp_secret_enc)
            if user.totp_secret_enc is not None
            else None
        )
        return _Account(
            user.id,
            user.password_hash,
            user.totp_secret_enc,
            secret,
            tuple(row.id for row in unused),
            tuple(row.code_hash for row in unused),
        )


def _examine(account: _Account | None, password: str, totp: str | None) -> _Evidence:
    """Check both factors, with the same hashing whoever the account and whatever the answer."""
    password_ok = verify_password(account.password_hash if account else None, password)
    step: int | None = None
    recovery_id: str | None = None
    code = totp or ""
    if looks_like_recovery_code(code):
        found = matching_recovery_code(account.recovery_hashes if account else (), code)
        if account is not None and found is not None:
            recovery_id = account.recovery_ids[found]
    elif account is not None and account.totp_secret is not None and code:
        step = totp_step(account.totp_secret, code)
    return _Evidence(password_ok, step, recovery_id)


def _decide(
    db: Database, session: Session, account: _Account | None, evidence: _Evidence, at: dt.datetime
) -> str | None:
    """Apply the attempt to the account as it is now (its row locked against concurrent attempts)."""
    user = None
    if account is not None:
        user = session.execute(
            select(User).where(User.id == account.user_id).with_for_update()
        ).scalar_one_or_none()
    if user is None or account is None:
        audit.record_one(session, db.keyring, AuditEntry(None, "session.create", "user", None, "denied"))
        return None
    locked_until = user.locked_until
    locked = locked_until is not None and locked_until > at
    changed = user.password_hash != account.password_hash or user.totp_secret_enc != account.totp_secret_enc
    recovery: RecoveryCode | None = None
    if user.totp_secret_enc is None:
        code_ok = True
    else:
        fresh_step = evidence.step is not None and (
            user.totp_last_step is None or evidence.step > user.totp_last_step
        )
        if evidence.recovery_id is not None:
            recovery = session.get(RecoveryCode, evidence.recovery_id)
            if recovery is not None and recovery.used_at is not None:
                recovery = None
        code_ok = fresh_step or recovery is not None
    if locked or changed or not user.active or not (evidence.password_ok and code_ok):
        counted = not locked and not changed and user.active and evidence.password_ok != code_ok
        if counted:
            user.failed_logins += 1
            delay = backoff(user.failed_logins)
            if delay:
                user.locked_until = at + delay
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                user.id,
                "session.create",
                "user",
                user.id,
                "denied",
                detail={"locked": locked, "counted": counted},
            ),
        )
        return None
    if recovery is not None:
        recovery.used_at = at
        audit.record_one(session, db.keyring, AuditEntry(user.id, "recovery_code.use", "user", user.id))
    user.failed_logins = 0
    user.locked_until = None
    if evidence.step is not None and recovery is None:
        user.totp_last_step = evidence.step
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
        raise Unauthenticated(N_("log in first"))
    at = now()
    with db.transaction() as session:
        kinds = enforcement_types_in(session)
        row = session.get(LoginSession, _token_id(token))
        if row is None:
            raise Unauthenticated(N_("your session has ended; log in again"))
        created, seen = row.created_at, row.last_seen_at
        assert created is not None and seen is not None  # noqa: S101 - columns are not nullable
        if at - seen > dt.timedelta(minutes=settings.session_idle_minutes) or at - created > dt.timedelta(
            hours=settings.session_absolute_hours
        ):
            session.delete(row)
            expired = True
        else:
            expired = False
            if at - seen >= SEEN_GRANULARITY:  # most requests only read: no write, no commit to disk
                row.last_seen_at = at
            user = session.get(User, row.user_id)
            org = session.get(Organisation, user.organisation_id) if user else None
    if expired or user is None or org is None or not user.active:
        raise Unauthenticated(N_("your session has ended; log in again"))
    actor = Actor(
        user.id,
        org.id,
        Role(user.role),
        enforcement=org.type in kinds,
        team=user.team,
        organisation_type=org.type,
    )
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
