"""Organisations and user accounts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from opennrm.access.credentials import hash_password, hash_recovery_code, new_recovery_codes, new_totp_secret
from opennrm.access.policy import Actor, accounts_decision
from opennrm.access.roles import NEEDS_SECOND_FACTOR, Role
from opennrm.domain.iso_codes import COUNTRIES
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.clock import now
from opennrm.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from opennrm.services.sealing import encrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import LoginSession, Organisation, RecoveryCode, User

MAX_NAME = 200


def add_organisation(
    db: Database, name: str, type_code: str, *, actor_id: str = "cli", country: str | None = None
) -> str:
    """Add an organisation. A partner abroad names its country (ISO 3166-1 alpha-2); any other may."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name must be 1 to {MAX_NAME} characters", field="name")
    try:
        org_type = OrganisationType(type_code)
    except ValueError:
        allowed = ", ".join(t.value for t in OrganisationType)
        raise InvalidInput(f"type {type_code!r} is not one of: {allowed}", field="type") from None
    code = (country or "").strip().upper() or None
    if code is not None and code not in COUNTRIES:
        raise InvalidInput(f"{country!r} is not an ISO 3166-1 alpha-2 country code", field="country")
    if code is None and org_type is OrganisationType.PARTNER_ABROAD:
        raise InvalidInput("a partner organisation abroad names its country", field="country")
    with db.transaction() as session:
        if session.execute(select(Organisation.id).where(Organisation.name == name)).first():
            raise Conflict(f"an organisation named {name!r} already exists", field="name")
        org_id = new_id()
        session.add(Organisation(id=org_id, name=name, type=org_type.value, country=code, created_at=now()))
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "organisation.create",
                "organisation",
                org_id,
                detail={"type": org_type.value, "country": code},
            ),
        )
    return org_id


def organisation_ids_by_name(db: Database) -> dict[str, str]:
    with db.transaction() as session:
        return {name: oid for oid, name in session.execute(select(Organisation.id, Organisation.name))}


@dataclass(frozen=True)
class OrganisationSummary:
    id: str
    name: str
    type: str
    users: int
    created_at: str


def list_organisations(db: Database) -> list[OrganisationSummary]:
    """Every organisation with how many accounts it has, by name."""
    with db.transaction() as session:
        counts = dict(
            session.execute(
                select(User.organisation_id, func.count(User.id)).group_by(User.organisation_id)
            ).all()
        )
        rows = session.execute(select(Organisation).order_by(Organisation.name)).scalars().all()
        return [
            OrganisationSummary(o.id, o.name, o.type, int(counts.get(o.id, 0)), _iso(o.created_at))
            for o in rows
        ]


@dataclass(frozen=True)
class UserSummary:
    """What an administrator may list about an account: never its password hash, second-factor secret or
    recovery codes, only whether it has a second factor."""

    username: str
    organisation: str
    role: str
    team: str | None
    active: bool
    second_factor: bool
    locked: bool
    created_at: str


def accounts_for(db: Database, actor: Actor) -> list[UserSummary]:
    """The staff accounts the actor administers (``policy.accounts_decision``): her organisation's, or every
    one for the system administrator; refused otherwise."""
    decision, organisation_id = accounts_decision(actor)
    if not decision:
        raise Forbidden(decision.reason)
    return list_users(db, organisation_id=organisation_id)


def list_users(
    db: Database, organisation: str | None = None, *, organisation_id: str | None = None
) -> list[UserSummary]:
    """Every account (of one organisation, given by name or id), by organisation and log-in name."""
    with db.transaction() as session:
        query = (
            select(User, Organisation.name)
            .join(Organisation, Organisation.id == User.organisation_id)
            .order_by(Organisation.name, User.username)
        )
        if organisation_id is not None:
            query = query.where(Organisation.id == organisation_id)
        if organisation is not None:
            if (
                session.execute(select(Organisation.id).where(Organisation.name == organisation)).first()
                is None
            ):
                raise NotFound(f"no organisation named {organisation!r}", field="org")
            query = query.where(Organisation.name == organisation)
        at = now()
        return [
            UserSummary(
                username=u.username,
                organisation=org_name,
                role=u.role,
                team=u.team,
                active=bool(u.active),
                second_factor=u.totp_secret_enc is not None,
                locked=u.locked_until is not None and u.locked_until > at,
                created_at=_iso(u.created_at),
            )
            for u, org_name in session.execute(query).all()
        ]


