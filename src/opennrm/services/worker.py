"""The worker: schedules the periodic tasks and runs queued jobs (``opennrm worker``; ``opennrm serve``
starts one beside the web application unless ``--no-worker``).

Any number of workers may run, in any number of processes or machines sharing the database: the queue
(``services.jobs``) gives each job to one of them at a time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Mapping
from typing import Any

from opennrm.config import Settings
from opennrm.services import jobs
from opennrm.services.jobs import Claim, JobContext, Registry
from opennrm.store.database import Database

log = logging.getLogger("opennrm.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


class _Heartbeat(threading.Thread):
    """Renews the lease of the running job until stopped, so a long job is not taken over while alive."""

    def __init__(self, db: Database, claim: Claim, lease: dt.timedelta) -> None:
        super().__init__(daemon=True, name=f"lease-{claim.id[:8]}")
        self.db, self.claim, self.lease = db, claim, lease
        self.done = threading.Event()
        self.lost = False

    def run(self) -> None:
        while not self.done.wait(self.lease.total_seconds() / 3):
            try:
                if not jobs.renew(self.db, self.claim, lease=self.lease):
                    self.lost = True
                    return
            except Exception as exc:  # a database hiccup: try again at the next beat
                log.warning("lease renewal of job %s failed: %s", self.claim.id, type(exc).__name__)


def run_one(
    db: Database,
    settings: Settings,
    registry: Registry,
    worker_id: str,
    *,
    lease: dt.timedelta = jobs.DEFAULT_LEASE,
) -> bool:
    """Claim and run one job; False when none was due."""
    claim = jobs.claim(db, worker_id, frozenset(registry.handlers), lease=lease)
    if claim is None:
        return False
    handler = registry.handlers[claim.kind]
    beat = _Heartbeat(db, claim, lease)

    def progress(done: int, total: int | None) -> None:
        jobs.renew(db, claim, lease=lease, done=done, total=total)

    ctx = JobContext(db, settings, claim.id, claim.payload, progress)
    beat.start()
    try:
        result: Mapping[str, Any] | None = handler(ctx)
    except Exception as exc:
        beat.done.set()
        beat.join()
        # The message may quote data; only the error's type is kept (ADR 0013).
        log.warning(
            "job %s (%s) attempt %s failed: %s", claim.id, claim.kind, claim.attempt, type(exc).__name__
        )
        jobs.fail(db, claim, _error_text(exc), retry=not isinstance(exc, PermanentJobError))
        return True
    beat.done.set()
    beat.join()
    if jobs.finish(db, claim, result):
        log.info("job %s (%s) done", claim.id, claim.kind)
    else:
        log.warning(
            "job %s (%s) finished after its lease was taken over; result dropped", claim.id, claim.kind
        )
    return True


class PermanentJobError(Exception):
    """A job that cannot succeed by being tried again (bad input); its message is shown to the user who
    started it and holds no personal data."""


def _error_text(exc: Exception) -> str:
    if isinstance(exc, PermanentJobError) or type(exc).__name__ == "InvalidInput":
        return str(getattr(exc, "message", None) or exc)[:300]
    return f"internal error ({type(exc).__name__})"


def run_worker(
    settings: Settings,
    db: Database,
    registry: Registry,
    stop: threading.Event,
    *,
    poll_seconds: float = 2.0,
    lease: dt.timedelta = jobs.DEFAULT_LEASE,
    schedule: bool = True,
) -> None:
    """Loop until ``stop`` is set: queue due periodic runs, then run jobs until none is due, then wait."""
    name = worker_name()
    log.info("worker %s started", name)
    while not stop.is_set():
        try:
            if schedule:
                jobs.schedule_due(db, registry)
            while not stop.is_set() and run_one(db, settings, registry, name, lease=lease):
                pass
        except Exception as exc:  # the database went away for a moment: keep the worker alive
            log.error("worker loop: %s", type(exc).__name__)
        stop.wait(poll_seconds)
    log.info("worker %s stopped", name)


def start_in_thread(
    settings: Settings, db: Database, registry: Registry
) -> tuple[threading.Thread, threading.Event]:
    """A worker thread beside the web application (``opennrm serve``)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_worker, args=(settings, db, registry, stop), daemon=True, name="opennrm-worker"
    )
    thread.start()
    return thread, stop
