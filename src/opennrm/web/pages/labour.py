"""Labour inspection pages (GR38 §54(b)(c), §59, §60(d)).

- ``/agencies/check/{locale}`` (public, no log-in, no cookie, no JavaScript needed): a jobseeker checks
  whether an agency is licensed, by name or licence number. The form is posted, so the query is in no
  address, browser history or referrer; nothing about her or her query is kept (no audit event, and the
  request log names only the route).
- ``/labour`` (labour inspectors): the risk-ordered plan, inspections, new workplace; ``/labour/inspections``
  new (a one-column form usable on a phone) and one inspection with its labour-law actions and a worker's
  consented referral; ``/labour/agencies``: the registry, licences and their status, complaints;
  ``/labour/checklist.xlsx``: the checklist as an XLSForm.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, TypeVar

from babel.lists import format_list
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from opennrm.access.policy import Action
from opennrm.domain import labour as rules
from opennrm.domain.labour import (
    CHECKLIST,
    ActionKind,
    ActionOutcomeIn,
    ActionStatus,
    AgencyIn,
    ComplaintDecisionIn,
    ComplaintIn,
    ComplaintSource,
    DeductionKind,
    FindingKind,
    HousingCondition,
    InspectionIn,
    LabourActionIn,
    LicenceEventIn,
    LicenceIn,
    LicenceStatus,
    Sector,
    ViolationType,
    WorkerReferralIn,
    WorkplaceIn,
)
from opennrm.domain.remedies import parse_amount
from opennrm.domain.text import N_
from opennrm.screening.catalogue import default_catalogue, pick_text
from opennrm.services import labour, labour_xlsform
from opennrm.services.errors import Conflict, InvalidInput
from opennrm.web import formatting, i18n, negotiation
from opennrm.web.deps import check_csrf, get_db, get_settings, session_user
from opennrm.web.labels import label
from opennrm.web.pages.flash import done
from opennrm.web.pages.public import rights_settings
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()
M = TypeVar("M", bound=BaseModel)

LABELS: dict[str, str] = {
    "active": N_("licensed (active)"),
    "suspended": N_("suspended"),
    "revoked": N_("revoked"),
    "expired": N_("expired"),
    "unlicensed": N_("not licensed"),
    "not_yet_issued": N_("not yet issued"),
    "domestic_work": N_("domestic work"),
    "agriculture": N_("agriculture"),
    "garment": N_("garment"),
    "hospitality": N_("hospitality"),
    "entertainment": N_("entertainment"),
    "construction": N_("construction"),
    "fishing": N_("fishing"),
    "manufacturing": N_("manufacturing"),
    "care": N_("care"),
    "other": N_("other"),
    "gr38_sector": N_("a sector GR38 names"),
    "past_findings": N_("past findings"),
    "complaints": N_("complaints"),
    "linked_ad_networks": N_("linked job-ad networks"),
    "never_inspected": N_("never inspected"),
    "not_inspected_this_year": N_("not inspected for a year"),
    "worker_paid_fee": N_("fee or cost charged to workers"),
    "worker_paid_deposit": N_("deposit or bond taken from workers"),
    "document_retention": N_("passports or documents kept"),
    "contract_substitution": N_("contract substitution"),
    "deception": N_("deception"),
    "unlicensed_recruitment": N_("recruiting without a licence"),
    "worker": N_("a worker"),
    "jobseeker": N_("a jobseeker"),
    "organisation": N_("an organisation"),
    "inspection": N_("an inspection"),
    "reporting_channel": N_("the reporting channel"),
    "received": N_("received"),
    "upheld": N_("upheld"),
    "dismissed": N_("dismissed"),
    "housing": N_("housing"),
    "food": N_("food"),
    "recruitment_debt": N_("recruitment debt"),
    "transport": N_("transport"),
    "equipment": N_("equipment"),
    "not_provided": N_("not provided"),
    "adequate": N_("adequate"),
    "inadequate": N_("inadequate"),
    "forced_labour_indicator": N_("forced-labour indicator"),
    "wage_below_minimum": N_("wage below the minimum"),
    "excessive_hours": N_("excessive hours"),
    "automatic_deduction": N_("automatic deduction for housing or food (GR38 §60(d))"),
    "documents_held": N_("documents held by the employer"),
    "inadequate_housing": N_("inadequate housing"),
    "recruitment_fees": N_("recruitment fees charged to workers"),
    "advice": N_("advice"),
    "compliance_order": N_("compliance order"),
    "back_pay_order": N_("back-pay order"),
    "fine": N_("fine"),
    "stop_work_order": N_("stop-work order"),
    "labour_court": N_("labour court"),
    "open": N_("open"),
    "complied": N_("complied"),
    "appealed": N_("appealed"),
    "not_complied": N_("not complied"),
    "withdrawn": N_("withdrawn"),
    "not_seen": N_("not checked"),
}


def lb(code: Any) -> str:
    """The label of a labour code in the active language."""
    text = str(code)
    if text in LABELS:
        return i18n.gettext(LABELS[text])
    return label(code)


def join_list(codes: Any) -> str:
    """Labour codes' labels joined as the active language joins a list (``a, b, and c``, ``a、b和c``)."""
    return format_list([lb(code) for code in codes], style="standard", locale=i18n.active().locale)


