"""Job-ad review (GR38 §§36, 71, 73): scans, queues of ads and actor networks, one ad, decisions, labels,
opinions on shared signals; and the exchange of signals between installations (GR38 §74).

The same service calls as the review pages, for platforms that wire the queue into their own tools. The
exchange routes are not for users: a partner installation presents the token it was given (ADR 0011)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from opennrm.recruitment.review import MAX_NOTE_CHARS, DecisionLabel
from opennrm.services import ad_review, signals
from opennrm.services.auth import SessionUser
from opennrm.services.errors import InvalidInput
from opennrm.web.api.shapes import Created
from opennrm.web.deps import current_user, get_db, get_settings
from opennrm.web.limits import accepts_upload
from opennrm.web.problems import problem
from opennrm.web.uploads import multipart_body, read_upload

router = APIRouter(
    tags=["job ads"],
    responses={
        401: {"description": "Log in first"},
        403: {"description": "Refused"},
        404: {"description": "Not found"},
    },
)


class ScanCreated(BaseModel):
    id: str
    ads: int
    malformed: list[str] = Field(description="Unreadable records, 'line N: reason', skipped.")


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: DecisionLabel
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


def _plain(value: Any) -> dict[str, Any]:
    found: dict[str, Any] = dataclasses.asdict(value)
    return found


@router.get("/ad-scans")
def list_scans(request: Request, user: SessionUser = Depends(current_user)) -> list[dict[str, Any]]:
    """Your organisation's scans, newest first."""
    return [_plain(s) for s in ad_review.list_scans(get_db(request), user.actor)]


@router.post(
    "/ad-scans",
    response_model=ScanCreated,
    status_code=201,
    responses={413: {"description": "Too large"}, 422: {"description": "Invalid input"}},
    openapi_extra=multipart_body(
        "JSON Lines or CSV: one ad per record with id, title, text.",
        name="A name for the scan, e.g. the crawl's date (up to 200 characters).",
    ),
)
@accepts_upload
async def create_scan(request: Request, user: SessionUser = Depends(current_user)) -> ScanCreated:
    """Scan a file of ads with the installation's model and add them to the review queue."""
    await run_in_threadpool(ad_review.check_reviewer, get_db(request), user.actor)
    upload = await read_upload(request, max_bytes=ad_review.MAX_UPLOAD_BYTES, fields=("name",))
    name = upload.fields["name"]
    if len(name) > 200:
        raise InvalidInput("name: at most 200 characters", field="name")
    # parsing and scanning take seconds: off the event loop, so other requests keep being answered
    parsed = await run_in_threadpool(ad_review.parse_upload, upload.content, upload.filename)
    scan_id = await run_in_threadpool(
        ad_review.scan_upload, get_db(request), user.actor, name, parsed, get_settings(request).ads_model
    )
    return ScanCreated(id=scan_id, ads=len(parsed.ads), malformed=[str(m) for m in parsed.malformed])


@router.delete("/ad-scans/{scan_id}", status_code=204, response_class=Response)
def delete_scan(scan_id: str, request: Request, user: SessionUser = Depends(current_user)) -> Response:
    """Delete a scan with its ads, networks and decisions (export the labels you need first)."""
    ad_review.delete_scan(get_db(request), user.actor, scan_id)
    return Response(status_code=204)


@router.get("/ad-scans/{scan_id}/ads")
def ad_queue(
    scan_id: str,
    request: Request,
    page: int = Query(1, ge=1, le=1_000_000),
    undecided: bool = Query(False, description="Only ads without a decision."),
    user: SessionUser = Depends(current_user),
) -> dict[str, Any]:
    """One page of the scan's ads, riskiest first."""
    result = ad_review.ad_queue(get_db(request), user.actor, scan_id, page=page, undecided_only=undecided)
    return _plain(result)


@router.get("/ad-scans/{scan_id}/networks")
def network_queue(
    scan_id: str,
    request: Request,
    page: int = Query(1, ge=1, le=1_000_000),
    user: SessionUser = Depends(current_user),
) -> dict[str, Any]:
    """One page of the scan's actor networks (two or more linked ads), riskiest first."""
    return _plain(ad_review.network_queue(get_db(request), user.actor, scan_id, page=page))


@router.get(
    "/ads/labels", response_class=Response, responses={200: {"content": {"application/x-ndjson": {}}}}
)
def labels(request: Request, user: SessionUser = Depends(current_user)) -> Response:
    """Your organisation's decided ads as labelled JSON Lines, for `opennrm ads train`."""
    records = ad_review.labelled_ads(get_db(request), user.actor)
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="ad-labels.jsonl"'},
    )


