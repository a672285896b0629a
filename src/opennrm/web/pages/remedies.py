"""Remedies pages (GR38 §101, §108): her claims (new claim), one claim (record an award, a payment, where it
stands; withdrawing asks first), and the justice aggregates the secretariat enters (GR38 §110)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from opennrm.domain.justice import (
    EXPLOITATION_FORMS,
    JusticeAggregateIn,
    JusticeStage,
    PerpetratorAge,
    PerpetratorSex,
)
from opennrm.domain.remedies import (
    MANUAL_STATUSES,
    AwardIn,
    ClaimKind,
    ClaimStatus,
    Payer,
    PaymentIn,
    RemedyClaimIn,
    RemedyRoute,
    StatusIn,
)
from opennrm.domain.text import N_
from opennrm.services import finance, justice, remedies
from opennrm.services.errors import InvalidInput, NotFound
from opennrm.services.finance import ConfiscationView
from opennrm.services.remedies import ClaimView, RemediesView
from opennrm.web import i18n, negotiation, pickers
from opennrm.web.deps import check_csrf, get_db, get_settings, session_user
from opennrm.web.labels import label
from opennrm.web.pages.flash import done
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()
M = TypeVar("M", bound=BaseModel)

LABELS: dict[str, str] = {
    "criminal": N_("criminal proceedings"),
    "civil": N_("civil claim"),
    "labour": N_("labour court or inspectorate"),
    "administrative": N_("administrative scheme (State fund)"),
    "compensation": N_("compensation"),
    "back_wages": N_("wages owed"),
    "state_fund": N_("State compensation fund"),
    "trafficker": N_("the trafficker"),
    "employer": N_("the employer"),
    "other": N_("someone else"),
    "planned": N_("planned"),
    "filed": N_("filed"),
    "awarded": N_("awarded"),
    "refused": N_("refused"),
    "appealed": N_("appealed"),
    "paid_in_part": N_("paid in part"),
    "paid": N_("paid"),
    "withdrawn": N_("withdrawn"),
    "investigation": N_("investigations"),
    "prosecution": N_("prosecutions"),
    "conviction": N_("convictions"),
    "female": N_("female"),
    "male": N_("male"),
    "unknown": N_("unknown"),
    "under_18": N_("under 18"),
    "18_29": N_("18 to 29"),
    "30_49": N_("30 to 49"),
    "50_plus": N_("50 and over"),
}


def rm_label(code: str) -> str:
    """The label of a remedies or justice code in the active language."""
    if code in LABELS:
        return i18n.gettext(LABELS[code])
    return label(code)


CLAIM_CHOICES = {
    "routes": [r.value for r in RemedyRoute],
    "kinds": [k.value for k in ClaimKind],
    "payers": [p.value for p in Payer],
    "new_statuses": [ClaimStatus.PLANNED.value, ClaimStatus.FILED.value],
    "manual_statuses": [
        s.value for s in ClaimStatus if s in MANUAL_STATUSES and s is not ClaimStatus.WITHDRAWN
    ],
}
CLAIM_FIELDS = ("route", "kind", "payer", "currency", "amount_claimed", "status", "filed_on", "notes")
AWARD_FIELDS = ("amount_awarded", "awarded_on", "award_payer")
PAYMENT_FIELDS = ("amount_paid", "paid_on", "payer")
STATUS_FIELDS = ("status", "status_on", "status_notes")


def _posted(request: Request) -> tuple[Any, FormData]:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    return user, form


def _values(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in names}


def _validated(
    model: type[M], raw: dict[str, Any], rename: dict[str, str] | None = None
) -> tuple[M | None, dict[str, str]]:
    """The model, or every error keyed by the form field at fault (for the error summary)."""
    rename = rename or {}
    try:
        return model.model_validate(raw), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            name = str(e["loc"][0]) if e["loc"] else "form"
            errors.setdefault(rename.get(name, name), str(e["msg"]).removeprefix("Value error, "))
        return None, errors


def _present(values: dict[str, str], rename: dict[str, str] | None = None) -> dict[str, str]:
    """The non-empty form values, under the model's names."""
    rename = rename or {}
    return {rename.get(k, k): v for k, v in values.items() if v}


