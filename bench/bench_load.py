"""Load test of the caseworker journey (issue 20, item 5) against several uvicorn workers on loopback,
on SQLite and on PostgreSQL.

Run: ``.venv/bin/python bench/bench_load.py [--users 200] [--seconds 60] [--workers 4] [--backend B]``.
Prints ONE JSON object on stdout; progress goes to stderr.

Why not Locust: it brings gevent and its own monkey-patching for what is here one ``asyncio`` loop of
``httpx`` clients (already a dev dependency); the figures it reports (requests, errors, percentiles per
request name) are the ones computed below.

Set-up: a fresh installation (SQLite in a temporary ``OPENNRM_HOME``; PostgreSQL in a throwaway database on
``OPENNRM_BENCH_DATABASE_URL``), ``--caseworkers`` caseworker accounts with ``--cases`` cases each, served by
``uvicorn --factory opennrm.web.app:app_from_env --workers N`` (no background worker). Each account logs in
once through the API (argon2id, TOTP); the virtual users share those sessions.

Each of ``--users`` virtual users repeats, with ``--think`` seconds of pause between steps (default 1 s):
the case list page (``GET /cases``), one of her case pages (``GET /cases/<id>``), and, one time in four,
adding a note (``POST /api/cases/<id>/notes``, an encrypted write with its audit event) — so SQLite sees
concurrent writers. Any status other than 200/201, or a transport error, counts as an error; the server's
log is searched for "database is locked".

Baseline in the same run: one virtual user doing the same journey for ``--seconds / 4`` seconds before the
load (the latency of the server when nobody else is using it).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyotp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.domain.records import Intake
from opennrm.services import admin, cases, installation

DEFAULT_PG_URL = os.environ.get(
    "OPENNRM_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BENCH_DB = "opennrm_bench_load"
PASSWORD = "correct horse battery staple 38"  # noqa: S105 - a bench account on a throwaway installation


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def installed(backend: str, pg_url: str) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="opennrm-bench-load-") as home:
        env = {"OPENNRM_HOME": home, "OPENNRM_LOGIN_ATTEMPTS_PER_MINUTE": "100000"}
        admin_engine = None
        if backend == "postgresql":
            admin_engine = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            with admin_engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
            env["OPENNRM_DATABASE_URL"] = make_url(pg_url).set(database=BENCH_DB).render_as_string(False)
        try:
            yield env
        finally:
            if admin_engine is not None:
                with admin_engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
                admin_engine.dispose()


def populate(env: dict[str, str], caseworkers: int, per_user: int) -> list[dict[str, Any]]:
    settings = Settings.from_env(env)
    installation.initialise(settings)
    db = installation.open_database(settings)
    admin.add_organisation(db, "Bench NGO", "ngo")
    org_id = admin.organisation_ids_by_name(db)["Bench NGO"]
    accounts = []
    for n in range(caseworkers):
        new = admin.add_user(db, f"cw{n}", "Bench NGO", "caseworker", PASSWORD, team="north")
        actor = Actor(new.id, org_id, Role.CASEWORKER, False, "north")
        ids = [
            cases.intake(db, actor, Intake.model_validate({"person": {"given_name": f"Bench {n}-{i}"}}))
            for i in range(per_user)
        ]
        accounts.append({"username": f"cw{n}", "totp": new.totp_secret, "cases": ids})
    db.analyse()
    db.dispose()
    return accounts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def served(env: dict[str, str], workers: int, log_path: Path) -> Iterator[str]:
    port = free_port()
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "opennrm.web.app:app_from_env",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                        break
                if proc.poll() is not None:
                    raise RuntimeError(f"the server stopped: {log_path.read_text()[-2000:]}")
                time.sleep(0.5)
            yield base
        finally:
            proc.terminate()
            proc.wait(30)


def log_in(base: str, accounts: list[dict[str, Any]]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for account in accounts:
            body = {"username": account["username"], "password": PASSWORD}
            if account["totp"]:
                body["totp"] = pyotp.TOTP(account["totp"]).now()
            answer = client.post("/api/session", json=body)
            answer.raise_for_status()
            account["token"] = answer.json()["token"]


class Tally:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, values in sorted(self.times.items()):
            ordered = sorted(values)
            out[name] = {
                "requests": len(values),
                "errors": self.errors.get(name, 0),
                "p50_ms": round(1000 * statistics.median(ordered), 1),
                "p95_ms": round(1000 * ordered[max(0, int(0.95 * len(ordered)) - 1)], 1),
                "max_ms": round(1000 * ordered[-1], 1),
            }
        return out


async def _timed(
    client: httpx.AsyncClient, tally: Tally, name: str, method: str, url: str, **kw: Any
) -> None:
    started = time.perf_counter()
    try:
        answer = await client.request(method, url, **kw)
        ok = answer.status_code in (200, 201)
        problem = f"{name}: {answer.status_code}"
    except httpx.HTTPError as exc:
        ok, problem = False, f"{name}: {type(exc).__name__}"
    tally.times[name].append(time.perf_counter() - started)
    if not ok:
        tally.errors[name] += 1
        if len(tally.examples) < 10:
            tally.examples.append(problem)


async def journey(
    client: httpx.AsyncClient, account: dict[str, Any], until: float, think: float, tally: Tally, seed: int
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {account['token']}"}
    await asyncio.sleep(rng.random() * think)  # spread the start
    while time.monotonic() < until:
        await _timed(client, tally, "case list", "GET", "/cases", headers=headers)
        await asyncio.sleep(think)
        case_id = rng.choice(account["cases"])
        await _timed(client, tally, "case page", "GET", f"/cases/{case_id}", headers=headers)
        await asyncio.sleep(think)
        if rng.random() < 0.25:
            await _timed(
                client,
                tally,
                "add note",
                "POST",
                f"/api/cases/{case_id}/notes",
                json={"text": "Called back."},
                headers=headers,
            )
            await asyncio.sleep(think)


async def load(base: str, accounts: list[dict[str, Any]], users: int, seconds: float, think: float) -> Tally:
    """``users`` journeys on one client (a connection each: as many browsers), for ``seconds``."""
    tally = Tally()
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=limits) as client:
        until = time.monotonic() + seconds
        await asyncio.gather(
            *(journey(client, accounts[n % len(accounts)], until, think, tally, n) for n in range(users))
        )
    return tally


def run(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    with installed(backend, args.pg_url) as env:
        log(f"{backend}: {args.caseworkers} caseworkers × {args.cases} cases")
        accounts = populate(env, args.caseworkers, args.cases)
        server_log = Path(env["OPENNRM_HOME"]) / "uvicorn.log"
        with served(env, args.workers, server_log) as base:
            log_in(base, accounts)
            asyncio.run(load(base, accounts, args.workers * 2, 5, 0.1))  # warm up every worker process
            log(f"{backend}: baseline, 1 user for {args.seconds / 4:.0f} s")
            baseline = asyncio.run(load(base, accounts, 1, args.seconds / 4, args.think))
            log(f"{backend}: {args.users} users for {args.seconds:.0f} s on {args.workers} workers")
            started = time.monotonic()
            loaded = asyncio.run(load(base, accounts, args.users, args.seconds, args.think))
            elapsed = time.monotonic() - started
        app_log = Path(env["OPENNRM_HOME"]) / "logs" / "opennrm.log"
        logs = (app_log.read_text() if app_log.exists() else "") + server_log.read_text()
        summary = loaded.summary()
        total = sum(v["requests"] for v in summary.values())
        return {
            "backend": backend,
            "workers": args.workers,
            "users": args.users,
            "seconds": round(elapsed, 1),
            "requests": total,
            "requests_per_second": round(total / elapsed, 1),
            "errors": sum(v["errors"] for v in summary.values()),
            "error_examples": loaded.examples,
            "database_is_locked_in_logs": logs.count("database is locked"),
            "server_errors_in_logs": logs.count(" ERROR "),
            "server_error_lines": sorted(
                {line.split(" ", 3)[-1] for line in logs.splitlines() if " ERROR " in line}
            )[:5],
            "load": summary,
            "baseline_one_user": baseline.summary(),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--caseworkers", type=int, default=20)
    parser.add_argument("--cases", type=int, default=10, help="cases per caseworker")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results = [run(b, args) for b in backends]
    print(
        json.dumps(
            {
                "bench": "load",
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "note": "loopback, client and server on one shared machine: figures are pessimistic",
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
