"""The return and follow-up page of a case (GR38 §84, §89–91, §95–96): her dependants, the child steps
before any move, return / resettlement / transfer plans, her exit from services and the follow-up contacts.
Every form works without JavaScript, carries the CSRF token, lists its errors in a summary tied to the
fields and says what was saved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opennrm.domain import reintegration as r
from opennrm.domain import services as s
from opennrm.domain.text import N_
from opennrm.services import entitlements, reintegration
from opennrm.services.errors import Conflict, InvalidInput
from opennrm.services.parsing import parse
from opennrm.web.deps import get_db, session_user
from opennrm.web.i18n import gettext
from opennrm.web.pages.flash import done
from opennrm.web.pages.form_errors import errors_by_field
from opennrm.web.pages.posted import form_endpoint
from opennrm.web.pages.referrals import _posted, _text
from opennrm.web.pages.render import render

router = APIRouter()

VOCABULARIES: dict[str, list[str]] = {
    "relationship": [v.value for v in r.Relationship],
    "needs": [v.value for v in s.ServiceType],
    "move": [v.value for v in s.Move],
    "status": [r.FollowUpStatus.DONE.value, r.FollowUpStatus.MISSED.value],
    "safety": [v.value for v in r.Safety],
    "housing": [v.value for v in r.Housing],
    "income": [v.value for v in r.Income],
    "re_trafficking_risk": [v.value for v in r.RiskLevel],
}

# Field labels for the error summaries (English msgids, translated where shown).
LABELS = {
    "relationship": N_("Relationship to her"),
    "given_name": N_("Given name"),
    "birth_date": N_("Birth date"),
    "age": N_("Age"),
    "needs": N_("Needs"),
    "move": N_("Move"),
    "destination_country": N_("Destination country"),
    "planned_on": N_("Planned for"),
    "plan": N_("The plan"),
    "exited_on": N_("Left the services on"),
    "guardian_appointed_on": N_("Guardian appointed on"),
    "best_interests_determined_on": N_("Best-interests determination made on"),
    "family_traced_on": N_("Family tracing done on"),
    "reunification_assessed_on": N_("Reunification assessed on"),
    "unaccompanied": N_("Unaccompanied"),
    "status": N_("Contact"),
    "contacted_on": N_("Contacted on"),
    "safety": N_("Safety"),
    "housing": N_("Housing"),
    "income": N_("Income"),
    "re_trafficking_risk": N_("Risk of re-trafficking"),
    "notes": N_("Notes (encrypted)"),
}

# The child steps as shown (``opennrm.domain.services.ChildStep``).
STEP_LABELS = {
    s.ChildStep.GUARDIAN.value: N_("a guardian appointed"),
    s.ChildStep.BEST_INTERESTS.value: N_("a best-interests determination"),
    s.ChildStep.FAMILY_TRACING.value: N_("family tracing"),
    s.ChildStep.REUNIFICATION.value: N_("an assessment of reunification"),
}


def _page(
    request: Request,
    case_id: str,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
    form: str | None = None,
) -> Response:
    user = session_user(request)
    view = reintegration.view_reintegration(get_db(request), user.actor, case_id)
    return render(
        request,
        "return.html",
        status=status,
        view=view,
        errors=errors or {},
        values=values or {},
        form=form,
        vocabularies=VOCABULARIES,
        summary_labels={k: gettext(LABELS[k]) for k in errors or {} if k in LABELS},
        step_labels=STEP_LABELS,
        follow_up_labels=reintegration.LABELS,
    )


@router.get("/cases/{case_id}/return")
def return_page(case_id: str, request: Request) -> Response:
    return _page(request, case_id)


@router.post("/cases/{case_id}/dependants")
@form_endpoint
def dependant_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    age = _text(form, "age")
    raw = {
        "relationship": _text(form, "relationship"),
        "given_name": _text(form, "given_name"),
        "birth_date": _text(form, "birth_date"),
        "age": int(age) if age is not None and age.isdigit() else age,
        "age_uncertain": form.get("age_uncertain") == "on",
        "reasons_to_believe_minor": form.get("reasons_to_believe_minor") == "on",
        "with_her": form.get("with_her") != "no",
        "needs": [str(n) for n in form.getlist("needs")],
        "note": _text(form, "note"),
    }
    try:
        data = parse(r.DependantIn, {k: v for k, v in raw.items() if v is not None})
        reintegration.add_dependant(get_db(request), user.actor, case_id, data)
    except InvalidInput as exc:
        return _page(request, case_id, errors_by_field(exc, "relationship"), values, 422, "dependant")
    return RedirectResponse(done(f"/cases/{case_id}/return#dependants", "dependant"), status_code=303)


@router.post("/cases/{case_id}/dependants/{dependant_id}/best-interests")
@form_endpoint
def best_interests_submit(case_id: str, dependant_id: str, request: Request) -> Response:
    """The day the best interests of a child with her in a move were assessed (GR38 §84, §95)."""
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    try:
        data = parse(r.DependantChange, {"best_interests_on": _text(form, "best_interests_on")})
        reintegration.change_dependant(get_db(request), user.actor, dependant_id, data)
    except InvalidInput as exc:
        values["dependant_id"] = dependant_id
        return _page(
            request, case_id, errors_by_field(exc, "best_interests_on"), values, 422, "best_interests"
        )
    return RedirectResponse(done(f"/cases/{case_id}/return#dependants", "best-interests"), status_code=303)


@router.post("/cases/{case_id}/child-steps")
@form_endpoint
def child_steps_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    keys = (
        "guardian_appointed_on",
        "best_interests_determined_on",
        "family_traced_on",
        "reunification_assessed_on",
    )
    raw: dict[str, Any] = {k: _text(form, k) for k in keys if _text(form, k) is not None}
    accompanied = _text(form, "unaccompanied")
    if accompanied in ("yes", "no"):
        raw["unaccompanied"] = accompanied == "yes"
    try:
        change = parse(s.EntitlementsChange, raw)
        entitlements.update_entitlements(get_db(request), user.actor, case_id, change)
    except InvalidInput as exc:
        return _page(request, case_id, errors_by_field(exc, "guardian_appointed_on"), values, 422, "steps")
    return RedirectResponse(done(f"/cases/{case_id}/return#child-steps", "child-steps"), status_code=303)


@router.post("/cases/{case_id}/moves")
@form_endpoint
def move_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    raw = {k: _text(form, k) for k in ("move", "destination_country", "planned_on", "plan")}
    try:
        data = parse(r.MovePlanIn, {k: v for k, v in raw.items() if v is not None})
        reintegration.plan_move(get_db(request), user.actor, case_id, data)
    except InvalidInput as exc:
        return _page(request, case_id, errors_by_field(exc, "move"), values, 422, "move")
    except Conflict as exc:
        return _page(request, case_id, {"move": exc.message}, values, 409, "move")
    return RedirectResponse(done(f"/cases/{case_id}/return#moves", "move"), status_code=303)


@router.post("/cases/{case_id}/exit")
@form_endpoint
def exit_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    try:
        data = parse(r.ExitIn, {"exited_on": _text(form, "exited_on")})
        reintegration.record_exit(get_db(request), user.actor, case_id, data)
    except InvalidInput as exc:
        return _page(request, case_id, errors_by_field(exc, "exited_on"), values, 422, "exit")
    return RedirectResponse(done(f"/cases/{case_id}/return#follow-ups", "exit"), status_code=303)


@router.post("/cases/{case_id}/follow-ups/{follow_up_id}")
@form_endpoint
def follow_up_submit(case_id: str, follow_up_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    raw = {
        k: _text(form, k)
        for k in ("status", "contacted_on", "safety", "housing", "income", "re_trafficking_risk", "notes")
    }
    try:
        data = parse(r.FollowUpIn, {k: v for k, v in raw.items() if v is not None})
        owner = reintegration.record_follow_up(get_db(request), user.actor, follow_up_id, data)
    except InvalidInput as exc:
        return _page(
            request, case_id, errors_by_field(exc, "status"), values, 422, f"follow-up-{follow_up_id}"
        )
    return RedirectResponse(done(f"/cases/{owner}/return#follow-ups", "follow-up"), status_code=303)