WEIGHTS = {
    "sector": rules.SECTOR_WEIGHT,
    "finding": rules.FINDING_WEIGHT,
    "complaint": rules.COMPLAINT_WEIGHT,
    "network": rules.AD_NETWORK_WEIGHT,
    "cap": rules.CAP,
    "never": rules.NEVER_INSPECTED_WEIGHT,
    "year": rules.NEVER_INSPECTED_WEIGHT / 2,
}


# The ad scanner's licence flag (recruitment/licences.py) in the reader's language: its case and the status,
# with the day the suspension, revocation or expiry took effect.
LICENCE_DETAIL: dict[tuple[str, str], str] = {
    ("licence_not_in_force", "suspended"): N_("licence %(number)s of %(agency)s was suspended on %(since)s"),
    ("licence_not_in_force", "revoked"): N_("licence %(number)s of %(agency)s was revoked on %(since)s"),
    ("licence_not_in_force", "expired"): N_("licence %(number)s of %(agency)s expired on %(since)s"),
    ("licence_not_in_force", ""): N_("licence %(number)s of %(agency)s is not in force (%(status)s)"),
    ("agency_not_in_force", "suspended"): N_(
        "the licence of the agency %(agency)s was suspended on %(since)s"
    ),
    ("agency_not_in_force", "revoked"): N_("the licence of the agency %(agency)s was revoked on %(since)s"),
    ("agency_not_in_force", "expired"): N_("the licence of the agency %(agency)s expired on %(since)s"),
    ("agency_not_in_force", ""): N_("the agency %(agency)s is not licensed (%(status)s)"),
    ("unknown_number", ""): N_("licence number %(number)s is not in the registry"),
    ("agency_not_registered", ""): N_("the agency %(agency)s is not in the registry of licensed agencies"),
}


def licence_flag_detail(detail: Any, evidence: str = "") -> str:
    """The licence flag's evidence as a sentence in the active language; ``evidence`` (English, as stored
    by an older scan) when the flag has no structured detail."""
    if not isinstance(detail, dict) or "case" not in detail:
        return evidence
    case, status, since = str(detail["case"]), str(detail.get("status") or ""), str(detail.get("since") or "")
    template = LICENCE_DETAIL.get((case, status if since else "")) or LICENCE_DETAIL.get((case, ""))
    if template is None:
        return evidence
    return i18n.gettext(template) % {
        "number": detail.get("number", ""),
        "agency": detail.get("agency", ""),
        "status": lb(status),
        "since": formatting.format_date(since),
    }


