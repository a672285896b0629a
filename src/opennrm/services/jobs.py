"""The job queue: background work claimed by one worker at a time (ADR 0013).

A job is a row of ``jobs``. A worker *claims* the oldest due job in one short transaction — on PostgreSQL
``SELECT … FOR UPDATE SKIP LOCKED``, on SQLite under the database's single writer lock (every transaction
begins ``IMMEDIATE``) — and holds it under a *lease* that it renews while the job runs. A worker that dies
stops renewing; when the lease runs out another worker claims the job again (up to ``max_attempts``).
Finishing is fenced by the claim's token: a worker whose lease was taken over cannot mark the job done or
failed, so a job is completed once. Handlers are written so that running again after a crash is harmless
(the periodic sweeps are idempotent; an upload's scan id is fixed when it is queued).

Periodic tasks (consent expiry, referral deadlines, retention, reminders, backups) are jobs too: each
worker enqueues the run of the current time slot under a unique ``dedupe_key``, so any number of workers
queue it once and run it once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from opennrm.config import Settings
from opennrm.services.clock import now
from opennrm.services.errors import NotFound
from opennrm.services.sealing import decrypt_json, encrypt_json
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import Job

log = logging.getLogger("opennrm.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
DEFAULT_LEASE = dt.timedelta(seconds=60)
KEEP_FINISHED = dt.timedelta(days=14)


@dataclass
class JobContext:
    """What a handler gets: the database, the settings, its input and a way to report progress (which also
    renews the lease)."""

    db: Database
    settings: Settings
    job_id: str
    payload: dict[str, Any]
    progress: Callable[[int, int | None], None] = field(default=lambda done, total: None)


Handler = Callable[[JobContext], Mapping[str, Any] | None]
PeriodicRun = Callable[[Database, Settings, dt.datetime], Mapping[str, Any] | None]


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    every: dt.timedelta
    run: PeriodicRun


@dataclass
class Registry:
    """The job kinds a worker can run and the periodic tasks it schedules (``services.scheduled``)."""

    handlers: dict[str, Handler] = field(default_factory=dict)
    periodic: dict[str, PeriodicTask] = field(default_factory=dict)

    def handler(self, kind: str, run: Handler) -> None:
        if kind in self.handlers:
            raise ValueError(f"job kind {kind!r} registered twice")
        self.handlers[kind] = run

    def every(self, name: str, every: dt.timedelta, run: PeriodicRun) -> None:
        """Run ``run(db, settings, now)`` once per ``every`` across all workers."""
        if name in self.periodic:
            raise ValueError(f"periodic task {name!r} registered twice")
        task = self.periodic[name] = PeriodicTask(name, every, run)

        def handler(ctx: JobContext) -> Mapping[str, Any] | None:
            return task.run(ctx.db, ctx.settings, now())

        self.handler(f"periodic:{name}", handler)


# -- queueing -------------------------------------------------------------------------------------------


def _insert_ignoring_duplicates(session: Session, values: dict[str, Any]) -> bool:
    dialect = session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = maker(Job).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(Job.id)
    # RETURNING, not rowcount: the driver's rowcount is not reliable for a skipped conflict
    return session.execute(stmt).first() is not None


def enqueue(
    db: Database,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    *,
    created_by: str | None = None,
    run_after: dt.datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 3,
    job_id: str | None = None,
    session: Session | None = None,
) -> str | None:
    """Queue a job; its payload is encrypted. With ``dedupe_key``, a second job with the same key is not
    queued (None is returned). With ``session``, inside the caller's transaction."""
    job_id = job_id or new_id()
    at = now()
    values: dict[str, Any] = {
        "id": job_id,
        "kind": kind,
        "status": QUEUED,
        "dedupe_key": dedupe_key,
        "payload_enc": encrypt_json(db.keyring, "job_payload", job_id, dict(payload)) if payload else None,
        "run_after": run_after or at,
        "attempts": 0,
        "max_attempts": max_attempts,
        "progress_done": 0,
        "created_by": created_by,
        "created_at": at,
    }
    if session is None:
        with db.transaction() as own:
            added = _insert_ignoring_duplicates(own, values)
    else:
        added = _insert_ignoring_duplicates(session, values)
    return job_id if added else None


