"""Referrals, entitlements and the coordinator's dashboard (the service directory's routes are included
from ``opennrm.web.api.directory``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from enum import StrEnum

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from opennrm.domain.services import (
    Decline,
    EntitlementsChange,
    OutcomePlan,
    ReferralRequest,
    ReferralStatus,
    ReferralStep,
    RiskAssessmentInput,
)
from opennrm.services import dashboard, entitlements, referrals
from opennrm.services.auth import SessionUser
from opennrm.services.dashboard import Dashboard
from opennrm.services.entitlements import EntitlementsView
from opennrm.services.referrals import EscalationItem, ReferralPage, ReferralView
from opennrm.web.api import directory
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db

router = APIRouter(
    tags=["referrals"],
    responses={
        401: {"description": "Log in first"},
        403: {"description": "Refused, with the reason"},
        404: {"description": "Not found"},
    },
)
router.include_router(directory.router)


class StatusFilter(StrEnum):
    """A referral status, or ``open`` for sent, accepted and in progress together."""

    OPEN = "open"
    SENT = ReferralStatus.SENT.value
    ACCEPTED = ReferralStatus.ACCEPTED.value
    DECLINED = ReferralStatus.DECLINED.value
    IN_PROGRESS = ReferralStatus.IN_PROGRESS.value
    COMPLETED = ReferralStatus.COMPLETED.value
    REVOKED = ReferralStatus.REVOKED.value
    EXPIRED = ReferralStatus.EXPIRED.value


class Direction(StrEnum):
    SENT = "sent"
    RECEIVED = "received"


class ReferralOut(BaseModel):
    id: str
    status: str
    consent_id: str | None
    disclosure_id: str
    overridden: bool
    fields: list[str]
    respond_by: dt.datetime


class StatusOut(BaseModel):
    id: str
    status: str


@router.post(
    "/cases/{case_id}/referrals",
    response_model=ReferralOut,
    status_code=201,
    responses={409: {"description": "Already referred"}, 422: {"description": "Invalid input"}},
)
def send_referral(
    case_id: str, body: ReferralRequest, request: Request, user: SessionUser = Depends(current_user)
) -> ReferralOut:
    """Refer the case to a listed service. The consent gate decides: refused (403, with its reason) unless a
    consent covers the receiving organisation — or, for a child, a supervisor's override with its reason.
    The receiver sees only the service type's need-to-know fields, and only while the referral is open."""
    sent = referrals.send_referral(get_db(request), user.actor, case_id, body)
    return ReferralOut(**asdict(sent))


@router.get("/referrals", response_model=ReferralPage)
def list_referrals(
    request: Request,
    status: StatusFilter | None = None,
    direction: Direction | None = None,
    case_id: str | None = Query(default=None, max_length=36),
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=referrals.MAX_PAGE_SIZE),
    user: SessionUser = Depends(current_user),
) -> ReferralPage:
    """Referrals sent from cases in your scope and referrals your organisation received, newest first.
    ``status=open`` lists those sent, accepted or in progress."""
    return referrals.list_referrals(
        get_db(request),
        user.actor,
        status=status.value if status else None,
        direction=direction.value if direction else None,
        case_id=case_id,
        page=page,
        per_page=per_page,
    )


@router.get("/referrals/escalations", response_model=list[EscalationItem])
def list_escalations(
    request: Request, include_resolved: bool = False, user: SessionUser = Depends(current_user)
) -> list[EscalationItem]:
    """Supervisors: referrals sent or received by your organisation that were not answered in time."""
    return referrals.list_escalations(get_db(request), user.actor, include_resolved=include_resolved)