def indicator_text(indicator_id: str) -> str:
    """The screening catalogue's text of an indicator in the active language."""
    indicator = default_catalogue().indicators[indicator_id]
    return pick_text(indicator.text, i18n.active().tag)


CHOICES = {
    "sectors": [s.value for s in Sector],
    "deduction_kinds": [d.value for d in DeductionKind],
    "housing_conditions": [h.value for h in HousingCondition],
    "checklist": CHECKLIST,
    "action_kinds": [k.value for k in ActionKind],
    "action_statuses": [s.value for s in ActionStatus if s is not ActionStatus.OPEN],
    "findings_kinds": [f.value for f in FindingKind],
    "licence_statuses": [s.value for s in LicenceStatus],
    "violation_types": [v.value for v in ViolationType],
    "complaint_sources": [s.value for s in ComplaintSource],
}


async def _posted(request: Request) -> tuple[Any, FormData]:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    return user, form


def _validated(model: type[M], raw: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(raw), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "form"
            errors.setdefault(name, str(e["msg"]).removeprefix("Value error, "))
        return None, errors


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


def _present(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {n: _text(form, n) for n in names if _text(form, n)}


def _refused(exc: InvalidInput | Conflict) -> dict[str, str]:
    name = (exc.field or "form").split(".")[0]
    return {name: exc.message.removeprefix(f"{exc.field}: ") if exc.field else exc.message}


def _of(errors: dict[str, str], record_id: str) -> dict[str, str]:
    """Errors of a form repeated on the page once per record, keyed by its fields' ids (``on-<id>``)."""
    return {f"{name}-{record_id}": message for name, message in errors.items()}


EXPIRES_BEFORE_ISSUE = N_("The licence cannot expire before the day it was issued.")
ISSUED_IN_FUTURE = N_("The issue date cannot be in the future.")


def _licence_dates(values: dict[str, str]) -> dict[str, str]:
    """The mistakes in a new licence's dates, found with the other fields' (a model's own date check only
    runs once every field is valid): an expiry before the issue, an issue in the future."""

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(values.get(name, ""))
        except ValueError:
            return None

    issued, expires = day("issued_on"), day("expires_on")
    errors: dict[str, str] = {}
    if issued is not None and issued > dt.date.today():
        errors["issued_on"] = ISSUED_IN_FUTURE
    if issued is not None and expires is not None and expires < issued:
        errors["expires_on"] = EXPIRES_BEFORE_ISSUE
    return errors


def _page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("values", {})
    context.setdefault("errors", {})
    return render(
        request,
        template,
        status=status,
        lb=lb,
        join_list=join_list,
        weights=WEIGHTS,
        indicator_text=indicator_text,
        **CHOICES,
        **context,
    )


# -- the public check -----------------------------------------------------------------------------------


@router.get("/agencies/check")
def check_in_your_language(request: Request) -> Response:
    tag = negotiation.negotiate(
        None, request.cookies.get(negotiation.COOKIE), request.headers.get("accept-language")
    )
    response = RedirectResponse(f"/agencies/check/{tag}", status_code=303)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _public(request: Request, locale: str, **context: Any) -> Response:
    request.state.language = locale
    leaflet = rights_settings(get_settings(request).home)
    return render(
        request,
        "agency_check.html",
        quick_exit_url=leaflet.quick_exit_url,
        public_path="/agencies/check/",
        lb=lb,
        **context,
    )


@router.get("/agencies/check/{locale}")
def check_page(locale: str, request: Request) -> Response:
    if locale not in i18n.available():
        found = negotiation.match(locale)
        return RedirectResponse(f"/agencies/check/{found}" if found else "/agencies/check", status_code=303)
    return _public(request, locale, query="", results=None)


@router.post("/agencies/check/{locale}")
async def check_result(locale: str, request: Request) -> Response:
    require_same_origin(request)
    if locale not in i18n.available():
        return RedirectResponse("/agencies/check", status_code=303)
    form = await request.form()
    query = _text(form, "q")[:200]
    if not query:
        # nothing to look up: ask for a name or number rather than answer "not in the registry"
        return _public(request, locale, query="", results=None, empty=True)
    today = dt.date.today()
    results = await run_in_threadpool(labour.public_check, get_db(request), query, today)
    return _public(request, locale, query=query, results=results, on=today)


# -- the inspector's home -------------------------------------------------------------------------------


def _home(request: Request, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    db = get_db(request)
    return _page(
        request,
        "labour.html",
        status=status,
        plan=labour.inspection_plan(db, user.actor),
        inspections=labour.list_inspections(db, user.actor),
        agencies=labour.list_agencies(db, user.actor),
        **context,
    )


@router.get("/labour")
def home(request: Request) -> Response:
    return _home(request)


@router.post("/labour/workplaces")
async def add_workplace(request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("name", "sector", "region", "agency_id"))
    data, errors = _validated(WorkplaceIn, values)
    if data is None:
        return _home(request, status=422, values=values, errors=errors)
    try:
        await run_in_threadpool(labour.add_workplace, get_db(request), user.actor, data)
    except InvalidInput as exc:
        return _home(request, status=422, values=values, errors=_refused(exc))
    return RedirectResponse(done("/labour#plan", "workplace"), status_code=303)


def in_language(tag: str, english: str) -> str:
    """``english`` as the web pages say it in the language ``tag`` (the XLSForm's label columns)."""
    with i18n.activated(tag):
        return i18n.gettext(english)


@router.get("/labour/checklist.xlsx")
def checklist(request: Request) -> Response:
    """The inspection checklist as an XLSForm for offline collection tools."""
    user = session_user(request)
    labour.check(get_db(request), user.actor, Action.INSPECTION_READ, "checklist")
    return Response(
        labour_xlsform.xlsform(translate=in_language),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="opennrm-labour-inspection.xlsx"'},
    )


@router.get("/labour/statistics")
def statistics_page(request: Request, year: str = "") -> Response:
    """The labour figures of the periodic report (``/api/labour/statistics``), small cells shown as "<11";
    linked from the statistics page for whoever works in labour inspection."""
    user = session_user(request)
    db = get_db(request)
    labour.check_aggregates(db, user.actor)
    this_year = dt.date.today().year
    years = list(range(this_year, this_year - 10, -1))
    chosen = int(year) if year.isdigit() and int(year) in years else None
    return _page(
        request,
        "labour_statistics.html",
        figures=labour.counts(db, user.actor.user_id, year=chosen),
        years=years,
        year=chosen,
    )


# -- recording an inspection ----------------------------------------------------------------------------

INSPECTION_FIELDS = (
    "workplace_id",
    "visited_on",
    "announced",
    "women_met",
    "men_met",
    "others_met",
    "currency",
    "monthly_wage",
    "minimum_wage",
    "weekly_hours",
    "housing",
    "documents_held",
    "agency_id",
    "notes",
)
MONEY = {"monthly_wage": "monthly_wage_minor", "minimum_wage": "minimum_wage_minor"}


AMOUNT_EXPECTED = N_("Enter the amount as a number, like 1250.50.")
CURRENCY_EXPECTED = N_("Enter a three-letter currency code such as USD.")
_CURRENCY = re.compile(r"[A-Z]{3}")


def _minor(text: str) -> int | None:
    """An amount as typed (``1250.50``, ``1,250.50``) in minor units (``125050``); ``None`` when it is not
    such a number (``12,50abc``, ``12,50``: a comma only between thousands)."""
    amount = parse_amount(text)
    if amount is None or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        return None
    return int(amount * 100)


def _money_errors(values: dict[str, str], amounts: tuple[str, ...], currency: str) -> dict[str, str]:
    """What the page says about amounts and a currency it cannot read, in words that say what is expected."""
    errors = {name: AMOUNT_EXPECTED for name in amounts if values.get(name) and _minor(values[name]) is None}
    if values.get(currency) and not _CURRENCY.fullmatch(values[currency].upper()):
        errors[currency] = CURRENCY_EXPECTED
    return errors


def _inspection_raw(form: FormData) -> dict[str, Any]:
    values = _present(form, INSPECTION_FIELDS)
    raw: dict[str, Any] = {}
    for name, value in values.items():
        if name in MONEY:
            raw[MONEY[name]] = _minor(value)
        elif name == "announced":
            raw[name] = value == "yes"
        elif name == "currency":
            raw[name] = value.upper()
        else:
            raw[name] = value
    raw["indicators"] = [str(v) for v in form.getlist("indicators")]
    raw["deductions"] = [
        {"kind": str(kind), "automatic": True} for kind in form.getlist("automatic_deductions")
    ]
    return raw


def _inspection_form(request: Request, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    db = get_db(request)
    return _page(
        request,
        "labour_inspection_form.html",
        status=status,
        workplaces=labour.inspection_plan(db, user.actor),
        agencies=labour.list_agencies(db, user.actor),
        chosen=context.pop("chosen", []),
        deducted=context.pop("deducted", []),
        **context,
    )


@router.get("/labour/inspections/new")
def new_inspection(request: Request, workplace: str = "") -> Response:
    return _inspection_form(
        request,
        values={"workplace_id": workplace, "visited_on": dt.date.today().isoformat(), "announced": "no"},
    )


@router.post("/labour/inspections")
async def add_inspection(request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, INSPECTION_FIELDS)
    raw = _inspection_raw(form)
    money = _money_errors(values, tuple(MONEY), "currency")
    data, errors = _validated(InspectionIn, raw)
    errors = {({v: k for k, v in MONEY.items()}.get(k, k)): m for k, m in errors.items()} | money
    if data is None or money:
        return _inspection_form(
            request,
            status=422,
            values=values,
            errors=errors,
            chosen=raw["indicators"],
            deducted=[d["kind"] for d in raw["deductions"]],
        )
    try:
        inspection_id = await run_in_threadpool(labour.record_inspection, get_db(request), user.actor, data)
    except InvalidInput as exc:
        return _inspection_form(
            request,
            status=422,
            values=values,
            errors=_refused(exc),
            chosen=raw["indicators"],
            deducted=[d["kind"] for d in raw["deductions"]],
        )
    return RedirectResponse(done(f"/labour/inspections/{inspection_id}", "inspection"), status_code=303)


# -- one inspection ---------------------------------------------------------------------------------------


def _inspection_page(request: Request, inspection_id: str, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    db = get_db(request)
    view = labour.view_inspection(db, user.actor, inspection_id)
    return _page(
        request,
        "labour_inspection.html",
        status=status,
        view=view,
        services=labour.referral_services(db, user.actor),
        form=context.pop("form", None),
        **context,
    )


@router.get("/labour/inspections/{inspection_id}")
def inspection_page(inspection_id: str, request: Request) -> Response:
    return _inspection_page(request, inspection_id)


@router.post("/labour/inspections/{inspection_id}/actions")
async def add_action(inspection_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("kind", "finding", "taken_on", "due_on", "notes"))
    data, errors = _validated(LabourActionIn, values)
    if data is None:
        return _inspection_page(request, inspection_id, 422, values=values, errors=errors, form="action")
    try:
        await run_in_threadpool(labour.add_action, get_db(request), user.actor, inspection_id, data)
    except InvalidInput as exc:
        return _inspection_page(
            request, inspection_id, 422, values=values, errors=_refused(exc), form="action"
        )
    return RedirectResponse(
        done(f"/labour/inspections/{inspection_id}#actions", "labour-action"), status_code=303
    )


@router.post("/labour/actions/{action_id}/outcome")
async def action_outcome(action_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("status", "on", "notes", "inspection_id"))
    data, errors = _validated(ActionOutcomeIn, {k: v for k, v in values.items() if k != "inspection_id"})
    back = values.get("inspection_id", "")
    form_id = f"outcome-{action_id}"
    if data is None:
        return _inspection_page(
            request, back, 422, values=values, errors=_of(errors, action_id), form=form_id
        )
    try:
        inspection_id = await run_in_threadpool(
            labour.update_action, get_db(request), user.actor, action_id, data
        )
    except InvalidInput as exc:
        return _inspection_page(
            request, back, 422, values=values, errors=_of(_refused(exc), action_id), form=form_id
        )
    return RedirectResponse(
        done(f"/labour/inspections/{inspection_id}#actions", "action-outcome"), status_code=303
    )


REFERRAL_FIELDS = ("consent_language", "service_id", "purpose", "sex", "age")


@router.post("/labour/inspections/{inspection_id}/referrals")
async def refer_worker(inspection_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, REFERRAL_FIELDS)
    raw: dict[str, Any] = dict(values)
    raw["consent_given"] = _text(form, "consent_given") == "yes"
    raw["interpreter_used"] = _text(form, "interpreter_used") == "yes"
    raw["age_uncertain"] = _text(form, "age_uncertain") == "yes"
    raw["indicators"] = [str(v) for v in form.getlist("worker_indicators")]
    data, errors = _validated(WorkerReferralIn, raw)
    if data is None:
        errors = {("worker_indicators" if k == "indicators" else k): m for k, m in errors.items()}
        if "form" in errors and not raw["consent_given"]:
            errors = {"consent_given": errors.pop("form"), **errors}
        return _inspection_page(
            request,
            inspection_id,
            422,
            values=values,
            errors=errors,
            form="referral",
            worker_chosen=raw["indicators"],
        )
    try:
        sent = await run_in_threadpool(
            labour.refer_worker,
            get_db(request),
            user.actor,
            inspection_id,
            data,
            terms=get_settings(request).consent_terms,
        )
    except InvalidInput as exc:
        return _inspection_page(
            request,
            inspection_id,
            422,
            values=values,
            errors=_refused(exc),
            form="referral",
            worker_chosen=raw["indicators"],
        )
    return RedirectResponse(done(f"/cases/{sent.case_id}#h-referrals", "labour-referral"), status_code=303)


# -- the agency registry ----------------------------------------------------------------------------------


def _agencies(request: Request, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    return _page(
        request,
        "labour_agencies.html",
        status=status,
        agencies=labour.list_agencies(get_db(request), user.actor),
        **context,
    )


@router.get("/labour/agencies")
def agencies_page(request: Request) -> Response:
    return _agencies(request)


@router.post("/labour/agencies")
async def add_agency(request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("name", "registration_ref", "country"))
    data, errors = _validated(AgencyIn, values)
    if data is None:
        return _agencies(request, 422, values=values, errors=errors)
    try:
        agency_id = await run_in_threadpool(labour.add_agency, get_db(request), user.actor, data)
    except (InvalidInput, Conflict) as exc:
        return _agencies(request, 422, values=values, errors=_refused(exc))
    return RedirectResponse(done(f"/labour/agencies/{agency_id}", "agency"), status_code=303)


def _agency(request: Request, agency_id: str, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    return _page(
        request,
        "labour_agency.html",
        status=status,
        view=labour.view_agency(get_db(request), user.actor, agency_id),
        form=context.pop("form", None),
        **context,
    )


@router.get("/labour/agencies/{agency_id}")
def agency_page(agency_id: str, request: Request) -> Response:
    return _agency(request, agency_id)


@router.post("/labour/agencies/{agency_id}/licences")
async def add_licence(agency_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("number", "issuing_authority", "issued_on", "expires_on", "decision_ref"))
    raw: dict[str, Any] = dict(values)
    raw["countries_served"] = [
        c.strip() for c in _text(form, "countries_served").replace(";", ",").split(",") if c.strip()
    ]
    values["countries_served"] = _text(form, "countries_served")
    data, errors = _validated(LicenceIn, raw)
    dates = _licence_dates(values)
    if dates:
        # the dates' mistakes with every other one, on their fields, in plain words
        errors = {k: m for k, m in errors.items() if k != "form"} | dates
    if data is None or dates:
        return _agency(request, agency_id, 422, values=values, errors=errors, form="licence")
    try:
        await run_in_threadpool(labour.add_licence, get_db(request), user.actor, agency_id, data)
    except (InvalidInput, Conflict) as exc:
        return _agency(request, agency_id, 422, values=values, errors=_refused(exc), form="licence")
    return RedirectResponse(done(f"/labour/agencies/{agency_id}#licences", "licence"), status_code=303)


@router.post("/labour/licences/{licence_id}/status")
async def licence_status(licence_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("status", "effective_on", "decision_ref", "reason", "agency_id"))
    back = values.pop("agency_id", "")
    data, errors = _validated(LicenceEventIn, values)
    form_id = f"status-{licence_id}"
    if data is None:
        return _agency(request, back, 422, values=values, errors=_of(errors, licence_id), form=form_id)
    try:
        agency_id = await run_in_threadpool(
            labour.change_licence, get_db(request), user.actor, licence_id, data
        )
    except InvalidInput as exc:
        return _agency(request, back, 422, values=values, errors=_of(_refused(exc), licence_id), form=form_id)
    return RedirectResponse(done(f"/labour/agencies/{agency_id}#licences", "licence-status"), status_code=303)


@router.post("/labour/agencies/{agency_id}/complaints")
async def add_complaint(agency_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(
        form, ("received_on", "source", "summary", "fee_category", "fee_amount", "fee_currency")
    )
    raw: dict[str, Any] = {k: v for k, v in values.items() if not k.startswith("fee_")}
    raw["allegations"] = [str(v) for v in form.getlist("allegations")]
    money = _money_errors(values, ("fee_amount",), "fee_currency")
    if values.get("fee_amount") and not money:
        raw["payments"] = [
            {
                "category": values.get("fee_category", "recruitment_fee"),
                "paid_by": "worker",
                "amount_minor": _minor(values["fee_amount"]),
                "currency": values.get("fee_currency", "USD").upper(),
            }
        ]
    data, errors = _validated(ComplaintIn, raw)
    if data is None or money:
        errors = {("fee_amount" if k == "payments" else k): m for k, m in errors.items()} | money
        if "form" in errors:
            errors = {"allegations": errors.pop("form"), **errors}
        return _agency(
            request,
            agency_id,
            422,
            values=values,
            errors=errors,
            form="complaint",
            alleged=raw["allegations"],
        )
    await run_in_threadpool(labour.record_complaint, get_db(request), user.actor, agency_id, data)
    return RedirectResponse(done(f"/labour/agencies/{agency_id}#complaints", "complaint"), status_code=303)


@router.post("/labour/complaints/{complaint_id}/decision")
async def decide_complaint(complaint_id: str, request: Request) -> Response:
    user, form = await _posted(request)
    values = _present(form, ("status", "decided_on", "decision_ref", "agency_id"))
    back = values.pop("agency_id", "")
    data, errors = _validated(ComplaintDecisionIn, values)
    if data is None:
        return _agency(request, back, 422, values=values, errors=errors, form=f"decide-{complaint_id}")
    try:
        await run_in_threadpool(labour.decide_complaint, get_db(request), user.actor, complaint_id, data)
    except Conflict as exc:
        return _agency(request, back, 422, values=values, errors=_refused(exc), form=f"decide-{complaint_id}")
    return RedirectResponse(
        done(f"/labour/agencies/{back}#complaints", "complaint-decision"), status_code=303
    )
