"""Identification decisions (GR38 §77–78): a case's panel, its decisions, recusals and reconsiderations, and
the deadlines of the panels. Bodies are parsed by the service, which refuses any key about cooperation with
the police or criminal proceedings with a problem naming it."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Body, Depends, Request

from opennrm.access.policy import dashboard_decision, exact_statistics_decision
from opennrm.identification.rules import (
    ConfirmationInput,
    DecisionInput,
    PanelInput,
    ReconsiderationDecisionInput,
    ReconsiderationRequestInput,
    RecusalInput,
)
from opennrm.services import identification
from opennrm.services.auth import SessionUser
from opennrm.services.errors import refuse
from opennrm.services.parsing import parse
from opennrm.web.deps import current_user, get_db, get_settings

router = APIRouter(
    tags=["identification"],
    responses={
        401: {"description": "Log in first"},
        403: {"description": "Refused, with the reason"},
        404: {"description": "Not found"},
        409: {"description": "Not possible in the panel's present state"},
        422: {"description": "Invalid input, with the field at fault"},
    },
)


def _nat(request: Request) -> identification.NationalProcedure:
    return identification.national_procedure(get_settings(request))


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    return value


@router.get("/cases/{case_id}/identification")
def view(case_id: str, request: Request, user: SessionUser = Depends(current_user)) -> dict[str, Any]:
    """The case's panel, decisions and reconsiderations; for the panel, the stored screenings and answers."""
    found = identification.view_identification(get_db(request), _nat(request), user.actor, case_id)
    out = asdict(found)
    out.pop("procedure")
    out["procedure"] = {"id": found.procedure.id, "version": found.procedure.version}
    return _json(out)  # type: ignore[no-any-return]


@router.post("/cases/{case_id}/identification/panel", status_code=201)
def convene(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(...),
    user: SessionUser = Depends(current_user),
) -> dict[str, str]:
    """Convene the case's panel: ``{"organisation_ids": [...]}`` — at least two organisations of two types,
    never an enforcement organisation; sharing with each goes through the consent gate."""
    data = parse(PanelInput, body)
    return {"id": identification.convene_panel(get_db(request), _nat(request), user.actor, case_id, data)}


@router.post("/cases/{case_id}/identification/recusals", status_code=204)
def recuse(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(...),
    user: SessionUser = Depends(current_user),
) -> None:
    identification.recuse(get_db(request), _nat(request), user.actor, case_id, parse(RecusalInput, body))


@router.post("/cases/{case_id}/identification/decisions", status_code=201)
def decide(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(...),
    user: SessionUser = Depends(current_user),
) -> dict[str, str]:
    """Propose the panel's decision at its next stage: outcome, the screening and indicators it rests on, the
    reasons (stored encrypted) and any dissent. It takes effect when a member of another organisation on the
    panel confirms it (``POST /cases/{case_id}/identification/confirmation``)."""
    data = parse(DecisionInput, body)
    return {"id": identification.record_decision(get_db(request), _nat(request), user.actor, case_id, data)}


@router.post("/cases/{case_id}/identification/confirmation")
def confirm(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(...),
    user: SessionUser = Depends(current_user),
) -> dict[str, str | None]:
    """A second organisation's answer to what waits on the case (a proposed decision, or a proposed answer
    to a reconsideration): ``{"confirm": true}``, or ``{"confirm": false, "reason": "..."}``. Returns the id
    of the decision that took effect, if any."""
    data = parse(ConfirmationInput, body)
    taken = identification.answer_proposal(get_db(request), _nat(request), user.actor, case_id, data)
    return {"decision_id": taken}


@router.post("/cases/{case_id}/identification/reconsiderations", status_code=201)
def ask_reconsideration(
    case_id: str,
    request: Request,
    body: dict[str, Any] = Body(...),
    user: SessionUser = Depends(current_user),
) -> dict[str, str]:
    data = parse(ReconsiderationRequestInput, body)
    made = identification.request_reconsideration(get_db(request), _nat(request), user.actor, case_id, data)
    return {"id": made}


@router.post("/identification/reconsiderations/{reconsideration_id}/decision")
def answer_reconsideration(
    reconsideration_id: str,
    request: Request,
    body: dict[str, Any] = Body(...),
    user: SessionUser = Depends(current_user),
) -> dict[str, str | None]:
    """Propose the answer to a reconsideration; only someone who took no part in the decision may. A member
    of another organisation confirms it (``POST /cases/{case_id}/identification/confirmation``)."""
    data = parse(ReconsiderationDecisionInput, body)
    identification.decide_reconsideration(
        get_db(request), _nat(request), user.actor, reconsideration_id, data
    )
    return {"status": "proposed"}


@router.get("/identification/deadlines")
def deadlines(request: Request, user: SessionUser = Depends(current_user)) -> list[dict[str, Any]]:
    """Open decisions and reconsiderations by deadline, overdue first: every panel for the NRM coordinator
    (without case ids), the panels of her organisation for a panel member."""
    items = identification.deadlines(
        get_db(request), _nat(request), user.actor, coordinator=bool(dashboard_decision(user.actor))
    )
    return [_json(asdict(i)) for i in items]


@router.get("/identification/statistics")
def statistics(request: Request, user: SessionUser = Depends(current_user)) -> dict[str, Any]:
    """Counts of decisions by stage and outcome, of working days to decide and of persons by the §110
    dimensions; small cells as "<11" with secondary suppression. For the NRM coordinator and the statistics
    office's analysts (never an enforcement organisation); others read the published report."""
    may = dashboard_decision(user.actor)
    if not may:
        may = exact_statistics_decision(user.actor)
    if not may:
        refuse(get_db(request), user.actor, "identification.statistics", "statistics", None, may.reason)
    return identification.statistics(get_db(request))
