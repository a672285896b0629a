"""Consent records and disclosures (sharing a case with another organisation)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from opennrm.domain.consent import Consent
from opennrm.services import consent
from opennrm.services.auth import SessionUser
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db, get_settings

router = APIRouter(
    tags=["consent"],
    responses={
        401: {"description": "Log in first"},
        403: {"description": "Refused"},
        404: {"description": "Not found"},
    },
)


class Revoked(BaseModel):
    id: str
    disclosures_closed: int


class DisclosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipient_organisation_id: str = Field(max_length=36)
    purpose: str = Field(max_length=40)
    fields: list[str] | None = Field(default=None, max_length=10)
    override_reason: str | None = Field(default=None, max_length=1000)


class DisclosureOut(BaseModel):
    id: str
    consent_id: str | None
    overridden: bool


@router.post(
    "/cases/{case_id}/consents",
    response_model=Created,
    status_code=201,
    responses={422: {"description": "Invalid input"}},
)
def record_consent(
    case_id: str, body: Consent, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record an informed consent: who gave it, purposes, recipients, language and interpreter, dates. Every
    consent ends: without `expires_on` it lasts the installation's default (12 months unless configured), and
    one longer than the maximum (24 months unless configured) is refused, naming `expires_on`."""
    terms = get_settings(request).consent_terms
    return Created(id=consent.record_consent(get_db(request), user.actor, case_id, body, terms=terms))


@router.get("/cases/{case_id}/consents")
def list_consents(
    case_id: str, request: Request, user: SessionUser = Depends(current_user)
) -> list[dict[str, Any]]:
    """The case's consents with their status (active, expired or revoked)."""
    return consent.list_consents(get_db(request), user.actor, case_id)


@router.post("/consents/{consent_id}/revoke", response_model=Revoked)
def revoke_consent(consent_id: str, request: Request, user: SessionUser = Depends(current_user)) -> Revoked:
    """Revoke a consent. Every sharing that rests on it ends at once."""
    closed = consent.revoke_consent(get_db(request), user.actor, consent_id)
    return Revoked(id=consent_id, disclosures_closed=closed)


@router.post(
    "/cases/{case_id}/disclosures",
    response_model=DisclosureOut,
    status_code=201,
    responses={422: {"description": "Invalid input"}},
)
def disclose(
    case_id: str, body: DisclosureIn, request: Request, user: SessionUser = Depends(current_user)
) -> DisclosureOut:
    """Share the case with another organisation: only under a matching, unexpired, unrevoked consent, or a
    supervisor's override in a child's best interests (with its reason). Never to an enforcement body."""
    fields = frozenset(body.fields) if body.fields is not None else consent.IDENTITY_FIELDS
    result = consent.disclose(
        get_db(request),
        user.actor,
        case_id,
        body.recipient_organisation_id,
        body.purpose,
        fields,
        body.override_reason,
    )
    return DisclosureOut(id=result.id, consent_id=result.consent_id, overridden=result.overridden)
