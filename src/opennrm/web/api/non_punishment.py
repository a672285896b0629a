"""Non-punishment (GR38 §98): the measures taken against her because she was trafficked, her requests to
clear a record, and her statement. Who may do what: ``opennrm.access.policy.non_punishment_decision``."""

from __future__ import annotations

import dataclasses
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from opennrm.domain.non_punishment import (
    ClearanceRequestIn,
    ClearanceStatusIn,
    NonPunishmentMatterIn,
    NonPunishmentMatterUpdate,
)
from opennrm.services import non_punishment
from opennrm.services.auth import SessionUser
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db
from opennrm.web.statement import statement_html, statement_languages, statement_pdf

router = APIRouter(
    tags=["non-punishment"],
    responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}},
)
_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such record"}}
_INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "Invalid input (problem+json naming the field)"}
}


class NonPunishmentOut(BaseModel):
    case_id: str
    survivor_code: str
    flagged_to_legal_aid: int
    may_add: bool
    may_update: bool
    matters: list[dict[str, Any]]


@router.get("/cases/{case_id}/non-punishment", response_model=NonPunishmentOut, responses=_NOT_FOUND)
def read_matters(
    case_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> NonPunishmentOut:
    """The measures taken against her, with the legal-aid flag and the requests to clear a record."""
    view = non_punishment.view_matters(get_db(request), user.actor, case_id)
    return NonPunishmentOut(
        case_id=view.case_id,
        survivor_code=view.survivor_code,
        flagged_to_legal_aid=view.flagged_to_legal_aid,
        may_add=view.may_add,
        may_update=view.may_update,
        matters=[dataclasses.asdict(m) for m in view.matters],
    )


@router.post(
    "/cases/{case_id}/non-punishment",
    response_model=Created,
    status_code=201,
    responses={**_NOT_FOUND, **_INVALID},
)
def add_matter(
    case_id: str, body: NonPunishmentMatterIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record, with her consent, a measure taken against her that is linked to her being trafficked; it is
    flagged to legal aid."""
    return Created(id=non_punishment.record_matter(get_db(request), user.actor, case_id, body))


@router.patch("/non-punishment/{matter_id}", status_code=204, responses={**_NOT_FOUND, **_INVALID})
def update_matter(
    matter_id: str,
    body: NonPunishmentMatterUpdate,
    request: Request,
    user: SessionUser = Depends(current_user),
) -> Response:
    """Where the matter stands, or the legal-aid flag taken up or resolved."""
    non_punishment.update_matter(get_db(request), user.actor, matter_id, body)
    return Response(status_code=204)


@router.post(
    "/non-punishment/{matter_id}/clearance-requests",
    response_model=Created,
    status_code=201,
    responses={**_NOT_FOUND, **_INVALID},
)
def add_clearance_request(
    matter_id: str, body: ClearanceRequestIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Track a request to clear her record (GR38 §98(c))."""
    return Created(id=non_punishment.add_clearance_request(get_db(request), user.actor, matter_id, body).id)


@router.patch("/clearance-requests/{request_id}", status_code=204, responses={**_NOT_FOUND, **_INVALID})
def update_clearance_request(
    request_id: str, body: ClearanceStatusIn, request: Request, user: SessionUser = Depends(current_user)
) -> Response:
    """A request to clear her record filed, granted (the matter is then cleared), refused or withdrawn."""
    non_punishment.update_clearance_status(get_db(request), user.actor, request_id, body)
    return Response(status_code=204)


@router.get(
    "/cases/{case_id}/non-punishment/statement",
    response_class=Response,
    responses={
        **_NOT_FOUND,
        **_INVALID,
        200: {"content": {"application/pdf": {}, "text/html": {}}, "description": "The statement"},
    },
)
def statement(
    case_id: str,
    request: Request,
    her_language: str | None = Query(default=None, max_length=20),
    proceedings_language: str | None = Query(default=None, max_length=20),
    format: Literal["pdf", "html"] = "pdf",
    user: SessionUser = Depends(current_user),
) -> Response:
    """Her non-punishment statement for her lawyer, in her language and the language of the proceedings
    (each one of ar, en, es, fr, ru, zh-Hans, zh-Hant): a PDF, or the HTML print view."""
    languages = statement_languages(her_language, proceedings_language)
    facts = non_punishment.statement_facts(get_db(request), user.actor, case_id)
    html = statement_html(facts, languages)
    if format == "html":
        return HTMLResponse(
            html, headers={"Cache-Control": "no-store", "Content-Language": ", ".join(languages)}
        )
    return Response(
        statement_pdf(html),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="non-punishment-{facts.survivor_code}.pdf"',
            "Cache-Control": "no-store",
        },
    )
