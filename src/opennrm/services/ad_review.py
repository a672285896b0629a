"""Review of scanned job ads (GR38 §§36, 71, 73): queues of ads and actor networks by risk, the evidence of
each score, and reviewers' decisions that feed training.

A scan belongs to the organisation that made it. The ads (text, contacts, employer) and their scan results
are stored encrypted; risk, network and template keys are plain so the queues sort without decrypting.
Every read and every decision writes an audit event; who may review is ``access.policy.ad_review_decision``.
A score is a reason to look, never a finding about a person: the decision is the reviewer's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, ad_review_decision
from opennrm.recruitment.ads import JobAd, MalformedRecord
from opennrm.recruitment.review import (
    MAX_NOTE_CHARS,
    DecisionLabel,
    ReviewDecision,
    Segment,
    actor_queue,
    decisions_to_labels,
    highlight,
)
from opennrm.services import signals
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, NotFound, Unavailable, refuse
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_json, encrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.keys import Keyring
from opennrm.store.tables import AdNetwork, AdReview, AdScan, ScannedAd, User, table_of

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_ADS = 20_000
MAX_NAME_CHARS = 200
PAGE_SIZE = 50
NETWORK_ADS_SHOWN = 200
INSERT_BATCH = 1_000
SHOWN_PROBLEMS = 20
QUEUE_ABOVE_ADS = 2_000
"""An upload with more ads is scanned by the worker (``queue_upload``), not in the uploader's request."""
CLI = "cli"


# -- who may --------------------------------------------------------------------------------------------


def _check(db: Database, actor: Actor, object_type: str, object_id: str | None, owner: str | None) -> None:
    decision = ad_review_decision(actor, owner)
    if not decision:
        refuse(db, actor, Action.ADS_REVIEW, object_type, object_id, decision.reason)


def check_reviewer(db: Database, actor: Actor) -> None:
    """Refuse (audited) anyone who does not review job ads, before a page shows them anything."""
    _check(db, actor, "ad_scan", None, None)


# -- reading uploads and scanning -----------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedUpload:
    ads: list[JobAd]
    malformed: list[MalformedRecord]


