"""The statistics page: aggregates only (small cells shown as "<11"), for every role, enforcement included."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opennrm.services.statistics import dashboard_tables
from opennrm.web.deps import get_db, session_user
from opennrm.web.pages.render import render

router = APIRouter()


@router.get("/statistics")
def statistics_page(request: Request) -> Response:
    user = session_user(request)
    total, tables = dashboard_tables(get_db(request), user.actor, None)
    return render(request, "statistics.html", total=total, tables=tables)
