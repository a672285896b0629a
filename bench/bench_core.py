"""Benchmark of the core platform: loading demo cases and listing/filtering them, on SQLite and PostgreSQL.

Run: ``.venv/bin/python bench/bench_core.py [--cases N | --quick]``. Prints ONE JSON object on stdout;
progress goes to stderr.

What it measures, on each backend (SQLite in a temporary ``OPENNRM_HOME``; PostgreSQL in a throwaway database
``opennrm_bench`` created on the server named by ``OPENNRM_BENCH_DATABASE_URL`` and dropped afterwards):

- **load**: ``opennrm.services.demo.load_demo_cases`` for N cases after ``installation.initialise``, with
  organisations and users made through ``opennrm.services.admin`` (the same layout as ``opennrm demo``).
  The in-run baseline is the time of generation alone (``DemoCaseGenerator``, no encryption, no database),
  measured once; ``storage_seconds`` is the load time minus that baseline. A third figure, generation plus
  building the encrypted rows without a database (on a sample), splits the rest into encryption and SQL.
- **list**: 300 calls of ``opennrm.services.cases.list_cases`` for a supervisor, 50 per page, pages 1..5,
  filters none / status / sex+age_group / exploitation / survivor_code / phone. Each call is paired, in the
  same iteration, with the baseline (the same SQL through SQLAlchemy, built with the service's own scope and
  filter helpers, ``SELECT ... LIMIT 51``, no decryption, no audit), with the same SQL plus decryption but no
  audit, and with the query shape proposed for src (one SELECT per scope, UNION ALL), SQL only.
  A few filters on rare or absent values (the worst case of a scan in date order) are reported apart.

Targets (issue 2): 100,000 cases loaded in under 120 s; a filtered page of 50 in under 50 ms at p95.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from opennrm.access.policy import Actor, case_list_scopes
from opennrm.access.roles import Role
from opennrm.config import DEVELOPMENT_POSTGRES_URL, Settings
from opennrm.services import admin, installation
from opennrm.services.cases import (
    SUMMARY_COLUMNS,
    CaseFilters,
    IntakeRows,
    _filtered,
    build_intake_rows,
    list_cases,
    scope_clause,
)
from opennrm.services.demo import FORMS, STATUSES, DemoCaseGenerator, load_demo_cases
from opennrm.services.sealing import decrypt_json, decrypt_text
from opennrm.store.database import Database
from opennrm.store.keys import Keyring
from opennrm.store.tables import AuditEvent, Case, Disclosure, Person

BENCH_DB = "opennrm_bench"
SEED = 38
PASSWORD = "bench-password-0123"  # noqa: S105 - throwaway benchmark account
LIST_CALLS = 300
PER_PAGE = 50
PAGES = 5
LOAD_TARGET_SECONDS = 120.0
LOAD_TARGET_CASES = 100_000
PAGE_TARGET_MS = 50.0
ENCRYPTION_SAMPLE = 10_000
FILTER_KINDS = ("none", "status", "sex_age_group", "exploitation", "survivor_code", "phone")
# Filters on values that are rare or absent in the demo data: the worst case of a scan in date order.
# Reported apart; not part of the 300 calls or of the target.
RARE_FILTERS: tuple[tuple[str, CaseFilters, int], ...] = (
    ("status=reopened (no match)", CaseFilters(status="reopened"), 1),
    ("sex=intersex (no match)", CaseFilters(sex="intersex"), 1),
    ("exploitation=organ_removal, page 5", CaseFilters(exploitation="organ_removal"), 5),
    ("age_group=unknown, page 5", CaseFilters(age_group="unknown"), 5),
)
RARE_REPEATS = 5


def say(message: str) -> None:
    print(f"[bench_core] {message}", file=sys.stderr, flush=True)


class Ticker:
    """Progress on stderr, at most one line every few seconds."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done = label, total, 0
        self.started = self.last = time.perf_counter()

    def __call__(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self.last >= 5 or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            say(f"{self.label}: {self.done:,}/{self.total:,} ({rate:,.0f}/s)")


# -- generation baselines -----------------------------------------------------------------------------


def measure_generation(count: int) -> dict[str, Any]:
    """Generation alone: the same generator and seed ``load_demo_cases`` uses, no encryption, no database."""
    say(f"baseline: generating {count:,} cases without storing them")
    generator = DemoCaseGenerator(seed=SEED)
    tick = Ticker("generate", count)
    started = time.perf_counter()
    for i in range(count):
        generator.one()
        if i % 1000 == 999:
            tick(1000)
    seconds = time.perf_counter() - started
    return {"cases": count, "seconds": round(seconds, 2), "cases_per_second": round(count / seconds, 1)}


def measure_row_building(count: int) -> dict[str, Any]:
    """Generation plus building the encrypted rows and audit entries, without a database (a sample)."""
    generator = DemoCaseGenerator(seed=SEED)
    intakes = [generator.one() for _ in range(count)]
    keyring = Keyring.generate()
    rows = IntakeRows()
    started = time.perf_counter()
    for intake in intakes:
        build_intake_rows(rows, keyring, intake, organisation_id="org", actor_id="user", user_id="user")
        if len(rows.cases) >= 2000:
            rows = IntakeRows()
    seconds = time.perf_counter() - started
    return {
        "cases": count,
        "seconds": round(seconds, 3),
        "ms_per_case": round(seconds * 1000 / count, 4),
        "note": "encrypting fields, blind indexes and row dicts only; generation excluded",
    }


# -- one backend --------------------------------------------------------------------------------------


@dataclass
class Installation:
    settings: Settings
    db: Database
    supervisor: Actor
    organisation_ids: list[str]
    user_ids: list[str | None]


def set_up(env: dict[str, str]) -> Installation:
    settings = Settings.from_env(env)
    installation.initialise(settings)
    db = installation.open_database(settings)
    ngo = admin.add_organisation(db, "Bench Women's Network", "ngo")
    clinic = admin.add_organisation(db, "Bench Health Centre", "health_service")
    caseworker = admin.add_user(db, "bench.caseworker", "Bench Women's Network", "caseworker", PASSWORD)
    supervisor = admin.add_user(db, "bench.supervisor", "Bench Women's Network", "supervisor", PASSWORD)
    nurse = admin.add_user(db, "bench.nurse", "Bench Health Centre", "caseworker", PASSWORD)
    actor = Actor(supervisor.id, ngo, Role.SUPERVISOR, enforcement=False)
    # The layout of `opennrm demo`: two thirds of the cases in the NGO, one third in the clinic.
    return Installation(settings, db, actor, [ngo, ngo, clinic], [caseworker.id, None, nurse.id])


def measure_load(inst: Installation, count: int, generation_seconds_per_case: float) -> dict[str, Any]:
    say(f"loading {count:,} demo cases")
    tick = Ticker("load", count)
    started = time.perf_counter()
    loaded = load_demo_cases(
        inst.db,
        count,
        organisation_ids=inst.organisation_ids,
        user_ids=inst.user_ids,
        seed=SEED,
        progress=tick,
    )
    seconds = time.perf_counter() - started
    generation = generation_seconds_per_case * loaded
    return {
        "cases": loaded,
        "seconds": round(seconds, 2),
        "cases_per_second": round(loaded / seconds, 1),
        "generation_baseline_seconds": round(generation, 2),
        "storage_seconds": round(seconds - generation, 2),
        "storage_share": round((seconds - generation) / seconds, 3),
    }


@dataclass(frozen=True)
class ListCall:
    kind: str
    filters: CaseFilters
    page: int


def search_values(inst: Installation, limit: int = 50) -> tuple[list[str], list[str]]:
    """Survivor codes and phones of the supervisor's cases, decrypted here (bench set-up, not audited)."""
    keyring = inst.db.keyring
    codes: list[str] = []
    phones: list[str] = []
    with inst.db.engine.connect() as conn:
        rows = conn.execute(
            select(Person.id, Person.survivor_code_enc, Person.identity_enc, Person.phone_index)
            .join(Case, Case.person_id == Person.id)
            .where(Case.organisation_id == inst.supervisor.organisation_id)
            .order_by(Case.id)
            .limit(limit * 4)
        ).all()
    for person_id, code_enc, identity_enc, phone_index in rows:
        if len(codes) < limit:
            codes.append(decrypt_text(keyring, "survivor_code", person_id, code_enc))
        if phone_index and len(phones) < limit:
            phone = decrypt_json(keyring, "person", person_id, identity_enc).get("phone")
            if phone:
                phones.append(phone)
    return codes, phones


def plan_calls(codes: list[str], phones: list[str]) -> list[ListCall]:
    """300 calls, the six filter kinds interleaved; exact-match searches ask for page 1 (one hit)."""
    exploitation = [forms[0] for forms, _ in FORMS[:4]]
    sex_age = [("female", "child"), ("female", "adult"), ("male", "child"), ("male", "adult")]
    calls: list[ListCall] = []
    for i in range(LIST_CALLS):
        kind = FILTER_KINDS[i % len(FILTER_KINDS)]
        n = i // len(FILTER_KINDS)
        page = n % PAGES + 1
        if kind == "none":
            f = CaseFilters()
        elif kind == "status":
            f = CaseFilters(status=STATUSES[n % len(STATUSES)])
        elif kind == "sex_age_group":
            sex, age = sex_age[n % len(sex_age)]
            f = CaseFilters(sex=sex, age_group=age)
        elif kind == "exploitation":
            f = CaseFilters(exploitation=exploitation[n % len(exploitation)])
        elif kind == "survivor_code":
            f, page = CaseFilters(survivor_code=codes[n % len(codes)]), 1
        else:
            f, page = CaseFilters(phone=phones[n % len(phones)]), 1
        calls.append(ListCall(kind, f, page))
    return calls


def baseline_statement(inst: Installation, call: ListCall) -> Any:
    """The naive query, as a baseline: all the supervisor's scopes ORed in one SELECT, no audit."""
    actor = inst.supervisor
    stmt = select(*SUMMARY_COLUMNS).join(Person, Person.id == Case.person_id)
    stmt = stmt.where(scope_clause(actor, case_list_scopes(actor)))
    stmt = _filtered(stmt, inst.db.keyring, call.filters, actor.organisation_id)
    return (
        stmt.order_by(Case.created_at.desc(), Case.id).limit(PER_PAGE + 1).offset((call.page - 1) * PER_PAGE)
    )


def proposed_statement(inst: Installation, call: ListCall) -> Any:
    """The query shape ``list_cases`` now uses: one SELECT per scope of the supervisor (own organisation;
    cases received by open disclosure), each ordered and cut to ``offset + per_page + 1`` rows so that it can
    walk its index in date order, then merged, then the final page. Same rows as ``baseline_statement``."""
    actor = inst.supervisor
    keyring = inst.db.keyring
    offset = (call.page - 1) * PER_PAGE
    enough = offset + PER_PAGE + 1
    received = select(Disclosure.case_id).where(
        Disclosure.recipient_organisation_id == actor.organisation_id, Disclosure.status == "open"
    )
    branches = []
    for clause in (
        Case.organisation_id == actor.organisation_id,
        (Case.organisation_id != actor.organisation_id) & Case.id.in_(received),
    ):
        branch = _filtered(
            select(*SUMMARY_COLUMNS, Case.created_at).join(Person, Person.id == Case.person_id).where(clause),
            keyring,
            call.filters,
            actor.organisation_id,
        )
        branches.append(
            select(branch.order_by(Case.created_at.desc(), Case.id).limit(enough).subquery()).subquery()
        )
    both = sqlalchemy.union_all(*(select(b) for b in branches)).subquery()
    return (
        select(*[c for c in both.c if c.name != "created_at"])
        .order_by(both.c.created_at.desc(), both.c.id)
        .limit(PER_PAGE + 1)
        .offset(offset)
    )


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def summary(values: list[float]) -> dict[str, float | int]:
    ordered = sorted(values)
    p95_index = max(0, round(0.95 * len(ordered)) - 1)
    return {
        "calls": len(ordered),
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[p95_index], 2),
        "max_ms": round(ordered[-1], 2),
    }