def parse_upload(data: bytes, filename: str) -> ParsedUpload:
    """The ads of an uploaded JSON Lines or CSV file; unreadable records are kept with their line numbers."""
    from opennrm.recruitment.reading import InputFormatError, read_ads_text

    if not data.strip():
        raise InvalidInput("the file is empty", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
            "scan large crawls with 'opennrm ads scan' and 'opennrm ads import'",
            field="file",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", field="file") from None
    ads: list[JobAd] = []
    malformed: list[MalformedRecord] = []
    try:
        for item in read_ads_text(text, filename or "upload"):
            if isinstance(item, MalformedRecord):
                malformed.append(item)
            else:
                ads.append(item)
            if len(ads) > MAX_UPLOAD_ADS:
                raise InvalidInput(
                    f"the file holds more than {MAX_UPLOAD_ADS:,} ads; "
                    "scan large crawls with 'opennrm ads scan' and 'opennrm ads import'",
                    field="file",
                )
    except InputFormatError as error:
        raise InvalidInput(str(error).replace(f"{filename}: ", ""), field="file") from None
    if not ads:
        raise InvalidInput("the file holds no readable ad", field="file")
    return ParsedUpload(ads, malformed)


@lru_cache(maxsize=4)
def _model(location: str | None) -> Any:
    from opennrm.recruitment.model import ModelError, load_model

    try:
        return load_model(location)
    except (ModelError, OSError, EOFError, ValueError) as error:
        raise Unavailable(
            f"the ad model named by OPENNRM_ADS_MODEL cannot be loaded ({error}); ask the administrator"
        ) from None


def model_name(location: Path | None) -> str:
    return "default" if location is None else location.name[:MAX_NAME_CHARS]


def _plain(value: str, limit: int) -> str:
    """A value for a plain (unencrypted) column: no NUL characters, which PostgreSQL refuses in text."""
    return value.replace("\x00", "")[:limit]


def _known_id(value: str, what: str) -> str:
    """Row ids are UUIDs; anything else names nothing (and never reaches the database)."""
    try:
        uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no {what} {value[:40]!r}") from None
    return value


def _risk(result: dict[str, Any], name: str, ad_id: str) -> float:
    """A score of the scan result, checked: a number from 0 to 1."""
    try:
        value = float(result[name])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(
            f"the scan result of ad {ad_id[:60]!r} has no valid {name!r}", field=name
        ) from None
    if not 0.0 <= value <= 1.0:
        raise InvalidInput(f"the {name!r} of ad {ad_id[:60]!r} is not between 0 and 1", field=name)
    return value


def _clean_name(name: str) -> str:
    cleaned = " ".join(_plain(name, 10 * MAX_NAME_CHARS).split())
    if not cleaned:
        raise InvalidInput("give the scan a name (for example the crawl's date)", field="name")
    if len(cleaned) > MAX_NAME_CHARS:
        raise InvalidInput(f"the name is longer than {MAX_NAME_CHARS} characters", field="name")
    return cleaned


def scan_upload(
    db: Database,
    actor: Actor,
    name: str,
    upload: ParsedUpload,
    model_location: Path | None = None,
) -> str:
    """Scan uploaded ads with the installation's model and store them for review; returns the scan id."""
    from opennrm.recruitment.pipeline import scan_ads

    _check(db, actor, "ad_scan", None, None)
    cleaned = _clean_name(name)
    results, _ = scan_ads(upload.ads, _model(str(model_location) if model_location else None))
    return store_scan(
        db,
        organisation_id=actor.organisation_id,
        by=actor.user_id,
        name=cleaned,
        model=model_name(model_location),
        scanned=zip(upload.ads, results, strict=True),
        malformed=len(upload.malformed),
    )


PostScanCheck = Callable[[JobAd, dict[str, Any]], dict[str, Any]]
"""A check that reads installation data (a registry, shared signals) and adds flags to a scan result."""


def post_scan_checks(db: Database) -> list[PostScanCheck]:
    """The checks each stored ad's result passes through, in order: the licence registry (issue 19). Each
    check is one line here, so that checks added separately merge without touching each other."""
    from opennrm.recruitment.licences import with_licence_flags
    from opennrm.services.labour import licence_registry

    registry = licence_registry(db)
    return [lambda ad, result: with_licence_flags(ad, result, registry)]


def queue_upload(
    db: Database, actor: Actor, name: str, data: bytes, filename: str, model_location: Path | None = None
) -> str:
    """Queue an upload for the worker (job ``ads.scan``), scanned in the background with its progress on
    ``/jobs/<id>``. Returns the job id.
    The file is kept encrypted in the job until it is scanned; the caller has read it (``parse_upload``)."""
    import base64

    from opennrm.services.jobs import enqueue

    _check(db, actor, "ad_scan", None, None)
    cleaned = _clean_name(name)
    job_id = enqueue(
        db,
        "ads.scan",
        {
            "organisation_id": actor.organisation_id,
            "by": actor.user_id,
            "name": cleaned,
            "filename": filename[:200],
            "model": str(model_location) if model_location else None,
            "scan_id": new_id(),
            "data": base64.b64encode(data).decode("ascii"),
        },
        created_by=actor.user_id,
    )
    assert job_id is not None  # noqa: S101 - no dedupe key: always queued
    return job_id


def scan_queued_upload(ctx: Any) -> dict[str, Any]:
    """Run a queued upload (``queue_upload``): parse, scan with progress, store under the scan id fixed when
    it was queued, so a run after a crash does not store it twice."""
    import base64

    payload = ctx.payload
    scan_id = str(payload["scan_id"])
    with ctx.db.transaction() as session:
        if session.get(AdScan, scan_id) is not None:
            return {"scan_id": scan_id}
    upload = parse_upload(base64.b64decode(payload["data"]), str(payload["filename"]))
    total = len(upload.ads)
    ctx.progress(0, total)
    model_location = Path(payload["model"]) if payload.get("model") else None
    results, _ = _scan(upload.ads, _model(str(model_location) if model_location else None), ctx)
    store_scan(
        ctx.db,
        organisation_id=str(payload["organisation_id"]),
        by=str(payload["by"]),
        name=str(payload["name"]),
        model=model_name(model_location),
        scanned=zip(upload.ads, results, strict=True),
        malformed=len(upload.malformed),
        scan_id=scan_id,
    )
    return {"scan_id": scan_id, "ads": total, "malformed": len(upload.malformed)}


def _scan(ads: list[JobAd], model: Any, ctx: Any) -> tuple[list[dict[str, Any]], Any]:
    from opennrm.recruitment.pipeline import scan_ads

    return scan_ads(ads, model, progress=lambda n: ctx.progress(n, len(ads)))


def store_scan(
    db: Database,
    *,
    organisation_id: str,
    by: str,
    name: str,
    model: str,
    scanned: Iterable[tuple[JobAd, dict[str, Any]]],
    malformed: int = 0,
    progress: Callable[[int], None] | None = None,
    scan_id: str | None = None,
) -> str:
    """Store ads with their scan results (``opennrm ads scan`` records) in one transaction; audited.

    ``by`` is the user id of the reviewer, or ``"cli"`` for an import from the command line."""
    from opennrm.recruitment.reading import ad_to_record

    cleaned = _clean_name(name)
    scan_id = scan_id or new_id()
    count = 0
    checks = post_scan_checks(db)
    with db.transaction() as session:
        session.add(
            AdScan(
                id=scan_id,
                organisation_id=organisation_id,
                created_by=None if by == CLI else by,
                name=cleaned,
                model=model[:MAX_NAME_CHARS],
                ad_count=0,
                malformed_count=malformed,
                created_at=now(),
            )
        )
        session.flush()
        matcher = signals.scan_matcher(session, organisation_id)  # received signals: flags, never actions
        batch: list[dict[str, Any]] = []
        for ad, scanned_result in scanned:
            result = scanned_result
            for post_check in checks:
                result = post_check(ad, result)
            row_id = new_id()
            content = {"ad": ad_to_record(ad), "result": result}
            if matcher is not None:
                matcher.add(row_id, content["ad"], result)
            batch.append(
                {
                    "id": row_id,
                    "scan_id": scan_id,
                    "position": count,
                    "ad_ref": _plain(ad.id, 200),
                    "risk": _risk(result, "risk", ad.id),
                    "actor_key": _plain(str(result.get("actor_id") or f"actor-{ad.id}"), 240),
                    "actor_risk": _risk(result, "actor_risk" if "actor_risk" in result else "risk", ad.id),
                    "template_key": (
                        _plain(str(result["template_id"]), 240) if result.get("template_id") else None
                    ),
                    "lang": _plain(str(result.get("lang") or ""), 20),
                    "content_enc": encrypt_json(db.keyring, "scanned_ad", row_id, content),
                }
            )
            count += 1
            if len(batch) >= INSERT_BATCH:
                session.execute(insert(table_of(ScannedAd)), batch)
                if progress:
                    progress(len(batch))
                batch = []
        if batch:
            session.execute(insert(table_of(ScannedAd)), batch)
            if progress:
                progress(len(batch))
        if count == 0:
            raise InvalidInput("there is no ad to store", field="file")
        session.execute(
            insert(table_of(AdNetwork)).from_select(
                ["scan_id", "actor_key", "risk", "size", "top_ad_risk"],
                select(
                    ScannedAd.scan_id,
                    ScannedAd.actor_key,
                    func.max(ScannedAd.actor_risk),
                    func.count(),
                    func.max(ScannedAd.risk),
                )
                .where(ScannedAd.scan_id == scan_id)
                .group_by(ScannedAd.scan_id, ScannedAd.actor_key)
                .having(func.count() >= 2),
            )
        )
        stored = session.get(AdScan, scan_id)
        assert stored is not None  # noqa: S101 - added above in this transaction
        stored.ad_count = count
        if matcher is not None:
            matcher.flush(session, db.keyring, by, scan_id)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                by, "ads.scan.import", "ad_scan", scan_id, detail={"ads": count, "malformed": malformed}
            ),
        )
    return scan_id


