"""The statistics page: aggregates for every role, enforcement included — exact counts only for the
statistics office's analysts, rounded counts with suppression for everyone else."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opennrm.config import ConfigurationError
from opennrm.services.statistics import classification_in_home, statistics_view
from opennrm.web.deps import get_db, get_settings, session_user
from opennrm.web.pages.render import render

router = APIRouter()


@router.get("/statistics")
def statistics_page(request: Request) -> Response:
    """A sync route: FastAPI runs it in its thread pool, off the event loop; the view is cached per data
    version, and concurrent requests for a new version wait for one computation."""
    user = session_user(request)
    try:
        classification = classification_in_home(get_settings(request).home)
    except ValueError as exc:
        raise ConfigurationError(str(exc)) from exc
    view = statistics_view(get_db(request), user.actor, None, classification)
    return render(request, "statistics.html", view=view)
