"""Organisations and user accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from opennrm.access.credentials import hash_password, new_totp_secret
from opennrm.access.roles import NEEDS_SECOND_FACTOR, Role
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.cases import encrypt_text, new_id, now
from opennrm.services.errors import Conflict, InvalidInput, NotFound
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import Organisation, User

MAX_NAME = 200


def add_organisation(db: Database, name: str, type_code: str, *, actor_id: str = "cli") -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"name must be 1 to {MAX_NAME} characters", field="name")
    try:
        org_type = OrganisationType(type_code)
    except ValueError:
        allowed = ", ".join(t.value for t in OrganisationType)
        raise InvalidInput(f"type {type_code!r} is not one of: {allowed}", field="type") from None
    with db.transaction() as session:
        if session.execute(select(Organisation.id).where(Organisation.name == name)).first():
            raise Conflict(f"an organisation named {name!r} already exists", field="name")
        org_id = new_id()
        session.add(Organisation(id=org_id, name=name, type=org_type.value, created_at=now()))
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id, "organisation.create", "organisation", org_id, detail={"type": org_type.value}
            ),
        )
    return org_id


def organisation_ids_by_name(db: Database) -> dict[str, str]:
    with db.transaction() as session:
        return {name: oid for oid, name in session.execute(select(Organisation.id, Organisation.name))}


@dataclass(frozen=True)
class NewUser:
    id: str
    username: str
    totp_secret: str | None


def add_user(
    db: Database,
    username: str,
    organisation: str,
    role_code: str,
    password: str,
    *,
    actor_id: str = "cli",
    team: str | None = None,
) -> NewUser:
    """Create an account. Accounts that can see person-level data get a TOTP secret, returned once."""
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
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor_id, "user.create", "user", user_id, detail={"role": role.value}),
        )
    return NewUser(user_id, username, secret)
