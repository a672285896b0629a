"""Anonymous reporting (GR38 §54(d), §100), JSON: the public routes a reporting app or a partner's website
calls without an account, and the triage routes of the receiving organisation.

The public routes read nothing about the client but its address, which ``PublicGuard.client_key`` turns at
once into an hourly-salted hash for the in-memory counters; no header is read, nothing is logged but the
route template and status (``web.app``)."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from opennrm.domain.reporting import ReceiptIn, ReporterMessageIn, ReportIn
from opennrm.services import reporting
from opennrm.services.auth import SessionUser
from opennrm.services.reporting import Pepper, ReporterView
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db, get_settings
from opennrm.web.public_limits import PublicGuard

router = APIRouter(tags=["reports"])
_PUBLIC: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (problem+json naming the field)"},
    429: {"description": "Too many requests from this client or to this server; see Retry-After"},
}
_STAFF: dict[int | str, dict[str, Any]] = {
    401: {"description": "Log in first"},
    403: {"description": "Refused"},
    422: {"description": "Invalid input (problem+json naming the field)"},
}


def guard_of(request: Request) -> PublicGuard:
    guard: PublicGuard = request.app.state.public_guard
    return guard


def pepper_of(request: Request) -> Pepper:
    pepper: Pepper = request.app.state.reporting_pepper
    return pepper


class ReportApiIn(ReportIn):
    altcha: str | None = Field(
        default=None,
        max_length=4000,
        description="A solved challenge of GET /api/reports/challenge, when the installation asks for one",
    )


class Receipt(BaseModel):
    receipt: str = Field(description="Keep it: with it you read replies and write again. It is shown once.")


class ReportOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    locale: str
    status: str
    sent_on: str
    about: str | None
    concerns: list[str]
    sector: str | None
    region: str | None
    help: list[str]
    attachments: list[dict[str, Any]]


class MessageOut(BaseModel):
    author: str
    text: str
    at: str


class AccessOut(BaseModel):
    report: ReportOut
    messages: list[MessageOut]


def _access_out(view: ReporterView) -> AccessOut:
    return AccessOut(
        report=ReportOut(
            text=view.text,
            locale=view.locale,
            status=view.status,
            sent_on=view.sent_on.isoformat(),
            about=view.about,
            concerns=view.concerns,
            sector=view.sector,
            region=view.region,
            help=view.help,
            attachments=[
                {"filename": a.filename, "media_type": a.media_type, "size": a.size} for a in view.attachments
            ],
        ),
        messages=[MessageOut(author=m.author, text=m.text, at=m.at.isoformat()) for m in view.messages],
    )


@router.get("/reports/challenge", responses={429: _PUBLIC[429]})
def challenge(request: Request) -> dict[str, Any]:
    """A proof-of-work challenge (ALTCHA v2, PBKDF2/SHA-256) to solve before POST /api/reports when the
    installation asks for one (``required``)."""
    guard = guard_of(request)
    return {"required": guard.api_proof_of_work, "challenge": guard.challenge()}


@router.post("/reports", response_model=Receipt, status_code=201, responses=_PUBLIC)
async def send_report(body: ReportApiIn, request: Request) -> Receipt:
    """Send a report without an account. Only ``text`` and ``locale`` are needed. Answers her receipt."""
    guard = guard_of(request)
    guard.admit("report", guard.client_key(request))
    if guard.api_proof_of_work:
        guard.check_proof(body.altcha)
    data = ReportIn.model_validate(body.model_dump(exclude={"altcha"}))
    settings = get_settings(request)
    receipt = await guard.hashing(
        lambda: reporting.submit_report(
            get_db(request), pepper_of(request), data, retention_days=settings.report_retention_days
        )
    )
    return Receipt(receipt=receipt)


@router.post(
    "/reports/access",
    response_model=AccessOut,
    responses={**_PUBLIC, 404: {"description": "No report has this receipt"}},
)
async def read_report(body: ReceiptIn, request: Request) -> AccessOut:
    """Her report with every reply and message, for the holder of the receipt."""
    guard = guard_of(request)
    guard.admit("access", guard.client_key(request))
    view = await guard.hashing(
        lambda: reporting.access_report(get_db(request), pepper_of(request), body.receipt)
    )
    return _access_out(view)


@router.post(
    "/reports/access/messages",
    response_model=Created,
    status_code=201,
    responses={**_PUBLIC, 404: {"description": "No report has this receipt"}, 409: {"description": "Closed"}},
)
async def write_again(body: ReporterMessageIn, request: Request) -> Created:
    """A new message from her on her report."""
    guard = guard_of(request)
    guard.admit("access", guard.client_key(request))
    message_id = await guard.hashing(
        lambda: reporting.add_reporter_message(get_db(request), pepper_of(request), body.receipt, body.text)
    )
    return Created(id=message_id)


# -- triage ---------------------------------------------------------------------------------------------


class QueueOut(BaseModel):
    items: list[dict[str, Any]]
    page: int
    has_more: bool
    counts: dict[str, int]


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=5000)


class ReferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation_id: str = Field(min_length=1, max_length=36)


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    retention_days: int | None = Field(default=None, ge=1, le=3650)


class CaseCreated(BaseModel):
    case_id: str


@router.get("/report-queue", response_model=QueueOut, responses=_STAFF)
def queue(
    request: Request,
    status: str = Query(default="open", max_length=20),
    page: int = Query(default=1, ge=1, le=100_000),
    user: SessionUser = Depends(current_user),
) -> QueueOut:
    """The reports received by the user's organisation (structured fields only)."""
    result = reporting.triage_queue(get_db(request), user.actor, status=status, page=page)
    return QueueOut(
        items=[dataclasses.asdict(i) for i in result.items],
        page=result.page,
        has_more=result.has_more,
        counts=result.counts,
    )


@router.get("/report-queue/{report_id}", responses=_STAFF)
def report(report_id: str, request: Request, user: SessionUser = Depends(current_user)) -> dict[str, Any]:
    """One report with her text, messages and the list of her files (audited)."""
    view = reporting.view_report(get_db(request), user.actor, report_id)
    out = _access_out(view.reporter).model_dump()
    return {"id": view.id, "case_id": view.case_id, "status": view.status, **out}


@router.post("/report-queue/{report_id}/replies", response_model=Created, status_code=201, responses=_STAFF)
def reply(
    report_id: str, body: ReplyIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """A reply she reads with her receipt."""
    return Created(id=reporting.reply(get_db(request), user.actor, report_id, body.text))


@router.post("/report-queue/{report_id}/case", response_model=CaseCreated, status_code=201, responses=_STAFF)
def convert(report_id: str, request: Request, user: SessionUser = Depends(current_user)) -> CaseCreated:
    """Open a case from the report in one step (her words go into the case notes)."""
    return CaseCreated(case_id=reporting.convert_to_case(get_db(request), user.actor, report_id))


@router.post("/report-queue/{report_id}/referral", status_code=204, responses=_STAFF)
def refer(
    report_id: str, body: ReferIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """Hand the report to another organisation (never an enforcement organisation)."""
    reporting.refer(get_db(request), user.actor, report_id, body.organisation_id)
    return Response(status_code=204)


@router.post("/report-queue/{report_id}/closure", status_code=204, responses=_STAFF)
def close(
    report_id: str, body: CloseIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """Close the report; it is deleted after its retention period."""
    reporting.close(get_db(request), user.actor, report_id, retention_days=body.retention_days)
    return Response(status_code=204)