def measure_listing(inst: Installation) -> dict[str, Any]:
    codes, phones = search_values(inst)
    calls = plan_calls(codes, phones)
    keyring = inst.db.keyring
    timings: dict[str, dict[str, list[float]]] = {
        layer: {k: [] for k in FILTER_KINDS}
        for layer in ("service", "sql_baseline", "sql_decrypt", "sql_proposed_union")
    }
    rows_seen: dict[str, list[int]] = {k: [] for k in FILTER_KINDS}
    mismatches = 0
    say(f"listing: {len(calls)} calls of list_cases, each paired with its SQL baseline")
    audit_before = count_audit_events(inst.db)
    # One untimed warm-up per kind (first-query planning, connection pool).
    for call in calls[: len(FILTER_KINDS)]:
        list_cases(inst.db, inst.supervisor, call.filters, call.page, PER_PAGE)
    proposed_mismatches = 0
    for i, call in enumerate(calls):
        stmt = baseline_statement(inst, call)
        union = proposed_statement(inst, call)

        def sql_only(stmt: Any = stmt) -> list[Any]:
            with inst.db.engine.connect() as conn:
                return list(conn.execute(stmt).all())

        def sql_decrypt(stmt: Any = stmt) -> list[str]:
            with inst.db.engine.connect() as conn:
                rows = conn.execute(stmt).all()
            return [decrypt_text(keyring, "survivor_code", r[1], r[2]) for r in rows[:PER_PAGE]]

        def service_call(c: ListCall = call) -> Any:
            return list_cases(inst.db, inst.supervisor, c.filters, c.page, PER_PAGE)

        def sql_union(union: Any = union) -> list[Any]:
            with inst.db.engine.connect() as conn:
                return list(conn.execute(union).all())

        layers: list[tuple[str, Callable[[], Any]]] = [
            ("sql_baseline", sql_only),
            ("sql_decrypt", sql_decrypt),
            ("service", service_call),
            ("sql_proposed_union", sql_union),
        ]
        # Rotate the order so that no layer always runs on the cache the previous one warmed.
        shift = i % len(layers)
        results: dict[str, Any] = {}
        for name, fn in layers[shift:] + layers[:shift]:
            ms, results[name] = timed(fn)
            timings[name][call.kind].append(ms)
        rows, page = results["sql_baseline"], results["service"]
        if [r[0] for r in results["sql_proposed_union"]] != [r[0] for r in rows]:
            proposed_mismatches += 1
        rows_seen[call.kind].append(len(page.items))
        if [r[0] for r in rows[:PER_PAGE]] != [item.id for item in page.items]:
            mismatches += 1
        if i % 50 == 49:
            say(f"listing: {i + 1}/{len(calls)}")
    rare: dict[str, list[float]] = {}
    for label, f, page in RARE_FILTERS:
        for _ in range(RARE_REPEATS):
            started = time.perf_counter()
            list_cases(inst.db, inst.supervisor, f, page, PER_PAGE)
            rare.setdefault(label, []).append((time.perf_counter() - started) * 1000)
    audit_written = count_audit_events(inst.db) - audit_before

    def layer(name: str) -> dict[str, Any]:
        per_kind = {k: summary(v) for k, v in timings[name].items()}
        everything = [x for v in timings[name].values() for x in v]
        filtered = [x for k, v in timings[name].items() if k != "none" for x in v]
        return {"by_filter": per_kind, "overall": summary(everything), "filtered": summary(filtered)}

    service = layer("service")
    baseline = layer("sql_baseline")
    return {
        "per_page": PER_PAGE,
        "pages": f"1..{PAGES} (exact-match searches: page 1)",
        "rows_per_page_mean": {k: round(statistics.mean(v), 1) for k, v in rows_seen.items()},
        "list_cases": service,
        "baseline_sql_only": baseline,
        "sql_plus_decrypt_no_audit": layer("sql_decrypt"),
        "proposed_query_shape_sql_only": layer("sql_proposed_union"),
        "proposed_query_shape_mismatches": proposed_mismatches,
        "overhead_p50_ms": round(service["overall"]["p50_ms"] - baseline["overall"]["p50_ms"], 2),
        "overhead_p95_ms": round(service["overall"]["p95_ms"] - baseline["overall"]["p95_ms"], 2),
        "result_mismatches_vs_baseline": mismatches,
        "rare_values_not_in_target": {k: summary(v) for k, v in rare.items()},
        "audit_events_written": audit_written,
    }


