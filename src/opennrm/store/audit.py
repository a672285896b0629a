"""The audit chain: every read and write of person-level data leaves one event, in the same transaction.

Each event's ``hash`` is SHA-256 over the previous hash and the event's canonical JSON; each event and the
chain head also carry a ``seal`` (HMAC-SHA256 with the installation's audit key), so that a forged event,
appended with a correctly computed hash by someone without the key, is caught as well. Events hold
pseudonymous identifiers and action names only: ``detail`` is checked to hold no free text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from opennrm.store.keys import Keyring
from opennrm.store.tables import AuditEvent, AuditHead, table_of

GENESIS = "0" * 64
_HEAD_ID = 1
_DETAIL_VALUE_MAX = 64


@dataclass(frozen=True)
class AuditEntry:
    actor_id: str | None
    action: str
    object_type: str
    object_id: str | None = None
    outcome: str = "ok"
    detail: Mapping[str, Any] = field(default_factory=dict)


def _check_detail(detail: Mapping[str, Any]) -> str:
    """Details are short codes, numbers and identifiers only; anything else is refused as possible PII."""
    for key, value in detail.items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, bool | int | float) or item is None:
                continue
            if not isinstance(item, str) or len(item) > _DETAIL_VALUE_MAX or " " in item or "@" in item:
                raise ValueError(f"audit detail {key!r} must be a short code, not free text")
    return json.dumps(dict(detail), sort_keys=True, separators=(",", ":"))


def _digest(prev_hash: str, seq: int, at: str, e: AuditEntry | AuditEvent, detail: str) -> str:
    body = json.dumps(
        [seq, at, e.actor_id, e.action, e.object_type, e.object_id, e.outcome, detail],
        separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(session: Session, keyring: Keyring, entries: Iterable[AuditEntry]) -> int:
    """Append events to the chain inside the caller's transaction; returns the new head's sequence number."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == _HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    rows = []
    at = _now()
    for entry in entries:
        detail = _check_detail(entry.detail)
        seq += 1
        digest = _digest(prev, seq, at, entry, detail)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor_id": entry.actor_id,
                "action": entry.action,
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "outcome": entry.outcome,
                "detail": detail,
                "prev_hash": prev,
                "hash": digest,
                "seal": keyring.seal(digest),
            }
        )
        prev = digest
    if not rows:
        return seq
    session.connection().execute(insert(table_of(AuditEvent)), rows)
    if head is None:
        session.add(AuditHead(id=_HEAD_ID, seq=seq, hash=prev, seal=keyring.seal(f"{seq}:{prev}")))
    else:
        head.seq, head.hash, head.seal = seq, prev, keyring.seal(f"{seq}:{prev}")
    session.flush()
    return seq


def record_one(session: Session, keyring: Keyring, entry: AuditEntry) -> int:
    return record(session, keyring, [entry])


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"OK: {self.checked} audit events verified"
        return f"BROKEN at event {self.first_bad_seq}: {self.reason}"


def verify(session: Session, keyring: Keyring, batch: int = 5000) -> Verification:
    """Walk the chain in order and report the first event that does not fit."""
    prev, expected, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        events = (
            session.execute(
                select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
            )
            .scalars()
            .all()
        )
        if not events:
            break
        for ev in events:
            if ev.seq != expected:
                bad = min(ev.seq, expected)
                return Verification(
                    False, checked, bad, f"expected event {expected}, found {ev.seq} (missing or inserted)"
                )
            if ev.prev_hash != prev:
                return Verification(False, checked, ev.seq, "does not link to the previous event")
            if _digest(prev, ev.seq, ev.at, ev, ev.detail) != ev.hash:
                return Verification(
                    False, checked, ev.seq, "content does not match its hash (edited or reordered)"
                )
            if keyring.seal(ev.hash) != ev.seal:
                return Verification(False, checked, ev.seq, "seal does not match (forged event)")
            prev, expected, checked = ev.hash, expected + 1, checked + 1
            last_seq = ev.seq
        session.expunge_all()
    head = session.get(AuditHead, _HEAD_ID)
    if head is None:
        if checked:
            return Verification(False, checked, checked, "the chain head is missing")
        return Verification(True, 0)
    if head.seal != keyring.seal(f"{head.seq}:{head.hash}"):
        return Verification(False, checked, head.seq, "the chain head's seal does not match")
    if head.seq != checked or head.hash != prev:
        return Verification(
            False, checked, min(head.seq, checked) + 1, "events after the last one found were cut off"
        )
    return Verification(True, checked)
