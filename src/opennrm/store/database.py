"""Engine and transactions. SQLite: WAL, foreign keys on, ``synchronous=FULL``, one writer at a time
(``BEGIN IMMEDIATE``). PostgreSQL: through ``OPENNRM_DATABASE_URL``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from opennrm.store.keys import Keyring, KeyUnavailable, TamperedCiphertext

if TYPE_CHECKING:
    from opennrm.store.audit import AuditEntry

KEY_CHECK_CONTEXT = "app_meta:key_check"
KEY_CHECK_PLAINTEXT = b"opennrm key check"


# Connections per process: the web server runs up to 40 requests at once in its thread pool; beyond the pool
# a request waits for a connection (up to pool_timeout seconds) rather than failing, so a burst queues. At
# most 15 a process, so that four web workers and the background worker (75) stay inside PostgreSQL's
# default max_connections of 100 (docs/operations.md, "Under load").
POOL = {"pool_size": 10, "max_overflow": 5, "pool_timeout": 300}
# SQLite has one writer at a time, and every request writes (its audit event): a transaction waits this long
# for the lock, so under a burst writers queue instead of answering "database is locked".
SQLITE_BUSY_SECONDS = 300


def make_engine(url: str, **kwargs: Any) -> Engine:
    kwargs = {**POOL, **kwargs}
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA secure_delete=ON")
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


@dataclass
class _Outermost:
    """The outermost transaction open in this context, and the audit entries to write once it has ended."""

    after: list[AuditEntry] = field(default_factory=list)
    open: bool = True


class Database:
    """The engine, the session factory and the keyring of one installation."""

    def __init__(self, engine: Engine, keyring: Keyring) -> None:
        self.engine = engine
        self.keyring = keyring
        self.holidays: Container[dt.date] = frozenset()
        """The public holidays deadlines in working days skip (set from the settings by
        ``services.installation.open_database``); weekends always count as non-working."""
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._outermost: ContextVar[_Outermost | None] = ContextVar(f"opennrm_tx_{id(self)}", default=None)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back entirely on any error. When the outermost
        transaction of this context has ended — committed or rolled back — the entries handed to
        ``audit_after`` meanwhile (refusals) are written in a transaction of their own."""
        outer = self._outermost.get()
        mine = None
        if outer is None or not outer.open:
            mine = _Outermost()
            self._outermost.set(mine)
        try:
            with self._sessions() as session, session.begin():
                yield session
        finally:
            if mine is not None:
                mine.open = False
                if mine.after:
                    self._write_audit(mine.after)

    def audit_after(self, entry: AuditEntry) -> None:
        """Write ``entry`` once the open transactions have ended, whatever became of them (at once when
        none is open): a refusal's audit event survives the rollback of the work it stopped, and is never
        written into — nor waits on the lock of — a transaction that is being abandoned. Services call it
        through ``opennrm.services.errors.refuse``."""
        outer = self._outermost.get()
        if outer is not None and outer.open:
            outer.after.append(entry)
        else:
            self._write_audit([entry])

    def _write_audit(self, entries: list[AuditEntry]) -> None:
        from opennrm.store import audit

        with self.transaction() as session:
            audit.record(session, self.keyring, entries)

    @contextmanager
    def joining(self, session: Session | None) -> Iterator[Session]:
        """The caller's open transaction when ``session`` is given (the caller commits or rolls back all of
        it), else a transaction of its own: so that one use case can be one step of a larger one."""
        if session is not None:
            yield session
            return
        with self.transaction() as own:
            yield own

    def check_key(self) -> None:
        """Refuse to start with a key that does not belong to this database."""
        from opennrm.store.tables import AppMeta

        with self.transaction() as session:
            row = session.get(AppMeta, "key_check")
            if row is None:
                raise KeyUnavailable("the database is not initialised: run 'opennrm init'")
            try:
                ok = self.keyring.decrypt(bytes.fromhex(row.value), KEY_CHECK_CONTEXT) == KEY_CHECK_PLAINTEXT
            except (TamperedCiphertext, KeyUnavailable, ValueError):
                ok = False
            if not ok:
                raise KeyUnavailable(
                    "the encryption key does not match this database; set OPENNRM_KEY or restore the key "
                    "file that 'opennrm init' made for it"
                )

    def write_key_check(self, session: Session) -> None:
        from opennrm.store.tables import AppMeta

        blob = self.keyring.encrypt(KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT).hex()
        row = session.get(AppMeta, "key_check")
        if row is None:
            session.add(AppMeta(key="key_check", value=blob))
        else:
            row.value = blob

    def integrity_check(self) -> str:
        """SQLite's own integrity check ('ok' when sound); PostgreSQL answers 'ok' when reachable."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                return str(conn.execute(text("PRAGMA integrity_check")).scalar())
            conn.execute(text("SELECT 1"))
            return "ok"

    def analyse(self) -> None:
        """Refresh the query planner's statistics after bulk changes (imports, demo data, restores)."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()
