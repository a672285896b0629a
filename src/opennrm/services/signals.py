"""Signals shared between platforms about recruiters (GR38 §74): made only from reviewers' decisions, received
signals only ever raise a flag for a reviewer, disputes and appeals withdraw, transparency counts.

- **Own signals** come from one place: a reviewer's latest decision "deceptive" on a scanned ad. Each export
  first brings them up to date: an ad decided deceptive gives one signal per recruiter contact (keyed hash
  under the exchange key) and image (PDQ); when the latest decision on that ad is no longer "deceptive" (an
  appeal, a second look) its signals are withdrawn; a signal a receiver disputed is withdrawn and not made
  again from the same decision. Expired and withdrawn signals are not in the file, so they vanish for the
  receivers (a file is the sender's whole current set).
- **Received signals** are read from another organisation's file; the signals of that source that the new
  file no longer holds are withdrawn. Stored ads of the receiving organisation, and ads it scans later, are
  matched against them; a match is a flag on the ad's page ("matches a signal shared by …") that the
  reviewer weighs and may mark confirmed or disputed. Nothing is taken down, blocked or reported by a match.
- The exchange key (``OPENNRM_SIGNALS_KEY``, hex, at least 32 bytes) is shared by the participating
  installations and never stored in the database. Without it there is no export, import or matching.
- Everything is audited: ``signals.export``, ``signals.import``, ``signals.match``, ``signals.feedback``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, ad_review_decision
from opennrm.recruitment.review import DecisionLabel
from opennrm.recruitment.signals import (
    CATEGORY,
    ExchangeFile,
    Feedback,
    Signal,
    SignalError,
    SignalIndex,
    ad_contacts,
    parse_key,
    read_exchange,
    signal_value,
    write_exchange,
)
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, NotFound, Unavailable, refuse, refuse_as
from opennrm.services.firewall import enforcement_types_in
from opennrm.services.sealing import decrypt_json
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.keys import Keyring
from opennrm.store.tables import (
    AdReview,
    AdScan,
    Organisation,
    RecruitmentSignal,
    RecruitmentSignalMatch,
    RecruitmentSignalOpinion,
    ScannedAd,
)

KEY_VARIABLE = "OPENNRM_SIGNALS_KEY"
DEFAULT_LIFETIME = dt.timedelta(days=180)
OWN = "own"
RECEIVED = "received"
ACTIVE = "active"
WITHDRAWN = "withdrawn"
REVIEWER_CONFIDENCE = 0.7
"""One reviewer's decision; raised to 0.9 when two reviewers decided the ad deceptive."""
OPINIONS = ("seen", "confirmed", "disputed")
"""A reviewer's opinion on a match: looked at it without an opinion, confirmed it, disputed it."""


def exchange_key(environ: dict[str, str] | None = None) -> bytes:
    """The exchange key from ``OPENNRM_SIGNALS_KEY``; ``Unavailable`` when it is not set or unusable."""
    text = (environ if environ is not None else os.environ).get(KEY_VARIABLE, "")
    if not text.strip():
        raise Unavailable(f"no exchange key: set {KEY_VARIABLE} to the key the participating platforms share")
    try:
        return parse_key(text)
    except SignalError as error:
        raise Unavailable(f"{KEY_VARIABLE}: {error}") from None


def _organisation_name(session: Session, organisation_id: str) -> str:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound(f"no organisation {organisation_id}")
    return organisation.name


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# -- own signals: only from reviewers' decisions ------


def _latest_decisions(session: Session, organisation_id: str) -> dict[str, tuple[str, str, dt.datetime, int]]:
    """Scanned ad → (latest decision, its review id, when, how many reviewers decided it deceptive)."""
    rows = session.execute(
        select(
            AdReview.scanned_ad_id, AdReview.id, AdReview.decision, AdReview.decided_at, AdReview.reviewer_id
        )
        .join(AdScan, AdScan.id == AdReview.scan_id)
        .where(AdScan.organisation_id == organisation_id)
        .order_by(AdReview.decided_at)
    ).all()
    latest: dict[str, tuple[str, str, dt.datetime, int]] = {}
    deceptive_reviewers: dict[str, set[Any]] = {}
    for ad_id, review_id, decision, decided_at, reviewer in rows:
        if decision == DecisionLabel.DECEPTIVE.value:
            deceptive_reviewers.setdefault(ad_id, set()).add(reviewer)
        latest[ad_id] = (decision, review_id, decided_at, 0)
    return {
        ad_id: (decision, review_id, when, len(deceptive_reviewers.get(ad_id, ())))
        for ad_id, (decision, review_id, when, _) in latest.items()
    }