# -- scans and queues -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanSummary:
    id: str
    name: str
    model: str
    ad_count: int
    malformed_count: int
    decided_count: int
    created_at: dt.datetime


def _decided(scan_id: Any) -> Any:
    """How many of a scan's ads have a decision (an index range over the scan's decisions only)."""
    return (
        select(func.count(func.distinct(AdReview.scanned_ad_id)))
        .where(AdReview.scan_id == scan_id)
        .scalar_subquery()
    )


def list_scans(db: Database, actor: Actor) -> list[ScanSummary]:
    """The organisation's scans, newest first, with how many of their ads have a decision."""
    _check(db, actor, "ad_scan", None, None)
    with db.transaction() as session:
        rows = session.execute(
            select(AdScan, _decided(AdScan.id))
            .where(AdScan.organisation_id == actor.organisation_id)
            .order_by(AdScan.created_at.desc())
        ).all()
        return [
            ScanSummary(s.id, s.name, s.model, s.ad_count, s.malformed_count, int(decided), s.created_at)
            for s, decided in rows
        ]


def _scan_for(db: Database, session: Session, actor: Actor, scan_id: str) -> AdScan:
    _check(db, actor, "ad_scan", _known_id(scan_id, "scan"), None)
    scan = session.get(AdScan, scan_id)
    if scan is None:
        raise NotFound(f"no scan {scan_id}")
    _check(db, actor, "ad_scan", scan_id, scan.organisation_id)
    return scan


