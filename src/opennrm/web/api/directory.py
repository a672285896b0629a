"""The service directory: search by need, language and place; list and change your organisation's
services; record a need the directory could not meet."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from opennrm.domain.services import (
    ServiceAttribute,
    ServiceChange,
    ServiceEntry,
    ServiceSearch,
    ServiceType,
    UnmetNeed,
)
from opennrm.services import directory
from opennrm.services.auth import SessionUser
from opennrm.services.directory import ServiceListing
from opennrm.services.parsing import parse
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db

router = APIRouter(
    tags=["directory"],
    responses={401: {"description": "Log in first"}, 403: {"description": "Refused"}},
)


@router.get("/directory/services", response_model=list[ServiceListing])
def search_services(
    request: Request,
    need: ServiceType | None = None,
    language: str | None = Query(default=None, max_length=8, description="ISO 639-1 code, e.g. ar"),
    place: str | None = Query(default=None, max_length=200, description="Town or district"),
    attribute: list[ServiceAttribute] = Query(default=[], max_length=4, description="Required attributes"),
    user: SessionUser = Depends(current_user),
) -> list[ServiceListing]:
    """Services that meet the need, speak the language and serve the place (nationwide ones serve every
    place); those with a free place first."""
    search = parse(
        ServiceSearch, {"need": need, "language": language, "place": place or None, "attributes": attribute}
    )
    return directory.search_services(get_db(request), search, user.actor)


@router.post(
    "/directory/services",
    response_model=Created,
    status_code=201,
    responses={422: {"description": "Invalid input"}},
)
def add_service(
    body: ServiceEntry,
    request: Request,
    organisation_id: str | None = Query(
        default=None, max_length=36, description="System administrators only: the organisation"
    ),
    user: SessionUser = Depends(current_user),
) -> Created:
    """List a service of your organisation (organisation administrators and supervisors)."""
    org = organisation_id or user.actor.organisation_id
    return Created(id=directory.add_service(get_db(request), body, organisation_id=org, actor=user.actor))


@router.get(
    "/directory/services/{service_id}",
    response_model=ServiceListing,
    responses={404: {"description": "No such service"}},
)
def get_service(
    service_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> ServiceListing:
    return directory.get_service(get_db(request), service_id, user.actor)


@router.patch(
    "/directory/services/{service_id}",
    response_model=ServiceListing,
    responses={404: {"description": "No such service"}, 422: {"description": "Invalid input"}},
)
def change_service(
    service_id: str, body: ServiceChange, request: Request, user: SessionUser = Depends(current_user)
) -> ServiceListing:
    """Change a listed service: free places, languages, opening hours, or stop taking referrals."""
    return directory.update_service(get_db(request), user.actor, service_id, body)


@router.post(
    "/directory/unmet-needs",
    response_model=Created,
    status_code=201,
    responses={422: {"description": "Invalid input"}},
)
def record_unmet_need(
    body: UnmetNeed, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record a need the directory could not meet (counted, without the case, on the coordinator's
    dashboard)."""
    return Created(id=directory.record_unmet_need(get_db(request), user.actor, body))