# -- her claims ---------------------------------------------------------------------------------------


def _claims_page(request: Request, view: RemediesView, status: int = 200, **form: Any) -> Response:
    context = {"values": {}, "errors": {}, "account_values": {}, "account_errors": {}, **form}
    user = session_user(request)
    db = get_db(request)
    may_record = finance.may_record_account(db, user.actor, view.case_id)
    return render(
        request,
        "remedies.html",
        status=status,
        view=view,
        rm_label=rm_label,
        may_record_account=may_record,
        her_accounts=finance.consented_accounts(db, user.actor, view.case_id) if may_record else [],
        units=finance.compensation_units(db) if may_record else [],
        languages_by_name=list(pickers.language_names(negotiation.request_language(request, user))),
        **CLAIM_CHOICES,
        **context,
    )


@router.get("/cases/{case_id}/remedies")
def claims_page(case_id: str, request: Request) -> Response:
    user = session_user(request)
    return _claims_page(request, remedies.view_claims(get_db(request), user.actor, case_id))


@router.post("/cases/{case_id}/remedies")
@form_endpoint
def add_claim(case_id: str, request: Request) -> Response:
    user, form = _posted(request)
    values = _values(form, CLAIM_FIELDS)
    data, errors = _validated(RemedyClaimIn, _present(values))
    if data is None:
        view = remedies.view_claims(get_db(request), user.actor, case_id)
        return _claims_page(request, view, status=422, values=values, errors=errors)
    claim_id = remedies.record_claim(get_db(request), user.actor, case_id, data)
    return RedirectResponse(done(f"/cases/{case_id}/remedies#claim-{claim_id}", "claim"), status_code=303)


ACCOUNT_FIELDS = ("account", "organisation_id", "language", "expires_on")


@router.post("/cases/{case_id}/remedies/account")
@form_endpoint
def her_account(case_id: str, request: Request) -> Response:
    """Her own account, recorded with her consent for compensation naming one financial intelligence unit,
    which may then trace from it (never seeing her case) while the consent is in force."""
    user, form = _posted(request)
    values = _values(form, ACCOUNT_FIELDS)
    values["interpreter_used"] = "yes" if form.get("interpreter_used") else ""
    errors = {name: "Field required" for name in ACCOUNT_FIELDS[:3] if not values[name]}
    db = get_db(request)
    if not errors:
        try:
            finance.record_consented_account(
                db,
                user.actor,
                case_id,
                values["account"],
                values["organisation_id"],
                values["language"],
                values["expires_on"] or None,
                bool(values["interpreter_used"]),
                terms=get_settings(request).consent_terms,
            )
        except InvalidInput as exc:
            name = (exc.field or "account").split(".")[0]
            name = {"recipient_organisation_ids": "organisation_id"}.get(name, name)
            name = name if name in ACCOUNT_FIELDS else "account"
            errors = {name: exc.message.removeprefix(f"{exc.field}: ")}
    if errors:
        view = remedies.view_claims(db, user.actor, case_id)
        return _claims_page(request, view, status=422, account_values=values, account_errors=errors)
    return RedirectResponse(done(f"/cases/{case_id}/remedies#h-account", "her-account"), status_code=303)


# -- one claim ----------------------------------------------------------------------------------------


def _in_currency(confiscations: list[ConfiscationView], claim: ClaimView | None) -> list[ConfiscationView]:
    """The confiscations whose proceeds can go to the claim: those in its currency."""
    return [c for c in confiscations if claim is not None and c.currency == claim.currency]


def _claim_page(request: Request, claim_id: str, status: int = 200, **form: Any) -> Response:
    user = session_user(request)
    try:
        uuid.UUID(claim_id)
    except ValueError:
        raise NotFound(f"no claim {claim_id}") from None
    db = get_db(request)
    view = remedies.view_claims(db, user.actor, remedies.case_of_claim(db, user.actor, claim_id))
    claim = view.claim(claim_id)
    context = {"values": {}, "errors": {}, "form": None, **form}
    may_allocate = view.may_update and finance.may_allocate(user.actor)
    return render(
        request,
        "remedy_claim.html",
        status=status,
        view=view,
        claim=claim,
        may_allocate=may_allocate,
        confiscations=_in_currency(finance.confiscations_available(db, user.actor), claim)
        if may_allocate
        else [],
        rm_label=rm_label,
        **CLAIM_CHOICES,
        **context,
    )