@dataclass(frozen=True)
class QueuedAd:
    """One row of a queue: what the reviewer needs to choose what to open."""

    id: str
    ad_ref: str
    risk: float
    actor_key: str
    actor_risk: float
    actor_size: int
    title: str
    company: str | None
    city: str | None
    flags: tuple[str, ...]
    decision: str | None


@dataclass(frozen=True)
class QueuePage:
    scan: ScanSummary
    ads: list[QueuedAd]
    page: int
    pages: int
    total: int


def _summary(session: Session, scan: AdScan) -> ScanSummary:
    decided = int(session.execute(select(_decided(scan.id))).scalar_one())
    return ScanSummary(
        scan.id, scan.name, scan.model, scan.ad_count, scan.malformed_count, decided, scan.created_at
    )


def _latest_decisions(session: Session, ad_ids: Sequence[str]) -> dict[str, str]:
    if not ad_ids:
        return {}
    return _latest_of(
        session.execute(
            select(AdReview.scanned_ad_id, AdReview.decided_at, AdReview.decision).where(
                AdReview.scanned_ad_id.in_(ad_ids)
            )
        ).all()
    )


def _latest_of(rows: Iterable[Any]) -> dict[str, str]:
    """Each ad's latest decision, from (ad id, decided at, decision) rows."""
    latest: dict[str, tuple[Any, str]] = {}
    for ad_id, at, decision in rows:
        if ad_id not in latest or at >= latest[ad_id][0]:
            latest[ad_id] = (at, decision)
    return {ad_id: decision for ad_id, (_, decision) in latest.items()}


def ads_judged_legitimate(session: Session, scanned_since: dt.datetime) -> set[str]:
    """The ads of scans made since ``scanned_since`` whose latest review decision is "legitimate"."""
    rows = session.execute(
        select(AdReview.scanned_ad_id, AdReview.decided_at, AdReview.decision)
        .join(AdScan, AdScan.id == AdReview.scan_id)
        .where(AdScan.created_at >= scanned_since)
    ).all()
    return {ad_id for ad_id, decision in _latest_of(rows).items() if decision == DecisionLabel.LEGITIMATE}


def _stored_sizes(session: Session, scan_id: str, keys: Iterable[str]) -> dict[str, int]:
    """How many of the scan's stored ads each network holds (1 for an ad alone): the scan output's
    ``actor_size`` counts the whole crawl, which an import with ``--min-risk`` keeps only part of."""
    rows = session.execute(
        select(AdNetwork.actor_key, AdNetwork.size).where(
            AdNetwork.scan_id == scan_id, AdNetwork.actor_key.in_(set(keys))
        )
    ).all()
    return {str(key): int(size) for key, size in rows}


def _queued_rows(
    session: Session, keyring: Keyring, scan_id: str, rows: Sequence[ScannedAd]
) -> list[QueuedAd]:
    """The queue rows of these ads of a scan: decrypted, with their latest decision and network size."""
    decisions = _latest_decisions(session, [r.id for r in rows])
    sizes = _stored_sizes(session, scan_id, (r.actor_key for r in rows))
    return [_queued(keyring, r, decisions.get(r.id), sizes) for r in rows]


