"""Remedies (GR38 §101, §108): her compensation and back-wage claims, awards, payments and confiscated
proceeds allocated to her. Who may do what: ``opennrm.access.policy.remedy_decision``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from opennrm.domain.records import Strict
from opennrm.domain.remedies import AwardIn, PaymentIn, RemedyClaimIn, StatusIn
from opennrm.services import finance, remedies
from opennrm.services.auth import SessionUser
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db, get_settings

router = APIRouter(
    tags=["remedies"],
    responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}},
)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such record"}}
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (problem+json naming the field)"}
}


class RemediesOut(BaseModel):
    case_id: str
    survivor_code: str
    may_add: bool
    may_update: bool
    claims: list[dict[str, Any]]


@router.get("/cases/{case_id}/remedies", response_model=RemediesOut, responses=_NOT_FOUND)
def read_claims(case_id: str, request: Request, user: SessionUser = Depends(current_user)) -> RemediesOut:
    """Her claims with what was awarded, every payment (amounts as integer minor units and as decimal
    text) and the confiscated proceeds allocated to her."""
    view = remedies.view_claims(get_db(request), user.actor, case_id)
    return RemediesOut(
        case_id=view.case_id,
        survivor_code=view.survivor_code,
        may_add=view.may_add,
        may_update=view.may_update,
        claims=[{**dataclasses.asdict(c), "open": c.open} for c in view.claims],
    )


@router.post(
    "/cases/{case_id}/remedies", response_model=Created, status_code=201, responses={**_NOT_FOUND, **_INVALID}
)
def add_claim(
    case_id: str, body: RemedyClaimIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record a compensation or back-wage claim (planned or filed). Amounts are decimal text or integers in
    the currency's major units, never floating-point numbers."""
    return Created(id=remedies.record_claim(get_db(request), user.actor, case_id, body))


@router.post("/remedies/{claim_id}/award", status_code=204, responses={**_NOT_FOUND, **_INVALID})
def award(
    claim_id: str, body: AwardIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """What was awarded and when (in the claim's currency)."""
    remedies.record_award(get_db(request), user.actor, claim_id, body)
    return Response(status_code=204)


@router.post(
    "/remedies/{claim_id}/payments",
    response_model=Created,
    status_code=201,
    responses={**_NOT_FOUND, **_INVALID},
)
def payment(
    claim_id: str, body: PaymentIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """A payment she received on the award; the claim becomes paid in part, or paid."""
    return Created(id=remedies.record_payment(get_db(request), user.actor, claim_id, body).id)


@router.patch("/remedies/{claim_id}", status_code=204, responses={**_NOT_FOUND, **_INVALID})
def status(
    claim_id: str, body: StatusIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """Planned, filed, refused, appealed or withdrawn (withdrawn is final)."""
    remedies.update_status(get_db(request), user.actor, claim_id, body)
    return Response(status_code=204)


class ConfiscationOut(BaseModel):
    id: str
    amount: str
    currency: str
    allocated: str
    remaining: str
    confiscated_on: dt.date


class ProceedsIn(Strict):
    """Part of a confiscation allocated to her claim, in the confiscation's currency."""

    confiscation_id: str = Field(max_length=36)
    amount: str = Field(max_length=20, description="Decimal text in the confiscation's currency")
    allocated_on: dt.date


@router.get("/confiscations", response_model=list[ConfiscationOut])
def confiscations(request: Request, user: SessionUser = Depends(current_user)) -> list[ConfiscationOut]:
    """Confiscations with money left to allocate to victims' claims: amounts, currencies and dates only (for
    those who keep her claim; never an enforcement organisation)."""
    return [
        ConfiscationOut(
            id=c.id,
            amount=c.amount,
            currency=c.currency,
            allocated=c.allocated,
            remaining=c.remaining,
            confiscated_on=c.confiscated_on,
        )
        for c in finance.confiscations_available(get_db(request), user.actor)
    ]


@router.post(
    "/remedies/{claim_id}/proceeds",
    response_model=Created,
    status_code=201,
    responses={**_NOT_FOUND, **_INVALID},
)
def proceeds(
    claim_id: str, body: ProceedsIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Allocate part of a confiscation to her claim: a line in the restitution ledger and an allocation on the
    claim. Refused (422 naming ``amount``) beyond what is left of the confiscation; nothing is written then.
    Returns the ledger line's id."""
    return Created(
        id=finance.allocate(
            get_db(request), user.actor, body.confiscation_id, claim_id, body.amount, body.allocated_on
        )
    )


class HerAccountIn(Strict):
    """Her own account identifier, recorded with her consent for compensation naming one financial
    intelligence unit (which then traces from it, without her name, while the consent is in force)."""

    account: str = Field(max_length=100, description="Account number, IBAN, wallet or card identifier")
    organisation_id: str = Field(max_length=36, description="The financial intelligence unit she consents to")
    language: str = Field(max_length=8, description="The language she was asked in (ISO 639-1)")
    expires_on: dt.date | None = None
    interpreter_used: bool = False


class HerAccountOut(BaseModel):
    id: str
    account: str
    organisation: str
    consent_id: str
    given_on: dt.date
    expires_on: dt.date | None
    in_force: bool


@router.get("/cases/{case_id}/finance-accounts", response_model=list[HerAccountOut], responses=_NOT_FOUND)
def her_accounts(
    case_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> list[HerAccountOut]:
    """Her own accounts recorded for tracing, with whether her consent is still in force."""
    return [
        HerAccountOut(**dataclasses.asdict(a))
        for a in finance.consented_accounts(get_db(request), user.actor, case_id)
    ]


@router.post(
    "/cases/{case_id}/finance-accounts",
    response_model=Created,
    status_code=201,
    responses={**_NOT_FOUND, **_INVALID},
)
def record_her_account(
    case_id: str, body: HerAccountIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record her own account and her consent for compensation (purpose ``compensation``, the unit as its
    one recipient). Revoke it like any consent (``POST /api/consents/{id}/revoke``)."""
    return Created(
        id=finance.record_consented_account(
            get_db(request),
            user.actor,
            case_id,
            body.account,
            body.organisation_id,
            body.language,
            body.expires_on,
            body.interpreter_used,
            terms=get_settings(request).consent_terms,
        )
    )