@router.get("/remedies/{claim_id}")
def claim_page(claim_id: str, request: Request) -> Response:
    return _claim_page(request, claim_id)


def _claim_form(
    request: Request,
    claim_id: str,
    model: type[BaseModel],
    names: tuple[str, ...],
    form_name: str,
    rename: dict[str, str],
) -> tuple[Any, BaseModel | None, Response | None]:
    user, form = _posted(request)
    values = _values(form, names)
    data, errors = _validated(model, _present(values, rename), {v: k for k, v in rename.items()})
    if data is None:
        return (
            user,
            None,
            _claim_page(request, claim_id, status=422, values=values, errors=errors, form=form_name),
        )
    return user, data, None


def _rule_refused(
    request: Request,
    claim_id: str,
    exc: InvalidInput,
    values: dict[str, str],
    form_name: str,
    field_map: dict[str, str],
) -> Response:
    name = (exc.field or "form").split(".")[0]
    message = exc.message.removeprefix(f"{exc.field}: ") if exc.field else exc.message
    return _claim_page(
        request,
        claim_id,
        status=422,
        values=values,
        errors={field_map.get(name, name): message},
        form=form_name,
    )


def _claim_step(
    request: Request,
    claim_id: str,
    model: type[BaseModel],
    fields: tuple[str, ...],
    name: str,
    rename: dict[str, str],
    record: Callable[[Any, Any, str, Any], object],
    amount_field: str,
) -> Response:
    """An award or a payment on her claim: checked, recorded, or shown again with what the rule refused."""
    user, data, refused = _claim_form(request, claim_id, model, fields, name, rename)
    if refused is not None:
        return refused
    try:
        record(get_db(request), user.actor, claim_id, data)
    except InvalidInput as exc:
        values = _values(posted_form(request), fields)
        return _rule_refused(request, claim_id, exc, values, name, {"status": amount_field})
    return RedirectResponse(done(f"/remedies/{claim_id}", name), status_code=303)


@router.post("/remedies/{claim_id}/award")
@form_endpoint
def award(claim_id: str, request: Request) -> Response:
    rename = {"award_payer": "payer"}
    return _claim_step(
        request, claim_id, AwardIn, AWARD_FIELDS, "award", rename, remedies.record_award, "amount_awarded"
    )


@router.post("/remedies/{claim_id}/payments")
@form_endpoint
def payment(claim_id: str, request: Request) -> Response:
    return _claim_step(
        request, claim_id, PaymentIn, PAYMENT_FIELDS, "payment", {}, remedies.record_payment, "amount_paid"
    )


@router.post("/remedies/{claim_id}/status")
@form_endpoint
def status(claim_id: str, request: Request) -> Response:
    rename = {"status_on": "on", "status_notes": "notes"}
    user, data, refused = _claim_form(request, claim_id, StatusIn, STATUS_FIELDS, "status", rename)
    if refused is not None:
        return refused
    assert isinstance(data, StatusIn)  # noqa: S101
    if data.status is ClaimStatus.WITHDRAWN:  # irreversible: only through the confirmation page
        return RedirectResponse(f"/remedies/{claim_id}/withdraw", status_code=303)
    try:
        remedies.update_status(get_db(request), user.actor, claim_id, data)
    except InvalidInput as exc:
        form = posted_form(request)
        return _rule_refused(request, claim_id, exc, _values(form, STATUS_FIELDS), "status", {})
    return RedirectResponse(done(f"/remedies/{claim_id}", "claim-status"), status_code=303)


# Where the finance service names the field at fault, and the form's name for it.
PROCEEDS_FIELDS = ("confiscation", "proceeds_amount", "proceeds_on")
_PROCEEDS_ERRORS = {"amount": "proceeds_amount", "allocated_on": "proceeds_on", "currency": "confiscation"}


