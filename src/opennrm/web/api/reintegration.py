"""Return, resettlement and reintegration (GR38 §84, §89–91, §95–96): dependants, move plans, exit from
services and follow-up contacts. Only the organisation that holds the case; never an enforcement one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel

from opennrm.domain.reintegration import DependantChange, DependantIn, ExitIn, FollowUpIn, MovePlanIn
from opennrm.services import reintegration
from opennrm.services.auth import SessionUser
from opennrm.services.reintegration import FollowUpDue, ReintegrationView
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db

router = APIRouter(
    tags=["return and follow-up"],
    responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}},
)
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (problem+json naming the field)"}
}
_REFUSED: dict[int | str, dict[str, Any]] = {
    409: {"description": "Refused by a rights rule (problem+json naming the field, with the reason)"}
}


class Scheduled(BaseModel):
    follow_ups: list[str]


@router.get("/cases/{case_id}/return", response_model=ReintegrationView)
def read_reintegration(
    case_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> ReintegrationView:
    """Her dependants, the moves planned, the follow-up contacts, and what a move still waits for."""
    return reintegration.view_reintegration(get_db(request), user.actor, case_id)


@router.post("/cases/{case_id}/dependants", response_model=Created, status_code=201, responses=_INVALID)
def add_dependant(
    case_id: str, body: DependantIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record a child or other dependant who came with her (entitled to assistance too)."""
    return Created(id=reintegration.add_dependant(get_db(request), user.actor, case_id, body))


@router.patch("/dependants/{dependant_id}", status_code=204, responses=_INVALID)
def change_dependant(
    dependant_id: str, body: DependantChange, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """A dependant now with her or no longer, or needs changed."""
    reintegration.change_dependant(get_db(request), user.actor, dependant_id, body)
    return Response(status_code=204)


@router.post(
    "/cases/{case_id}/moves", response_model=Created, status_code=201, responses={**_INVALID, **_REFUSED}
)
def plan_move(
    case_id: str, body: MovePlanIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Plan a return, resettlement or transfer. Refused (409, field ``move``) while a child's steps are
    missing, and for a return or resettlement during her reflection and recovery period, without a risk
    assessment or while a risk is found. A return or resettlement schedules follow-ups at 1-12 months."""
    return Created(id=reintegration.plan_move(get_db(request), user.actor, case_id, body))


@router.post("/cases/{case_id}/exit", response_model=Scheduled, status_code=201, responses=_INVALID)
def record_exit(
    case_id: str, body: ExitIn, request: Request, user: SessionUser = Depends(current_user)
) -> Scheduled:
    """She leaves the services: follow-ups at 1, 3, 6 and 12 months are scheduled."""
    return Scheduled(follow_ups=reintegration.record_exit(get_db(request), user.actor, case_id, body))


@router.post("/follow-ups/{follow_up_id}", status_code=204, responses=_INVALID)
def record_follow_up(
    follow_up_id: str, body: FollowUpIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """What a follow-up contact found (safety, housing, income, risk of re-trafficking), or that it was
    missed."""
    reintegration.record_follow_up(get_db(request), user.actor, follow_up_id, body)
    return Response(status_code=204)


@router.get("/follow-ups/due", response_model=list[FollowUpDue])
def due(request: Request, user: SessionUser = Depends(current_user)) -> list[FollowUpDue]:
    """The follow-up contacts due within two weeks (or overdue) on the cases the user reaches."""
    return reintegration.follow_ups_due(get_db(request), user.actor, dt.date.today())
