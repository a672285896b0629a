"""The financial-investigation pages (GR38 §72, §108, §112(e)): investigations of the user's organisation, an
uploaded dataset's ranked accounts, one account with its typology evidence and a drawn ego network, a trace
with both attributions (and its evidence pack), and the confiscations recorded. Open to financial
investigators of the organisation that holds the investigation (``access.policy.finance_decision``); no case
data is read by anything here. Every view is audited by the service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from opennrm.domain.text import N_
from opennrm.finance.detectors import RULES
from opennrm.services import finance
from opennrm.services.errors import InvalidInput
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.i18n import gettext
from opennrm.web.limits import accepts_upload
from opennrm.web.pages.form_errors import errors_by_field
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

# Rule names as shown to an investigator (the detectors' codes stay in the evidence files).
RULE_NAMES: dict[str, str] = {
    "fan_in": N_("Fan-in: many senders to one account"),
    "fan_out": N_("Fan-out: one account paying many"),
    "cycle": N_("Cycle: money returning to where it started"),
    "scatter_gather": N_("Scatter-gather: one sender, many intermediaries, one receiver"),
    "gather_scatter": N_("Gather-scatter: many in, then many out"),
    "bipartite": N_("Bipartite layer: a group paying the same group"),
    "stack": N_("Stacked layers"),
    "pass_through": N_("Rapid pass-through"),
    "structuring": N_("Structuring below a reporting threshold"),
    "split_payments": N_("Split payments to the same account"),
    "exploitation_spending": N_("Spending that recurs in sexual-exploitation cases"),
    "off_hours": N_("Cash or card use at night"),
    "mobility": N_("Lodging or deposits in many places"),
    "payroll": N_("Wages of several employers into one account"),
    "alternative_payments": N_("Prepaid, crypto or e-money payments"),
    "cross_border": N_("Cash in, then paid abroad"),
    "shared_identifiers": N_("Identifiers shared between accounts"),
}
assert set(RULE_NAMES) == set(RULES)  # noqa: S101 - a new detector needs its name here


def hit_explanation(hit: Mapping[str, Any]) -> str:
    """A stored hit's sentence in the page's language: its ``message`` translated and filled with its
    ``params`` (account names and numbers as they are). A hit stored before hits carried their message, or
    one whose sentence cannot be filled, shows its English ``explanation``."""
    message, params = hit.get("message"), hit.get("params")
    if isinstance(message, str) and message and isinstance(params, dict):
        try:
            return gettext(message) % params
        except (KeyError, TypeError, ValueError):
            pass
    return str(hit.get("explanation") or "")


CONFISCATION_FIELDS = ("order", "amount", "currency", "confiscated_on")


def _list_page(
    request: Request, status: int = 200, error: InvalidInput | None = None, title: str = ""
) -> Response:
    user = session_user(request)
    items = finance.list_investigations(get_db(request), user.actor)
    return render(request, "finance.html", status=status, investigations=items, error=error, title=title)


@router.get("/finance")
def investigations(request: Request) -> Response:
    return _list_page(request)


@router.post("/finance")
async def create(request: Request) -> Response:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    title = str(form.get("title") or "")
    try:
        new = await run_in_threadpool(finance.create_investigation, get_db(request), user.actor, title)
    except InvalidInput as exc:
        return _list_page(request, status=422, error=exc, title=title[:200])
    return RedirectResponse(f"/finance/{new}", status_code=303)


def _investigation_page(
    request: Request, investigation_id: str, status: int = 200, **context: Any
) -> Response:
    user = session_user(request)
    view = finance.view_investigation(get_db(request), user.actor, investigation_id)
    seeds = finance.consented_seeds(get_db(request), user.actor) if view.datasets else []
    context.setdefault("error", None)
    context.setdefault("rejected", None)
    context.setdefault("confiscation_errors", {})
    context.setdefault("entered", {})
    return render(
        request,
        "finance_investigation.html",
        status=status,
        inv=view,
        consented_seeds=seeds,
        rule_names=RULE_NAMES,
        max_mb=finance.MAX_UPLOAD_BYTES // (1024 * 1024),
        **context,
    )


@router.get("/finance/{investigation_id}")
def investigation(investigation_id: str, request: Request) -> Response:
    return _investigation_page(request, investigation_id)


@router.post("/finance/{investigation_id}/datasets")
@accepts_upload
async def upload(investigation_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    await run_in_threadpool(finance.guard, get_db(request), user.actor, investigation_id)
    tx, acc = form.get("transactions"), form.get("accounts")
    try:
        if tx is None or isinstance(tx, str):
            raise InvalidInput("choose a transactions file (CSV or Parquet)", field="transactions")
        data = await tx.read(finance.MAX_UPLOAD_BYTES + 1)
        accounts = None
        if acc is not None and not isinstance(acc, str) and acc.filename:
            accounts = await acc.read(finance.MAX_UPLOAD_BYTES + 1)
        added = await run_in_threadpool(
            finance.add_dataset,
            get_db(request),
            user.actor,
            investigation_id,
            str(form.get("name") or ""),
            data,
            accounts,
            tx.filename or "transactions.csv",
        )
    except InvalidInput as exc:
        return _investigation_page(
            request,
            investigation_id,
            status=422,
            error=exc,
            entered={"name": str(form.get("name") or "")[:200]},
        )
    return _investigation_page(
        request, investigation_id, added=added, rejected=added.rejected[: finance.SHOWN_REJECTS]
    )


@router.post("/finance/{investigation_id}/confiscations")
async def confiscation(investigation_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    entered = {name: str(form.get(name) or "") for name in CONFISCATION_FIELDS}
    try:
        await run_in_threadpool(
            finance.record_confiscation,
            get_db(request),
            user.actor,
            investigation_id,
            entered["amount"],
            entered["currency"],
            entered["order"],
            entered["confiscated_on"],
        )
    except InvalidInput as exc:
        errors = errors_by_field(exc, "amount", {"source": "order", "allocated_on": "confiscated_on"})
        shown = {
            name: value[:2000] for name, value in entered.items()
        }  # what was typed, within the form's limits
        return _investigation_page(
            request, investigation_id, status=422, confiscation_errors=errors, entered=shown
        )
    return RedirectResponse(f"/finance/{investigation_id}#confiscations", status_code=303)


@router.get("/finance/{investigation_id}/datasets/{dataset_id}/accounts/{account}")
def account(investigation_id: str, dataset_id: str, account: str, request: Request) -> Response:
    from opennrm.finance.ego import ego_svg

    user = session_user(request)
    view = finance.view_account(get_db(request), user.actor, investigation_id, dataset_id, account[:200])

    def network(title: str) -> Markup:
        """The drawing, titled in the page's language (the template translates the title)."""
        return Markup(ego_svg(view.account, view.edges, title))  # noqa: S704 - every label is escaped in ego_svg

    return render(
        request,
        "finance_account.html",
        view=view,
        network=network,
        rule_names=RULE_NAMES,
        explanation=hit_explanation,
        investigation_id=investigation_id,
        dataset_id=dataset_id,
    )


@router.get("/finance/{investigation_id}/datasets/{dataset_id}/trace")
def trace(investigation_id: str, dataset_id: str, request: Request) -> Response:
    from opennrm.finance import evidence_pack

    user = session_user(request)
    q = request.query_params
    seed = (q.get("seed") or "")[:200]
    direction = q.get("direction") or "forward"
    try:
        hops = int(q.get("hops") or 3)
    except ValueError:
        hops = 0
    result = finance.trace(get_db(request), user.actor, investigation_id, dataset_id, seed, direction, hops)
    fmt = q.get("format")
    if fmt == "csv":
        return Response(
            evidence_pack.csv_text(result),
            media_type="text/csv",
            headers={"Content-Disposition": 'attachment; filename="trace.csv"'},
        )
    if fmt == "pdf":
        return Response(
            evidence_pack.pdf_bytes(result),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="trace.pdf"'},
        )
    return render(
        request,
        "finance_trace.html",
        trace=result,
        investigation_id=investigation_id,
        dataset_id=dataset_id,
        seed=seed,
        consented=seed.startswith(finance.CONSENTED_SEED),
        consented_label=finance.CONSENTED_LABEL,
        direction=direction,
        hops=hops,
        shown=result.destinations[:200],
    )
