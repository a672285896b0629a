"""The job-ad review pages (GR38 §§36, 71, 73): scans, queues of ads and actor networks by risk, one ad
with its evidence marked, and the reviewer's decision. Open to ad reviewers of the organisation that scanned
the ads (``access.policy.ad_review_decision``); every view and decision is audited by the service."""

from __future__ import annotations

import functools
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from opennrm.domain.text import N_
from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.licences import FLAG_EXPLANATION, FLAG_NAME, LICENCE_FLAG
from opennrm.recruitment.review import DecisionLabel
from opennrm.services import ad_review, signals
from opennrm.services.errors import InvalidInput
from opennrm.web.deps import check_csrf, get_db, get_settings, session_user
from opennrm.web.limits import accepts_upload
from opennrm.web.pages.labour import licence_flag_detail
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()


@functools.cache
def flag_texts() -> dict[str, tuple[str, str]]:
    """Each red flag's name and explanation, in English as the lexicon (recruitment/data/red_flags.yaml) and
    licences.py word them; babel.cfg extracts them from there and the templates translate them."""
    lexicon = {flag.id: (flag.name, flag.explanation) for flag in load_lexicon().flags}
    return {**lexicon, LICENCE_FLAG: (FLAG_NAME, FLAG_EXPLANATION)}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _page_number(request: Request) -> int:
    try:
        return max(1, min(int(request.query_params.get("page") or 1), 1_000_000))
    except ValueError:
        return 1


def _scans_page(request: Request, status: int = 200, **context: Any) -> Response:
    user = session_user(request)
    scans = ad_review.list_scans(get_db(request), user.actor)
    context.setdefault("error", None)
    context.setdefault("deleted", None)
    context.setdefault("name", "")
    return render(
        request,
        "ads.html",
        status=status,
        scans=scans,
        max_mb=ad_review.MAX_UPLOAD_BYTES // (1024 * 1024),
        max_ads=ad_review.MAX_UPLOAD_ADS,
        **context,
    )


@router.get("/ads")
def scans(request: Request) -> Response:
    deleted = request.query_params.get("deleted", "")
    return _scans_page(request, deleted=int(deleted) if deleted.isdigit() else None)


@router.post("/ads")
@accepts_upload
async def upload(request: Request) -> Response:
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    await run_in_threadpool(ad_review.check_reviewer, get_db(request), user.actor)
    name = str(form.get("name") or "")
    file = form.get("file")
    try:
        if file is None or isinstance(file, str):
            raise InvalidInput("choose a file of ads (JSON Lines or CSV)", field="file")
        data = await file.read(ad_review.MAX_UPLOAD_BYTES + 1)
        parsed = await run_in_threadpool(ad_review.parse_upload, data, file.filename or "")
        if len(parsed.ads) > ad_review.QUEUE_ABOVE_ADS:
            # a large upload is scanned by the worker; its progress is on the job's page
            job_id = await run_in_threadpool(
                ad_review.queue_upload,
                get_db(request),
                user.actor,
                name,
                data,
                file.filename or "",
                get_settings(request).ads_model,
            )
            return RedirectResponse(f"/jobs/{job_id}", status_code=303)
        # scanning takes seconds: off the event loop, so other users' pages keep answering
        scan_id = await run_in_threadpool(
            ad_review.scan_upload, get_db(request), user.actor, name, parsed, get_settings(request).ads_model
        )
    except InvalidInput as exc:
        return await run_in_threadpool(
            functools.partial(_scans_page, request, status=422, error=exc, name=name[:200])
        )
    if parsed.malformed:
        shown = [str(problem) for problem in parsed.malformed[: ad_review.SHOWN_PROBLEMS]]
        return await run_in_threadpool(
            functools.partial(
                _scans_page, request, imported=scan_id, problems=shown, problem_count=len(parsed.malformed)
            )
        )
    return RedirectResponse(f"/ads/scans/{scan_id}", status_code=303)