def sync_own_signals(
    db: Database,
    session: Session,
    organisation_id: str,
    key: bytes,
    lifetime: dt.timedelta = DEFAULT_LIFETIME,
) -> dict[str, int]:
    """Bring the organisation's own signals up to date with its reviewers' latest decisions."""
    source = _organisation_name(session, organisation_id)
    latest = _latest_decisions(session, organisation_id)
    existing = {
        (row.scanned_ad_id, row.kind, row.value): row
        for row in session.scalars(
            select(RecruitmentSignal).where(
                RecruitmentSignal.organisation_id == organisation_id, RecruitmentSignal.direction == OWN
            )
        )
    }
    made = withdrawn = 0
    for row in existing.values():
        decision = latest.get(row.scanned_ad_id or "")
        if row.status == ACTIVE and (decision is None or decision[0] != DecisionLabel.DECEPTIVE.value):
            row.status, row.status_reason = WITHDRAWN, "decision changed"
            withdrawn += 1
    deceptive = [ad_id for ad_id, d in latest.items() if d[0] == DecisionLabel.DECEPTIVE.value]
    for ad_id in deceptive:
        ad_row = session.get(ScannedAd, ad_id)
        if ad_row is None:
            continue
        _, review_id, decided_at, reviewers = latest[ad_id]
        content = decrypt_json(db.keyring, "scanned_ad", ad_row.id, ad_row.content_enc)
        for kind, normal in ad_contacts(content["ad"], content["result"]):
            value = signal_value(key, kind, normal)
            found = existing.get((ad_id, kind, value))
            if found is not None:
                row = found
                if (
                    row.status == WITHDRAWN
                    and row.status_reason == "decision changed"
                    and row.review_id != review_id
                ):
                    # decided deceptive again after an appeal had withdrawn it: a new decision, a new signal
                    row.status, row.status_reason, row.review_id = ACTIVE, None, review_id
                    row.created_at = _aware(decided_at)
                    row.expires_at = _aware(decided_at) + lifetime
                continue
            session.add(
                RecruitmentSignal(
                    id=new_id(),
                    organisation_id=organisation_id,
                    direction=OWN,
                    exchange_id=uuid.uuid4().hex,
                    kind=kind,
                    value=value,
                    category=CATEGORY,
                    confidence=0.9 if reviewers >= 2 else REVIEWER_CONFIDENCE,
                    source=source,
                    review_id=review_id,
                    scanned_ad_id=ad_id,
                    created_at=_aware(decided_at),
                    expires_at=_aware(decided_at) + lifetime,
                    status=ACTIVE,
                    status_reason=None,
                    seen=0,
                    confirmed=0,
                    disputed=0,
                )
            )
            made += 1
    session.flush()
    return {"made": made, "withdrawn": withdrawn}