def _iso(value: dt.datetime | None) -> str:
    return value.isoformat(timespec="seconds") if value is not None else ""


@dataclass(frozen=True)
class NewUser:
    id: str
    username: str
    totp_secret: str | None
    recovery_codes: tuple[str, ...] = ()


def add_user(
    db: Database,
    username: str,
    organisation: str,
    role_code: str,
    password: str,
    *,
    actor_id: str = "cli",
    team: str | None = None,
    recovery_codes: bool = True,
    password_hash: str | None = None,
) -> NewUser:
    """Create an account. Accounts that can see person-level data get a TOTP secret, returned once, and
    recovery codes unless ``recovery_codes`` is false (the demo's accounts, whose codes nobody would see;
    ``opennrm user reset-second-factor`` issues them). ``password_hash`` is a hash already made with
    ``hash_password`` (the demo hashes its one password once for all its accounts)."""
    username = username.strip()
    if (
        not (3 <= len(username) <= 80)
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise InvalidInput("username must be 3 to 80 letters, digits, '.', '-' or '_'", field="username")
    try:
        role = Role(role_code)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(f"role {role_code!r} is not one of: {allowed}", field="role") from None
    if password_hash is None:
        try:
            password_hash = hash_password(password)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="password") from None
    with db.transaction() as session:
        org_id = session.execute(select(Organisation.id).where(Organisation.name == organisation)).scalar()
        if org_id is None:
            raise NotFound(f"no organisation named {organisation!r}", field="org")
        if session.execute(select(User.id).where(User.username == username)).first():
            raise Conflict(f"a user named {username!r} already exists", field="username")
        user_id = new_id()
        secret = new_totp_secret() if role in NEEDS_SECOND_FACTOR else None
        session.add(
            User(
                id=user_id,
                username=username,
                organisation_id=org_id,
                role=role.value,
                password_hash=password_hash,
                totp_secret_enc=encrypt_text(db.keyring, "totp", user_id, secret) if secret else None,
                team=(team or "").strip()[:80] or None,
                failed_logins=0,
                active=True,
                created_at=now(),
            )
        )
        session.flush()
        codes = _replace_recovery_codes(session, user_id) if secret and recovery_codes else []
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor_id, "user.create", "user", user_id, detail={"role": role.value}),
        )
    return NewUser(user_id, username, secret, tuple(codes))


def _replace_recovery_codes(session: Session, user_id: str) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = new_recovery_codes()
    session.add_all(
        RecoveryCode(id=new_id(), user_id=user_id, code_hash=hash_recovery_code(c)) for c in codes
    )
    return codes


def _user_named(session: Session, username: str) -> User:
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user named {username!r}", field="username")
    return user


def reset_password(db: Database, username: str, password: str, *, actor_id: str = "cli") -> None:
    """Set a new password. The second factor stays as it was, so a reset never bypasses it; the user's
    sessions end."""
    try:
        password_hash = hash_password(password)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="password") from None
    with db.transaction() as session:
        user = _user_named(session, username)
        user.password_hash = password_hash
        user.failed_logins, user.locked_until = 0, None
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        audit.record_one(session, db.keyring, AuditEntry(actor_id, "user.password_reset", "user", user.id))


def reset_second_factor(db: Database, username: str, *, actor_id: str = "cli") -> NewUser:
    """A new TOTP secret and new recovery codes (the old ones stop working), returned once; sessions end.
    A separate, audited act from a password reset, for an administrator who has verified who is asking."""
    with db.transaction() as session:
        user = _user_named(session, username)
        if Role(user.role) not in NEEDS_SECOND_FACTOR:
            raise InvalidInput(f"role {user.role} has no second factor", field="username")
        secret = new_totp_secret()
        user.totp_secret_enc = encrypt_text(db.keyring, "totp", user.id, secret)
        user.totp_last_step = None
        codes = _replace_recovery_codes(session, user.id)
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
        audit.record_one(
            session, db.keyring, AuditEntry(actor_id, "user.second_factor_reset", "user", user.id)
        )
        return NewUser(user.id, user.username, secret, tuple(codes))
