"""Case records: list, read, open, notes and documents."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from opennrm.domain.records import MAX_DOCUMENT_BYTES, Intake
from opennrm.domain.vocabularies import CaseStatus, ExploitationType, Sex, TraffickingStatus
from opennrm.services import cases
from opennrm.services.auth import SessionUser
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db
from opennrm.web.limits import accepts_upload
from opennrm.web.uploads import attachment, multipart_body, read_upload

router = APIRouter(
    tags=["cases"], responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}}
)


class AgeGroup(StrEnum):
    CHILD = "child"
    ADULT = "adult"
    UNKNOWN = "unknown"


class CaseSummaryOut(BaseModel):
    id: str
    survivor_code: str
    status: str
    trafficking_status: str
    sex: str
    age_at_trafficking: int | None
    primary_exploitation: str | None
    identified_on: dt.date


class CasePageOut(BaseModel):
    items: list[CaseSummaryOut]
    page: int
    per_page: int
    has_next: bool


class CaseOut(BaseModel):
    id: str
    survivor_code: str
    organisation: str
    person: dict[str, Any]
    case: dict[str, Any]
    notes: list[dict[str, Any]]
    documents: list[dict[str, Any]]


class NoteIn(BaseModel):
    text: str


@router.get("/cases", response_model=CasePageOut)
def list_cases(
    request: Request,
    status: CaseStatus | None = None,
    trafficking_status: TraffickingStatus | None = None,
    sex: Sex | None = None,
    age_group: AgeGroup | None = None,
    exploitation: ExploitationType | None = None,
    survivor_code: str | None = Query(default=None, max_length=40),
    phone: str | None = Query(default=None, max_length=40),
    page: int = Query(default=1, ge=1, le=100_000),
    per_page: int = Query(default=50, ge=1, le=cases.MAX_PAGE_SIZE),
    user: SessionUser = Depends(current_user),
) -> CasePageOut:
    """Cases in your scope, newest first, filtered; exact-match search by survivor code or phone."""
    filters = cases.CaseFilters(
        status=status,
        trafficking_status=trafficking_status,
        sex=sex,
        age_group=age_group,
        exploitation=exploitation,
        survivor_code=survivor_code,
        phone=phone,
    )
    result = cases.list_cases(get_db(request), user.actor, filters, page, per_page)
    return CasePageOut(
        items=[
            CaseSummaryOut(**{k: getattr(i, k) for k in CaseSummaryOut.model_fields}) for i in result.items
        ],
        page=result.page,
        per_page=result.per_page,
        has_next=result.has_next,
    )


@router.post(
    "/cases", response_model=Created, status_code=201, responses={422: {"description": "Invalid input"}}
)
def open_case(body: Intake, request: Request, user: SessionUser = Depends(current_user)) -> Created:
    """Record a person and her case (intake)."""
    return Created(id=cases.intake(get_db(request), user.actor, body))


@router.get("/cases/{case_id}", response_model=CaseOut, responses={404: {"description": "No such case"}})
def read_case(case_id: str, request: Request, user: SessionUser = Depends(current_user)) -> CaseOut:
    """One case, with the person's details you may see, notes and document list."""
    view = cases.view_case(get_db(request), user.actor, case_id)
    return CaseOut(
        id=view.id,
        survivor_code=view.survivor_code,
        organisation=view.organisation,
        person=view.person,
        case=view.case,
        notes=view.notes,
        documents=view.documents,
    )


@router.post(
    "/cases/{case_id}/notes",
    response_model=Created,
    status_code=201,
    responses={404: {"description": "No such case"}, 422: {"description": "Invalid input"}},
)
def add_note(
    case_id: str, body: NoteIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Add an encrypted note to a case."""
    return Created(id=cases.add_note(get_db(request), user.actor, case_id, body.text))


@router.post(
    "/cases/{case_id}/documents",
    response_model=Created,
    status_code=201,
    responses={
        404: {"description": "No such case"},
        413: {"description": "Too large"},
        422: {"description": "Invalid input"},
    },
    openapi_extra=multipart_body("The document; images lose EXIF, GPS and other metadata."),
)
@accepts_upload
async def add_document(case_id: str, request: Request, user: SessionUser = Depends(current_user)) -> Created:
    """Upload a document; images lose EXIF and GPS metadata; stored encrypted."""
    upload = await read_upload(request, max_bytes=MAX_DOCUMENT_BYTES)
    # decoding and re-encoding an image takes a while: off the event loop, so others keep being answered
    doc_id = await run_in_threadpool(
        cases.add_document,
        get_db(request),
        user.actor,
        case_id,
        upload.filename or "document",
        upload.content_type or "application/octet-stream",
        upload.content,
    )
    return Created(id=doc_id)


@router.get(
    "/documents/{document_id}", response_class=Response, responses={404: {"description": "No such document"}}
)
def read_document(document_id: str, request: Request, user: SessionUser = Depends(current_user)) -> Response:
    """Download a document (always as an attachment, never rendered by the browser)."""
    name, media_type, content = cases.read_document(get_db(request), user.actor, document_id)
    return attachment(name, media_type, content)
