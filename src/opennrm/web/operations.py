"""Liveness, readiness and Prometheus metrics for running the product (docs/operations.md).

The metrics count requests by route template and status, their durations, and jobs by kind and status:
no identifier, no query string, no user and no client address is ever a label. Even so, request counts
tell how busy a shelter network is, so ``/metrics`` answers only a scrape that presents the configured bearer
token (``OPENNRM_METRICS_TOKEN``), compared in constant time; with no token configured it does not exist
(404). ADR 0014.

Several server processes (``opennrm serve --workers N``) count together through prometheus_client's
multiprocess mode: ``serve`` empties a folder and names it in ``PROMETHEUS_MULTIPROC_DIR`` before it starts
the processes, each process writes its counts to its own files there, and a scrape read by any process sums
them all.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Iterator
from pathlib import Path

from alembic.script import ScriptDirectory
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client import multiprocess as prometheus_multiprocess
from prometheus_client import values as prometheus_values
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException

from opennrm.config import Settings
from opennrm.services import jobs
from opennrm.services.installation import alembic_config
from opennrm.store.database import Database
from opennrm.web.problems import problem

#: The environment variable prometheus_client reads, when it is imported, to count in files shared by
#: several processes.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"

router = APIRouter(include_in_schema=False)

# Routes whose duration is not measured: how long a log-in took could tell a name that exists from one
# that does not.
UNTIMED = frozenset({"/login", "/api/session"})


class _JobsCollector(Collector):
    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "opennrm_jobs", "Jobs in the queue by kind and status", labels=["kind", "status"]
        )
        try:
            depth = jobs.queue_depth(self.db)
        except Exception:  # the database is away: the scrape still answers, without this family's samples
            depth = {}
        for (kind, status), count in sorted(depth.items()):
            family.add_metric([kind.split(":")[0] if kind.startswith("periodic:") else kind, status], count)
        yield family


class Metrics:
    """One application's metrics, in its own registry (several apps in one process do not collide).

    In multiprocess mode (``PROMETHEUS_MULTIPROC_DIR`` set before prometheus_client was first imported, as
    ``opennrm serve --workers N`` does for its processes) the counters write to files in that folder and the
    registry scraped reads the files of every process; otherwise they count in this process's memory."""

    def __init__(self, db: Database, multiprocess_dir: Path | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.registry = CollectorRegistry()
        # In multiprocess mode the counters belong to no registry: their values live in the files, which
        # the MultiProcessCollector sums for the scrape.
        counted = None if multiprocess_dir else self.registry
        if multiprocess_dir is not None:
            if prometheus_values.ValueClass is prometheus_values.MutexValue:
                # prometheus_client chose in-memory values when it was imported: counts would never reach
                # the files, and every scrape would show none.
                raise RuntimeError(f"{MULTIPROCESS_ENV} was set after prometheus_client was imported")
            prometheus_multiprocess.MultiProcessCollector(self.registry, path=str(multiprocess_dir))  # type: ignore[no-untyped-call]
        self.requests = Counter(
            "opennrm_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=counted,
        )
        self.duration = Histogram(
            "opennrm_http_request_duration_seconds",
            "Time to answer, by route template",
            ["route"],
            registry=counted,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.registry.register(_JobsCollector(db))

    @classmethod
    def for_process(cls, db: Database) -> Metrics:
        """The metrics of this server process: shared through ``PROMETHEUS_MULTIPROC_DIR`` if it is set."""
        folder = os.environ.get(MULTIPROCESS_ENV)
        return cls(db, Path(folder) if folder else None)

    def process_exited(self) -> None:
        """Called when this server process stops: its live gauges leave the sums (its counters stay)."""
        if self.multiprocess_dir is not None:
            prometheus_multiprocess.mark_process_dead(os.getpid(), str(self.multiprocess_dir))  # type: ignore[no-untyped-call]

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        if route not in UNTIMED:
            self.duration.labels(route).observe(seconds)


def _expected_head(db: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


@router.get("/livez")
def livez() -> Response:
    """The process answers (no database access)."""
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """The database answers and its schema is the one this version expects; 503 otherwise (the proxy then
    sends no traffic here, for example during an upgrade)."""
    db: Database = request.app.state.db
    head = getattr(request.app.state, "schema_head", None)
    if head is None:
        head = request.app.state.schema_head = _expected_head(db)
    try:
        with db.engine.connect() as conn:
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return JSONResponse({"status": "unavailable", "reason": "database"}, status_code=503)
    if current != head:
        return JSONResponse({"status": "unavailable", "reason": "schema"}, status_code=503)
    return JSONResponse({"status": "ok"})


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


def scrape_allowed(settings: Settings, authorization: str | None) -> bool:
    """Whether an ``Authorization`` header carries the metrics token. Both sides are hashed first, so the
    comparison takes the same time whatever was sent, even its length."""
    if settings.metrics_token is None or authorization is None:
        return False
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(_digest(presented.strip()), _digest(settings.metrics_token))


def metrics(request: Request) -> Response:
    """``GET /metrics``: Prometheus text for a scrape that presents the metrics token (``Authorization:
    Bearer …``), 401 for a missing or wrong token. Routed only when a token is configured
    (``add_metrics_route``), so that without one every method answers 404 like any unknown address (a
    route answering 405 to a POST would tell that metrics are there)."""
    settings: Settings = request.app.state.settings
    if settings.metrics_token is None:
        raise StarletteHTTPException(404)
    if not scrape_allowed(settings, request.headers.get("authorization")):
        refused = problem(
            401, "Authentication required", "Metrics need the scrape token (docs/operations.md)."
        )
        refused.headers["WWW-Authenticate"] = 'Bearer realm="opennrm-metrics"'
        return refused
    registry: CollectorRegistry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def add_metrics_route(app: FastAPI, settings: Settings) -> None:
    """``/metrics``, if a token is configured (ADR 0014)."""
    if settings.metrics_token is not None:
        app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
