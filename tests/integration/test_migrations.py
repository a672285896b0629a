"""Migrations go up and down with data in the tables, and the schema they build is the models' schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Engine, create_engine, func, inspect, select, text

from opennrm.services import cases, installation
from opennrm.store.database import Database, make_engine
from opennrm.store.tables import Base, Case
from tests.conftest import Installation, _copy_sqlite
from tests.support import intake, make_org, make_user


def revisions(inst: Installation) -> list[str]:
    script = ScriptDirectory.from_config(installation.alembic_config(inst.db))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_the_migrated_schema_matches_the_models(inst: Installation) -> None:
    with inst.db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_down_and_up_again_with_data(inst: Installation) -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")
    cases.intake(inst.db, user.actor, intake())
    steps = revisions(inst)
    assert steps[:2] == ["0001", "0002"]
    # every step down to the first revision and back up keeps the case data
    for target in reversed(steps[:-1]):
        installation.downgrade(inst.db, target)
    assert "totp_last_step" not in {c["name"] for c in inspect(inst.db.engine).get_columns("users")}
    with inst.db.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Case.__table__)) == 1
        assert conn.scalar(text("SELECT count(*) FROM users")) == 1
    installation.migrate(inst.db)
    assert "totp_last_step" in {c["name"] for c in inspect(inst.db.engine).get_columns("users")}
    with inst.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
    # and all the way down removes every table
    installation.downgrade(inst.db, "base")
    assert set(inspect(inst.db.engine).get_table_names()) <= {"alembic_version"}
    installation.migrate(inst.db)
    assert "cases" in inspect(inst.db.engine).get_table_names()


def test_a_database_made_at_any_landed_revision_upgrades_to_the_models_schema(
    inst: Installation, tmp_path: Path
) -> None:
    """Landed migrations never change; whatever revision a database was made at, upgrading reaches the
    schema the code expects. Each database is made by upgrading from empty to its revision: one walk up,
    copied at every revision (a file on SQLite, a template database on PostgreSQL), then each copy is
    upgraded to head."""
    steps = revisions(inst)
    installation.downgrade(inst.db, "base")
    made: list[tuple[str, Database]] = []
    try:
        for start in steps[:-1]:
            installation.migrate(inst.db, start)
            made.append((start, _copy(inst, f"{len(made):02d}", tmp_path)))
        for start, db in made:
            installation.migrate(db)
            with db.engine.connect() as conn:
                diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            db.dispose()
            assert diff == [], f"made at {start}: {diff}"
    finally:
        for _, db in made:
            _drop(inst, db)
        installation.migrate(inst.db)  # the worker's database outlives the test: left at head


def _copy(inst: Installation, name: str, folder: Path) -> Database:
    """A copy of the installation's database as it is now."""
    url = inst.db.engine.url
    if inst.backend == "sqlite":
        target = folder / f"at-{name}.sqlite"
        _copy_sqlite(Path(str(url.database)), target)
        return Database(make_engine(f"sqlite:///{target}"), inst.db.keyring)
    inst.db.engine.dispose()  # a template database has no other connection: earlier tests' pools are closed
    copy = f"{url.database}_at_{name}"
    with _admin(url).connect() as conn:
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": url.database},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{url.database}" STRATEGY FILE_COPY'))
    return Database(
        make_engine(url.set(database=copy).render_as_string(hide_password=False)), inst.db.keyring
    )


def _drop(inst: Installation, db: Database) -> None:
    db.dispose()
    if inst.backend == "postgresql":
        with _admin(inst.db.engine.url).connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db.engine.url.database}" WITH (FORCE)'))


def _admin(url: URL) -> Engine:
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


def test_a_database_made_with_the_first_text_of_0008_upgrades_cleanly(inst: Installation) -> None:
    """The first text of migration 0008 gave scanned_ads a NOT NULL flag_count the code never writes;
    migration 0011 removes it, so scanned ads can be stored again."""
    installation.downgrade(inst.db, "0009")
    with inst.db.engine.begin() as conn:
        conn.execute(text("ALTER TABLE scanned_ads ADD COLUMN flag_count INTEGER NOT NULL DEFAULT 0"))
    installation.migrate(inst.db)
    assert "flag_count" not in {c["name"] for c in inspect(inst.db.engine).get_columns("scanned_ads")}
    with inst.db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