@router.get("/ads/{ad_id}")
def read_ad(ad_id: str, request: Request, user: SessionUser = Depends(current_user)) -> dict[str, Any]:
    """One ad with its flags, evidence spans, contacts, network and decisions."""
    view = ad_review.ad_detail(get_db(request), user.actor, ad_id)
    found = _plain(view)
    found["decision"] = view.decision
    return found


@router.post(
    "/ads/{ad_id}/decisions",
    response_model=Created,
    status_code=201,
    responses={422: {"description": "Invalid input"}},
)
def decide(
    ad_id: str, body: DecisionIn, request: Request, user: SessionUser = Depends(current_user)
) -> Created:
    """Record your decision on an ad: deceptive, legitimate or unsure (the latest decision counts)."""
    return Created(
        id=ad_review.record_decision(get_db(request), user.actor, ad_id, body.decision.value, body.note)
    )


class SignalOpinionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    opinion: Literal["seen", "confirmed", "disputed"] = Field(
        description="seen: looked at, no opinion; confirmed; disputed (withdraws the signal at its source)."
    )


@router.post(
    "/ads/{ad_id}/signals/{match_id}",
    status_code=204,
    response_class=Response,
    responses={422: {"description": "Invalid input"}},
)
def signal_opinion(
    ad_id: str,
    match_id: str,
    body: SignalOpinionIn,
    request: Request,
    user: SessionUser = Depends(current_user),
) -> Response:
    """Your opinion on a shared signal the ad matches (``signal_flags[].match_id`` of ``GET /api/ads/{id}``);
    sent back to the signal's source with your next exchange file. It acts on nothing else."""
    signals.record_feedback(get_db(request), user.actor, match_id, body.opinion, ad_id=ad_id)
    return Response(status_code=204)


# -- the exchange between installations --------------------------------------------------------------------

_EXCHANGE = "application/x-ndjson"
_PARTNER_ONLY: dict[int | str, dict[str, Any]] = {
    401: {"description": "No partner token, or not one this installation knows"},
    403: {"description": "Refused (the organisation is an enforcement organisation)"},
    503: {"description": "No exchange key set, or the partners file cannot be used"},
}


def _partner(request: Request) -> signals.Partner | None:
    known = signals.partners(get_settings(request).home)
    return signals.partner_for(known, request.headers.get("authorization"))


def _unknown_partner() -> Response:
    refused = problem(
        401,
        "Authentication required",
        "The signal exchange answers partner installations that present their token (docs/recruitment.md).",
    )
    refused.headers["WWW-Authenticate"] = 'Bearer realm="opennrm-signals"'
    return refused


@router.get(
    "/signals/exchange",
    tags=["signals"],
    response_class=Response,
    responses={200: {"content": {_EXCHANGE: {}}}, **_PARTNER_ONLY},
)
def exchange_out(request: Request) -> Response:
    """For a partner installation (``Authorization: Bearer <its token>``): this installation's current
    exchange file, as ``opennrm signals export`` writes it, with only the opinions on its own signals."""
    partner = _partner(request)
    if partner is None:
        return _unknown_partner()
    lines = signals.partner_export(get_db(request), partner, signals.exchange_key())
    return Response("".join(line + "\n" for line in lines), media_type=_EXCHANGE)


class ExchangeImported(BaseModel):
    signals: int
    new: int
    withdrawn: int
    expired_ignored: int
    opinions_on_ours: int
    ads_matched: int = Field(description="Stored ads newly flagged for a reviewer; nothing else is done.")


@router.post(
    "/signals/exchange",
    tags=["signals"],
    response_model=ExchangeImported,
    responses={
        **_PARTNER_ONLY,
        413: {"description": "Too large"},
        422: {"description": "Invalid input: nothing was imported"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The partner's own exchange file (JSON Lines, from `opennrm signals export`).",
            "content": {_EXCHANGE: {"schema": {"type": "string"}}},
        }
    },
)
@accepts_upload
async def exchange_in(request: Request) -> ExchangeImported | Response:
    """For a partner installation (``Authorization: Bearer <its token>``): import its exchange file, whole or
    not at all. Its signals only flag matching ads for this organisation's reviewers."""
    partner = await run_in_threadpool(_partner, request)
    if partner is None:
        return _unknown_partner()
    key = await run_in_threadpool(signals.exchange_key)
    # authenticated: now the body may be read (up to the upload limit, then the service's own)
    body = await request.body()
    summary = await run_in_threadpool(signals.partner_import, get_db(request), partner, body, key)
    return ExchangeImported(**summary)
