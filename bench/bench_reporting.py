"""Benchmark of the anonymous reporting channel (issue 15): reports accepted per second with Argon2id on, and
the p95 of the triage queue at 100,000 reports (SQLite, PostgreSQL).

Run: ``.venv/bin/python bench/bench_reporting.py [--quick] [--reports N] [--backend B] [--canaries]``.
Prints ONE JSON object on stdout; progress goes to stderr.

- **Reports per second**: ``services.reporting.submit_report`` (receipt made, Argon2id 64 MiB t=3 hashed,
  text encrypted, row and audit event written) on two threads (what the server allows at once,
  ``web.public_limits.HASHING_CONCURRENCY``), ``--submit`` reports. Same-run baseline: the same calls with
  the cheapest Argon2id parameters, i.e. what everything but the receipt hash costs.
- **Triage queue**: ``--reports`` reports (default 100,000) bulk-inserted as the service writes them (body
  encrypted per row; the receipt hash is a random string of the same length, since 100,000 Argon2id hashes
  would take hours and the queue never reads it), 20 % closed. Timed through
  ``services.reporting.triage_queue`` (access check and audit event included): the first page of open
  reports, a deep page, the closed ones; one warm-up, then ``--repeat`` runs; median, p95, maximum.
  Baseline: the count by status that every page also runs (the floor of a page's cost).
- ``--canaries`` runs the acceptance's full sender-trace test (1,000 reports, 200 access calls, both
  backends) through pytest and reports its outcome and time.

The machine is shared (2 cores, other work running): figures are pessimistic.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import secrets
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench_dashboard import log, postgresql_installation, sqlite_installation
from sqlalchemy import func, insert, select, text

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import DEVELOPMENT_POSTGRES_URL
from opennrm.domain.reporting import ReportIn
from opennrm.services import reporting
from opennrm.services.sealing import encrypt_json
from opennrm.store.database import Database
from opennrm.store.tables import AnonymousReport, AppMeta, table_of

SEED = 15
BATCH = 5_000
SECTORS = ("domestic_work", "agriculture", "construction", "hospitality", "entertainment", None)
CONCERNS = ("work", "sex", "debt", "documents", "movement", "violence")


def submit_rate(db: Database, n: int, hashing: reporting.ReceiptHashing) -> dict[str, Any]:
    reporting.use_hashing(hashing)
    pepper = reporting.Pepper(secrets.token_bytes(32))
    data = ReportIn(text="A report of the benchmark: wages withheld for six months.", locale="en")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda _i: reporting.submit_report(db, pepper, data), range(n)))
    elapsed = time.perf_counter() - start
    return {"reports": n, "seconds": round(elapsed, 2), "per_second": round(n / elapsed, 2)}


def load(db: Database, n: int) -> str:
    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC)
    with db.transaction() as session:
        org = session.get(AppMeta, "default_organisation")
        assert org is not None
        organisation_id = org.value
    rows: list[dict[str, Any]] = []
    for i in range(n):
        report_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        at = now - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
        closed = rng.random() < 0.2
        rows.append(
            {
                "id": report_id,
                "receipt_hash": "$argon2id$v=19$m=65536,t=3,p=1$" + secrets.token_urlsafe(32),
                "organisation_id": organisation_id,
                "locale": rng.choice(("en", "ar", "zh-Hant", "es")),
                "about": rng.choice(("myself", "someone_else", None)),
                "concerns": sorted(set(rng.sample(CONCERNS, rng.randrange(0, 3)))),
                "sector": rng.choice(SECTORS),
                "status": "closed" if closed else rng.choice(("new", "new", "open", "referred")),
                "body_enc": encrypt_json(db.keyring, "anonymous_report", report_id, {"text": f"report {i}"}),
                "case_id": None,
                "retention_days": 90,
                "created_at": at,
                "updated_at": at,
                "reporter_wrote_at": at,
                "closed_at": at if closed else None,
                "purge_after": at + dt.timedelta(days=90) if closed else None,
            }
        )
        if len(rows) == BATCH:
            with db.transaction() as session:
                session.execute(insert(table_of(AnonymousReport)), rows)
            rows = []
            log(f"  loaded {i + 1} reports")
    if rows:
        with db.transaction() as session:
            session.execute(insert(table_of(AnonymousReport)), rows)
    return organisation_id


def timed(call: Callable[[], Any], repeat: int) -> dict[str, float]:
    call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(samples[-1], 1),
    }


def queue(db: Database, organisation_id: str, n: int, repeat: int) -> dict[str, Any]:
    actor = Actor("bench", organisation_id, Role.CASEWORKER, False)

    def count_all() -> None:
        with db.transaction() as session:
            session.execute(
                select(AnonymousReport.status, func.count())
                .where(AnonymousReport.organisation_id == organisation_id)
                .group_by(AnonymousReport.status)
            ).all()

    return {
        "reports": n,
        "first_page_open": timed(lambda: reporting.triage_queue(db, actor, status="open"), repeat),
        "page_50_open": timed(lambda: reporting.triage_queue(db, actor, status="open", page=50), repeat),
        "closed": timed(lambda: reporting.triage_queue(db, actor, status="closed"), repeat),
        "baseline_counts_only": timed(count_all, repeat),
    }


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    context = sqlite_installation() if backend == "sqlite" else postgresql_installation(args.pg_url)
    with context as db:
        log(f"{backend}: submitting with Argon2id on")
        argon = submit_rate(db, args.submit, reporting.PRODUCTION_HASHING)
        log(f"{backend}: submitting with the cheapest Argon2id (baseline)")
        cheap = submit_rate(
            db, args.submit, reporting.ReceiptHashing(memory_kib=8, time_cost=1, parallelism=1)
        )
        reporting.use_hashing(reporting.PRODUCTION_HASHING)
        log(f"{backend}: loading {args.reports} reports")
        organisation_id = load(db, args.reports)
        if backend == "sqlite":
            with db.transaction() as session:
                session.execute(text("ANALYZE"))
        log(f"{backend}: timing the triage queue")
        return {
            "submit_argon2id_64mib": argon,
            "submit_baseline_cheap_hash": cheap,
            "triage_queue": queue(db, organisation_id, args.reports + 2 * args.submit, args.repeat),
        }


def canaries() -> dict[str, Any]:
    env = {**os.environ, "OPENNRM_REPORTING_CANARIES": "1000,200", "OPENNRM_REQUIRE_POSTGRES": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/integration/test_reporting_canaries.py",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "reports": 1000,
        "access_calls": 200,
        "passed": done.returncode == 0,
        "seconds": round(time.perf_counter() - start, 1),
        "summary": (done.stdout.strip().splitlines() or [""])[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--submit", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--pg-url", default=os.environ.get("OPENNRM_BENCH_DATABASE_URL", DEVELOPMENT_POSTGRES_URL)
    )
    parser.add_argument("--quick", action="store_true", help="10,000 reports, 6 submissions, 10 repeats")
    parser.add_argument("--canaries", action="store_true", help="also run the full 1,000/200 canary test")
    args = parser.parse_args()
    if args.quick:
        args.reports, args.submit, args.repeat = 10_000, 6, 10
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    result: dict[str, Any] = {
        "bench": "reporting",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "shared": True},
        "argon2id": {
            "memory_kib": reporting.PRODUCTION_HASHING.memory_kib,
            "time_cost": reporting.PRODUCTION_HASHING.time_cost,
            "parallelism": reporting.PRODUCTION_HASHING.parallelism,
        },
    }
    for backend in backends:
        result[backend] = run_backend(backend, args)
    if args.canaries:
        result["canaries"] = canaries()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