def export_signals(
    db: Database,
    organisation_id: str,
    *,
    by: str,
    key: bytes,
    at: dt.datetime | None = None,
    feedback_for: str | None = None,
    detail: dict[str, Any] | None = None,
) -> tuple[list[str], dict[str, int]]:
    """The organisation's exchange file (lines) and what it holds; audited (``signals.export``).
    ``feedback_for``: only the opinions on that source's signals (a partner fetching the file over the API
    learns nothing of what this organisation thinks of a third party's signals)."""
    at = at or now()
    with db.transaction() as session:
        changes = sync_own_signals(db, session, organisation_id, key)
        source = _organisation_name(session, organisation_id)
        rows = session.scalars(
            select(RecruitmentSignal)
            .where(
                RecruitmentSignal.organisation_id == organisation_id,
                RecruitmentSignal.direction == OWN,
                RecruitmentSignal.status == ACTIVE,
            )
            .order_by(RecruitmentSignal.created_at, RecruitmentSignal.id)
        ).all()
        signals = [
            Signal(
                id=row.exchange_id,
                kind=row.kind,
                value=row.value,
                source=row.source,
                created=row.created_at,
                expires=row.expires_at,
                confidence=row.confidence,
            )
            for row in rows
            if row.expires_at > at
        ]
        feedback = [
            Feedback(signal_id=exchange_id, source=signal_source, opinion=opinion, by=source)
            for exchange_id, signal_source, opinion in session.execute(
                select(
                    RecruitmentSignal.exchange_id, RecruitmentSignal.source, RecruitmentSignalMatch.feedback
                )
                .join(RecruitmentSignalMatch, RecruitmentSignalMatch.signal_id == RecruitmentSignal.id)
                .where(
                    RecruitmentSignal.organisation_id == organisation_id,
                    RecruitmentSignal.direction == RECEIVED,
                    RecruitmentSignalMatch.feedback.is_not(None),
                )
                .distinct()
            ).all()
            if opinion and (feedback_for is None or signal_source == feedback_for)
        ]
        lines = list(write_exchange(source, at, signals, feedback))
        summary = {
            "signals": len(signals),
            "feedback": len(feedback),
            "made": changes["made"],
            "withdrawn": changes["withdrawn"],
        }
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                by, "signals.export", "organisation", organisation_id, detail=summary | (detail or {})
            ),
        )
    return lines, summary


# -- received signals ------


def import_signals(
    db: Database,
    organisation_id: str,
    exchange: ExchangeFile,
    *,
    by: str,
    key: bytes,
    at: dt.datetime | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Store another organisation's signals (its whole current set), apply the opinions it sends on ours,
    and match this organisation's stored ads; audited (``signals.import``)."""
    at = at or now()
    with db.transaction() as session:
        own_name = _organisation_name(session, organisation_id)
        if exchange.source == own_name:
            raise InvalidInput("this file was exported by this organisation itself", field="file")
        current = {
            row.exchange_id: row
            for row in session.scalars(
                select(RecruitmentSignal).where(
                    RecruitmentSignal.organisation_id == organisation_id,
                    RecruitmentSignal.direction == RECEIVED,
                    RecruitmentSignal.source == exchange.source,
                )
            )
        }
        live = [s for s in exchange.signals if _aware(s.expires) > at]
        seen_ids = {s.id for s in live}
        added = withdrawn = 0
        for exchange_id, row in current.items():
            if exchange_id not in seen_ids and row.status == ACTIVE:
                row.status, row.status_reason = WITHDRAWN, "no longer shared"
                withdrawn += 1
        for signal in live:
            previous = current.get(signal.id)
            if previous is None:
                session.add(
                    RecruitmentSignal(
                        id=new_id(),
                        organisation_id=organisation_id,
                        direction=RECEIVED,
                        exchange_id=signal.id,
                        kind=signal.kind,
                        value=signal.value,
                        category=signal.category,
                        confidence=signal.confidence,
                        source=exchange.source,
                        review_id=None,
                        scanned_ad_id=None,
                        created_at=signal.created,
                        expires_at=signal.expires,
                        status=ACTIVE,
                        status_reason=None,
                        seen=0,
                        confirmed=0,
                        disputed=0,
                    )
                )
                added += 1
            else:
                previous.status, previous.status_reason = ACTIVE, None
                previous.expires_at, previous.confidence = signal.expires, signal.confidence
        opinions = _apply_feedback(session, organisation_id, own_name, exchange.feedback)
        session.flush()
        matched = _match_stored_ads(db, session, organisation_id, key)
        summary = {
            "signals": len(live),
            "new": added,
            "withdrawn": withdrawn,
            "expired_ignored": len(exchange.signals) - len(live),
            "opinions_on_ours": opinions,
            "ads_matched": matched,
        }
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                by,
                "signals.import",
                "organisation",
                organisation_id,
                detail=summary | (detail or {}),
            ),
        )
    return summary


