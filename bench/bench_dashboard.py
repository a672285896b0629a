"""Benchmark of the NRM coordinator's dashboard queries over a large referral network (SQLite, PostgreSQL).

Run: ``.venv/bin/python bench/bench_dashboard.py [--quick] [--cases N] [--referrals N] [--backend B]``.
Prints ONE JSON object on stdout; progress goes to stderr.

Data: N cases (default 100,000) and M referrals (default 300,000, each with its disclosure), 40 organisations
and 160 listed services, escalations for the overdue referrals, first services for every case with an
accepted referral, and 20,000 recorded service gaps — written straight into a freshly migrated schema with
bulk inserts (the encrypted columns hold placeholder bytes: no query here decrypts). SQLite lives in a
temporary ``OPENNRM_HOME``; PostgreSQL in a throwaway database ``opennrm_bench_dashboard`` on the server named
by ``OPENNRM_BENCH_DATABASE_URL`` (default ``opennrm.config.DEVELOPMENT_POSTGRES_URL``), dropped
afterwards. ``ANALYZE`` (SQLite) or ``VACUUM ANALYZE`` (PostgreSQL) runs after loading, as ``PRAGMA optimize``
or autovacuum would.

Measured: each query of ``opennrm.services.dashboard`` (one warm-up, then ``--repeat`` runs; median and
maximum), and the whole ``coordinator_dashboard`` call (all queries, organisation names and its audit event).
In-run baseline: the time from identification to first service computed the obvious way — grouping the
referrals table by case and joining the cases — instead of from the ``first_services`` table the service
keeps; it shows what that table buys.

Target (issue 5): each dashboard query under 200 ms on both backends at 100,000 cases and 300,000 referrals.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import DEVELOPMENT_POSTGRES_URL, Settings
from opennrm.domain.services import EXPIRES_AFTER, NEED_TO_KNOW, RESPONSE_DEADLINE, ServiceType, Urgency
from opennrm.services import dashboard, installation
from opennrm.store.database import Database
from opennrm.store.tables import (
    Case,
    DirectoryService,
    Disclosure,
    FirstService,
    Organisation,
    Person,
    Referral,
    ReferralEscalation,
    ServiceGap,
)

BENCH_DB = "opennrm_bench_dashboard"
TARGET_MS = 200.0
SEED = 5
BATCH = 5_000
ORGANISATIONS = 40
SERVICES = 160
GAPS = 20_000
PLACES = ("Northtown", "Southtown", "Eastport", "Westfield", "Capital", "Coast", "Border", "Hills")
LANGUAGES = ("ar", "en", "fr", "ro", "uk", "vi", "zh", "es", "ru", "ne", "tl", "th")
# Status mix of the referrals: a network with some years of history.
STATUS_WEIGHTS = (
    ("sent", 0.08),
    ("accepted", 0.08),
    ("in_progress", 0.10),
    ("completed", 0.47),
    ("declined", 0.15),
    ("revoked", 0.06),
    ("expired", 0.06),
)
DECLINE_REASONS = ("no_capacity", "not_eligible", "service_not_offered", "language_not_available", "other")
SERVED = frozenset({"accepted", "in_progress", "completed"})


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- installations -------------------------------------------------------------------------------------


@contextlib.contextmanager
def sqlite_installation() -> Iterator[Database]:
    with tempfile.TemporaryDirectory(prefix="opennrm-bench-dashboard-") as home:
        settings = Settings.from_env({"OPENNRM_HOME": home})
        installation.initialise(settings)
        db = installation.open_database(settings)
        try:
            yield db
        finally:
            db.dispose()


@contextlib.contextmanager
def postgresql_installation(server_url: str) -> Iterator[Database]:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
    url = make_url(server_url).set(database=BENCH_DB).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory(prefix="opennrm-bench-dashboard-") as home:
            settings = Settings.from_env({"OPENNRM_HOME": home, "OPENNRM_DATABASE_URL": url})
            installation.initialise(settings)
            db = installation.open_database(settings)
            try:
                yield db
            finally:
                db.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        admin.dispose()


# -- data ----------------------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _insert(db: Database, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        with db.transaction() as session:
            session.execute(insert(table), rows[start : start + BATCH])


def load(db: Database, n_cases: int, n_referrals: int) -> dict[str, int]:
    rng = random.Random(SEED)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    blob = b"\x00" * 48
    orgs = [
        {
            "id": _uuid(rng),
            "name": f"Bench organisation {i:02d}",
            "type": "ngo"
            if i < 10
            else rng.choice(("shelter", "health_service", "legal_aid", "social_services")),
            "created_at": now,
        }
        for i in range(ORGANISATIONS)
    ]
    _insert(db, Organisation, orgs)
    owners, providers = orgs[:10], orgs[10:]
    services = []
    for i in range(SERVICES):
        kind = list(ServiceType)[i % len(ServiceType)]
        place = rng.choice(PLACES)
        services.append(
            {
                "id": _uuid(rng),
                "organisation_id": providers[i % len(providers)]["id"],
                "name": f"Service {i}",
                "service_type": kind.value,
                "attributes": [],
                "languages": rng.sample(LANGUAGES, k=3),
                "capacity": 20,
                "available": rng.randint(0, 20),
                "opening_hours": None,
                "place": place,
                "place_key": place.casefold(),
                "nationwide": False,
                "accessibility": None,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    _insert(db, DirectoryService, services)
    persons, cases, identified = [], [], []
    for i in range(n_cases):
        person_id, case_id = _uuid(rng), _uuid(rng)
        on = today - dt.timedelta(days=rng.randint(0, 800))
        identified.append((case_id, on))
        persons.append(
            {
                "id": person_id,
                "survivor_code_index": f"{i:032x}",
                "survivor_code_enc": blob,
                "phone_index": None,
                "identity_enc": blob,
                "created_at": now,
            }
        )
        cases.append(
            {
                "id": case_id,
                "person_id": person_id,
                "organisation_id": owners[i % len(owners)]["id"],
                "created_by": None,
                "team": None,
                "status": "services",
                "trafficking_status": "presumed_victim",
                "identified_on": on,
                "age_at_trafficking": rng.randint(12, 50),
                "is_child": None,
                "sex": "female",
                "gender": "feminine",
                "citizenship": [],
                "migration_status": "unknown",
                "languages": [rng.choice(LANGUAGES)],
                "disability": [],
                "ethnicity": None,
                "socioeconomic": [],
                "education": "unknown",
                "region": None,
                "primary_exploitation": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    log(f"  persons and cases: {n_cases}")
    _insert(db, Person, persons)
    _insert(db, Case, cases)
    del persons
    owner_of = {c["id"]: c["organisation_id"] for c in cases}
    del cases
    statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
    disclosures, referrals, escalations = [], [], []
    first: dict[str, tuple[dt.datetime, str, dt.date]] = {}
    urgencies = list(Urgency)
    for _ in range(n_referrals):
        case_id, on = identified[rng.randrange(n_cases)]
        service = services[rng.randrange(SERVICES)]
        status = rng.choices(statuses, weights)[0]
        urgency = rng.choice(urgencies)
        if status == "sent":
            created = now - dt.timedelta(hours=rng.uniform(0, 12 * 24))
        else:
            start = dt.datetime.combine(on, dt.time(9), tzinfo=dt.UTC)
            created = min(now, start + dt.timedelta(hours=rng.uniform(0, 60 * 24)))
        respond_by = created + RESPONSE_DEADLINE[urgency]
        responded = created + dt.timedelta(hours=rng.uniform(0, 72)) if status != "sent" else None
        closed = status not in ("sent", "accepted", "in_progress")
        disclosure_id, referral_id = _uuid(rng), _uuid(rng)
        fields = sorted(NEED_TO_KNOW[ServiceType(service["service_type"])])
        disclosures.append(
            {
                "id": disclosure_id,
                "case_id": case_id,
                "recipient_organisation_id": service["organisation_id"],
                "purpose": "referral",
                "fields": fields,
                "consent_id": None,
                "override_reason_enc": None,
                "status": "closed" if closed else "open",
                "created_by": None,
                "created_at": created,
                "closed_at": responded if closed else None,
            }
        )
        overdue = status == "sent" and respond_by < now
        referrals.append(
            {
                "id": referral_id,
                "case_id": case_id,
                "service_id": service["id"],
                "sender_organisation_id": owner_of[case_id],
                "recipient_organisation_id": service["organisation_id"],
                "service_type": service["service_type"],
                "urgency": urgency.value,
                "purpose_enc": blob,
                "consent_id": None,
                "disclosure_id": disclosure_id,
                "fields": fields,
                "status": status,
                "sent_by": None,
                "created_at": created,
                "respond_by": respond_by,
                "expires_at": created + EXPIRES_AFTER[urgency],
                "responded_at": responded,
                "closed_at": responded if closed else None,
                "decline_reason": rng.choice(DECLINE_REASONS) if status == "declined" else None,
                "escalated_at": now if overdue else None,
            }
        )
        if overdue:
            escalations.append(
                {
                    "id": _uuid(rng),
                    "referral_id": referral_id,
                    "sender_organisation_id": owner_of[case_id],
                    "recipient_organisation_id": service["organisation_id"],
                    "reason": "no_response",
                    "due_at": respond_by,
                    "created_at": now,
                    "resolved_at": None,
                }
            )
        if status in SERVED and responded is not None:
            known = first.get(case_id)
            if known is None or responded < known[0]:
                first[case_id] = (responded, referral_id, on)
    log(f"  disclosures and referrals: {n_referrals}")
    _insert(db, Disclosure, disclosures)
    _insert(db, Referral, referrals)
    _insert(db, ReferralEscalation, escalations)
    _insert(
        db,
        FirstService,
        [
            {
                "case_id": case_id,
                "referral_id": referral_id,
                "identified_on": on,
                "served_on": at.date(),
                "days": max(0, (at.date() - on).days),
            }
            for case_id, (at, referral_id, on) in first.items()
        ],
    )
    gaps = []
    for _ in range(GAPS):
        place = rng.choice(PLACES)
        gaps.append(
            {
                "id": _uuid(rng),
                "service_type": rng.choice(list(ServiceType)).value,
                "place": place,
                "place_key": place.casefold(),
                "language": rng.choice(LANGUAGES),
                "reason": rng.choice(("no_service", "no_capacity", "language_not_available")),
                "organisation_id": owners[rng.randrange(len(owners))]["id"],
                "recorded_at": now,
            }
        )
    _insert(db, ServiceGap, gaps)
    # What autovacuum (PostgreSQL) or ``PRAGMA optimize`` (SQLite) would have done after a bulk load.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if db.is_sqlite else "VACUUM ANALYZE"))
    return {
        "cases": n_cases,
        "referrals": n_referrals,
        "escalations": len(escalations),
        "first_services": len(first),
        "service_gaps": GAPS,
    }


# -- measuring -----------------------------------------------------------------------------------------


def baseline_first_service(session: Any) -> int:
    """Time to first service the obvious way: group the referrals by case and join the cases."""
    served = (
        select(Referral.case_id, func.min(Referral.responded_at).label("first"))
        .where(Referral.status.in_(tuple(SERVED)))
        .group_by(Referral.case_id)
        .subquery()
    )
    rows = session.execute(
        select(Case.identified_on, served.c.first).join(served, served.c.case_id == Case.id)
    )
    histogram: dict[int, int] = {}
    for identified_on, first in rows:
        first_day = first.date() if isinstance(first, dt.datetime) else dt.date.fromisoformat(str(first)[:10])
        days = max(0, (first_day - identified_on).days)
        histogram[days] = histogram.get(days, 0) + 1
    return sum(histogram.values())


def timed(db: Database, call: Callable[[Any], Any], repeat: int) -> dict[str, Any]:
    samples = []
    result: Any = None
    for i in range(repeat + 1):
        with db.transaction() as session:
            started = time.perf_counter()
            result = call(session)
            elapsed = (time.perf_counter() - started) * 1000
        if i:  # the first run warms the caches
            samples.append(elapsed)
    size = len(result) if isinstance(result, list) else None
    return {
        "median_ms": round(statistics.median(samples), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeat,
        **({"rows": size} if size is not None else {}),
    }


def measure(db: Database, repeat: int) -> dict[str, Any]:
    at = dt.datetime.now(dt.UTC)
    queries: dict[str, Callable[[Any], Any]] = {
        "open_referrals_by_status_and_organisation": dashboard.open_referrals_by_status,
        "overdue_responses": lambda s: dashboard.overdue_responses(s, at),
        "open_escalations": dashboard.open_escalations,
        "time_to_first_service": dashboard.first_service_times,
        "service_gaps_by_place_and_language": dashboard.service_gaps,
        "decline_reasons": dashboard.decline_reasons,
    }
    results = {name: timed(db, call, repeat) for name, call in queries.items()}
    coordinator = Actor("bench-coordinator", "bench", Role.NRM_COORDINATOR, enforcement=False)
    samples = []
    board = None
    for i in range(repeat + 1):
        started = time.perf_counter()
        board = dashboard.coordinator_dashboard(db, coordinator, at=at)
        if i:
            samples.append((time.perf_counter() - started) * 1000)
    assert board is not None
    whole = {
        "median_ms": round(statistics.median(samples), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeat,
    }
    baseline = timed(db, baseline_first_service, max(1, repeat // 2))
    return {
        "queries": results,
        "whole_dashboard": whole,
        "baseline_time_to_first_service_by_grouping_referrals": baseline,
        "figures": {
            "open_referrals": board.open_total,
            "overdue": board.overdue_total,
            "served_cases": board.first_service.served,
            "median_days_to_first_service": board.first_service.median_days,
            "gap_rows": len(board.gaps),
        },
        "all_queries_under_target": all(r["max_ms"] < TARGET_MS for r in results.values()),
    }


def run(backend: str, n_cases: int, n_referrals: int, repeat: int, pg_url: str) -> dict[str, Any]:
    maker = sqlite_installation() if backend == "sqlite" else postgresql_installation(pg_url)
    with maker as db:
        log(f"{backend}: loading {n_cases} cases and {n_referrals} referrals")
        started = time.perf_counter()
        counts = load(db, n_cases, n_referrals)
        load_seconds = round(time.perf_counter() - started, 1)
        log(f"{backend}: loaded in {load_seconds} s; measuring")
        return {"load_seconds": load_seconds, "rows": counts, **measure(db, repeat)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 cases and 15,000 referrals, 3 runs each.")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--referrals", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=7, help="Timed runs per query (after one warm-up).")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    if args.quick:
        args.cases, args.referrals, args.repeat = 5_000, 15_000, 3
    if args.cases < 1 or args.referrals < 1 or args.repeat < 1:
        parser.error("--cases, --referrals and --repeat must be positive")
    pg_url = os.environ.get("OPENNRM_BENCH_DATABASE_URL", DEVELOPMENT_POSTGRES_URL)
    out: dict[str, Any] = {
        "benchmark": "dashboard",
        "cases": args.cases,
        "referrals": args.referrals,
        "target_ms_per_query": TARGET_MS,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "backends": {},
    }
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    for backend in backends:
        try:
            out["backends"][backend] = run(backend, args.cases, args.referrals, args.repeat, pg_url)
        except SQLAlchemyError as exc:
            if backend != "postgresql":
                raise
            reason = str(getattr(exc, "orig", exc)).splitlines()[0]
            log(f"postgresql: skipped ({reason})")
            out["backends"][backend] = {"skipped": reason}
    measured = [b for b in out["backends"].values() if "queries" in b]
    out["all_under_target"] = bool(measured) and all(b["all_queries_under_target"] for b in measured)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
