"""Non-punishment pages (GR38 §98): the measures taken against her, the flag to legal aid, requests to clear
a record, and her statement (print view and PDF)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from opennrm.domain.non_punishment import (
    ClearanceRequestIn,
    ClearanceStatus,
    ClearanceStatusIn,
    LegalAidStep,
    MatterStatus,
    MeasureTaken,
    NonPunishmentMatterIn,
    NonPunishmentMatterUpdate,
)
from opennrm.services import non_punishment
from opennrm.services.errors import InvalidInput, NotFound
from opennrm.services.parsing import parse
from opennrm.web import i18n, negotiation
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.form_errors import errors_by_field
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin
from opennrm.web.statement import np_label, statement_html, statement_languages, statement_pdf

router = APIRouter()

CHOICES = {
    "measures": [m.value for m in MeasureTaken],
    "statuses": [s.value for s in MatterStatus],
    "legal_aid_steps": [s.value for s in LegalAidStep],
    "clearance_statuses": [s.value for s in ClearanceStatus],
    "statement_languages": list(i18n.UN_LANGUAGES),
}


def _page(request: Request, case_id: str, status: int = 200, **form: Any) -> Response:
    user = session_user(request)
    view = non_punishment.view_matters(get_db(request), user.actor, case_id)
    context = {"values": {}, "errors": {}, **form}
    names = {tag: i18n.language(tag).name for tag in i18n.UN_LANGUAGES}
    return render(
        request,
        "non_punishment.html",
        status=status,
        view=view,
        np_label=np_label,
        language_names=names,
        **CHOICES,
        **context,
    )


@router.get("/cases/{case_id}/non-punishment")
def matters_page(case_id: str, request: Request) -> Response:
    return _page(request, case_id)


@router.post("/cases/{case_id}/non-punishment")
@form_endpoint
def add_matter(case_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    raw: dict[str, Any] = {k: v.strip() for k, v in values.items() if v.strip() and k != "consent"}
    raw["consent"] = values.get("consent") == "yes"
    try:
        data = parse(NonPunishmentMatterIn, raw)
    except InvalidInput as exc:
        return _page(request, case_id, status=422, values=values, errors=errors_by_field(exc, "measure"))
    non_punishment.record_matter(get_db(request), user.actor, case_id, data)
    return RedirectResponse(f"/cases/{case_id}/non-punishment", status_code=303)


@router.post("/non-punishment/{matter_id}")
@form_endpoint
def update_matter(matter_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    change = parse(
        NonPunishmentMatterUpdate, {k: str(form[k]) for k in ("status", "legal_aid") if form.get(k)}
    )
    case_id = non_punishment.update_matter(get_db(request), user.actor, matter_id, change)
    return RedirectResponse(f"/cases/{case_id}/non-punishment", status_code=303)


@router.post("/non-punishment/{matter_id}/clearance-requests")
@form_endpoint
def add_clearance_request(matter_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    made = non_punishment.add_clearance_request(
        get_db(request), user.actor, matter_id, parse(ClearanceRequestIn, {})
    )
    return RedirectResponse(f"/cases/{made.case_id}/non-punishment", status_code=303)


@router.post("/clearance-requests/{request_id}/status")
@form_endpoint
def clearance_status(request_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    change = parse(ClearanceStatusIn, {"status": str(form.get("status") or "")})
    case_id = non_punishment.update_clearance_status(get_db(request), user.actor, request_id, change)
    return RedirectResponse(f"/cases/{case_id}/non-punishment", status_code=303)


@router.get("/cases/{case_id}/non-punishment/statement")
def statement(case_id: str, request: Request) -> Response:
    user = session_user(request)
    try:
        uuid.UUID(case_id)
    except ValueError:
        raise NotFound(f"no case {case_id}") from None
    q = request.query_params
    shown = negotiation.request_language(request, user)  # the page's own language when none is chosen
    shown = shown if shown in i18n.UN_LANGUAGES else i18n.SOURCE_LANGUAGE
    languages = statement_languages(q.get("her_language") or shown, q.get("proceedings_language") or shown)
    facts = non_punishment.statement_facts(get_db(request), user.actor, case_id)
    html = statement_html(facts, languages)
    if q.get("format") == "pdf":
        return Response(
            statement_pdf(html),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="non-punishment-{facts.survivor_code}.pdf"',
                "Cache-Control": "no-store",
            },
        )
    return HTMLResponse(html, headers={"Cache-Control": "no-store", "Content-Language": ", ".join(languages)})