def _apply_feedback(
    session: Session, organisation_id: str, own_name: str, feedback: Iterable[Feedback]
) -> int:
    """Opinions other organisations send on our signals: each receiver's latest opinion on a signal is kept
    once (its exchange file repeats them at every export), the counts are recomputed from them, and a
    dispute withdraws the signal. Returns how many opinions were new or changed."""
    changed = 0
    touched: set[str] = set()
    for item in feedback:
        if item.source != own_name:
            continue
        row = session.scalars(
            select(RecruitmentSignal).where(
                RecruitmentSignal.organisation_id == organisation_id,
                RecruitmentSignal.direction == OWN,
                RecruitmentSignal.exchange_id == item.signal_id,
            )
        ).first()
        if row is None:
            continue
        held = session.get(RecruitmentSignalOpinion, (row.id, item.by))
        if held is None:
            session.add(
                RecruitmentSignalOpinion(
                    signal_id=row.id, receiver=item.by, opinion=item.opinion, updated_at=now()
                )
            )
        elif held.opinion != item.opinion:
            held.opinion, held.updated_at = item.opinion, now()
        else:
            continue
        changed += 1
        touched.add(row.id)
        if item.opinion == "disputed" and row.status == ACTIVE:
            row.status, row.status_reason = WITHDRAWN, "disputed"
    session.flush()
    for signal_id in touched:
        rows = session.execute(
            select(RecruitmentSignalOpinion.opinion, func.count())
            .where(RecruitmentSignalOpinion.signal_id == signal_id)
            .group_by(RecruitmentSignalOpinion.opinion)
        ).all()
        counts = {opinion: int(n) for opinion, n in rows}
        signal = session.get(RecruitmentSignal, signal_id)
        assert signal is not None  # noqa: S101 - found above
        signal.seen, signal.confirmed, signal.disputed = (counts.get(o, 0) for o in OPINIONS)
    return changed


def _active_index(
    session: Session, organisation_id: str, at: dt.datetime
) -> tuple[SignalIndex, dict[str, str]]:
    rows = session.execute(
        select(
            RecruitmentSignal.id,
            RecruitmentSignal.kind,
            RecruitmentSignal.value,
            RecruitmentSignal.expires_at,
        ).where(
            RecruitmentSignal.organisation_id == organisation_id,
            RecruitmentSignal.direction == RECEIVED,
            RecruitmentSignal.status == ACTIVE,
        )
    ).all()
    live = [(r.id, r.kind, r.value) for r in rows if r.expires_at > at]
    return SignalIndex(live), {r[0]: r[1] for r in live}


def _record_matches(session: Session, ad_id: str, signal_ids: Sequence[str], at: dt.datetime) -> int:
    if not signal_ids:
        return 0
    known = set(
        session.scalars(
            select(RecruitmentSignalMatch.signal_id).where(
                RecruitmentSignalMatch.scanned_ad_id == ad_id,
                RecruitmentSignalMatch.signal_id.in_(signal_ids),
            )
        )
    )
    fresh = [s for s in signal_ids if s not in known]
    for signal_id in fresh:
        session.add(
            RecruitmentSignalMatch(
                id=new_id(), signal_id=signal_id, scanned_ad_id=ad_id, matched_at=at, feedback=None
            )
        )
    if fresh:
        session.execute(
            update(RecruitmentSignal)
            .where(RecruitmentSignal.id.in_(fresh))
            .values(seen=RecruitmentSignal.seen + 1)
        )
    return len(fresh)


def _match_stored_ads(db: Database, session: Session, organisation_id: str, key: bytes) -> int:
    index, _ = _active_index(session, organisation_id, now())
    if not len(index):
        return 0
    matched = 0
    rows = session.execute(
        select(ScannedAd.id, ScannedAd.content_enc)
        .join(AdScan, AdScan.id == ScannedAd.scan_id)
        .where(AdScan.organisation_id == organisation_id)
    ).all()
    at = now()
    for ad_id, content_enc in rows:
        content = decrypt_json(db.keyring, "scanned_ad", ad_id, content_enc)
        found = index.match_ad(key, content["ad"], content["result"])
        if _record_matches(session, ad_id, found, at):
            matched += 1
    return matched