def _queued(keyring: Keyring, row: ScannedAd, decision: str | None, sizes: dict[str, int]) -> QueuedAd:
    content = decrypt_json(keyring, "scanned_ad", row.id, row.content_enc)
    ad, result = content["ad"], content["result"]
    return QueuedAd(
        id=row.id,
        ad_ref=row.ad_ref,
        risk=row.risk,
        actor_key=row.actor_key,
        actor_risk=row.actor_risk,
        actor_size=sizes.get(row.actor_key, 1),
        title=str(ad.get("title") or ""),
        company=ad.get("company"),
        city=ad.get("city"),
        flags=tuple(dict.fromkeys(str(f["flag"]) for f in result.get("flags", ()))),
        decision=decision,
    )


_QUEUE_ORDER = (ScannedAd.risk.desc(), ScannedAd.actor_risk.desc(), ScannedAd.position)


def _undecided() -> Any:
    return ~exists().where(AdReview.scanned_ad_id == ScannedAd.id)


def ad_queue(
    db: Database, actor: Actor, scan_id: str, *, page: int = 1, undecided_only: bool = False
) -> QueuePage:
    """One page of the scan's ads, riskiest first (network risk breaks ties); audited."""
    with db.transaction() as session:
        scan = _scan_for(db, session, actor, scan_id)
        summary = _summary(session, scan)
        where = [ScannedAd.scan_id == scan_id]
        if undecided_only:
            where.append(_undecided())
        total = summary.ad_count - summary.decided_count if undecided_only else summary.ad_count
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        # The page's positions first, from the queue index alone; then only those rows.
        positions = list(
            session.execute(
                select(ScannedAd.position)
                .where(*where)
                .order_by(*_QUEUE_ORDER)
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            ).scalars()
        )
        found = session.execute(
            select(ScannedAd).where(ScannedAd.scan_id == scan_id, ScannedAd.position.in_(positions))
        ).scalars()
        by_position = {row.position: row for row in found}
        rows = [by_position[position] for position in positions]
        ads = _queued_rows(session, db.keyring, scan_id, rows)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "ads.queue.read", "ad_scan", scan_id, detail={"ads": len(ads)}),
        )
        return QueuePage(summary, ads, page, pages, total)


@dataclass(frozen=True)
class NetworkRow:
    actor_key: str
    risk: float
    size: int
    top_ad_risk: float
    decided: int


@dataclass(frozen=True)
class NetworkPage:
    scan: ScanSummary
    networks: list[NetworkRow]
    page: int
    pages: int
    total: int


def network_queue(db: Database, actor: Actor, scan_id: str, *, page: int = 1) -> NetworkPage:
    """The scan's actor networks of two or more ads, by network risk, then size; audited."""
    with db.transaction() as session:
        scan = _scan_for(db, session, actor, scan_id)
        of_scan = AdNetwork.scan_id == scan_id
        total = int(session.execute(select(func.count()).select_from(AdNetwork).where(of_scan)).scalar_one())
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = session.execute(
            select(AdNetwork)
            .where(of_scan)
            .order_by(AdNetwork.risk.desc(), AdNetwork.size.desc(), AdNetwork.actor_key)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        ).scalars()
        rows = list(shown)
        decided = dict(
            session.execute(
                select(ScannedAd.actor_key, func.count(func.distinct(AdReview.scanned_ad_id)))
                .select_from(AdReview)
                .join(ScannedAd, ScannedAd.id == AdReview.scanned_ad_id)
                .where(AdReview.scan_id == scan_id, ScannedAd.actor_key.in_([n.actor_key for n in rows]))
                .group_by(ScannedAd.actor_key)
            ).all()
        )
        networks = [
            NetworkRow(n.actor_key, n.risk, n.size, n.top_ad_risk, int(decided.get(n.actor_key, 0)))
            for n in rows
        ]
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id, "ads.networks.read", "ad_scan", scan_id, detail={"networks": len(networks)}
            ),
        )
        return NetworkPage(_summary(session, scan), networks, page, pages, total)


