"""Case list, case view and intake form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from opennrm.access.policy import Action, decide
from opennrm.domain import vocabularies as v
from opennrm.domain.records import Intake
from opennrm.domain.text import N_
from opennrm.services import cases, handover, linkage, non_punishment, remedies, screenings
from opennrm.services.errors import InvalidInput, refuse
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.case_hub import case_hub
from opennrm.web.pages.flash import done
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

FILTERS = {
    "status": v.CaseStatus,
    "trafficking_status": v.TraffickingStatus,
    "sex": v.Sex,
    "exploitation": v.ExploitationType,
}
VOCABULARIES = {
    "sex": v.codes(v.Sex),
    "gender": v.codes(v.Gender),
    "status": v.codes(v.CaseStatus),
    "trafficking_status": v.codes(v.TraffickingStatus),
    "migration_status": v.codes(v.MigrationStatus),
    "exploitation_types": v.codes(v.ExploitationType),
    "means_of_control": v.codes(v.MeansOfControl),
    "recruitment_method": v.codes(v.RecruitmentMethod),
    "age_group": ["child", "adult", "unknown"],
}


@router.get("/cases")
def case_list(request: Request) -> Response:
    user = session_user(request)
    q = request.query_params
    chosen: dict[str, str] = {}
    for name, vocabulary in FILTERS.items():
        value = q.get(name) or ""
        if value and value in v.codes(vocabulary):
            chosen[name] = value
    if q.get("age_group") in VOCABULARIES["age_group"]:
        chosen["age_group"] = q["age_group"]
    search = (q.get("survivor_code") or "").strip()[:40]
    try:
        page = max(1, min(int(q.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    filters = cases.CaseFilters(survivor_code=search or None, **chosen)
    result = cases.list_cases(get_db(request), user.actor, filters, page, 50)
    base = {**chosen, **({"survivor_code": search} if search else {})}
    return render(
        request,
        "cases.html",
        result=result,
        chosen=chosen,
        search=search,
        vocabularies=VOCABULARIES,
        base_query=base,
    )


@router.get("/cases/new")
def intake_form(request: Request) -> Response:
    user = session_user(request)
    may = decide(user.actor, Action.CASE_CREATE)
    if not may:  # refused before she fills the form in, not when she saves it
        refuse(get_db(request), user.actor, Action.CASE_CREATE, "case", None, may.reason)
    return render(request, "intake.html", values={}, errors={}, labels={}, vocabularies=VOCABULARIES)


def _codes(values: list[str]) -> list[str]:
    """The codes picked (a form may repeat a field; a typed list may separate codes by commas), in order,
    each once."""
    found: list[str] = []
    for value in values:
        for code in value.split(","):
            if code.strip() and code.strip() not in found:
                found.append(code.strip())
    return found


def _form_to_intake(form: dict[str, Any], multi: dict[str, list[str]]) -> dict[str, Any]:
    def text(name: str) -> str | None:
        value = str(form.get(name) or "").strip()
        return value or None

    person = {
        k: text(k)
        for k in (
            "given_name",
            "family_name",
            "birth_date",
            "phone",
            "email",
            "id_document_number",
            "address",
        )
    }
    age = text("age_at_trafficking")
    event = {
        "event_type": "exploitation",
        "exploitation_types": multi.get("exploitation_types", []),
        "means_of_control": multi.get("means_of_control", []),
        "recruitment_method": text("recruitment_method"),
        "country": text("event_country"),
        "place": text("event_place"),
        "start_date": text("event_start"),
        "end_date": text("event_end"),
    }
    has_event = any(
        event[k]
        for k in (
            "exploitation_types",
            "means_of_control",
            "recruitment_method",
            "country",
            "place",
            "start_date",
            "end_date",
        )
    )
    case = {
        "age_at_trafficking": age if age is None else (int(age) if age.lstrip("-").isdigit() else age),
        "age_uncertain": bool(text("presumed_minor")),
        "reasons_to_believe_minor": bool(text("presumed_minor")),
        "sex": text("sex") or "unknown",
        "gender": text("gender") or "unknown",
        "citizenship": _codes(multi.get("citizenship", [])),
        "languages": _codes(multi.get("languages", [])),
        "migration_status": text("migration_status") or "unknown",
        "events": [{k: val for k, val in event.items() if val not in (None, [])}] if has_event else [],
    }
    note = text("note")
    return {
        "person": {k: val for k, val in person.items() if val is not None},
        "case": case,
        "notes": [note] if note else [],
    }


@router.post("/cases/new")
@form_endpoint
def intake_submit(request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    values = {k: str(val) for k, val in form.items()}
    multi = {k: [str(x) for x in form.getlist(k)] for k in MULTI_FIELDS}
    try:
        intake = Intake.model_validate(_form_to_intake(values, multi))
    except ValidationError as exc:
        return render(
            request,
            "intake.html",
            status=422,
            values=values,
            multi=multi,
            errors=intake_errors(exc),
            labels=LABELS,
            vocabularies=VOCABULARIES,
        )
    db = get_db(request)
    case_id = cases.intake(db, user.actor, intake)
    # her organisation may already know her: said within the caseworker's own scope only (issue 16)
    known = linkage.possibly_known(db, user.actor, case_id)
    return RedirectResponse(
        done(f"/cases/{case_id}", "case-maybe-known" if known else "case"), status_code=303
    )


MULTI_FIELDS = ("exploitation_types", "means_of_control", "citizenship", "languages")
# The intake form's fields as the error summary names them.
LABELS = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "birth_date": N_("Birth date"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "id_document_number": N_("Identity-document number"),
    "address": N_("Address"),
    "age_at_trafficking": N_("Age when trafficked"),
    "sex": N_("Sex"),
    "gender": N_("Gender"),
    "citizenship": N_("Citizenship"),
    "languages": N_("Languages"),
    "migration_status": N_("Migration or protection status"),
    "recruitment_method": N_("How she was recruited"),
    "event_country": N_("Country of exploitation"),
    "event_place": N_("Place (encrypted)"),
    "event_start": N_("Start date"),
    "event_end": N_("End date"),
    "note": N_("First note (encrypted)"),
}


def intake_errors(exc: ValidationError) -> dict[str, str]:
    """Every problem of the intake at once, keyed by the form field that holds it (the first per field)."""
    found: dict[str, str] = {}
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        found.setdefault(_form_field(path), message)
    return found


def _form_field(path: str) -> str:
    """Map a model path (``case.events.0.place``) back to the form field that holds it."""
    parts = path.split(".")
    if parts[:2] == ["case", "events"] and len(parts) >= 4:
        return {
            "country": "event_country",
            "place": "event_place",
            "start_date": "event_start",
            "end_date": "event_end",
        }.get(parts[3], parts[3])
    if parts[:2] == ["case", "events"]:  # a rule of the whole event (its dates, say)
        return "event_start"
    if len(parts) >= 2:
        return parts[1]
    return parts[0]


@router.get("/cases/{case_id}")
def case_page(case_id: str, request: Request) -> Response:
    user = session_user(request)
    view = cases.view_case(get_db(request), user.actor, case_id)
    may_handover = handover.may_prepare(get_db(request), user.actor, case_id)
    hub = case_hub(get_db(request), user.actor, view)
    marker = non_punishment.marker(get_db(request), user.actor, case_id)
    draft = None if view.received else screenings.draft_item(get_db(request), user.actor, case_id)
    return render(
        request,
        "case.html",
        view=view,
        hub=hub,
        note_error=None,
        may_handover=may_handover,
        non_punishment=marker,
        screening_draft=draft,
        remedies=remedies.marker(get_db(request), user.actor, case_id),
    )


@router.post("/cases/{case_id}/notes")
@form_endpoint
def note_submit(case_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    try:
        cases.add_note(get_db(request), user.actor, case_id, str(form.get("text") or ""))
    except InvalidInput as exc:
        view = cases.view_case(get_db(request), user.actor, case_id)
        hub = case_hub(get_db(request), user.actor, view)
        return render(request, "case.html", status=422, view=view, hub=hub, note_error=exc.message)
    return RedirectResponse(done(f"/cases/{case_id}#notes", "note"), status_code=303)
