"""Remedies (GR38 §101, §108): her compensation and back-wage claims, awards, payments and confiscated
proceeds allocated to her. Who may do what: ``opennrm.access.policy.remedy_decision``."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from opennrm.domain.remedies import AllocationIn, AwardIn, PaymentIn, RemedyClaimIn, StatusIn
from opennrm.services import remedies
from opennrm.services.auth import SessionUser
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db

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


@router.post(
    "/remedies/{claim_id}/allocations",
    response_model=Created,
    status_code=201,
    responses={**_NOT_FOUND, **_INVALID},
)
def allocation(
    claim_id: str, body: AllocationIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Confiscated proceeds allocated to her (GR38 §108); shown on the claim, which it does not change."""
    return Created(id=remedies.record_allocation(get_db(request), user.actor, claim_id, body))