def count_audit_events(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(AuditEvent)).scalar_one())


def storage_size(inst: Installation) -> dict[str, Any]:
    if inst.db.is_sqlite:
        path = Path(make_url(inst.settings.database_url).database or "")
        wal = path.with_name(path.name + "-wal")
        return {
            "database_bytes": path.stat().st_size if path.exists() else None,
            "wal_bytes": wal.stat().st_size if wal.exists() else 0,
        }
    with inst.db.engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    return {"database_bytes": int(size)}


def run_backend(name: str, env: dict[str, str], count: int, generation_per_case: float) -> dict[str, Any]:
    say(f"== {name}")
    inst = set_up(env)
    try:
        load = measure_load(inst, count, generation_per_case)
        if inst.db.is_sqlite:
            # Outside a transaction (the engine wraps every SQLAlchemy transaction in BEGIN IMMEDIATE).
            raw = inst.db.engine.raw_connection()
            try:
                raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            finally:
                raw.close()
        else:  # what autovacuum would do shortly after a bulk load; makes the plans deterministic
            with inst.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
        listing = measure_listing(inst)
        filtered_p95 = listing["list_cases"]["filtered"]["p95_ms"]
        projected = load["seconds"] * LOAD_TARGET_CASES / max(count, 1)
        return {
            "load": load,
            "list": listing,
            "storage": storage_size(inst),
            "targets": {
                "load_100k_under_120s": projected < LOAD_TARGET_SECONDS,
                "load_target_projected_from_cases": count if count != LOAD_TARGET_CASES else None,
                "load_100k_projected_seconds": round(projected, 1),
                "filtered_page_p95_under_50ms": filtered_p95 < PAGE_TARGET_MS,
                "filtered_page_p95_ms": filtered_p95,
            },
        }
    finally:
        inst.db.dispose()


