"""Pages of the referral network: the service directory, sending a referral from a case, receiving and
tracking referrals, escalations, a case's entitlements, and the coordinator's dashboard. They work without
JavaScript; every form carries the CSRF token and errors are tied to their fields."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData, ImmutableMultiDict

from opennrm.access.policy import directory_manage_decision
from opennrm.access.roles import Role
from opennrm.domain import services as s
from opennrm.services import cases, dashboard, directory, entitlements, referrals
from opennrm.services.auth import SessionUser
from opennrm.services.errors import Conflict, Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.web import charts
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.drafts import forget_referral_draft, keep_referral_draft, take_referral_draft
from opennrm.web.pages.flash import done
from opennrm.web.pages.form_errors import errors_by_field
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

VOCABULARIES: dict[str, list[str]] = {
    "need": [t.value for t in s.ServiceType],
    "attributes": [a.value for a in s.ServiceAttribute],
    "urgency": [u.value for u in s.Urgency],
    "decline_reason": [r.value for r in s.DeclineReason],
    "status": ["open", *(st.value for st in s.ReferralStatus)],
    "residence_permit": [r.value for r in s.ResidencePermitStatus],
    "provision": [p.value for p in s.Provision],
    "risks": [r.value for r in s.ReturnRisk],
    "outcome": [o.value for o in s.CaseOutcome],
    "gap_reason": [g.value for g in s.GapReason],
}
RESPONSE_TIMES = {u.value: d.hours or d.working_days for u, d in s.RESPONSE_DEADLINE.items()}


def _posted(request: Request) -> tuple[SessionUser, FormData]:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    return user, form


def _text(form: Any, name: str) -> str | None:
    value = str(form.get(name) or "").strip()
    return value or None


def _search_from(query: Any) -> tuple[dict[str, Any], s.ServiceSearch | None, dict[str, str]]:
    raw: dict[str, Any] = {
        "need": _text(query, "need"),
        "language": _text(query, "language"),
        "place": _text(query, "place"),
        "attributes": [str(a) for a in query.getlist("attributes")],
    }
    try:
        return raw, parse(s.ServiceSearch, raw), {}
    except InvalidInput as exc:
        return raw, None, errors_by_field(exc, "need")


def _is_manager(user: SessionUser) -> bool:
    return bool(directory_manage_decision(user.actor))


# -- the service directory -----------------------------------------------------------------------------


@router.get("/directory")
def directory_page(request: Request) -> Response:
    user = session_user(request)
    raw, search, errors = _search_from(request.query_params)
    results = directory.search_services(get_db(request), search, user.actor) if search else []
    own = directory.services_of(get_db(request), user.actor.organisation_id) if _is_manager(user) else []
    return render(
        request,
        "directory.html",
        status=422 if errors else 200,
        values=raw,
        errors=errors,
        results=results,
        own=own,
        manager=_is_manager(user),
        recorded=request.query_params.get("recorded") == "1",
        vocabularies=VOCABULARIES,
    )


@router.get("/directory/new")
def directory_form(request: Request) -> Response:
    user = session_user(request)
    if not _is_manager(user):
        raise Forbidden(f"role {user.actor.role} cannot change the service directory")
    return render(request, "directory_new.html", values={}, errors={}, vocabularies=VOCABULARIES)


def _entry_from(form: Any) -> dict[str, Any]:
    def number(name: str) -> Any:
        value = _text(form, name)
        return int(value) if value is not None and value.isdigit() else value

    return {
        "name": _text(form, "name"),
        "service_type": _text(form, "service_type"),
        "attributes": [str(a) for a in form.getlist("attributes")],
        "languages": list(
            dict.fromkeys(
                c.strip() for v in form.getlist("languages") for c in str(v).split(",") if c.strip()
            )
        ),
        "capacity": number("capacity"),
        "available": number("available"),
        "opening_hours": _text(form, "opening_hours"),
        "place": _text(form, "place"),
        "nationwide": form.get("nationwide") == "on",
        "accessibility": _text(form, "accessibility"),
    }


@router.post("/directory/new")
@form_endpoint
def directory_submit(request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    try:
        entry = parse(s.ServiceEntry, _entry_from(form))
        directory.add_service(
            get_db(request), entry, organisation_id=user.actor.organisation_id, actor=user.actor
        )
    except InvalidInput as exc:
        return render(
            request,
            "directory_new.html",
            status=422,
            values=values,
            multi={k: [str(a) for a in form.getlist(k)] for k in ("attributes", "languages")},
            errors=errors_by_field(exc, "name"),
            vocabularies=VOCABULARIES,
        )
    return RedirectResponse(done("/directory", "service"), status_code=303)


@router.post("/directory/services/{service_id}")
@form_endpoint
def directory_change(service_id: str, request: Request) -> Response:
    """Update free places, or stop and resume taking referrals."""
    user, form = _posted(request)
    raw: dict[str, Any] = {}
    available = _text(form, "available")
    if available is not None:
        raw["available"] = int(available) if available.isdigit() else available
    if form.get("active") in ("yes", "no"):
        raw["active"] = form.get("active") == "yes"
    change = parse(s.ServiceChange, raw)
    directory.update_service(get_db(request), user.actor, service_id, change)
    return RedirectResponse("/directory", status_code=303)


@router.post("/directory/unmet-needs")
@form_endpoint
def unmet_need_submit(request: Request) -> Response:
    user, form = _posted(request)
    need = parse(
        s.UnmetNeed,
        {
            "need": _text(form, "need"),
            "place": _text(form, "place"),
            "language": _text(form, "language"),
            "reason": _text(form, "reason") or "no_service",
        },
    )
    directory.record_unmet_need(get_db(request), user.actor, need)
    back = str(form.get("next") or "/directory")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/directory"
    return RedirectResponse(back + ("&" if "?" in back else "?") + "recorded=1", status_code=303)


# -- sending -------------------------------------------------------------------------------------------


def _send_form(
    request: Request,
    case_id: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    refusal: str | None = None,
    source: Any = None,
    consent_for: str | None = None,
    preview: referrals.ReceiverPreview | None = None,
) -> Response:
    raw, search, search_errors = _search_from(source if source is not None else request.query_params)
    viewer = session_user(request).actor
    results = directory.search_services(get_db(request), search, viewer) if search and search.need else []
    return render(
        request,
        "referral_new.html",
        status=status,
        case_id=case_id,
        search=raw,
        searched=search is not None and search.need is not None,
        search_query=urlencode({k: v for k, v in raw.items() if v}, doseq=True),
        results=results,
        values=values,
        errors={**search_errors, **errors},
        refusal=refusal,
        consent_for=consent_for,
        need_to_know={t.value: sorted(f) for t, f in s.NEED_TO_KNOW.items()},
        response_times=RESPONSE_TIMES,
        vocabularies=VOCABULARIES,
        recorded=request.query_params.get("recorded") == "1",
        preview=preview,
    )


@router.get("/cases/{case_id}/referrals/new")
def referral_form(case_id: str, request: Request) -> Response:
    user = session_user(request)
    referrals.check_may_refer(get_db(request), user.actor, case_id)
    draft = take_referral_draft(request, user, case_id) if request.query_params.get("draft") else None
    if draft is None:
        query: ImmutableMultiDict[str, str] = ImmutableMultiDict(request.query_params.multi_items())
        if "language" not in query:  # her language, from the case, until the caseworker chooses another
            spoken = cases.view_case(get_db(request), user.actor, case_id).case.get("languages") or []
            if spoken:
                query = ImmutableMultiDict([*query.multi_items(), ("language", str(spoken[0]).lower())])
        return _send_form(request, case_id, {"urgency": "routine"}, {}, source=query)
    # Back from recording her consent: the form as she left it.
    pairs = [(k, str(v)) for k, v in draft.items() if k != "attributes"]
    pairs += [("attributes", str(a)) for a in draft.get("attributes", [])]
    values = {k: str(v) for k, v in draft.items() if k != "attributes"}
    response = _send_form(request, case_id, values, {}, source=ImmutableMultiDict(pairs))
    forget_referral_draft(response)
    return response


@router.post("/cases/{case_id}/referrals/new")
@form_endpoint
def referral_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    raw = {
        "service_id": _text(form, "service_id"),
        "urgency": _text(form, "urgency") or "routine",
        "purpose": _text(form, "purpose"),
        "override_reason": _text(form, "override_reason"),
    }
    if form.get("action") == "preview":  # what the service will see, before anything is sent
        try:
            preview = referrals.receiver_preview(
                get_db(request), user.actor, case_id, raw["service_id"] or ""
            )
        except InvalidInput as exc:
            return _send_form(
                request, case_id, values, errors_by_field(exc, "service_id"), status=422, source=form
            )
        return _send_form(request, case_id, values, {}, source=form, preview=preview)
    try:
        request_ = parse(s.ReferralRequest, raw)
        sent = referrals.send_referral(get_db(request), user.actor, case_id, request_)
    except InvalidInput as exc:
        return _send_form(request, case_id, values, errors_by_field(exc, "purpose"), status=422, source=form)
    except Conflict as exc:
        return _send_form(
            request, case_id, values, errors_by_field(exc, "service_id"), status=409, source=form
        )
    except Forbidden as exc:
        # Kept while her consent is recorded, so that the form comes back as it was.
        service_id = raw["service_id"]
        recipient = None
        if service_id and "consent" in exc.message:  # her consent can open the way; the firewall never
            recipient = directory.get_service(get_db(request), service_id).organisation_id
        response = _send_form(
            request,
            case_id,
            values,
            {},
            status=403,
            refusal=exc.message,
            source=form,
            consent_for=recipient,
        )
        keep_referral_draft(request, response, user, case_id, form)
        return response
    response = RedirectResponse(done(f"/referrals/{sent.id}", "referral"), status_code=303)
    forget_referral_draft(response)
    return response


# -- receiving and tracking ----------------------------------------------------------------------------


@router.get("/referrals")
def referral_list(request: Request) -> Response:
    user = session_user(request)
    q = request.query_params
    status = q.get("status") if q.get("status") in VOCABULARIES["status"] else None
    direction = q.get("direction") if q.get("direction") in ("sent", "received") else None
    case_id = (q.get("case_id") or "").strip()[:36] or None
    try:
        page = max(1, min(int(q.get("page") or 1), 100_000))
    except ValueError:
        page = 1
    result = referrals.list_referrals(
        get_db(request), user.actor, status=status, direction=direction, case_id=case_id, page=page
    )
    base = {k: v for k, v in {"status": status, "direction": direction, "case_id": case_id}.items() if v}
    return render(
        request,
        "referrals.html",
        result=result,
        chosen=base,
        base_query=base,
        supervisor=user.actor.role is Role.SUPERVISOR,
        vocabularies=VOCABULARIES,
    )


@router.get("/referrals/escalations")
def escalation_list(request: Request) -> Response:
    user = session_user(request)
    items = referrals.list_escalations(get_db(request), user.actor, include_resolved=True)
    return render(request, "referral_escalations.html", items=items)


def _detail(
    request: Request, referral_id: str, errors: dict[str, str], values: dict[str, Any], status: int = 200
) -> Response:
    user = session_user(request)
    view = referrals.view_referral(get_db(request), user.actor, referral_id)
    return render(
        request,
        "referral.html",
        status=status,
        view=view,
        errors=errors,
        values=values,
        vocabularies=VOCABULARIES,
    )


@router.get("/referrals/{referral_id}")
def referral_page(referral_id: str, request: Request) -> Response:
    return _detail(request, referral_id, {}, {})


@router.post("/referrals/{referral_id}/{step}")
@form_endpoint
def referral_step(referral_id: str, step: str, request: Request) -> Response:
    user, form = _posted(request)
    try:
        chosen = s.ReferralStep(step)
    except ValueError:
        raise InvalidInput(f"unknown step {step!r}", field="step") from None
    values = {k: str(v) for k, v in form.items()}
    try:
        decline = None
        if chosen is s.ReferralStep.DECLINE:
            decline = parse(s.Decline, {"reason": _text(form, "reason"), "note": _text(form, "note")})
        referrals.act(get_db(request), user.actor, referral_id, chosen, decline)
    except InvalidInput as exc:
        return _detail(request, referral_id, errors_by_field(exc, "reason"), values, status=422)
    except Conflict as exc:
        return _detail(request, referral_id, {"step": exc.message}, values, status=409)
    return RedirectResponse(done(f"/referrals/{referral_id}", "referral-step"), status_code=303)


# -- the coordinator's dashboard -----------------------------------------------------------------------


@router.get("/dashboard")
def dashboard_page(request: Request) -> Response:
    user = session_user(request)
    board = dashboard.coordinator_dashboard(get_db(request), user.actor)
    pivot: dict[str, dict[str, int]] = {}
    for row in board.open_by_status:
        pivot.setdefault(row.organisation, {})[row.status] = row.count
    statuses = [st.value for st in s.ReferralStatus if st in s.OPEN_STATUSES]
    escalated = {c.organisation: c.count for c in board.open_escalations}
    return render(
        request,
        "dashboard.html",
        board=board,
        pivot=pivot,
        statuses=statuses,
        escalated=escalated,
        charts=charts,
    )


# -- entitlements --------------------------------------------------------------------------------------


def _entitlements_page(
    request: Request,
    case_id: str,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    user = session_user(request)
    view = entitlements.view_entitlements(get_db(request), user.actor, case_id)
    return render(
        request,
        "entitlements.html",
        status=status,
        view=view,
        e=view.entitlements,
        errors=errors or {},
        values=values or {},
        vocabularies=VOCABULARIES,
    )


@router.get("/cases/{case_id}/entitlements")
def entitlements_page(case_id: str, request: Request) -> Response:
    return _entitlements_page(request, case_id)


@router.post("/cases/{case_id}/entitlements")
@form_endpoint
def entitlements_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    keys = (
        "reflection_start",
        "reflection_days",
        "residence_permit",
        "legal_aid",
        "interpreter",
        "interpreter_language",
        "guardian_appointed_on",
        "best_interests_determined_on",
    )
    raw = {k: _text(form, k) for k in keys if _text(form, k) is not None}
    try:
        change = parse(s.EntitlementsChange, raw)
        entitlements.update_entitlements(get_db(request), user.actor, case_id, change)
    except InvalidInput as exc:
        return _entitlements_page(request, case_id, errors_by_field(exc, "reflection_days"), values, 422)
    return RedirectResponse(done(f"/cases/{case_id}/entitlements", "entitlements"), status_code=303)


@router.post("/cases/{case_id}/risk-assessments")
@form_endpoint
def risk_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    # No default: a risk assessment that says "no risk" opens the way to a return, so it must be chosen.
    found = {"yes": True, "no": False}.get(str(form.get("risk_found") or ""))
    raw = {
        "assessed_on": _text(form, "assessed_on"),
        "risk_found": found,
        "risks": [str(r) for r in form.getlist("risks")],
        "summary": _text(form, "summary"),
    }
    try:
        data = parse(s.RiskAssessmentInput, {k: v for k, v in raw.items() if v is not None})
        entitlements.add_risk_assessment(get_db(request), user.actor, case_id, data)
    except InvalidInput as exc:
        return _entitlements_page(request, case_id, errors_by_field(exc, "risks"), values, 422)
    return RedirectResponse(done(f"/cases/{case_id}/entitlements#risk", "risk"), status_code=303)


@router.post("/cases/{case_id}/outcome")
@form_endpoint
def outcome_submit(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = {k: str(v) for k, v in form.items()}
    try:
        plan = parse(s.OutcomePlan, {"outcome": _text(form, "outcome"), "note": _text(form, "note")})
        entitlements.plan_outcome(get_db(request), user.actor, case_id, plan)
    except InvalidInput as exc:
        return _entitlements_page(request, case_id, errors_by_field(exc, "outcome"), values, 422)
    except Conflict as exc:
        return _entitlements_page(request, case_id, {"outcome": exc.message}, values, 409)
    return RedirectResponse(done(f"/cases/{case_id}/entitlements#outcome", "outcome"), status_code=303)
