"""Anonymous reporting pages (GR38 §54(d), §69, §100).

Public, without log-in, at ``/report/{locale}``: the form (plain questions, optional files), the receipt
page, and the follow-up with the receipt (read replies, write again). They work without JavaScript; where
scripts run, a small script of ours solves the proof-of-work challenge the form carries (``report-pow.js``).
The receipt never travels in an address: it is typed into a form and posted. Nothing about the visitor is
read but her address, turned at once into an hourly-salted hash for the in-memory counters.

For the receiving organisation, behind log-in: the triage queue ``/reports`` and one report
``/reports/{id}`` (reply, turn into a case, refer, close)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from opennrm.domain.reporting import (
    HelpWanted,
    ReportAbout,
    ReportConcern,
    ReportIn,
    ReportSector,
)
from opennrm.domain.text import N_
from opennrm.services import reporting
from opennrm.services.errors import InvalidInput, NotFound, ServiceError
from opennrm.services.firewall import enforcement_types
from opennrm.services.reporting import Attachment
from opennrm.store.tables import Organisation
from opennrm.web import i18n, negotiation
from opennrm.web.deps import check_csrf, get_db, get_settings, session_user
from opennrm.web.limits import accepts_upload
from opennrm.web.pages.flash import done
from opennrm.web.pages.public import rights_settings
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin
from opennrm.web.public_limits import PublicGuard
from opennrm.web.uploads import attachment

router = APIRouter()

LABELS: dict[str, str] = {
    "myself": N_("About me"),
    "someone_else": N_("About someone else"),
    "work": N_("Forced to work, or pay or papers kept"),
    "sex": N_("Forced into sex or sexual images"),
    "marriage": N_("Forced marriage"),
    "debt": N_("A debt that never ends"),
    "documents": N_("Passport or identity papers taken"),
    "movement": N_("Not allowed to leave"),
    "violence": N_("Violence or threats"),
    "recruitment": N_("A job offer or a journey that seems wrong"),
    "other": N_("Something else"),
    "domestic_work": N_("Domestic work in a home"),
    "agriculture": N_("Farm or plantation"),
    "construction": N_("Construction"),
    "manufacturing": N_("Factory or workshop"),
    "hospitality": N_("Hotel, restaurant or bar"),
    "entertainment": N_("Entertainment, massage or clubs"),
    "fishing": N_("Fishing or on a boat"),
    "care": N_("Care work"),
    "online": N_("Online"),
    "unknown": N_("I do not know"),
    "information": N_("Information about my rights"),
    "talk": N_("Someone to write to me here"),
    "safe_place": N_("A safe place to stay"),
    "health": N_("Health care"),
    "legal": N_("Legal advice"),
    "wages": N_("Getting my wages"),
    "leave": N_("Help to leave"),
    "nothing_now": N_("Nothing now, I want you to know"),
    "new": N_("not yet answered"),
    "open": N_("answered"),
    "referred": N_("referred"),
    "converted": N_("case opened"),
    "closed": N_("closed"),
    "reporter": N_("You"),
    "staff": N_("Reply"),
}


def rp_label(code: str | None) -> str:
    if not code:
        return "–"
    return i18n.gettext(LABELS[code]) if code in LABELS else code


CHOICES = {
    "abouts": [a.value for a in ReportAbout],
    "concern_choices": [c.value for c in ReportConcern],
    "sectors": [s.value for s in ReportSector],
    "helps": [h.value for h in HelpWanted],
}


def _guard(request: Request) -> PublicGuard:
    guard: PublicGuard = request.app.state.public_guard
    return guard


def _public(request: Request, locale: str) -> str | None:
    """The page's language from its address (never a cookie); None to redirect."""
    if locale not in i18n.available():
        return None
    request.state.language = locale
    return locale


def _redirect_locale(locale: str, suffix: str = "") -> Response:
    found = negotiation.match(locale)
    return RedirectResponse(f"/report/{found}{suffix}" if found else "/report", status_code=303)


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    leaflet = rights_settings(get_settings(request).home)
    return render(
        request,
        template,
        status=status,
        quick_exit_url=leaflet.quick_exit_url,
        switch_base="/report/",
        rp_label=rp_label,
        **CHOICES,
        **context,
    )


def _form_page(request: Request, locale: str, status: int = 200, **context: Any) -> Response:
    guard = _guard(request)
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return _page(
        request,
        "report_form.html",
        status=status,
        locale=locale,
        challenge=json.dumps(guard.challenge()),
        **context,
    )


