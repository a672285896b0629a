"""``opennrm worker``: the background worker (periodic tasks and queued jobs; ADR 0013)."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import typer


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    once: bool = typer.Option(
        False, "--once", help="Queue what is due, run every job that is due, then exit (for a timer)."
    ),
    poll: float = typer.Option(2.0, "--poll", min=0.1, max=600, help="Seconds between looks at the queue."),
) -> None:
    """Run the scheduled work (consent expiry, referral deadlines, reminders, retention, backups) and
    queued jobs; any number may run against one database."""
    from opennrm.cli.common import handled, settings
    from opennrm.services import jobs
    from opennrm.services.installation import open_database
    from opennrm.services.scheduled import build_registry
    from opennrm.services.worker import run_one, run_worker, worker_name
    from opennrm.web.mail import compose

    s = settings()
    with handled():
        db = open_database(s)
    registry = build_registry(s, compose)
    try:
        with handled():
            if once:
                jobs.schedule_due(db, registry)
                ran = 0
                while run_one(db, s, registry, worker_name()):
                    ran += 1
                typer.echo(f"{ran} job(s) run.")
                return
            stop = threading.Event()

            def _stop(_signum: int, _frame: FrameType | None) -> None:
                stop.set()

            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
            typer.echo("OpenNRM worker running (stop with Ctrl-C or SIGTERM).", err=True)
            run_worker(s, db, registry, stop, poll_seconds=poll)
    finally:
        db.dispose()
