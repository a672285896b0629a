"""Her consent in the browser (GR38 §79, §94, §96; DESIGN invariant 3): the consents of a case with their
status, recording one, revoking one after a confirmation step, and a printable explanation and consent form
in her language.

The pages only collect and show; ``opennrm.services.consent`` decides and records (purposes, recipients,
the firewall, a best-interests determination only for a child), and audits every read and write. The form
offers no enforcement organisation or type (``opennrm.services.consent_choices``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from opennrm.domain.consent import Consent, ConsentGiver, ConsentPurpose
from opennrm.domain.iso_codes import LANGUAGES
from opennrm.domain.text import N_
from opennrm.services import cases, consent
from opennrm.services.consent_choices import consent_choices, organisation_names
from opennrm.services.errors import InvalidInput, NotFound
from opennrm.web import i18n, negotiation, pickers
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.drafts import REFERRAL_DRAFT
from opennrm.web.pages.flash import done
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import environment, render
from opennrm.web.pages.same_origin import require_same_origin
from opennrm.web.pdf import html_to_pdf

router = APIRouter()

# Her consent for compensation is recorded with her account, on her claims' page (``remedies.html``).
PURPOSES = [p.value for p in ConsentPurpose if p is not ConsentPurpose.COMPENSATION]
GIVERS = [g.value for g in ConsentGiver]
# Field → what to tell her caseworker when it is wrong (the model's own messages are English and technical).
FIELD_MESSAGES: dict[str, str] = {
    "purposes": N_("Choose at least one purpose."),
    "language": N_("Choose the language she speaks."),
    "expires_on": N_("Give the date the consent ends, today or later and at most three years ahead."),
    "given_on": N_("Give the date she gave her consent, today or earlier."),
    "given_by": N_("Choose who gave the consent."),
    "recipient_organisation_ids": N_("Choose organisations from the list."),
    "recipient_types": N_("Choose types of organisation from the list."),
    "basis": N_("The basis may be at most 1,000 characters."),
}
# Whole-form rules of ``opennrm.domain.consent.Consent`` and refusals of ``record_consent``, by their words.
RULE_MESSAGES: tuple[tuple[str, str, str], ...] = (
    (
        "name the organisations",
        "recipient_organisation_ids",
        N_("Name the organisations, or the types of organisation, she agrees to share with."),
    ),
    (
        "needs its basis",
        "basis",
        N_("A best-interests determination needs its basis written down."),
    ),
    ("three years", "expires_on", N_("Consent may last three years at most; ask her again after that.")),
    ("before given_on", "expires_on", N_("The consent cannot end before the day she gave it.")),
    (
        "only for a child",
        "given_by",
        N_("A best-interests determination replaces consent only for a child."),
    ),
    (
        "firewall",
        "recipient_organisation_ids",
        N_("Enforcement organisations never receive her details, whatever she agrees to."),
    ),
)


def language_names(tag: str) -> list[tuple[str, str]]:
    """Every ISO 639-1 language as (code, name in the reader's language), sorted by name."""
    return list(pickers.language_names(tag))


def _errors_from(exc: ValidationError | InvalidInput) -> dict[str, str]:
    """Every error of the form, keyed by the form field at fault, in the reader's language."""
    found: dict[str, str] = {}
    problems = (
        [(".".join(str(p) for p in e["loc"]), str(e["msg"])) for e in exc.errors()]
        if isinstance(exc, ValidationError)
        else [(exc.field or "", exc.message)]
    )
    for path, message in problems:
        name = path.split(".")[0]
        for words, field, plain in RULE_MESSAGES:
            if words in message:
                found.setdefault(field, i18n.gettext(plain))
                break
        else:
            if name in FIELD_MESSAGES:
                found.setdefault(name, i18n.gettext(FIELD_MESSAGES[name]))
            else:
                found.setdefault("purposes", message)
    return found


def _form_values(form: Any) -> dict[str, Any]:
    return {
        "purposes": [str(v) for v in form.getlist("purposes")],
        "recipient_organisation_ids": [str(v) for v in form.getlist("recipient_organisation_ids")],
        "recipient_types": [str(v) for v in form.getlist("recipient_types")],
        "language": str(form.get("language") or "").strip(),
        "interpreter_used": form.get("interpreter_used") == "on",
        "expires_on": str(form.get("expires_on") or "").strip(),
        "given_by": str(form.get("given_by") or ConsentGiver.PERSON.value),
        "basis": str(form.get("basis") or "").strip(),
        "from": "referral" if form.get("from") == "referral" else "",
    }


def _raw(values: dict[str, Any]) -> dict[str, Any]:
    raw = {k: values[k] for k in ("purposes", "recipient_organisation_ids", "recipient_types", "given_by")}
    raw["language"] = values["language"]
    raw["interpreter_used"] = values["interpreter_used"]
    if values["expires_on"]:
        raw["expires_on"] = values["expires_on"]
    if values["basis"]:
        raw["basis"] = values["basis"]
    return raw


def _page(
    request: Request,
    case_id: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    view: cases.CaseView | None = None,
) -> Response:
    user = session_user(request)
    db = get_db(request)
    records = consent.list_consents(db, user.actor, case_id)  # refuses (audited) who may not read them
    view = view or cases.view_case(db, user.actor, case_id)
    choices = consent_choices(db, exclude_organisation_id=user.actor.organisation_id)
    named = {o.id: o.name for o in choices.organisations}
    ids = {i for r in records for i in r["recipient_organisation_ids"]} - set(named)
    names = {**named, **organisation_names(db, ids)}
    tag = negotiation.request_language(request, user)
    return render(
        request,
        "consents.html",
        status=status,
        view=view,
        records=list(reversed(records)),
        names=names,
        choices=choices,
        values=values,
        errors=errors,
        purposes=PURPOSES,
        givers=GIVERS,
        languages_by_name=language_names(tag),
        print_locales=[i18n.language(t) for t in i18n.UN_LANGUAGES],
        her_locale=negotiation.match(values.get("language") or ""),
    )


@router.get("/cases/{case_id}/consents")
def consents_page(case_id: str, request: Request) -> Response:
    q = request.query_params
    user = session_user(request)
    values: dict[str, Any] = {
        "purposes": [p for p in q.getlist("purpose") if p in PURPOSES],
        "recipient_organisation_ids": [str(o)[:36] for o in q.getlist("recipient")][:50],
        "recipient_types": [],
        "language": "",
        "interpreter_used": False,
        "expires_on": "",
        "given_by": ConsentGiver.PERSON.value,
        "basis": "",
        "from": "referral" if q.get("from") == "referral" else "",
    }
    consent.list_consents(get_db(request), user.actor, case_id)  # refuse before reading the case
    view = cases.view_case(get_db(request), user.actor, case_id)
    spoken = view.case.get("languages") or []
    values["language"] = next((str(c).lower() for c in spoken if str(c).lower() in LANGUAGES), "")
    return _page(request, case_id, values, {}, view=view)


@router.post("/cases/{case_id}/consents")
@form_endpoint
def consent_submit(case_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    values = _form_values(form)
    try:
        record = Consent.model_validate(_raw(values))
        consent.record_consent(get_db(request), user.actor, case_id, record)
    except ValidationError as exc:
        return _page(request, case_id, values, _errors_from(exc), status=422)
    except InvalidInput as exc:
        return _page(request, case_id, values, _errors_from(exc), status=422)
    if values["from"] == "referral" and request.cookies.get(REFERRAL_DRAFT):
        return RedirectResponse(done(f"/cases/{case_id}/referrals/new?draft=1", "consent"), status_code=303)
    return RedirectResponse(done(f"/cases/{case_id}/consents", "consent"), status_code=303)


def _one(request: Request, case_id: str, consent_id: str) -> dict[str, Any]:
    user = session_user(request)
    for record in consent.list_consents(get_db(request), user.actor, case_id):
        if record["id"] == consent_id:
            return record
    raise NotFound(f"no consent {consent_id} on this case")


@router.get("/cases/{case_id}/consents/{consent_id}/revoke")
def revoke_confirm(case_id: str, consent_id: str, request: Request) -> Response:
    record = _one(request, case_id, consent_id)
    user = session_user(request)
    view = cases.view_case(get_db(request), user.actor, case_id)
    names = organisation_names(get_db(request), record["recipient_organisation_ids"])
    return render(request, "consent_revoke.html", view=view, record=record, names=names)


@router.post("/cases/{case_id}/consents/{consent_id}/revoke")
@form_endpoint
def revoke_submit(case_id: str, consent_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    _one(request, case_id, consent_id)  # the consent must belong to this case
    consent.revoke_consent(get_db(request), user.actor, consent_id)
    return RedirectResponse(done(f"/cases/{case_id}/consents", "revoked"), status_code=303)


def _form_context(request: Request, case_id: str, locale: str) -> tuple[str, dict[str, Any]]:
    """Her language's tag and what the explanation and consent form show: with ``?consent=<id>`` the
    recorded consent's terms are filled in, otherwise the boxes are left for her to tick. Reading the
    consents is refused (and audited) for whoever may not."""
    user = session_user(request)
    tag = negotiation.match(locale)
    if tag is None or tag != locale:
        raise NotFound(f"no consent form in {locale!r}")
    db = get_db(request)
    records = consent.list_consents(db, user.actor, case_id)
    wanted = request.query_params.get("consent")
    record = next((r for r in records if r["id"] == wanted), None) if wanted else None
    view = cases.view_case(db, user.actor, case_id)
    names = organisation_names(db, record["recipient_organisation_ids"]) if record else {}
    return tag, {
        "view": view,
        "record": record,
        "names": names,
        "purposes": PURPOSES,
        "query": urlencode({"consent": record["id"]}) if record else "",
    }


def consent_pdf_html(request: Request, case_id: str, locale: str) -> tuple[str, str]:
    """The explanation and consent form as a document of its own (its style inline, nothing to fetch), in
    her language, for the PDF; and the language's tag."""
    tag, context = _form_context(request, case_id, locale)
    with i18n.activated(tag) as language:
        html = (
            environment()
            .get_template("consent_pdf.html")
            .render(lang=language.tag, dir=language.direction, pdf=True, **context)
        )
    return html, tag


@router.get("/cases/{case_id}/consents/print/{locale}.pdf")
async def consent_print_pdf(case_id: str, locale: str, request: Request) -> Response:
    """The explanation and consent form in her language as a PDF, to print or to give her."""
    html, tag = await run_in_threadpool(consent_pdf_html, request, case_id, locale)
    pdf = await run_in_threadpool(html_to_pdf, html)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Language": tag,
            "Content-Disposition": f'inline; filename="consent-{tag}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{case_id}/consents/print/{locale}")
def consent_print(case_id: str, locale: str, request: Request) -> Response:
    """The explanation and consent form, printable, in her language (``locale``)."""
    tag, context = _form_context(request, case_id, locale)
    request.state.language = tag  # the page is in her language, whatever the caseworker's
    return render(
        request,
        "consent_print.html",
        print_locales=[i18n.language(t) for t in i18n.UN_LANGUAGES],
        **context,
    )
