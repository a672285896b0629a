"""Opening, initialising and migrating an installation."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Container
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, select

from opennrm.config import Settings
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.clock import now
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database, make_engine
from opennrm.store.ids import new_id
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
    db.holidays = working_calendar(settings)
    if check_key:
        try:
            db.check_key()
        except Exception:
            db.dispose()
            raise
    return db


def working_calendar(settings: Settings) -> Container[dt.date]:
    """The public holidays of ``OPENNRM_COUNTRY`` (else of the identification procedure's country; else
    none): every deadline in working days skips them."""
    from opennrm.services.identification import national_procedure

    return national_procedure(settings).holidays


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
        if _has_key_check(settings):
            raise KeyUnavailable(
                f"no encryption key: {settings.key_file} is missing but the database already holds encrypted "
                "data; restore the key file (or set OPENNRM_KEY) instead of making a new one"
            )
        Keyring.generate().write(settings.key_file)
        key_created = True
    db = open_database(settings, check_key=False)
    try:
        migrate(db)
        with db.transaction() as session:
            if session.get(AppMeta, "key_check") is None:
                db.write_key_check(session)
        db.check_key()
        _private_database_files(settings)
        org_id = ensure_default_organisation(db, settings.default_organisation)
    finally:
        db.dispose()
    return InitResult(key_created, org_id)


def _sqlite_path(settings: Settings) -> Path | None:
    return Path(settings.database_url.removeprefix("sqlite:///")) if settings.is_sqlite else None


def _has_key_check(settings: Settings) -> bool:
    """Whether the configured database already exists and holds encrypted data."""
    path = _sqlite_path(settings)
    if path is not None and not path.exists():
        return False  # connecting would create the file
    engine = make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            if "app_meta" not in inspect(conn).get_table_names():
                return False
            return conn.execute(select(AppMeta.key).where(AppMeta.key == "key_check")).first() is not None
    finally:
        engine.dispose()


def _private_database_files(settings: Settings) -> None:
    """The SQLite file and its WAL and shared-memory files are readable by the owner only."""
    path = _sqlite_path(settings)
    if path is None:
        return
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


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