class ScanMatcher:
    """Matches ads as a scan is stored (``ad_review.store_scan``); ``None`` from ``scan_matcher`` when there
    is no key or no active received signal, so a scan without signals costs nothing."""

    def __init__(self, index: SignalIndex, key: bytes) -> None:
        self.index = index
        self.key = key
        self.found: list[tuple[str, list[str]]] = []

    def add(self, ad_id: str, ad: dict[str, Any], result: dict[str, Any]) -> None:
        found = self.index.match_ad(self.key, ad, result)
        if found:
            self.found.append((ad_id, found))

    def flush(self, session: Session, keyring: Keyring, by: str, scan_id: str) -> None:
        at = now()
        for ad_id, found in self.found:
            _record_matches(session, ad_id, found, at)
        if self.found:
            audit.record_one(
                session,
                keyring,
                AuditEntry(by, "signals.match", "ad_scan", scan_id, detail={"ads": len(self.found)}),
            )


def scan_matcher(session: Session, organisation_id: str) -> ScanMatcher | None:
    try:
        key = exchange_key()
    except Unavailable:
        return None
    index, _ = _active_index(session, organisation_id, now())
    return ScanMatcher(index, key) if len(index) else None


# -- what the reviewer sees, and her opinion ------


@dataclass(frozen=True)
class SignalFlag:
    """A received signal an ad matches, as the ad's page shows it."""

    match_id: str
    kind: str
    source: str
    confidence: float
    shared_on: dt.datetime
    matched_at: dt.datetime
    feedback: str | None
    active: bool


def signal_flags(session: Session, ad_id: str) -> list[SignalFlag]:
    """The received signals a scanned ad matches (the caller has checked access and writes the audit)."""
    rows = session.execute(
        select(RecruitmentSignalMatch, RecruitmentSignal)
        .join(RecruitmentSignal, RecruitmentSignal.id == RecruitmentSignalMatch.signal_id)
        .where(RecruitmentSignalMatch.scanned_ad_id == ad_id)
        .order_by(RecruitmentSignalMatch.matched_at, RecruitmentSignal.source)
    ).all()
    at = now()
    return [
        SignalFlag(
            match_id=match.id,
            kind=signal.kind,
            source=signal.source,
            confidence=signal.confidence,
            shared_on=signal.created_at,
            matched_at=match.matched_at,
            feedback=match.feedback,
            active=signal.status == ACTIVE and signal.expires_at > at,
        )
        for match, signal in rows
    ]


def record_feedback(
    db: Database, actor: Actor, match_id: str, opinion: str, *, ad_id: str | None = None
) -> None:
    """A reviewer's opinion on a match (seen, confirmed or disputed), sent back to the source at the next
    export; the latest counts. ``ad_id``: the match must be one of that ad's (the API names both)."""
    if opinion not in OPINIONS:
        raise InvalidInput(f"opinion must be one of: {', '.join(OPINIONS)}", field="opinion")
    owner: str | None = None
    with db.transaction() as session:
        match = session.get(RecruitmentSignalMatch, match_id) if len(match_id) <= 36 else None
        if match is not None and ad_id is not None and match.scanned_ad_id != ad_id:
            match = None
        ad = session.get(ScannedAd, match.scanned_ad_id) if match is not None else None
        scan = session.get(AdScan, ad.scan_id) if ad is not None else None
        owner = scan.organisation_id if scan is not None else None
    decision = ad_review_decision(actor, owner)
    if not decision:
        refuse(db, actor, Action.ADS_REVIEW, "signal_match", match_id, decision.reason)
    if owner is None:
        raise NotFound(f"no signal match {match_id}")
    with db.transaction() as session:
        match = session.get(RecruitmentSignalMatch, match_id)
        if match is None:
            raise NotFound(f"no signal match {match_id}")
        match.feedback, match.feedback_by, match.feedback_at = opinion, actor.user_id, now()
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "signals.feedback",
                "scanned_ad",
                match.scanned_ad_id,
                detail={"opinion": opinion},
            ),
        )