@router.post("/remedies/{claim_id}/proceeds")
@form_endpoint
def proceeds(claim_id: str, request: Request) -> Response:
    """Allocate part of a confiscation to her claim (``services.finance.allocate``: the ledger never goes
    beyond the confiscated amount, and nothing is written when it is refused)."""
    user, form = _posted(request)
    values = _values(form, PROCEEDS_FIELDS)
    errors = {name: "Field required" for name in PROCEEDS_FIELDS if not values[name]}
    if errors:
        return _claim_page(request, claim_id, status=422, values=values, errors=errors, form="proceeds")
    db = get_db(request)
    try:
        finance.allocate(
            db, user.actor, values["confiscation"], claim_id, values["proceeds_amount"], values["proceeds_on"]
        )
    except NotFound as exc:
        if "confiscation" not in str(exc):
            raise
        errors = {"confiscation": N_("Choose one of the options offered.")}
        return _claim_page(request, claim_id, status=422, values=values, errors=errors, form="proceeds")
    except InvalidInput as exc:
        if exc.field == "amount" and "left to allocate" in exc.message:
            available = finance.confiscations_available(db, user.actor)
            left = next((c for c in available if c.id == values["confiscation"]), None)
            message = i18n.gettext(N_("More than is left of this confiscation (%(left)s %(currency)s).")) % {
                "left": left.remaining if left else "0",
                "currency": left.currency if left else "",
            }
            errors = {"proceeds_amount": message}
            return _claim_page(request, claim_id, status=422, values=values, errors=errors, form="proceeds")
        return _rule_refused(request, claim_id, exc, values, "proceeds", _PROCEEDS_ERRORS)
    return RedirectResponse(done(f"/remedies/{claim_id}#h-allocations", "proceeds"), status_code=303)


@router.get("/remedies/{claim_id}/withdraw")
def withdraw_confirm(claim_id: str, request: Request) -> Response:
    user = session_user(request)
    try:
        uuid.UUID(claim_id)
    except ValueError:
        raise NotFound(f"no claim {claim_id}") from None
    db = get_db(request)
    view = remedies.view_claims(db, user.actor, remedies.case_of_claim(db, user.actor, claim_id))
    return render(request, "remedy_withdraw.html", view=view, claim=view.claim(claim_id), rm_label=rm_label)


@router.post("/remedies/{claim_id}/withdraw")
@form_endpoint
def withdraw(claim_id: str, request: Request) -> Response:
    user, _form = _posted(request)
    case_id = remedies.update_status(
        get_db(request), user.actor, claim_id, StatusIn(status=ClaimStatus.WITHDRAWN)
    )
    return RedirectResponse(done(f"/cases/{case_id}/remedies", "claim-withdrawn"), status_code=303)


# -- justice aggregates (the secretariat) --------------------------------------------------------------

JUSTICE_FIELDS = ("year", "stage", "exploitation", "sex", "age_group", "nationality", "count")
JUSTICE_CHOICES = {
    "stages": [s.value for s in JusticeStage],
    "exploitation_forms": list(EXPLOITATION_FORMS),
    "sexes": [s.value for s in PerpetratorSex],
    "age_groups": [a.value for a in PerpetratorAge],
}


def _justice_page(request: Request, status: int = 200, **form: Any) -> Response:
    user = session_user(request)
    justice.check_may_enter(get_db(request), user.actor)
    rows = justice.aggregates(get_db(request))
    context = {"values": {}, "errors": {}, **form}
    return render(
        request, "justice.html", status=status, rows=rows, rm_label=rm_label, **JUSTICE_CHOICES, **context
    )


@router.get("/justice")
def justice_page(request: Request) -> Response:
    return _justice_page(request)


@router.post("/justice")
@form_endpoint
def justice_enter(request: Request) -> Response:
    user, form = _posted(request)
    values = _values(form, JUSTICE_FIELDS)
    data, errors = _validated(JusticeAggregateIn, _present(values))
    if data is None:
        return _justice_page(request, status=422, values=values, errors=errors)
    justice.enter(get_db(request), user.actor, data)
    return RedirectResponse(done("/justice", "justice"), status_code=303)
