"""Shared fixtures: a fresh installation on SQLite and, where a server is reachable, on PostgreSQL.

PostgreSQL: ``OPENNRM_TEST_DATABASE_URL`` (default: ``opennrm.config.DEVELOPMENT_POSTGRES_URL``,
database ``test``). Each test worker gets its own database, emptied before every test. With no reachable
server the PostgreSQL half is skipped with a notice; ``OPENNRM_REQUIRE_POSTGRES=1`` (set by ``.ci/run``)
turns that skip into a failure.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opennrm.access import credentials
from opennrm.config import DEVELOPMENT_POSTGRES_URL, Settings
from opennrm.services import installation
from opennrm.store.database import Database, make_engine
from opennrm.store.keys import Keyring
from opennrm.store.tables import Base
from opennrm.web.app import create_app

PG_URL = os.environ.get("OPENNRM_TEST_DATABASE_URL", DEVELOPMENT_POSTGRES_URL)
REQUIRE_PG = os.environ.get("OPENNRM_REQUIRE_POSTGRES") == "1"
_pg_problem: list[str] = []

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id with the cheapest parameters, so that making test users is fast. The production
    parameters are pinned by tests/unit/access/test_credentials.py, which runs without this."""
    production = credentials.current_hasher()
    credentials.use_hasher(PasswordHasher.from_parameters(CHEAPEST))
    yield
    credentials.use_hasher(production)


@pytest.fixture(autouse=True, scope="session")
def _cheap_receipt_hashing() -> Iterator[None]:
    """Receipts of anonymous reports hashed with cheap Argon2id parameters, as passwords are above. The
    production parameters are pinned by tests/unit/domain/test_reporting_receipts.py."""
    from opennrm.services import reporting

    reporting.use_hashing(reporting.ReceiptHashing(memory_kib=256, time_cost=1, parallelism=1))
    yield
    reporting.use_hashing(reporting.PRODUCTION_HASHING)


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@pytest.fixture(scope="session")
def pg_worker_url(worker_id: str, testrun_uid: str) -> Iterator[str]:
    """A database of this worker's own on the PostgreSQL server (named for this run, so that two test runs
    on one server never meet)."""
    name = f"opennrm_test_{testrun_uid[:10]}_{worker_id}"
    try:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        message = (
            f"PostgreSQL not reachable at {make_url(PG_URL).render_as_string(hide_password=True)}: {exc}"
        )
        if REQUIRE_PG:
            pytest.fail(message + " (OPENNRM_REQUIRE_POSTGRES=1)")
        _pg_problem.append(message)
        pytest.skip(message)
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    admin.dispose()
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _empty_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        exists = conn.execute(text("SELECT to_regclass('public.app_meta')")).scalar()
        if exists:
            conn.execute(text(f"TRUNCATE {names} CASCADE"))
    engine.dispose()


@dataclass
class Installation:
    settings: Settings
    db: Database
    backend: str
    default_org: str

    def env(self) -> dict[str, str]:
        """Environment for running the ``opennrm`` command against this installation."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENNRM_")}
        env["OPENNRM_HOME"] = str(self.settings.home)
        if self.backend == "postgresql":
            env["OPENNRM_DATABASE_URL"] = self.settings.database_url
        return env


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite database migrated to head, once per test worker. Each SQLite installation starts
    from a copy of it (running every migration takes a second or two; the copy a millisecond), and
    ``initialise`` then finds the schema at head and does the rest of its work as on a new machine: a new
    key, the key check, the default organisation. The migrations themselves are tested from an empty
    database in tests/integration/test_migrations*.py."""
    path = tmp_path_factory.mktemp("schema") / "schema.sqlite"
    db = Database(make_engine(f"sqlite:///{path}"), Keyring.generate())
    try:
        installation.migrate(db)
    finally:
        db.dispose()
    return path


def _copy_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def _install(home: Path, backend: str, request: pytest.FixtureRequest) -> Installation:
    env = {"OPENNRM_HOME": str(home)}
    if backend == "postgresql":
        url = request.getfixturevalue("pg_worker_url")
        _empty_pg(url)
        env["OPENNRM_DATABASE_URL"] = url
    settings = Settings.from_env(env)
    if settings.is_sqlite:
        _copy_sqlite(request.getfixturevalue("sqlite_schema"), home / "opennrm.sqlite")
    result = installation.initialise(settings)
    db = installation.open_database(settings)
    return Installation(settings, db, backend, result.default_organisation_id)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def inst(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Installation]:
    """A fresh, initialised installation on each backend."""
    installed = _install(tmp_path / "home", backend, request)
    yield installed
    installed.db.dispose()


@pytest.fixture
def sqlite_inst(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Installation]:
    installed = _install(tmp_path / "home", "sqlite", request)
    yield installed
    installed.db.dispose()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if _pg_problem:
        terminalreporter.write_sep("!", "NOTICE: PostgreSQL tests were SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(_pg_problem[0])
        terminalreporter.write_line(
            "Set OPENNRM_TEST_DATABASE_URL, or OPENNRM_REQUIRE_POSTGRES=1 to make this fail."
        )


# -- a live server (browser tests, and tests that need real concurrency) --------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app of ``settings`` served by uvicorn on a free local port, in a thread; yields its base URL."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(sqlite_inst: Installation) -> Iterator[str]:
    with serving(sqlite_inst.settings) as base:
        yield base