def schedule_due(db: Database, registry: Registry, at: dt.datetime | None = None) -> int:
    """Queue the current slot's run of every periodic task not yet queued; returns how many were queued."""
    at = at or now()
    queued = 0
    for task in registry.periodic.values():
        slot = int(at.timestamp() // task.every.total_seconds())
        if enqueue(db, f"periodic:{task.name}", dedupe_key=f"periodic:{task.name}:{slot}", max_attempts=2):
            queued += 1
    return queued


# -- claiming and finishing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    token: str
    attempt: int
    payload: dict[str, Any]


def claim(
    db: Database,
    worker_id: str,
    kinds: frozenset[str] | None = None,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    at: dt.datetime | None = None,
) -> Claim | None:
    """Take the oldest due job (queued, or running under a lease that ran out) for this worker, or None.
    A job whose attempts are used up is marked failed instead of being run again."""
    at = at or now()
    while True:
        with db.transaction() as session:
            query = (
                select(Job)
                .where(
                    or_(
                        and_(Job.status == QUEUED, Job.run_after <= at),
                        and_(Job.status == RUNNING, Job.lease_until < at),
                    )
                )
                .order_by(Job.run_after, Job.created_at)
                .limit(1)
                .with_for_update(skip_locked=True)
            )
            if kinds is not None:
                query = query.where(Job.kind.in_(sorted(kinds)))
            job = session.execute(query).scalar_one_or_none()
            if job is None:
                return None
            if job.attempts >= job.max_attempts:
                job.status, job.finished_at = FAILED, at
                job.error = f"stopped after {job.attempts} attempts (the worker running it stopped)"
                job.claim_token = job.lease_until = None
                log.warning("job %s (%s) failed: attempts used up", job.id, job.kind)
                continue
            token = new_id()
            job.status, job.claimed_by, job.claim_token = RUNNING, worker_id[:120], token
            job.lease_until, job.attempts = at + lease, job.attempts + 1
            job.started_at = job.started_at or at
            payload = (
                decrypt_json(db.keyring, "job_payload", job.id, job.payload_enc) if job.payload_enc else {}
            )
            return Claim(job.id, job.kind, token, job.attempts, payload)


def _fenced(job_id: str, token: str) -> Any:
    return update(Job).where(Job.id == job_id, Job.claim_token == token, Job.status == RUNNING)


def renew(
    db: Database,
    claim_: Claim,
    *,
    lease: dt.timedelta = DEFAULT_LEASE,
    done: int | None = None,
    total: int | None = None,
) -> bool:
    """Extend the lease (and record progress); False when the job is no longer this worker's."""
    values: dict[str, Any] = {"lease_until": now() + lease}
    if done is not None:
        values["progress_done"] = done
    if total is not None:
        values["progress_total"] = total
    with db.transaction() as session:
        return bool(_rows(session.execute(_fenced(claim_.id, claim_.token).values(**values))))


def finish(db: Database, claim_: Claim, result: Mapping[str, Any] | None) -> bool:
    """Mark the job done with its result (ids and counts); False when another worker took it over."""
    with db.transaction() as session:
        return bool(
            _rows(
                session.execute(
                    _fenced(claim_.id, claim_.token).values(
                        status=DONE,
                        result=dict(result) if result else None,
                        finished_at=now(),
                        claim_token=None,
                        lease_until=None,
                        payload_enc=None,  # the input is not kept once the work is done
                    )
                )
            )
        )


def fail(db: Database, claim_: Claim, error: str, *, retry: bool) -> bool:
    """Record a failure: queued again after a pause while attempts remain and ``retry``, else failed."""
    with db.transaction() as session:
        job = session.get(Job, claim_.id)
        if job is None or job.claim_token != claim_.token or job.status != RUNNING:
            return False
        again = retry and job.attempts < job.max_attempts
        job.error = error[:300]
        job.claim_token = job.lease_until = None
        if again:
            job.status, job.run_after = QUEUED, now() + dt.timedelta(seconds=30 * job.attempts)
        else:
            job.status, job.finished_at, job.payload_enc = FAILED, now(), None
        return True


def prune(db: Database, at: dt.datetime | None = None) -> int:
    """Delete finished jobs older than ``KEEP_FINISHED``."""
    cutoff = (at or now()) - KEEP_FINISHED
    with db.transaction() as session:
        return int(
            _rows(
                session.execute(delete(Job).where(Job.status.in_([DONE, FAILED]), Job.finished_at < cutoff))
            )
        )


# -- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    status: str
    progress_done: int
    progress_total: int | None
    result: Mapping[str, Any] | None
    error: str | None

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return max(0, min(100, round(100 * self.progress_done / self.progress_total)))


def view_job(db: Database, user_id: str, job_id: str) -> JobView:
    """A job started by this user (anyone else's, or an unknown id, is "not found")."""
    with db.transaction() as session:
        job = session.get(Job, job_id)
        if job is None or job.created_by is None or job.created_by != user_id:
            raise NotFound("no such job")
        return JobView(
            job.id, job.kind, job.status, job.progress_done, job.progress_total, job.result, job.error
        )


def queue_depth(db: Database) -> dict[tuple[str, str], int]:
    """Jobs by (kind, status), for the metrics."""
    with db.transaction() as session:
        rows = session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
        return {(str(k), str(s)): int(n) for k, s, n in rows}


def _rows(result: object) -> int:
    """Rows an UPDATE or DELETE changed."""
    assert isinstance(result, CursorResult)  # noqa: S101 - DML statements return a cursor result
    return int(result.rowcount)