@router.get("/referrals/{referral_id}", response_model=ReferralView)
def read_referral(
    referral_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> ReferralView:
    """One referral. The receiving organisation sees the purpose and the person's need-to-know fields only
    while it is open."""
    return referrals.view_referral(get_db(request), user.actor, referral_id)


def _step(request: Request, user: SessionUser, referral_id: str, step: ReferralStep) -> StatusOut:
    status = referrals.act(get_db(request), user.actor, referral_id, step)
    return StatusOut(id=referral_id, status=status)


@router.post(
    "/referrals/{referral_id}/accept", response_model=StatusOut, responses={409: {"description": "Conflict"}}
)
def accept(referral_id: str, request: Request, user: SessionUser = Depends(current_user)) -> StatusOut:
    """The receiving organisation takes the person on."""
    return _step(request, user, referral_id, ReferralStep.ACCEPT)


@router.post(
    "/referrals/{referral_id}/decline",
    response_model=StatusOut,
    responses={409: {"description": "Conflict"}, 422: {"description": "Invalid input"}},
)
def decline(
    referral_id: str, body: Decline, request: Request, user: SessionUser = Depends(current_user)
) -> StatusOut:
    """The receiving organisation declines, with its reason; its access ends at once."""
    status = referrals.act(get_db(request), user.actor, referral_id, ReferralStep.DECLINE, body)
    return StatusOut(id=referral_id, status=status)


@router.post(
    "/referrals/{referral_id}/start", response_model=StatusOut, responses={409: {"description": "Conflict"}}
)
def start(referral_id: str, request: Request, user: SessionUser = Depends(current_user)) -> StatusOut:
    """The service has begun."""
    return _step(request, user, referral_id, ReferralStep.START)


@router.post(
    "/referrals/{referral_id}/complete",
    response_model=StatusOut,
    responses={409: {"description": "Conflict"}},
)
def complete(referral_id: str, request: Request, user: SessionUser = Depends(current_user)) -> StatusOut:
    """The service was given; the receiving organisation's access ends."""
    return _step(request, user, referral_id, ReferralStep.COMPLETE)


@router.post(
    "/referrals/{referral_id}/revoke", response_model=StatusOut, responses={409: {"description": "Conflict"}}
)
def revoke(referral_id: str, request: Request, user: SessionUser = Depends(current_user)) -> StatusOut:
    """The sending organisation withdraws the referral; the receiver's access ends at once."""
    return _step(request, user, referral_id, ReferralStep.REVOKE)


@router.get("/dashboard", response_model=Dashboard)
def coordinator_dashboard(request: Request, user: SessionUser = Depends(current_user)) -> Dashboard:
    """NRM coordinators: counts only — open referrals by status and organisation, overdue responses, open
    escalations, time from identification to first service, needs not met by place and language."""
    return dashboard.coordinator_dashboard(get_db(request), user.actor)


@router.get("/cases/{case_id}/entitlements", response_model=EntitlementsView, tags=["entitlements"])
def read_entitlements(
    case_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> EntitlementsView:
    """The case's unconditional entitlements: reflection and recovery period, residence permit, legal aid,
    interpreter, risk assessments and non-refoulement, guardian and best-interests determination."""
    return entitlements.view_entitlements(get_db(request), user.actor, case_id)


@router.patch(
    "/cases/{case_id}/entitlements",
    response_model=EntitlementsView,
    tags=["entitlements"],
    responses={422: {"description": "Invalid input"}},
)
def change_entitlements(
    case_id: str, body: EntitlementsChange, request: Request, user: SessionUser = Depends(current_user)
) -> EntitlementsView:
    """Change the keys given. No key about cooperation with the authorities exists."""
    entitlements.update_entitlements(get_db(request), user.actor, case_id, body)
    return entitlements.view_entitlements(get_db(request), user.actor, case_id)


@router.post(
    "/cases/{case_id}/risk-assessments",
    response_model=Created,
    status_code=201,
    tags=["entitlements"],
    responses={422: {"description": "Invalid input"}},
)
def add_risk_assessment(
    case_id: str, body: RiskAssessmentInput, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record a risk assessment on return; a risk found blocks any return (non-refoulement)."""
    return Created(id=entitlements.add_risk_assessment(get_db(request), user.actor, case_id, body))


@router.post(
    "/cases/{case_id}/outcome",
    response_model=Created,
    status_code=201,
    tags=["entitlements"],
    responses={
        409: {"description": "Refused by a rights rule, with the reason"},
        422: {"description": "Invalid"},
    },
)
def plan_outcome(
    case_id: str, body: OutcomePlan, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Plan the case's outcome. A return is refused (409) without a risk assessment or when the latest one
    found a risk; any decision about a child waits for a guardian and a best-interests determination."""
    return Created(id=entitlements.plan_outcome(get_db(request), user.actor, case_id, body))