@router.get("/report")
def report_in_your_language(request: Request) -> Response:
    tag = negotiation.negotiate(None, None, request.headers.get("accept-language"))
    response = RedirectResponse(f"/report/{tag}", status_code=303)
    response.headers["Vary"] = "Accept-Language"
    return response


@router.get("/report/{locale}")
def report_form(locale: str, request: Request) -> Response:
    if _public(request, locale) is None:
        return _redirect_locale(locale)
    return _form_page(request, locale)


def _files(form: FormData) -> list[UploadFile]:
    return [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]


async def _attachments(files: list[UploadFile]) -> list[Attachment]:
    out = []
    for f in files[: reporting.MAX_ATTACHMENTS + 1]:
        content = await f.read(reporting.MAX_ATTACHMENT_BYTES + 1)
        out.append(Attachment(f.filename or "file", f.content_type or "", content))
    return out


@router.post("/report/{locale}")
@accepts_upload
async def send_report(locale: str, request: Request) -> Response:
    if _public(request, locale) is None:
        return _redirect_locale(locale)
    require_same_origin(request)
    guard = _guard(request)
    client = guard.client_key(request)
    form = await request.form(max_files=reporting.MAX_ATTACHMENTS + 1, max_fields=60)
    proof = str(form.get("altcha") or "")
    values = {
        "text": str(form.get("text") or ""),
        "about": str(form.get("about") or ""),
        "sector": str(form.get("sector") or ""),
        "region": str(form.get("region") or ""),
        "concerns": [str(v) for v in form.getlist("concerns")],
        "help": [str(v) for v in form.getlist("help")],
    }
    raw: dict[str, Any] = {"text": values["text"], "locale": locale, "region": values["region"] or None}
    raw.update({k: values[k] for k in ("about", "sector") if values[k]})
    raw.update({k: values[k] for k in ("concerns", "help") if values[k]})
    try:
        data = ReportIn.model_validate(raw)
    except ValidationError as exc:
        errors = {
            str(e["loc"][0]) if e["loc"] else "text": str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        }
        return _form_page(request, locale, status=422, values=values, errors=errors)
    try:
        if proof:
            guard.check_proof(proof)
            guard.admit("report", client)
        else:  # scripts off: the form still works, under a smaller allowance
            guard.admit("report-noscript", client)
        attachments = await _attachments(_files(form))
        settings = get_settings(request)
        receipt = await guard.hashing(
            lambda: reporting.submit_report(
                get_db(request),
                request.app.state.reporting_pepper,
                data,
                attachments,
                retention_days=settings.report_retention_days,
            )
        )
    except InvalidInput as exc:
        return _form_page(
            request, locale, status=422, values=values, errors={exc.field or "text": exc.message}
        )
    return _page(request, "report_receipt.html", status=201, locale=locale, receipt=receipt)


@router.get("/report/{locale}/follow-up")
def follow_up_form(locale: str, request: Request) -> Response:
    if _public(request, locale) is None:
        return _redirect_locale(locale, "/follow-up")
    return _page(request, "report_follow_up.html", locale=locale, view=None, receipt="", errors={})


# The same words for a receipt that is wrong, mistyped or of a deleted report; what she typed stays put.
UNKNOWN_RECEIPT = N_("No report has this receipt. Check the digits and try again.")


def _unknown_receipt(request: Request, locale: str, receipt: str) -> Response:
    return _page(
        request,
        "report_follow_up.html",
        status=404,
        locale=locale,
        view=None,
        receipt=receipt,
        errors={"receipt": UNKNOWN_RECEIPT},
    )


async def _thread(request: Request, locale: str, receipt: str, status: int = 200, **context: Any) -> Response:
    guard = _guard(request)
    guard.admit("access", guard.client_key(request))
    try:
        view = await guard.hashing(
            lambda: reporting.access_report(get_db(request), request.app.state.reporting_pepper, receipt)
        )
    except NotFound:
        return _unknown_receipt(request, locale, receipt)
    context.setdefault("errors", {})
    return _page(
        request, "report_follow_up.html", status=status, locale=locale, view=view, receipt=receipt, **context
    )


@router.post("/report/{locale}/follow-up")
async def follow_up(locale: str, request: Request) -> Response:
    if _public(request, locale) is None:
        return _redirect_locale(locale, "/follow-up")
    require_same_origin(request)
    form = await request.form(max_files=0, max_fields=5)
    return await _thread(request, locale, str(form.get("receipt") or "")[:200])


