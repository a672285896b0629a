"""The 24/7 hotline pages (GR38 §99): one contact form built for a live call, keyboard first (a silent call or
a hang-up is one button, reached first with Tab or with its access key), the latest contacts, and contact
statistics with small counts hidden. Who may use them: ``policy.hotline_decision``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from opennrm.domain.hotline import (
    CATEGORY_CODES,
    QUICK_CLOSE,
    Caller,
    Channel,
    ContactAction,
    ContactIn,
    ContactType,
    Interpreter,
    Urgency,
    quick_contact,
)
from opennrm.domain.text import N_
from opennrm.services import hotline
from opennrm.services.errors import InvalidInput
from opennrm.web import i18n
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.labels import label
from opennrm.web.pages.flash import done
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

LABELS: dict[str, str] = {
    "call": N_("Call"),
    "chat": N_("Chat"),
    "sms": N_("SMS"),
    "messaging_app": N_("Messaging app"),
    "email": N_("E-mail"),
    "walk_in": N_("Walk-in"),
    "data": N_("About a situation"),
    "silent": N_("Silent call"),
    "hang_up": N_("Hang-up"),
    "information": N_("Information request"),
    "wrong_number": N_("Wrong number"),
    "abusive": N_("Abusive"),
    "other": N_("Other"),
    "herself": N_("She herself"),
    "family": N_("Family"),
    "friend": N_("Friend"),
    "professional": N_("Professional"),
    "anonymous_third_party": N_("Anonymous third party"),
    "none": N_("No interpreter"),
    "staff": N_("Operator speaks her language"),
    "phone": N_("Telephone interpreter"),
    "video": N_("Video interpreter"),
    "routine": N_("Routine"),
    "urgent": N_("Urgent"),
    "critical": N_("Critical"),
    "information_given": N_("Information given"),
    "referral_made": N_("Referral made"),
    "case_opened": N_("Case opened"),
    "emergency_services": N_("Emergency services called"),
    "safety_plan": N_("Safety plan made"),
    "information_request": N_("Information request"),
    "labour_rights": N_("Labour rights"),
    "migration_question": N_("Question about migration"),
}


def hl_label(code: str | None) -> str:
    if not code:
        return "–"
    if code in LABELS:
        return i18n.gettext(LABELS[code])
    return label(code)


CHOICES = {
    "channels": [c.value for c in Channel],
    "contact_types": [t.value for t in ContactType if t not in QUICK_CLOSE],
    "quick": [t.value for t in QUICK_CLOSE],
    "callers": [c.value for c in Caller],
    "interpreters": [i.value for i in Interpreter],
    "urgencies": [u.value for u in Urgency],
    "actions": [a.value for a in ContactAction if a is not ContactAction.CASE_OPENED],
    "categories": list(CATEGORY_CODES),
}
FIELDS = (
    "channel",
    "contact_type",
    "language",
    "interpreter",
    "caller",
    "urgency",
    "people_at_risk",
    "phone",
    "notes",
)


def _page(request: Request, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    db = get_db(request)
    context.setdefault("values", {"channel": "call", "contact_type": "data", "urgency": "routine"})
    context.setdefault("errors", {})
    return render(
        request,
        "hotline.html",
        status=status,
        recent=hotline.recent_contacts(db, user.actor),
        hl_label=hl_label,
        **CHOICES,
        **context,
    )


async def _posted(request: Request) -> tuple[Any, FormData]:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    return user, form


@router.get("/hotline")
def contact_form(request: Request, saved: str = "") -> Response:
    """The form; after a save (``?saved=ID``, post/redirect/get: a reload records nothing twice) it also
    says what the contact led to, with the emergency protocol when she was in danger."""
    outcome = None
    if saved:
        outcome = hotline.contact_outcome(get_db(request), session_user(request).actor, saved[:64])
    return _page(request, saved=outcome)


@router.post("/hotline/quick")
async def quick(request: Request) -> Response:
    """A silent call or a hang-up in one action."""
    user, form = await _posted(request)
    try:
        data = quick_contact(
            Channel(str(form.get("channel") or "call")), ContactType(str(form.get("kind") or ""))
        )
    except ValueError:
        raise InvalidInput("choose a silent call or a hang-up", field="kind") from None
    await run_in_threadpool(hotline.record_contact, get_db(request), user.actor, data)
    return RedirectResponse(done("/hotline", "contact"), status_code=303)


@router.post("/hotline")
async def record(request: Request) -> Response:
    user, form = await _posted(request)
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in FIELDS}
    values.update(
        {
            "categories": [str(v) for v in form.getlist("categories")],
            "actions": [str(v) for v in form.getlist("actions")],
            "immediate_danger": bool(form.get("immediate_danger")),
            "callback_consent": bool(form.get("callback_consent")),
            "safe_times": str(form.get("safe_times") or "").strip(),
            "code_word": str(form.get("code_word") or "").strip(),
            "survivor_code": str(form.get("survivor_code") or "").strip(),
            "link_phone": bool(form.get("link_phone")),
            "open_case": bool(form.get("open_case")),
        }
    )
    raw: dict[str, Any] = {k: values[k] for k in FIELDS if values[k]}
    raw.update({k: values[k] for k in ("categories", "actions", "immediate_danger", "callback_consent")})
    if values["safe_times"] or values["code_word"]:
        raw["callback"] = {"safe_times": values["safe_times"], "code_word": values["code_word"]}
    try:
        data = ContactIn.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            message = str(e["msg"]).removeprefix("Value error, ")
            name = str(e["loc"][0]) if e["loc"] else message.split(":")[0]
            errors.setdefault(name, message)
        return _page(request, status=422, values=values, errors=errors)
    try:
        result = await run_in_threadpool(
            hotline.record_contact,
            get_db(request),
            user.actor,
            data,
            link_code=values["survivor_code"] or None,
            link_phone=values["link_phone"],
            open_case=values["open_case"],
        )
    except InvalidInput as exc:
        return _page(request, status=422, values=values, errors={exc.field or "notes": exc.message})
    return RedirectResponse(f"/hotline?saved={result.id}", status_code=303)


@router.get("/hotline/statistics")
def statistics(request: Request) -> Response:
    user = session_user(request)
    stats = hotline.contact_statistics(get_db(request), user.actor)
    return render(request, "hotline_statistics.html", stats=stats, hl_label=hl_label)