@dataclass(frozen=True)
class NetworkView:
    scan: ScanSummary
    actor_key: str
    risk: float
    size: int
    companies: list[str]
    cities: list[str]
    templates: list[str]
    shared_identifiers: list[str]
    flag_counts: dict[str, int]
    ads: list[QueuedAd]


def network_detail(db: Database, actor: Actor, scan_id: str, actor_key: str) -> NetworkView:
    """What joins one network's ads (shared contacts, templates, employers, cities) and its riskiest ads."""
    with db.transaction() as session:
        scan = _scan_for(db, session, actor, scan_id)
        stored = session.get(AdNetwork, (scan_id, _plain(actor_key, 240)))
        if stored is None:
            raise NotFound(f"no network {actor_key[:240]!r} of two or more ads in this scan")
        size = stored.size
        rows = (
            session.execute(
                select(ScannedAd)
                .where(ScannedAd.scan_id == scan_id, ScannedAd.actor_key == stored.actor_key)
                .order_by(ScannedAd.risk.desc(), ScannedAd.position)
                .limit(NETWORK_ADS_SHOWN)
            )
            .scalars()
            .all()
        )
        results = []
        for row in rows:
            result = dict(decrypt_json(db.keyring, "scanned_ad", row.id, row.content_enc)["result"])
            result.update(actor_id=actor_key, actor_size=size, actor_risk=row.actor_risk)
            results.append(result)
        network = actor_queue(results, limit=1, min_size=1, ads_shown=NETWORK_ADS_SHOWN)[0]
        ads = _queued_rows(session, db.keyring, scan_id, rows)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "ads.network.read", "ad_scan", scan_id, detail={"ads": len(ads)}),
        )
        return NetworkView(
            scan=_summary(session, scan),
            actor_key=actor_key,
            risk=stored.risk,
            size=size,
            companies=sorted(network.companies),
            cities=sorted(network.cities),
            templates=sorted(network.templates),
            shared_identifiers=network.shared_identifiers,
            flag_counts=dict(sorted(network.flag_counts.items(), key=lambda item: (-item[1], item[0]))),
            ads=ads,
        )


# -- one ad -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagEvidence:
    flag: str
    name: str
    explanation: str
    evidence: str
    field: str | None
    start: int | None
    end: int | None
    weight: float
    detail: dict[str, str] | None = None
    """the facts of a flag whose evidence is a sentence, not words of the ad (the licence check's)"""


@dataclass(frozen=True)
class PastDecision:
    decision: str
    note: str
    reviewer: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class AdView:
    id: str
    scan: ScanSummary
    ad: dict[str, Any]
    risk: float
    lang: str
    actor_key: str
    actor_risk: float
    actor_size: int
    template_key: str | None
    title_segments: list[Segment]
    text_segments: list[Segment]
    flags: list[FlagEvidence]
    identifiers: list[dict[str, Any]]
    linked: list[tuple[str, str]]
    """(scanned ad id, platform id) of other ads in the same network."""
    decisions: list[PastDecision]
    signal_flags: list[signals.SignalFlag]
    """Received signals this ad matches: a reason to look, never a finding."""
    next_id: str | None
    """The next undecided ad of the scan in queue order, for reviewing one after another."""

    @property
    def decision(self) -> str | None:
        return self.decisions[0].decision if self.decisions else None


@lru_cache(maxsize=1)
def _flag_texts() -> dict[str, tuple[str, str]]:
    from opennrm.recruitment.lexicon import load_lexicon
    from opennrm.recruitment.licences import FLAG_EXPLANATION, FLAG_NAME, LICENCE_FLAG

    texts = {flag.id: (flag.name, flag.explanation) for flag in load_lexicon().flags}
    texts[LICENCE_FLAG] = (FLAG_NAME, FLAG_EXPLANATION)
    return texts


def _load_ad(db: Database, session: Session, actor: Actor, ad_id: str) -> tuple[ScannedAd, AdScan]:
    _check(db, actor, "scanned_ad", _known_id(ad_id, "scanned ad"), None)
    row = session.get(ScannedAd, ad_id)
    if row is None:
        raise NotFound(f"no scanned ad {ad_id}")
    scan = session.get(AdScan, row.scan_id)
    assert scan is not None  # noqa: S101 - foreign key guarantees it
    _check(db, actor, "scanned_ad", ad_id, scan.organisation_id)
    return row, scan


