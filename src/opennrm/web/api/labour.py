"""Labour inspection and recruitment agencies (GR38 §54(b)(c), §59, §60(d)): the registry, workplaces,
inspections, labour-law actions and a worker's consented referral. Who may: ``policy.labour_decision``.

``POST /api/agencies/check`` is public (no log-in): what anyone may know of an agency, and nothing about
who asked is kept."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from opennrm.domain.labour import (
    ActionOutcomeIn,
    AgencyIn,
    ComplaintDecisionIn,
    ComplaintIn,
    InspectionIn,
    LabourActionIn,
    LicenceEventIn,
    LicenceIn,
    WorkerReferralIn,
    WorkplaceIn,
)
from opennrm.services import labour
from opennrm.services.auth import SessionUser
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db, get_settings

router = APIRouter(
    tags=["labour"], responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}}
)
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (problem+json naming the field)"},
    404: {"description": "No such record"},
    409: {"description": "Conflict (problem+json naming the field)"},
}


def _plain(value: Any) -> Any:
    return (
        dataclasses.asdict(value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type)
        else value
    )


class AgencyCheckIn(BaseModel):
    q: str = Field(max_length=200)
    """A licence number, or part of the agency's name."""


class AgencyCheckOut(BaseModel):
    on: dt.date
    agencies: list[dict[str, Any]]


@router.post("/agencies/check", response_model=AgencyCheckOut)
def check_agency(body: AgencyCheckIn, request: Request) -> AgencyCheckOut:
    """Is an agency licensed today? By licence number or part of its name. No log-in; nothing is kept. The
    query travels in the body, never in the address, so no proxy's access log holds it."""
    today = dt.date.today()
    found = labour.public_check(get_db(request), body.q, today)
    return AgencyCheckOut(on=today, agencies=[_plain(a) for a in found])


@router.get("/labour/agencies")
def agencies(request: Request, user: SessionUser = Depends(current_user)) -> list[dict[str, Any]]:
    return [_plain(a) for a in labour.list_agencies(get_db(request), user.actor)]


@router.post("/labour/agencies", response_model=Created, status_code=201, responses=_INVALID)
def add_agency(body: AgencyIn, request: Request, user: SessionUser = Depends(current_user)) -> Created:
    return Created(id=labour.add_agency(get_db(request), user.actor, body))


@router.get("/labour/agencies/{agency_id}", responses=_INVALID)
def agency(
    agency_id: str, request: Request, on: dt.date | None = None, user: SessionUser = Depends(current_user)
) -> dict[str, Any]:
    """The agency with each licence's status on ``on`` (today when not given) and its history."""
    return _plain(labour.view_agency(get_db(request), user.actor, agency_id, on))  # type: ignore[no-any-return]


@router.post(
    "/labour/agencies/{agency_id}/licences", response_model=Created, status_code=201, responses=_INVALID
)
def add_licence(
    agency_id: str, body: LicenceIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    return Created(id=labour.add_licence(get_db(request), user.actor, agency_id, body))


@router.post("/labour/licences/{licence_id}/status", status_code=204, responses=_INVALID)
def licence_status(
    licence_id: str, body: LicenceEventIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """Suspend, revoke, reinstate, renew or record the expiry of a licence from a day on."""
    labour.change_licence(get_db(request), user.actor, licence_id, body)
    return Response(status_code=204)


@router.post(
    "/labour/agencies/{agency_id}/complaints", response_model=Created, status_code=201, responses=_INVALID
)
def add_complaint(
    agency_id: str, body: ComplaintIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    return Created(id=labour.record_complaint(get_db(request), user.actor, agency_id, body))


@router.post("/labour/complaints/{complaint_id}/decision", responses=_INVALID)
def decide_complaint(
    complaint_id: str, body: ComplaintDecisionIn, request: Request, user: SessionUser = Depends(current_user)
) -> dict[str, list[str]]:
    """Uphold or dismiss; an upheld complaint's violations are returned (Employer Pays)."""
    return {"violations": labour.decide_complaint(get_db(request), user.actor, complaint_id, body)}


@router.post("/labour/workplaces", response_model=Created, status_code=201, responses=_INVALID)
def add_workplace(body: WorkplaceIn, request: Request, user: SessionUser = Depends(current_user)) -> Created:
    return Created(id=labour.add_workplace(get_db(request), user.actor, body))


@router.get("/labour/plan")
def risk_plan(request: Request, user: SessionUser = Depends(current_user)) -> list[dict[str, Any]]:
    """The inspectorate's workplaces, riskiest first, with the reasons."""
    return [_plain(p) for p in labour.inspection_plan(get_db(request), user.actor)]


@router.get("/labour/inspections")
def inspections(request: Request, user: SessionUser = Depends(current_user)) -> list[dict[str, Any]]:
    return [_plain(i) for i in labour.list_inspections(get_db(request), user.actor)]


@router.post("/labour/inspections", response_model=Created, status_code=201, responses=_INVALID)
def add_inspection(
    body: InspectionIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record a visit: counts of workers met (never who), the checklist (screening indicator ids), wages,
    hours, deductions, housing, documents held. There is no field for immigration status."""
    return Created(id=labour.record_inspection(get_db(request), user.actor, body))


@router.get("/labour/inspections/{inspection_id}", responses=_INVALID)
def inspection(
    inspection_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> dict[str, Any]:
    view = labour.view_inspection(get_db(request), user.actor, inspection_id)
    return {**_plain(view), "actions": [{**_plain(a), "open": a.open} for a in view.actions]}


@router.post(
    "/labour/inspections/{inspection_id}/actions", response_model=Created, status_code=201, responses=_INVALID
)
def add_action(
    inspection_id: str, body: LabourActionIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    return Created(id=labour.add_action(get_db(request), user.actor, inspection_id, body))


@router.post("/labour/actions/{action_id}/outcome", status_code=204, responses=_INVALID)
def action_outcome(
    action_id: str, body: ActionOutcomeIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    labour.update_action(get_db(request), user.actor, action_id, body)
    return Response(status_code=204)


class WorkerReferredOut(BaseModel):
    case_id: str
    screening_id: str
    presumed_victim: bool
    referral_id: str


@router.post(
    "/labour/inspections/{inspection_id}/referrals",
    response_model=WorkerReferredOut,
    status_code=201,
    responses=_INVALID,
)
def refer_worker(
    inspection_id: str, body: WorkerReferralIn, request: Request, user: SessionUser = Depends(current_user)
) -> WorkerReferredOut:
    """With her consent: a case, her consent, her screening and her referral to a service of the directory.
    A service of an enforcement organisation is refused (firewall)."""
    sent = labour.refer_worker(
        get_db(request), user.actor, inspection_id, body, terms=get_settings(request).consent_terms
    )
    return WorkerReferredOut(**dataclasses.asdict(sent))


@router.get("/labour/statistics")
def statistics(
    request: Request,
    year: int | None = Query(None, ge=1900, le=9998),
    user: SessionUser = Depends(current_user),
) -> dict[str, Any]:
    """Inspections (and unannounced), findings by sector, violations by type, workers referred, agencies
    sanctioned — in ``year`` or all time; every count below 11 shown as "<11". Aggregates only."""
    labour.check_aggregates(get_db(request), user.actor)
    return _plain(labour.counts(get_db(request), user.actor.user_id, year=year))  # type: ignore[no-any-return]
