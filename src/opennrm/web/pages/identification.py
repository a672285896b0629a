"""Pages of identification decisions (GR38 §77–78): a case's panel and decisions, convening a panel,
deciding, recusing, reconsideration, the decision letter (print view and PDF, in her language) and the
deadlines of panels. They work without JavaScript; every form carries the CSRF token and errors are tied to
their fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from opennrm.access.policy import dashboard_decision
from opennrm.domain.text import N_
from opennrm.identification.rules import (
    ConfirmationInput,
    DecisionInput,
    Outcome,
    PanelInput,
    ReconsiderationDecisionInput,
    ReconsiderationRequestInput,
    ReconsiderationResult,
    RecusalInput,
)
from opennrm.screening.catalogue import default_catalogue, pick_text
from opennrm.services import identification
from opennrm.services.errors import Conflict, Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.web import i18n, negotiation
from opennrm.web.deps import get_db, get_settings, session_user
from opennrm.web.pages.flash import done
from opennrm.web.pages.form_errors import errors_by_field
from opennrm.web.pages.posted import form_endpoint
from opennrm.web.pages.referrals import _posted, _text
from opennrm.web.pages.render import environment, render
from opennrm.web.pdf import html_to_pdf

router = APIRouter()
LETTER_QUERY = "language"


def _nat(request: Request) -> identification.NationalProcedure:
    return identification.national_procedure(get_settings(request))


def _page(
    request: Request,
    case_id: str,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    user = session_user(request)
    nat = _nat(request)
    view = identification.view_identification(get_db(request), nat, user.actor, case_id)
    return render(
        request,
        "identification.html",
        status=status,
        view=view,
        stages={s.id: s for s in nat.procedure.stages},
        organisations=identification.panel_candidates(get_db(request), nat) if view.owner_side else [],
        errors=errors or {},
        values=values or {},
        outcomes=[o.value for o in Outcome],
        results=[r.value for r in ReconsiderationResult],
        reconsidered={r.decision_id for r in view.reconsiderations},
        today=dt.date.today(),
        language_of=_stage_text,
    )


def _stage_text(texts: Any) -> str:
    return str(texts.get(i18n.active().tag) or texts["en"])


@router.get("/cases/{case_id}/identification")
def identification_page(case_id: str, request: Request) -> Response:
    return _page(request, case_id)


def _submit(request: Request, case_id: str, action: Any, default_field: str, what: str) -> Response:
    user, form = _posted(request)
    values: dict[str, Any] = {k: str(v) for k, v in form.items()}
    values["organisation_ids"] = [str(o) for o in form.getlist("organisation_ids")]  # every tick kept
    try:
        action(user, form)
    except InvalidInput as exc:
        return _page(request, case_id, errors_by_field(exc, default_field), values, status=422)
    except Conflict as exc:
        return _page(request, case_id, {default_field: exc.message}, values, status=409)
    except Forbidden as exc:
        if exc.message.startswith("no consent") or "consent" in exc.message:
            values["consent_missing"] = True  # the page links to her consent for identification
            return _page(request, case_id, {default_field: exc.message}, values, status=403)
        raise
    return RedirectResponse(done(f"/cases/{case_id}/identification", what), status_code=303)


@router.post("/cases/{case_id}/identification/panel")
@form_endpoint
def convene_submit(case_id: str, request: Request) -> Response:
    def act(user: Any, form: Any) -> None:
        data = parse(PanelInput, {"organisation_ids": [str(o) for o in form.getlist("organisation_ids")]})
        identification.convene_panel(get_db(request), _nat(request), user.actor, case_id, data)

    return _submit(request, case_id, act, "organisation_ids", "panel")


@router.post("/cases/{case_id}/identification/decisions")
@form_endpoint
def decision_submit(case_id: str, request: Request) -> Response:
    def act(user: Any, form: Any) -> None:
        raw: dict[str, Any] = {
            "stage": _text(form, "stage"),
            "outcome": _text(form, "outcome"),
            "screening_id": _text(form, "screening_id"),
            "indicators": [str(i) for i in form.getlist("indicators")],
            "reasons": _text(form, "reasons"),
        }
        if _text(form, "dissent"):
            raw["dissent"] = _text(form, "dissent")
        identification.record_decision(
            get_db(request), _nat(request), user.actor, case_id, parse(DecisionInput, raw)
        )

    return _submit(request, case_id, act, "outcome", "proposed")


@router.post("/cases/{case_id}/identification/confirmation")
@form_endpoint
def confirmation_submit(case_id: str, request: Request) -> Response:
    def act(user: Any, form: Any) -> None:
        raw: dict[str, Any] = {"confirm": _text(form, "confirm")}
        if raw["confirm"] == "yes" and _text(form, "read") != "yes":  # the step before an irreversible act
            raise InvalidInput(
                N_("tick the box to say you have read the screening and the reasons"), field="read"
            )
        if _text(form, "decline_reason"):
            raw["reason"] = _text(form, "decline_reason")
        try:
            data = parse(ConfirmationInput, raw)
        except InvalidInput as exc:
            message = exc.message.removeprefix(f"{exc.field}: ") if exc.field else exc.message
            raise InvalidInput(message, field="decline_reason") from None
        identification.answer_proposal(get_db(request), _nat(request), user.actor, case_id, data)

    return _submit(request, case_id, act, "decline_reason", "proposal-answered")


@router.post("/cases/{case_id}/identification/recusals")
@form_endpoint
def recusal_submit(case_id: str, request: Request) -> Response:
    def act(user: Any, form: Any) -> None:
        raw = {"organisation_id": _text(form, "organisation_id"), "reason": _text(form, "recusal_reason")}
        identification.recuse(get_db(request), _nat(request), user.actor, case_id, parse(RecusalInput, raw))

    return _submit(request, case_id, act, "recusal_reason", "recusal")


@router.post("/cases/{case_id}/identification/reconsiderations")
@form_endpoint
def reconsideration_submit(case_id: str, request: Request) -> Response:
    def act(user: Any, form: Any) -> None:
        raw = {"decision_id": _text(form, "decision_id"), "grounds": _text(form, "grounds")}
        identification.request_reconsideration(
            get_db(request),
            _nat(request),
            user.actor,
            case_id,
            parse(ReconsiderationRequestInput, raw),
        )

    return _submit(request, case_id, act, "grounds", "reconsideration")


@router.post("/cases/{case_id}/identification/reconsiderations/{reconsideration_id}")
@form_endpoint
def reconsideration_answer(case_id: str, reconsideration_id: str, request: Request) -> Response:
    def act(user: Any, form: Any) -> None:
        raw = {"result": _text(form, "result"), "reasons": _text(form, "answer_reasons")}
        identification.decide_reconsideration(
            get_db(request),
            _nat(request),
            user.actor,
            reconsideration_id,
            parse(ReconsiderationDecisionInput, raw),
        )

    return _submit(request, case_id, act, "answer_reasons", "reconsideration-answer")


# -- the letter ----------------------------------------------------------------------------------------


def letter_language(requested: str | None, languages: list[str]) -> str:
    """The letter's language: the one asked for, else her first language the interface speaks, else
    English."""
    available = i18n.available()
    for candidate in [requested, *languages]:
        found = negotiation.match(candidate, available) if candidate else None
        if found:
            return found
    return i18n.SOURCE_LANGUAGE


def letter_html(request: Request, case_id: str) -> tuple[str, str]:
    """The letter's HTML in her language, and that language's tag."""
    user = session_user(request)
    nat = _nat(request)
    facts = identification.letter_facts(
        get_db(request), nat, user.actor, case_id, request.query_params.get("decision")
    )
    tag = letter_language(request.query_params.get(LETTER_QUERY), facts.languages)
    catalogue = default_catalogue()
    with i18n.activated(tag) as language:
        indicators = [
            pick_text(catalogue.indicators[code].text, tag) if code in catalogue.indicators else code
            for code in facts.decision.indicators
        ]
        html = (
            environment()
            .get_template("identification_letter.html")
            .render(
                lang=language.tag,
                dir=language.direction,
                facts=facts,
                decision=facts.decision,
                stage_name=facts.stage.name.get(tag) or facts.stage.name["en"],
                standard=facts.stage.standard_in_letter(tag),
                indicators=indicators,
                recovery_days=nat.procedure.recovery_days,
                has_next=facts.decision.outcome == "positive" and not facts.stage.final,
                languages=i18n.languages(),
                case_id=case_id,
            )
        )
    return html, tag


@router.get("/cases/{case_id}/identification/letter")
def letter_page(case_id: str, request: Request) -> Response:
    html, tag = letter_html(request, case_id)
    response = HTMLResponse(html)
    response.headers["Content-Language"] = tag
    return response


@router.get("/cases/{case_id}/identification/letter.pdf")
async def letter_pdf(case_id: str, request: Request) -> Response:
    html, tag = await run_in_threadpool(letter_html, request, case_id)
    pdf = await run_in_threadpool(html_to_pdf, html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Language": tag,
            "Content-Disposition": f'inline; filename="decision-{tag}.pdf"',
        },
    )


# -- deadlines -----------------------------------------------------------------------------------------


@router.get("/identification/deadlines")
def deadlines_page(request: Request) -> Response:
    user = session_user(request)
    coordinator = bool(dashboard_decision(user.actor))
    items = identification.deadlines(get_db(request), _nat(request), user.actor, coordinator=coordinator)
    return render(request, "identification_deadlines.html", items=items, coordinator=coordinator)
