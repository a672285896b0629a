"""A worker process for test_jobs.py, with two test job kinds besides the product's.

``test.mark`` appends "<job id> <pid>" to the file named in its payload; ``test.slow`` appends
"start <job id>", sleeps, then "done <job id>". Arguments: lease seconds, then ``idle`` to exit when the
queue is empty (else run until killed)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from opennrm.config import Settings
from opennrm.services.installation import open_database
from opennrm.services.jobs import JobContext, Registry
from opennrm.services.worker import run_one, run_worker, worker_name


def _append(path: str, line: str) -> None:
    with Path(path).open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


def _mark(ctx: JobContext) -> dict[str, Any]:
    _append(ctx.payload["file"], f"{ctx.job_id} {os.getpid()}")
    return {"ok": 1}


def _slow(ctx: JobContext) -> dict[str, Any]:
    _append(ctx.payload["file"], f"start {ctx.job_id}")
    time.sleep(float(ctx.payload["seconds"]))
    _append(ctx.payload["file"], f"done {ctx.job_id}")
    return {"ok": 1}


def main() -> None:
    lease = dt.timedelta(seconds=float(sys.argv[1]))
    idle = len(sys.argv) > 2 and sys.argv[2] == "idle"
    settings = Settings.from_env()
    db = open_database(settings)
    registry = Registry()
    registry.handler("test.mark", _mark)
    registry.handler("test.slow", _slow)
    if idle:
        name = worker_name()
        while run_one(db, settings, registry, name, lease=lease):
            pass
        return
    run_worker(settings, db, registry, threading.Event(), poll_seconds=0.1, lease=lease, schedule=False)


if __name__ == "__main__":
    main()
