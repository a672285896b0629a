"""The statistics page: aggregates for every role, enforcement included — exact counts only for the
statistics office's analysts, rounded counts with suppression for everyone else. Each table has its chart
(``web.charts``), the page filters by year and region, and ``/statistics.csv`` downloads exactly what the
page shows for the same filters."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opennrm.config import ConfigurationError
from opennrm.services.errors import InvalidInput
from opennrm.services.statistics import (
    FILTER_DIMENSIONS,
    DashboardTable,
    StatisticsView,
    classification_in_home,
    statistics_view,
)
from opennrm.web import charts
from opennrm.web.deps import get_db, get_settings, session_user
from opennrm.web.i18n import activated
from opennrm.web.negotiation import request_language
from opennrm.web.pages.render import render
from opennrm.web.uploads import DOWNLOAD_CSP

router = APIRouter()


def _view(request: Request) -> tuple[StatisticsView, dict[str, str]]:
    user = session_user(request)
    try:
        classification = classification_in_home(get_settings(request).home)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    view = statistics_view(get_db(request), user.actor, None, classification)
    choice = {name: request.query_params.get(name, "").strip() for name in FILTER_DIMENSIONS}
    return view, choice


def _chosen(view: StatisticsView, choice: dict[str, str]) -> tuple[str, list[DashboardTable], dict[str, str]]:
    try:
        total, tables = view.filtered(choice)
        return total, tables, {}
    except InvalidInput as exc:
        total, tables = view.filtered({})
        return total, tables, {exc.field or "year": exc.message}


@router.get("/statistics")
def statistics_page(request: Request) -> Response:
    """A sync route: FastAPI runs it in its thread pool, off the event loop; the view is cached per data
    version, and concurrent requests for a new version wait for one computation."""
    view, choice = _view(request)
    total, tables, errors = _chosen(view, choice)
    query = urlencode({k: v for k, v in choice.items() if v and not errors})
    return render(
        request,
        "statistics.html",
        status=422 if errors else 200,
        view=view,
        total=total,
        tables=tables,
        choice={} if errors else choice,
        errors=errors,
        csv_url="/statistics.csv" + ("?" + query if query else ""),
        charts=charts,
    )


@router.get("/statistics.csv")
def statistics_csv(request: Request) -> Response:
    """The figures the page shows for the same filters, as a download that no browser renders."""
    view, choice = _view(request)
    total, tables, errors = _chosen(view, choice)
    if errors:
        raise InvalidInput(next(iter(errors.values())), field=next(iter(errors)))
    with activated(request_language(request, session_user(request))):
        content = charts.statistics_csv(view, total, tables)
    suffix = "".join(f"-{v}" for v in choice.values() if v)
    name = "".join(ch for ch in f"statistics{suffix}" if ch.isascii() and (ch.isalnum() or ch in "-_"))
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )
