"""Opening, initialising and migrating an installation."""

from __future__ import annotations

import os
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from opennrm.config import Settings
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.cases import new_id, now
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database, make_engine
from opennrm.store.keys import Keyring, KeyUnavailable
from opennrm.store.tables import AppMeta, Organisation


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "opennrm.store:migrations")
    cfg.attributes["engine"] = db.engine
    return cfg


def migrate(db: Database, revision: str = "head") -> None:
    command.upgrade(alembic_config(db), revision)


def downgrade(db: Database, revision: str) -> None:
    command.downgrade(alembic_config(db), revision)


def open_database(settings: Settings, *, check_key: bool = True) -> Database:
    """The installation's database with its keyring; refuses a missing or wrong key."""
    keyring = Keyring.load(settings.key_file, settings.key_env)
    db = Database(make_engine(settings.database_url), keyring)
    if check_key:
        try:
            db.check_key()
        except Exception:
            db.dispose()
            raise
    return db


@dataclass(frozen=True)
class InitResult:
    key_created: bool
    default_organisation_id: str


def initialise(settings: Settings) -> InitResult:
    """Create the data directory, the key file (unless OPENNRM_KEY is given), the schema and the default
    organisation. Safe to run again: it only adds what is missing and never replaces a key."""
    settings.home.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.home, 0o700)
    key_created = False
    if settings.key_env is None and not settings.key_file.exists():
        Keyring.generate().write(settings.key_file)
        key_created = True
    db = open_database(settings, check_key=False)
    try:
        migrate(db)
        with db.transaction() as session:
            if session.get(AppMeta, "key_check") is None:
                db.write_key_check(session)
            elif not key_created:
                pass
        db.check_key()
        org_id = ensure_default_organisation(db, settings.default_organisation)
    finally:
        db.dispose()
    return InitResult(key_created, org_id)


def ensure_default_organisation(db: Database, name: str) -> str:
    with db.transaction() as session:
        existing = session.execute(
            select(Organisation.id).where(Organisation.name == name)
        ).scalar_one_or_none()
        if existing:
            return existing
        org_id = new_id()
        session.add(Organisation(id=org_id, name=name, type=OrganisationType.NGO.value, created_at=now()))
        session.add(AppMeta(key="default_organisation", value=org_id))
        audit.record_one(
            session, db.keyring, AuditEntry("cli", "organisation.create", "organisation", org_id)
        )
    return org_id


def default_organisation_id(db: Database) -> str:
    with db.transaction() as session:
        row = session.get(AppMeta, "default_organisation")
        if row is None:
            raise KeyUnavailable("the installation has no default organisation: run 'opennrm init'")
        return row.value