@router.post("/report/{locale}/follow-up/message")
@accepts_upload
async def write_again(locale: str, request: Request) -> Response:
    if _public(request, locale) is None:
        return _redirect_locale(locale, "/follow-up")
    require_same_origin(request)
    guard = _guard(request)
    guard.admit("access", guard.client_key(request))
    form = await request.form(max_files=reporting.MAX_ATTACHMENTS + 1, max_fields=10)
    receipt = str(form.get("receipt") or "")[:200]
    text = str(form.get("text") or "")
    try:
        attachments = await _attachments(_files(form))
        await guard.hashing(
            lambda: reporting.add_reporter_message(
                get_db(request), request.app.state.reporting_pepper, receipt, text, attachments
            )
        )
    except NotFound:
        return _unknown_receipt(request, locale, receipt)
    except ServiceError as exc:
        return await _thread(
            request, locale, receipt, status=exc.status, errors={"text": exc.message}, text=text
        )
    return await _thread(request, locale, receipt, sent=True)


# -- triage (the receiving organisation) ----------------------------------------------------------------


async def _posted(request: Request) -> tuple[Any, FormData]:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    return user, form


def _report_id(report_id: str) -> str:
    try:
        uuid.UUID(report_id)
    except ValueError:
        raise NotFound("no such report") from None
    return report_id


@router.get("/reports")
def queue_page(request: Request, status: str = "open", page: int = 1) -> Response:
    user = session_user(request)
    if status not in {"open", "new", "referred", "converted", "closed", ""}:
        status = "open"
    queue = reporting.triage_queue(
        get_db(request), user.actor, status=status or None, page=max(1, min(page, 100_000))
    )
    return render(request, "reports.html", queue=queue, shown=status, rp_label=rp_label)


def _report_page(request: Request, report_id: str, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    db = get_db(request)
    view = reporting.view_report(db, user.actor, _report_id(report_id))
    enforcement = enforcement_types(db)
    with db.transaction() as session:
        organisations = [
            (o.id, o.name)
            for o in session.execute(select(Organisation).order_by(Organisation.name)).scalars()
            if o.type not in enforcement and o.id != user.actor.organisation_id
        ]
    context.setdefault("errors", {})
    return render(
        request,
        "report.html",
        status=status,
        view=view,
        organisations=organisations,
        rp_label=rp_label,
        **context,
    )


@router.get("/reports/{report_id}")
def report_page(report_id: str, request: Request) -> Response:
    return _report_page(request, report_id)


@router.post("/reports/{report_id}/reply")
async def reply(report_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    text = str(form.get("text") or "")
    try:
        await run_in_threadpool(reporting.reply, get_db(request), user.actor, _report_id(report_id), text)
    except InvalidInput as exc:
        return _report_page(request, report_id, status=422, errors={"text": exc.message}, text=text)
    return RedirectResponse(done(f"/reports/{report_id}#thread", "report-reply"), status_code=303)


@router.post("/reports/{report_id}/case")
async def convert(report_id: str, request: Request) -> Response:
    user, _form = await _posted(request)
    case_id = await run_in_threadpool(
        reporting.convert_to_case, get_db(request), user.actor, _report_id(report_id)
    )
    return RedirectResponse(done(f"/cases/{case_id}", "report-case"), status_code=303)


@router.post("/reports/{report_id}/referral")
async def refer(report_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    organisation_id = str(form.get("organisation_id") or "")
    try:
        await run_in_threadpool(
            reporting.refer, get_db(request), user.actor, _report_id(report_id), organisation_id
        )
    except InvalidInput as exc:
        return _report_page(request, report_id, status=422, errors={"organisation_id": exc.message})
    return RedirectResponse(done("/reports", "report-referred"), status_code=303)


@router.post("/reports/{report_id}/closure")
async def close(report_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    raw = str(form.get("retention_days") or "").strip()
    try:
        days = int(raw) if raw else None
    except ValueError:
        return _report_page(
            request, report_id, status=422, errors={"retention_days": "enter a number of days"}
        )
    try:
        await run_in_threadpool(
            reporting.close, get_db(request), user.actor, _report_id(report_id), retention_days=days
        )
    except InvalidInput as exc:
        return _report_page(request, report_id, status=422, errors={"retention_days": exc.message})
    return RedirectResponse(done(f"/reports/{report_id}", "report-closed"), status_code=303)


@router.get("/reports/{report_id}/files/{file_id}")
def report_file(report_id: str, file_id: str, request: Request) -> Response:
    user = session_user(request)
    name, media_type, content = reporting.read_attachment(
        get_db(request), user.actor, _report_id(report_id), file_id
    )
    return attachment(name, media_type, content)
