"""The FastAPI application factory. Nothing is created at import time: ``create_app(settings)`` builds it."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from opennrm import __version__
from opennrm.config import Settings
from opennrm.logs import configure_logging
from opennrm.services.errors import ServiceError
from opennrm.services.installation import open_database
from opennrm.services.reporting import Pepper
from opennrm.web import api, operations, pages
from opennrm.web.limits import BodyLimits
from opennrm.web.login_guard import LoginGuard
from opennrm.web.problems import (
    http_exception_problem,
    service_error_problem,
    unexpected_problem,
    validation_problem,
)
from opennrm.web.public_limits import PublicGuard
from opennrm.web.same_origin import SameOriginAPI

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("opennrm.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(settings: Settings) -> FastAPI:
    configure_logging(settings)
    db = open_database(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        _app.state.metrics.process_exited()
        db.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="OpenNRM API",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served behind a session by api.openapi_schema
    )
    app.state.settings = settings
    app.state.db = db
    app.state.login_guard = LoginGuard.from_settings(settings)
    # the anonymous reporting channel (issue 15): receipt pepper (a file beside the key file) and the
    # in-memory counters and proof-of-work of its public routes
    app.state.reporting_pepper = Pepper.load(settings.reporting_pepper_file)
    app.state.public_guard = PublicGuard.from_settings(settings)
    app.state.metrics = operations.Metrics.for_process(db)

    # Inner to the headers middleware below, so that their refusals carry the security headers too.
    app.add_middleware(SameOriginAPI, report_origins=settings.report_origins)
    app.add_middleware(BodyLimits, default=settings.max_body_bytes, upload=settings.max_upload_bytes)

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception as exc:  # last line of defence: no trace or SQL reaches the client
            log.error("unhandled %s on %s %s", type(exc).__name__, request.method, _route_of(request))
            response = unexpected_problem()
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        # Only the route template and status are logged: never the query string, body or client address,
        # nor how long the answer took (a log-in's duration could tell a name that exists from one that
        # does not).
        route = _route_of(request)
        log.info("%s %s %s", request.method, route, response.status_code)
        app.state.metrics.observe(request.method, route, response.status_code, time.perf_counter() - started)
        return response

    app.add_exception_handler(ServiceError, service_error_problem)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_problem)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_exception_problem)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, lambda _r, _e: unexpected_problem())

    app.include_router(operations.router)
    operations.add_metrics_route(app, settings)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    return app


def app_from_env() -> FastAPI:
    """The application of the installation the environment describes, for an ASGI server's factory mode
    with several worker processes: ``opennrm serve --workers 4`` uses it, with the processes' metrics
    counted together (``uvicorn --factory opennrm.web.app:app_from_env --workers 4`` works too, each
    process then counting alone unless ``PROMETHEUS_MULTIPROC_DIR`` names an empty folder)."""
    return create_app(Settings.from_env())


def _route_of(request: Request) -> str:
    """The route template of the request (``/api/cases/{case_id}``): identifiers are logged as their names,
    and unmatched paths, which could hold anything a visitor typed, not at all."""
    if request.scope.get("route") is None:
        return "(unmatched)"
    segments = request.url.path.split("/")
    for name, value in request.scope.get("path_params", {}).items():
        segments = [f"{{{name}}}" if segment == str(value) else segment for segment in segments]
    return "/".join(segments)