def ad_detail(db: Database, actor: Actor, ad_id: str) -> AdView:
    """One ad with its evidence marked, what each flag means, its network and its decisions; audited."""
    with db.transaction() as session:
        row, scan = _load_ad(db, session, actor, ad_id)
        content = decrypt_json(db.keyring, "scanned_ad", row.id, row.content_enc)
        ad, result = content["ad"], content["result"]
        texts = _flag_texts()
        flags = [
            FlagEvidence(
                flag=str(f["flag"]),
                name=texts.get(str(f["flag"]), (str(f["flag"]), ""))[0],
                explanation=texts.get(str(f["flag"]), ("", ""))[1],
                evidence=str(f.get("evidence") or ""),
                field=f.get("field"),
                start=f.get("start"),
                end=f.get("end"),
                weight=float(f.get("weight") or 0.0),
                detail=f.get("detail") or None,
            )
            for f in result.get("flags", ())
        ]
        linked_refs = [str(ref) for ref in result.get("linked_ids", ())]
        # ranked here, not in SQL: an ORDER BY would lead the planner to the queue index, off (scan, ref)
        linked = sorted(
            session.execute(
                select(ScannedAd.id, ScannedAd.ad_ref, ScannedAd.risk, ScannedAd.position).where(
                    ScannedAd.scan_id == row.scan_id, ScannedAd.ad_ref.in_(linked_refs)
                )
            ).all()
            if linked_refs
            else [],
            key=lambda linked_row: (-linked_row.risk, linked_row.position),
        )
        reviews = session.execute(
            select(AdReview, User.username)
            .outerjoin(User, User.id == AdReview.reviewer_id)
            .where(AdReview.scanned_ad_id == ad_id)
            .order_by(AdReview.decided_at.desc())
        ).all()
        decisions = [
            PastDecision(
                r.decision,
                decrypt_text(db.keyring, "ad_review_note", r.id, r.note_enc) if r.note_enc else "",
                username or CLI,
                r.decided_at,
            )
            for r, username in reviews
        ]
        next_id = session.execute(
            select(ScannedAd.id)
            .where(ScannedAd.scan_id == row.scan_id, ScannedAd.id != ad_id, _undecided())
            .order_by(*_QUEUE_ORDER)
            .limit(1)
        ).scalar_one_or_none()
        audit.record_one(session, db.keyring, AuditEntry(actor.user_id, "ads.read", "scanned_ad", ad_id))
        raw_flags = result.get("flags", ())
        return AdView(
            id=row.id,
            scan=_summary(session, scan),
            ad=ad,
            risk=row.risk,
            lang=row.lang,
            actor_key=row.actor_key,
            actor_risk=row.actor_risk,
            actor_size=_stored_sizes(session, row.scan_id, [row.actor_key]).get(row.actor_key, 1),
            template_key=row.template_key,
            title_segments=highlight(str(ad.get("title") or ""), raw_flags, "title"),
            text_segments=highlight(str(ad.get("text") or ""), raw_flags, "text"),
            flags=flags,
            identifiers=list(result.get("identifiers", ())),
            linked=[(str(r.id), str(r.ad_ref)) for r in linked],
            decisions=decisions,
            signal_flags=signals.signal_flags(session, row.id),
            next_id=next_id,
        )


def record_decision(db: Database, actor: Actor, ad_id: str, decision: str, note: str = "") -> str:
    """Record a reviewer's decision on an ad (the latest one counts; earlier ones are kept); audited."""
    try:
        label = DecisionLabel(decision)
    except ValueError:
        allowed = ", ".join(d.value for d in DecisionLabel)
        raise InvalidInput(f"decision must be one of: {allowed}", field="decision") from None
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidInput(f"the note is longer than {MAX_NOTE_CHARS} characters", field="note")
    with db.transaction() as session:
        row, _ = _load_ad(db, session, actor, ad_id)
        review_id = new_id()
        session.add(
            AdReview(
                id=review_id,
                scanned_ad_id=ad_id,
                scan_id=row.scan_id,
                reviewer_id=actor.user_id,
                decision=label.value,
                note_enc=encrypt_text(db.keyring, "ad_review_note", review_id, note) if note else None,
                decided_at=now(),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "ads.decide", "scanned_ad", ad_id, detail={"decision": label.value}),
        )
    return review_id