# -- PostgreSQL throwaway database --------------------------------------------------------------------


@contextlib.contextmanager
def throwaway_postgres(server_url: str) -> Iterator[str]:
    """Create ``opennrm_bench`` on the server (autocommit), yield its URL, drop it afterwards."""
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    admin_engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    try:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            for attempt in range(5):
                try:
                    conn.execute(text(f'CREATE DATABASE "{BENCH_DB}"'))
                    break
                except OperationalError:  # template1 busy with another session's CREATE DATABASE
                    if attempt == 4:
                        raise
                    time.sleep(1 + attempt)
        yield url.set(database=BENCH_DB).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(SQLAlchemyError), admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        admin_engine.dispose()


def postgres_reachable(server_url: str) -> str | None:
    """None when the server answers; otherwise the reason, in one line."""
    url = make_url(server_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return None
    except SQLAlchemyError as exc:
        return str(getattr(exc, "orig", exc)).splitlines()[0]
    finally:
        engine.dispose()


# -- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases to load (default 100,000)")
    parser.add_argument("--quick", action="store_true", help="5,000 cases")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite half")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL half")
    args = parser.parse_args(argv)
    count = 5_000 if args.quick else args.cases
    if count < 100:
        parser.error("--cases must be at least 100")

    generation = measure_generation(count)
    per_case = generation["seconds"] / count
    row_sample = min(count, ENCRYPTION_SAMPLE)
    say(f"baseline: building encrypted rows for {row_sample:,} cases without a database")
    building = measure_row_building(row_sample)

    result: dict[str, Any] = {
        "benchmark": "core",
        "cases": count,
        "machine": {
            "python": platform.python_version(),
            "sqlalchemy": sqlalchemy.__version__,
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "targets": {
            "load_seconds_for_100k": LOAD_TARGET_SECONDS,
            "filtered_page_p95_ms": PAGE_TARGET_MS,
        },
        "generation_baseline": generation,
        "row_building_without_database": building,
        "backends": {},
        "notices": [],
    }

    if not args.no_sqlite:
        with tempfile.TemporaryDirectory(prefix="opennrm-bench-") as home:
            result["backends"]["sqlite"] = run_backend("sqlite", {"OPENNRM_HOME": home}, count, per_case)

    if not args.no_postgres:
        server = os.environ.get("OPENNRM_BENCH_DATABASE_URL") or DEVELOPMENT_POSTGRES_URL
        reason = postgres_reachable(server)
        if reason is not None:
            notice = f"PostgreSQL half skipped: server not reachable ({reason})"
            say(notice)
            result["notices"].append(notice)
        else:
            with (
                tempfile.TemporaryDirectory(prefix="opennrm-bench-pg-") as home,
                throwaway_postgres(server) as url,
            ):
                env = {"OPENNRM_HOME": home, "OPENNRM_DATABASE_URL": url}
                result["backends"]["postgresql"] = run_backend("postgresql", env, count, per_case)

    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