@router.get("/ads/scans/{scan_id}")
def queue(scan_id: str, request: Request) -> Response:
    user = session_user(request)
    db = get_db(request)
    page = _page_number(request)
    if request.query_params.get("view") == "networks":
        networks = ad_review.network_queue(db, user.actor, scan_id, page=page)
        return render(request, "ads_queue.html", view="networks", result=networks, undecided=False)
    undecided = request.query_params.get("undecided") == "1"
    ads = ad_review.ad_queue(db, user.actor, scan_id, page=page, undecided_only=undecided)
    return render(request, "ads_queue.html", view="ads", result=ads, undecided=undecided)


@router.post("/ads/scans/{scan_id}/delete")
@form_endpoint
def delete_scan(scan_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    if form.get("confirm") != "on":
        raise InvalidInput("tick the box to confirm that the scan may be deleted", field="confirm")
    deleted = ad_review.delete_scan(get_db(request), user.actor, scan_id)
    return RedirectResponse(f"/ads?deleted={deleted}", status_code=303)


@router.get("/ads/scans/{scan_id}/network")
def network(scan_id: str, request: Request) -> Response:
    user = session_user(request)
    key = (request.query_params.get("key") or "")[:240]
    found = ad_review.network_detail(get_db(request), user.actor, scan_id, key)
    return render(request, "ads_network.html", network=found, flag_texts=flag_texts())


def _ad_page(request: Request, ad_id: str, status: int = 200, error: InvalidInput | None = None) -> Response:
    user = session_user(request)
    view = ad_review.ad_detail(get_db(request), user.actor, ad_id)
    return render(
        request,
        "ad.html",
        status=status,
        ad=view,
        flag_texts=flag_texts(),
        decisions=[d.value for d in DecisionLabel],
        error=error,
        signal_kinds=_SIGNAL_KINDS,
        signal_opinions=_SIGNAL_OPINIONS,
        licence_flag_detail=licence_flag_detail,
    )


_SIGNAL_KINDS = {
    "phone": N_("phone number"),
    "email": N_("e-mail address"),
    "url": N_("web address"),
    "domain": N_("web domain"),
    "handle": N_("messaging handle"),
    "company_reg": N_("company registration number"),
    "pdq": N_("image"),
}
_SIGNAL_OPINIONS = {
    "seen": N_("seen, no opinion"),
    "confirmed": N_("confirmed"),
    "disputed": N_("disputed"),
}


@router.get("/ads/{ad_id}")
def ad(ad_id: str, request: Request) -> Response:
    return _ad_page(request, ad_id)


@router.post("/ads/{ad_id}/decision")
@form_endpoint
def decide(ad_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    try:
        ad_review.record_decision(
            get_db(request), user.actor, ad_id, str(form.get("decision") or ""), str(form.get("note") or "")
        )
    except InvalidInput as exc:
        return _ad_page(request, ad_id, status=422, error=exc)
    following = str(form.get("next") or "")
    if _is_uuid(following) and following != ad_id:
        return RedirectResponse(f"/ads/{following}", status_code=303)
    return RedirectResponse(f"/ads/{ad_id}", status_code=303)


@router.post("/ads/{ad_id}/signals/{match_id}")
async def signal_opinion(ad_id: str, match_id: str, request: Request) -> Response:
    """A reviewer confirms or disputes a signal an ad matched (sent back to its source at the next export)."""
    require_same_origin(request)
    user = await run_in_threadpool(session_user, request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    try:
        await run_in_threadpool(
            functools.partial(signals.record_feedback, ad_id=ad_id),
            get_db(request),
            user.actor,
            match_id,
            str(form.get("opinion") or ""),
        )
    except InvalidInput as exc:
        return _ad_page(request, ad_id, status=422, error=exc)
    return RedirectResponse(f"/ads/{ad_id}", status_code=303)