# -- retention ---------------------------------------------------------------------------------------------


def delete_scan(db: Database, actor: Actor, scan_id: str) -> int:
    """Delete a scan with its ads, networks and decisions (export the labels you need first); audited.

    Returns how many ads were deleted. The ads hold people's contacts: keep them only as long as review
    needs them."""
    with db.transaction() as session:
        scan = _scan_for(db, session, actor, scan_id)
        deleted = scan.ad_count
        session.execute(delete(AdScan).where(AdScan.id == scan_id))  # cascades to ads, networks, decisions
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "ads.scan.delete", "ad_scan", scan_id, detail={"ads": deleted}),
        )
    return deleted


def purge_scans(
    db: Database, older_than: dt.timedelta, organisation_id: str | None = None, at: dt.datetime | None = None
) -> list[tuple[str, int]]:
    """Delete every scan made more than ``older_than`` ago (of one organisation, or all), for
    ``opennrm ads purge``; returns (scan id, ads deleted) per scan; each deletion audited as the CLI."""
    cutoff = (at or now()) - older_than
    with db.transaction() as session:
        query = select(AdScan.id, AdScan.ad_count).where(AdScan.created_at < cutoff)
        if organisation_id is not None:
            query = query.where(AdScan.organisation_id == organisation_id)
        old = [(str(i), int(n)) for i, n in session.execute(query).all()]
        if old:
            session.execute(delete(AdScan).where(AdScan.id.in_([i for i, _ in old])))
            audit.record(
                session,
                db.keyring,
                [AuditEntry(CLI, "ads.scan.delete", "ad_scan", i, detail={"ads": n}) for i, n in old],
            )
    return old


# -- decisions as training labels -------------------------------------------------------------------------


def _labelled(session: Session, keyring: Keyring, organisation_id: str) -> Iterator[dict[str, Any]]:
    from opennrm.recruitment.reading import parse_record

    rows = session.execute(
        select(ScannedAd, AdReview.decision, AdReview.decided_at)
        .join(AdReview, AdReview.scanned_ad_id == ScannedAd.id)
        .join(AdScan, AdScan.id == ScannedAd.scan_id)
        .where(AdScan.organisation_id == organisation_id)
        .order_by(AdScan.created_at, ScannedAd.position, AdReview.decided_at)
    ).all()
    decisions: list[ReviewDecision] = []
    ads: dict[str, JobAd] = {}
    for row, decision, decided_at in rows:
        decisions.append(ReviewDecision(row.id, DecisionLabel(decision), decided_at=decided_at))
        if row.id not in ads:
            record = decrypt_json(keyring, "scanned_ad", row.id, row.content_enc)["ad"]
            parsed = parse_record({**record, "id": row.id}, 0)
            if isinstance(parsed, JobAd):
                ads[row.id] = parsed
    refs = {row.id: row.ad_ref for row, _, _ in rows}
    for labelled in decisions_to_labels(decisions, ads.values()):
        labelled["id"] = refs[labelled["id"]]
        yield labelled


def labelled_ads(db: Database, actor: Actor) -> list[dict[str, Any]]:
    """The actor's organisation's decided ads as labelled records for ``opennrm ads train``; audited."""
    _check(db, actor, "ad_scan", None, None)
    return export_labels(db, actor.organisation_id, by=actor.user_id)


def export_labels(db: Database, organisation_id: str, *, by: str) -> list[dict[str, Any]]:
    """Decided ads as labelled records (1 deceptive, 0 legitimate; "unsure" gives no label, the latest
    decision counts); audited as ``by`` (a user id, or ``"cli"`` for ``opennrm ads labels``)."""
    with db.transaction() as session:
        records = list(_labelled(session, db.keyring, organisation_id))
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                by, "ads.labels.export", "organisation", organisation_id, detail={"ads": len(records)}
            ),
        )
    return records
