"""Notifications (what waits, as a link) and each user's choice of what she is told, and where; and the
progress of work started from a page and run by the worker (``/jobs/<id>``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from opennrm.domain.text import N_
from opennrm.services import jobs, notifications
from opennrm.services.errors import InvalidInput
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.mail import MESSAGES
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

JOB_KINDS = {"ads.scan": N_("Scanning uploaded job ads")}
JOB_STATUS = {
    jobs.QUEUED: N_("Waiting to start"),
    jobs.RUNNING: N_("Running"),
    jobs.DONE: N_("Finished"),
    jobs.FAILED: N_("Failed"),
}


def _page(request: Request, status: int = 200, **context: object) -> Response:
    user = session_user(request)
    db = get_db(request)
    context.setdefault("prefs", notifications.preferences(db, user.actor.user_id))
    context.setdefault("errors", {})
    return render(
        request,
        "notifications.html",
        status=status,
        items=notifications.list_notifications(db, user.actor.user_id),
        kinds=notifications.KINDS,
        messages=MESSAGES,
        **context,
    )


@router.get("/notifications")
def notifications_page(request: Request) -> Response:
    return _page(request, saved=request.query_params.get("saved") == "1")


@router.post("/notifications/read")
def mark_read(
    request: Request, csrf: str = Form(""), notification_id: str = Form("", max_length=36)
) -> Response:
    require_same_origin(request)
    user = session_user(request)
    check_csrf(user, csrf)
    notifications.mark_read(get_db(request), user.actor.user_id, notification_id or None)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/preferences")
def save_preferences(
    request: Request,
    csrf: str = Form(""),
    email: str = Form("", max_length=254),
    in_app: list[str] = Form([]),
    by_email: list[str] = Form([]),
) -> Response:
    require_same_origin(request)
    user = session_user(request)
    check_csrf(user, csrf)
    try:
        notifications.set_preferences(get_db(request), user.actor.user_id, email, in_app, by_email)
    except InvalidInput as exc:
        shown = notifications.Preferences(email or None, frozenset(in_app), frozenset(by_email))
        return _page(request, status=422, prefs=shown, errors={exc.field or "email": exc.message})
    return RedirectResponse("/notifications?saved=1", status_code=303)


@router.get("/jobs/{job_id}")
def job_page(job_id: str, request: Request) -> Response:
    """A job she started: its progress while it runs (the page reloads itself every few seconds, no
    script needed), then a link to what it made."""
    user = session_user(request)
    job = jobs.view_job(get_db(request), user.actor.user_id, job_id)
    return render(
        request,
        "job.html",
        job=job,
        kind_label=JOB_KINDS.get(job.kind, job.kind),
        status_label=JOB_STATUS.get(job.status, job.status),
    )
