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

from opennrm.recruitment.licences import LICENCE_FLAG
from opennrm.recruitment.review import DecisionLabel
from opennrm.services import ad_review, signals
from opennrm.services.errors import InvalidInput
from opennrm.web.deps import check_csrf, get_db, get_settings, session_user
from opennrm.web.i18n import N_
from opennrm.web.limits import accepts_upload
from opennrm.web.pages.labour import licence_flag_detail
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

# The red flags' names and explanations as the lexicon (recruitment/data/red_flags.yaml) and licences.py word
# them, marked for translation; tests/unit/web/test_ad_review_pages.py fails when they drift apart.
FLAG_TEXTS: dict[str, tuple[str, str]] = {
    "worker_pays": (
        N_("Worker pays fees or a deposit"),
        N_(
            "The ad asks the jobseeker to pay: a registration, training, uniform, medical, visa or "
            "agency fee, or a deposit. Under the ILO definition of recruitment fees, workers should pay "
            "none of these; fees create debt and are a common opening of both fraud and debt bondage."
        ),
    ),
    "documents_held": (
        N_("Identity documents held by the employer"),
        N_(
            "The ad says the employer or agent will keep the worker's passport or identity card. "
            "Retaining identity documents is an ILO indicator of forced labour: a worker without papers "
            "cannot leave."
        ),
    ),
    "pay_out_of_line": (
        N_("Pay out of line with the job"),
        N_(
            "The ad promises pay that is high, daily, guaranteed or unlimited, usually without saying "
            'what work earns it. Offers that are "too good to be true" are how deceptive recruiters '
            "attract people. The model also compares the stated salary with the requirements "
            "(structural feature)."
        ),
    ),
    "no_skill_needed": (
        N_("No skill or education asked"),
        N_(
            "The ad asks for no education, experience or skill. Harmless for many jobs; a warning sign "
            "when the role is skilled or the pay is high (the model weighs it together with pay)."
        ),
    ),
    "travel_arranged": (
        N_("Travel, visa and lodging arranged, often abroad"),
        N_(
            "The recruiter offers to arrange and pay for flights, visas and housing, often for work "
            "abroad. This is how scam-compound and overseas labour-trafficking recruitment moves "
            "people; food and lodging alone is also common in legitimate factory and catering jobs, so "
            "the weight is moderate."
        ),
    ),
    "vague_employer": (
        N_("Vague or absent employer"),
        N_(
            "The employer cannot be identified: no company name, the name is withheld, no company "
            "description or one that only talks about hiring, no registration number, or a registry "
            "status other than active. Checked in the text and, when the platform supplies them, in the "
            "company fields."
        ),
    ),
    "off_platform_contact": (
        N_("Moves contact off the platform"),
        N_(
            "The ad asks applicants to contact the recruiter on a private chat app (WeChat, QQ, "
            "Telegram, WhatsApp, LINE), often with an obfuscated spelling to avoid platform filters. "
            "Private channels leave no record on the platform. Weak alone: on 58.com (ORFD) such ads "
            "were less often judged fake."
        ),
    ),
    "women_targeted": (
        N_("Appearance, age or sex filters aimed at young women"),
        N_(
            "The ad limits applicants to women or girls, to a narrow young age band, to a minimum "
            'height, or to "good looks" or an "open mind". Such filters are a documented feature of '
            "recruitment into sexual exploitation; they are also illegal discrimination in many "
            "countries. Legitimate jobs also use some of them, so the weight is moderate (see docs: "
            "bias)."
        ),
    ),
    "euphemistic_sector": (
        N_('Euphemistic sector (hostess, companion, "entertainment")'),
        N_(
            "The job is in a sector often used as a euphemism for sexual services: hostess, companion, "
            'escort, nightclub or KTV, "business reception", private massage, modelling without a named '
            "agency. Many people work legally in these sectors; the flag marks a higher risk of "
            "deception, not a crime."
        ),
    ),
    "urgency": (
        N_("Urgency and scarcity"),
        N_(
            "The ad pushes for a fast decision: urgent hiring, limited places, start today. Pressure "
            "leaves no time to check the employer. Very common in legitimate ads too, so its weight is "
            "small."
        ),
    ),
    "task_bait": (
        N_("Work-from-home or task-payment bait"),
        N_(
            'The ad offers easy money at home or on a phone: typing, liking posts, "order boosting", '
            "tasks that need the worker to top up an account first. These are the openings of task "
            "scams and of scam-centre recruitment; a real remote job describes real work."
        ),
    ),
    "debt_or_no_contract": (
        N_("Debt, deductions or no proper contract"),
        N_(
            "The ad mentions salary advances to be repaid, costs deducted from wages, loans for fees, "
            "or work without a written contract or with one in another language. Debt bondage and "
            "withheld wages are ILO indicators of forced labour."
        ),
    ),
    "shared_across_employers": (
        N_("Same template or contact across employers or cities"),
        N_(
            "The ad shares a phone number, chat handle, e-mail or near-identical text with ads posted "
            "under other company names or in several cities. One actor posting under many names is how "
            "recruitment networks hide; it can also be an ordinary staffing agency, so a reviewer "
            "checks who the actor is."
        ),
    ),
    # the licence check's flag (recruitment/licences.py: FLAG_NAME, FLAG_EXPLANATION), added after the scan
    LICENCE_FLAG: (
        N_("Agency or licence not in force"),
        N_(
            "The ad names a recruitment agency or a licence number that the national registry does not show "
            "as licensed on the day of the scan (GR38 §59). Check the registry before acting on the ad."
        ),
    ),
}


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
    return render(request, "ads_network.html", network=found, flag_texts=FLAG_TEXTS)


def _ad_page(request: Request, ad_id: str, status: int = 200, error: InvalidInput | None = None) -> Response:
    user = session_user(request)
    view = ad_review.ad_detail(get_db(request), user.actor, ad_id)
    return render(
        request,
        "ad.html",
        status=status,
        ad=view,
        flag_texts=FLAG_TEXTS,
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
_SIGNAL_OPINIONS = {"confirmed": N_("confirmed"), "disputed": N_("disputed")}


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
            signals.record_feedback, get_db(request), user.actor, match_id, str(form.get("opinion") or "")
        )
    except InvalidInput as exc:
        return _ad_page(request, ad_id, status=422, error=exc)
    return RedirectResponse(f"/ads/{ad_id}", status_code=303)