# -- the exchange between installations over HTTP ------
#
# A partner installation is not a user of this one: it holds a bearer token that opens exactly two routes
# (``GET`` and ``POST /api/signals/exchange``) for one organisation of this installation, and nothing else.
# No account is made for it, so it can never read an ad, a queue or a decision (ADR 0011).

PARTNERS_VARIABLE = "OPENNRM_SIGNALS_PARTNERS"
PARTNERS_FILE = "signals-partners.json"
PARTNER_ACTOR = "signals-partner"
"""How a partner installation appears in the audit chain; which partner is in the event's detail (the first
12 hex characters of its token's hash)."""
MAX_EXCHANGE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Partner:
    """One partner installation allowed to fetch and send exchange files."""

    name: str
    """The partner organisation's name: the ``source`` its exchange files carry."""
    organisation: str
    """The organisation of this installation (name or id) that exchanges with it."""
    token_sha256: str
    """SHA-256 (hex) of the bearer token it presents; the token itself is not kept here."""

    @property
    def token_id(self) -> str:
        return self.token_sha256[:12]


def partners_path(home: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Where the partners are listed: ``OPENNRM_SIGNALS_PARTNERS``, else ``signals-partners.json`` in the
    installation's home folder."""
    named = (environ if environ is not None else os.environ).get(PARTNERS_VARIABLE, "").strip()
    return Path(named).expanduser() if named else home / PARTNERS_FILE


def partners(home: Path, environ: Mapping[str, str] | None = None) -> list[Partner]:
    """The partners of ``partners_path``; none when the file does not exist (the exchange is then closed).
    ``Unavailable`` when the file cannot be used, so a mistake never opens it."""
    path = partners_path(home, environ)
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise Unavailable(f"{path}: cannot read the signal partners ({error})") from None
    items = data.get("partners") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise Unavailable(f'{path}: expected {{"partners": [...]}}')
    found: list[Partner] = []
    for number, item in enumerate(items, start=1):
        fields = item if isinstance(item, dict) else {}
        name, organisation = fields.get("name"), fields.get("organisation")
        digest = str(fields.get("token_sha256") or "").lower()
        if not (
            isinstance(name, str) and name.strip() and isinstance(organisation, str) and organisation.strip()
        ):
            raise Unavailable(f"{path}: partner {number} needs a 'name' and an 'organisation'")
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise Unavailable(f"{path}: partner {number}: 'token_sha256' must be 64 hexadecimal characters")
        if any(p.token_sha256 == digest for p in found):
            raise Unavailable(f"{path}: partner {number} shares its token with another partner")
        found.append(Partner(name.strip(), organisation.strip(), digest))
    return found


def new_partner_token() -> tuple[str, str]:
    """A new bearer token for a partner and the SHA-256 to list in the partners file."""
    import secrets

    token = secrets.token_urlsafe(32)
    return token, hashlib.sha256(token.encode()).hexdigest()


def partner_for(known: Sequence[Partner], authorization: str | None) -> Partner | None:
    """The partner whose token the ``Authorization: Bearer …`` header carries, or ``None``. The token is
    hashed first and compared with every partner's in constant time."""
    if not authorization or not known:
        return None
    scheme, _, presented = authorization.partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return None
    digest = hashlib.sha256(presented.strip().encode()).hexdigest()
    found = None
    for partner in known:
        if hmac.compare_digest(digest, partner.token_sha256):
            found = partner
    return found


def partner_name_is_local(session: Session, name: str) -> bool:
    """Whether an organisation of this installation bears ``name`` (a partner may not: its signals would
    read as shared by that organisation)."""
    return session.scalar(select(Organisation.id).where(Organisation.name == name)) is not None


def _partner_organisation(db: Database, partner: Partner, action: str) -> str:
    """This installation's organisation that exchanges with ``partner``; refused (and audited) when it is
    an enforcement organisation, which neither shares nor receives signals, or the partner bears the name of
    an organisation of this installation."""
    with db.transaction() as session:
        row = session.execute(
            select(Organisation.id, Organisation.name, Organisation.type).where(
                (Organisation.name == partner.organisation) | (Organisation.id == partner.organisation)
            )
        ).first()
        refused = enforcement_types_in(session)
        local_name = partner_name_is_local(session, partner.name)
    if row is None:
        raise Unavailable(
            f"the signal partners file names no organisation of this installation for {partner.name}"
        )
    reason = None
    if row.type in refused:
        reason = "an enforcement organisation neither shares nor receives signals"
    elif local_name:  # its signals would read as "shared by" an organisation of this installation
        reason = "a partner cannot bear the name of an organisation of this installation"
    if reason is not None:  # a partner is not an ``Actor`` of this installation
        refuse_as(db, PARTNER_ACTOR, action, "organisation", row.id, reason, {"partner": partner.token_id})
    return str(row.id)


def partner_export(db: Database, partner: Partner, key: bytes) -> list[str]:
    """The exchange file of this installation's organisation for ``partner``: its current signals and its
    opinions on the partner's signals (not on a third party's)."""
    organisation_id = _partner_organisation(db, partner, "signals.export")
    lines, _ = export_signals(
        db,
        organisation_id,
        by=PARTNER_ACTOR,
        key=key,
        feedback_for=partner.name,
        detail={"partner": partner.token_id},
    )
    return lines


def partner_import(db: Database, partner: Partner, body: bytes, key: bytes) -> dict[str, int]:
    """Import the exchange file ``partner`` sends; refused whole, naming the line and the field, when any
    line is bad or the file is not the partner's own."""
    organisation_id = _partner_organisation(db, partner, "signals.import")
    if len(body) > MAX_EXCHANGE_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_EXCHANGE_BYTES // (1024 * 1024)} MB", field="file")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", field="file") from None
    try:
        exchange = read_exchange(text.splitlines())
    except SignalError as error:
        raise InvalidInput(str(error), field=error.field or "file") from None
    if exchange.source != partner.name:
        raise InvalidInput(
            f"line 1: the file's source must be {partner.name!r}, the partner this token was given to",
            field="source",
        )
    return import_signals(
        db, organisation_id, exchange, by=PARTNER_ACTOR, key=key, detail={"partner": partner.token_id}
    )


# -- transparency ------


def transparency(db: Database, organisation_id: str) -> dict[str, int]:
    """Counts to publish: signals shared (active, withdrawn by reason), received, ads matched, opinions."""
    with db.transaction() as session:
        counts: dict[str, int] = {}
        for direction, status, reason, number in session.execute(
            select(
                RecruitmentSignal.direction,
                RecruitmentSignal.status,
                RecruitmentSignal.status_reason,
                func.count(),
            )
            .where(RecruitmentSignal.organisation_id == organisation_id)
            .group_by(RecruitmentSignal.direction, RecruitmentSignal.status, RecruitmentSignal.status_reason)
        ).all():
            name = f"{direction}_{status}" + (f"_{reason.replace(' ', '_')}" if reason else "")
            counts[name] = counts.get(name, 0) + int(number)
        own_feedback = session.execute(
            select(
                func.coalesce(func.sum(RecruitmentSignal.seen), 0),
                func.coalesce(func.sum(RecruitmentSignal.confirmed), 0),
                func.coalesce(func.sum(RecruitmentSignal.disputed), 0),
            ).where(RecruitmentSignal.organisation_id == organisation_id, RecruitmentSignal.direction == OWN)
        ).one()
        (
            counts["own_seen_by_receivers"],
            counts["own_confirmed_by_receivers"],
            counts["own_disputed_by_receivers"],
        ) = (int(v) for v in own_feedback)
        match_rows = session.execute(
            select(
                RecruitmentSignalMatch.feedback,
                func.count(func.distinct(RecruitmentSignalMatch.scanned_ad_id)),
            )
            .join(RecruitmentSignal, RecruitmentSignal.id == RecruitmentSignalMatch.signal_id)
            .where(RecruitmentSignal.organisation_id == organisation_id)
            .group_by(RecruitmentSignalMatch.feedback)
        ).all()
        counts["received_matches_undecided"] = 0
        for feedback, number in match_rows:
            counts[f"received_matches_{feedback or 'undecided'}"] = int(number)
    return counts
