"""Screenings: the same input and result as ``opennrm screen``, stored on a case and audited."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response

from opennrm.services import screenings
from opennrm.services.auth import SessionUser
from opennrm.web.deps import current_user, get_db

router = APIRouter(
    tags=["screening"], responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}}
)


@router.post(
    "/screenings",
    status_code=201,
    responses={404: {"description": "No such case"}, 422: {"description": "Invalid input"}},
)
def create_screening(
    request: Request,
    response: Response,
    body: dict[str, Any] = Body(..., description="Screening input, exactly as for `opennrm screen`."),
    case_id: str = Query(..., max_length=36, description="The case the screening is stored on."),
    lang: str = Query("en", max_length=20, description="Language of the explanation (BCP 47)."),
    user: SessionUser = Depends(current_user),
) -> dict[str, Any]:
    """Screen for a presumed-victim determination; the explained result is stored on the case."""
    screening_id, result = screenings.screen_case(get_db(request), user.actor, case_id, body, lang)
    response.headers["Location"] = f"/cases/{case_id}/screening/{screening_id}"
    return result
