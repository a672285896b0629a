"""The 24/7 hotline (GR38 §99): contacts recorded live by an operator, linked to a new or existing case in one
step, repeat contacts linked by a blind index of her number, statistics with small counts hidden, CSV.

Who may record and read contacts is decided by ``policy.hotline_decision`` (hotline operators and
supervisors, never an enforcement organisation). Her number is never stored: only ``Keyring.blind_index``
of it (the same index as a person's phone, so a contact finds her case). Safe-callback details and notes are
encrypted. Every use case runs in one transaction and leaves an audit event with identifiers only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennrm.access.policy import OUT_OF_SCOPE, Action, Actor, decide, hotline_decision
from opennrm.domain.hotline import CATEGORY_CODES, Channel, ContactAction, ContactIn, ContactType
from opennrm.domain.records import CaseDetails, Intake, PersonIdentity
from opennrm.services.cases import CODE_REFUSED, record_intake, relation_of
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, refuse
from opennrm.services.parsing import invalid_from
from opennrm.services.sealing import decrypt_json, encrypt_json, encrypt_text, survivor_code_index
from opennrm.spreadsheet import safe_row
from opennrm.stats.tables import DISPLAY_THRESHOLD, display_count
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.tables import Case, HotlineContact, Organisation, Person

_CALLBACK = "hotline_callback"
_NOTES = "hotline_notes"


@dataclass(frozen=True)
class ContactResult:
    id: str
    case_id: str | None
    earlier_contacts: int
    """Earlier contacts from the same number (0 when no number was given)."""
    emergency: bool


@dataclass(frozen=True)
class ContactSummary:
    id: str
    started_at: dt.datetime
    channel: str
    contact_type: str
    urgency: str
    immediate_danger: bool
    categories: list[str]
    case_id: str | None
    repeat: bool


def _require(db: Database, actor: Actor, action: Action) -> None:
    decision = hotline_decision(actor, action)
    if not decision:
        refuse(db, actor, action, "hotline_contact", None, decision.reason)


def _reachable_case(session: Session, actor: Actor, person_id: str) -> str | None:
    """The newest case of this person in the actor's organisation that she may add notes to."""
    rows = session.execute(
        select(Case)
        .where(Case.person_id == person_id, Case.organisation_id == actor.organisation_id)
        .order_by(Case.created_at.desc())
    ).scalars()
    for case in rows:
        if decide(actor, Action.NOTE_ADD, relation_of(session, case)):
            return case.id
    return None


def find_case(
    db: Database, actor: Actor, *, survivor_code: str | None = None, phone: str | None = None
) -> str | None:
    """An existing case of hers the actor may reach, found by survivor code or phone through the blind
    index; None when there is none she may reach (the same answer as when there is none at all)."""
    _require(db, actor, Action.HOTLINE_READ)
    with db.transaction() as session:
        return _find(session, db, actor, survivor_code, phone)


def _find(session: Session, db: Database, actor: Actor, code: str | None, phone: str | None) -> str | None:
    persons: list[str] = []
    if code:
        found = session.execute(
            select(Person.id).where(
                Person.survivor_code_index == survivor_code_index(db.keyring, actor.organisation_id, code)
            )
        ).scalar_one_or_none()
        persons += [found] if found else []
    if phone:
        persons += list(
            session.execute(
                select(Person.id).where(Person.phone_index == db.keyring.blind_index("phone", phone))
            ).scalars()
        )
    for person_id in persons:
        case_id = _reachable_case(session, actor, person_id)
        if case_id:
            return case_id
    return None


def record_contact(
    db: Database,
    actor: Actor,
    data: ContactIn,
    *,
    link_code: str | None = None,
    link_phone: bool = False,
    open_case: bool = False,
) -> ContactResult:
    """Record one contact. ``link_code`` (a survivor code) or ``link_phone`` links it to an existing case of
    hers the operator may reach; ``open_case`` opens a new case from it in the same step (her number on the
    person, blind-indexed; the notes into the case notes)."""
    _require(db, actor, Action.HOTLINE_RECORD)
    if open_case and data.contact_type is not ContactType.DATA:
        raise InvalidInput("only a contact about a situation opens a case", field="contact_type")
    if open_case and not decide(actor, Action.CASE_CREATE):
        refuse(db, actor, Action.CASE_CREATE, "case", None, "your role cannot open cases")
    at = now()
    with db.transaction() as session:
        phone_index = db.keyring.blind_index("phone", data.phone) if data.phone else None
        earlier = _earlier_contacts(session, actor.organisation_id, phone_index, at)
        case_id: str | None = None
        if link_code or link_phone:
            case_id = _find(session, db, actor, link_code, data.phone if link_phone else None)
            if case_id is None and link_code:
                session.rollback()
                raise InvalidInput(CODE_REFUSED, field="survivor_code")
        actions = list(data.actions)
        if open_case:
            try:
                intake = Intake(
                    person=PersonIdentity(phone=data.phone) if data.phone else PersonIdentity(),
                    case=CaseDetails(languages=[data.language.split("-")[0]] if data.language else []),
                    notes=[data.notes] if data.notes else [],
                )
            except ValidationError as exc:
                raise invalid_from(exc, "contact") from None
            case_id = record_intake(session, db.keyring, actor, intake)
            if ContactAction.CASE_OPENED not in actions:
                actions.append(ContactAction.CASE_OPENED)
        contact_id = new_id()
        callback = data.callback.model_dump() if data.callback and data.callback_consent else None
        session.add(
            HotlineContact(
                id=contact_id,
                organisation_id=actor.organisation_id,
                operator_id=actor.user_id,
                channel=data.channel.value,
                contact_type=data.contact_type.value,
                language=data.language,
                interpreter=data.interpreter.value if data.interpreter else None,
                caller=data.caller.value if data.caller else None,
                categories=sorted(set(data.categories)),
                urgency=data.urgency.value,
                immediate_danger=data.immediate_danger,
                actions=sorted({a.value for a in actions}),
                people_at_risk=data.people_at_risk,
                callback_consent=data.callback_consent,
                callback_enc=encrypt_json(db.keyring, _CALLBACK, contact_id, callback) if callback else None,
                notes_enc=encrypt_text(db.keyring, _NOTES, contact_id, data.notes) if data.notes else None,
                phone_index=phone_index,
                case_id=case_id,
                started_at=at - dt.timedelta(seconds=data.duration_seconds or 0),
                created_at=at,
            )
        )
        detail: dict[str, object] = {"type": data.contact_type.value, "repeat": earlier}
        if case_id:
            detail["case"] = case_id
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "hotline.contact", "hotline_contact", contact_id, detail=detail),
        )
    return ContactResult(contact_id, case_id, earlier, data.immediate_danger)


def _earlier_contacts(
    session: Session, organisation_id: str, phone_index: str | None, before: dt.datetime
) -> int:
    """The organisation's contacts from the same number (its blind index) before ``before``; 0 without one."""
    if not phone_index:
        return 0
    return int(
        session.execute(
            select(func.count())
            .select_from(HotlineContact)
            .where(
                HotlineContact.organisation_id == organisation_id,
                HotlineContact.phone_index == phone_index,
                HotlineContact.created_at < before,
            )
        ).scalar_one()
    )


def contact_outcome(db: Database, actor: Actor, contact_id: str) -> ContactResult | None:
    """What saving a contact of the actor's organisation led to (the case, earlier contacts from her number,
    whether she was in danger), for the page shown after the save; None for any other id."""
    _require(db, actor, Action.HOTLINE_READ)
    if not is_record_id(contact_id):
        return None
    with db.transaction() as session:
        row = session.get(HotlineContact, contact_id)
        if row is None or row.organisation_id != actor.organisation_id:
            return None
        earlier = _earlier_contacts(session, actor.organisation_id, row.phone_index, row.created_at)
    return ContactResult(row.id, row.case_id, earlier, row.immediate_danger)


def recent_contacts(db: Database, actor: Actor, limit: int = 20) -> list[ContactSummary]:
    """The organisation's latest contacts (structured fields only: no notes, no callback details)."""
    _require(db, actor, Action.HOTLINE_READ)
    with db.transaction() as session:
        rows = list(
            session.execute(
                select(HotlineContact)
                .where(HotlineContact.organisation_id == actor.organisation_id)
                .order_by(HotlineContact.created_at.desc())
                .limit(max(1, min(limit, 200)))
            ).scalars()
        )
        repeats = _repeat_indexes(
            session, actor.organisation_id, {r.phone_index for r in rows if r.phone_index}
        )
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "hotline.list", "hotline_contact", None)
        )
    return [
        ContactSummary(
            r.id,
            r.started_at,
            r.channel,
            r.contact_type,
            r.urgency,
            r.immediate_danger,
            list(r.categories),
            r.case_id,
            r.phone_index in repeats,
        )
        for r in rows
    ]


def _repeat_indexes(session: Session, organisation_id: str, indexes: set[str]) -> set[str]:
    if not indexes:
        return set()
    return {
        str(index)
        for index, n in session.execute(
            select(HotlineContact.phone_index, func.count())
            .where(HotlineContact.organisation_id == organisation_id, HotlineContact.phone_index.in_(indexes))
            .group_by(HotlineContact.phone_index)
        ).all()
        if n > 1
    }


def callback_details(db: Database, actor: Actor, contact_id: str) -> dict[str, str] | None:
    """Her safe times and code word (audited read), for the operator who calls her back."""
    _require(db, actor, Action.HOTLINE_READ)
    with db.transaction() as session:
        row = session.get(HotlineContact, contact_id) if len(contact_id) <= 36 else None
        if row is None or row.organisation_id != actor.organisation_id:
            refuse(db, actor, Action.HOTLINE_READ, "hotline_contact", None, OUT_OF_SCOPE)
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "hotline.callback", "hotline_contact", row.id)
        )
        if row.callback_enc is None:
            return None
        return {k: str(v) for k, v in decrypt_json(db.keyring, _CALLBACK, row.id, row.callback_enc).items()}


# -- statistics -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactStatistics:
    """Counts shown with the display rule (under ``DISPLAY_THRESHOLD`` as "<11"); non-data contacts are
    counted apart."""

    total: str
    data_contacts: str
    non_data: dict[str, str]
    by_channel: dict[str, str]
    by_category: dict[str, str]
    by_language: dict[str, str]
    by_hour: dict[int, str]
    immediate_danger: str


def contact_statistics(
    db: Database, actor: Actor, *, since: dt.datetime | None = None, threshold: int = DISPLAY_THRESHOLD
) -> ContactStatistics:
    """The organisation's contacts by channel, category, language and hour of the day, small counts
    hidden."""
    _require(db, actor, Action.HOTLINE_READ)
    with db.transaction() as session:
        stmt = select(
            HotlineContact.channel,
            HotlineContact.contact_type,
            HotlineContact.categories,
            HotlineContact.language,
            HotlineContact.started_at,
            HotlineContact.immediate_danger,
        ).where(HotlineContact.organisation_id == actor.organisation_id)
        if since is not None:
            stmt = stmt.where(HotlineContact.started_at >= since)
        rows = session.execute(stmt).all()
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "hotline.statistics", "hotline_contact", None)
        )
    data_rows = [r for r in rows if r.contact_type == ContactType.DATA]

    def shown(counter: Counter[str], keys: list[str] | None = None) -> dict[str, str]:
        return {k: display_count(counter.get(k, 0), threshold) for k in (keys or sorted(counter))}

    return ContactStatistics(
        total=display_count(len(rows), threshold),
        data_contacts=display_count(len(data_rows), threshold),
        non_data=shown(
            Counter(r.contact_type for r in rows if r.contact_type != ContactType.DATA),
            [t.value for t in ContactType if t is not ContactType.DATA],
        ),
        by_channel=shown(Counter(r.channel for r in rows), [c.value for c in Channel]),
        by_category=shown(Counter(c for r in data_rows for c in r.categories)),
        by_language=shown(Counter(r.language or "unknown" for r in data_rows)),
        by_hour=(lambda hours: {h: display_count(hours.get(h, 0), threshold) for h in range(24)})(
            Counter(r.started_at.hour for r in rows)
        ),
        immediate_danger=display_count(sum(1 for r in rows if r.immediate_danger), threshold),
    )


# -- CSV ------------------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "started_at",
    "channel",
    "contact_type",
    "language",
    "interpreter",
    "caller",
    "categories",
    "urgency",
    "immediate_danger",
    "actions",
    "people_at_risk",
    "callback_consent",
)


def _organisation(session: Session, name: str) -> str:
    org = session.execute(select(Organisation.id).where(Organisation.name == name)).scalar_one_or_none()
    if org is None:
        raise InvalidInput(f"no organisation is called {name!r}", field="organisation")
    return org


def export_csv(db: Database, organisation: str) -> str:
    """The organisation's contacts as CSV (structured fields only: no number, notes or callback details)."""
    with db.transaction() as session:
        org_id = _organisation(session, organisation)
        rows = session.execute(
            select(HotlineContact)
            .where(HotlineContact.organisation_id == org_id)
            .order_by(HotlineContact.started_at)
        ).scalars()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        count = 0
        for r in rows:
            count += 1
            writer.writerow(
                safe_row(
                    [
                        r.started_at.isoformat(),
                        r.channel,
                        r.contact_type,
                        r.language or "",
                        r.interpreter or "",
                        r.caller or "",
                        ";".join(r.categories),
                        r.urgency,
                        "1" if r.immediate_danger else "0",
                        ";".join(r.actions),
                        str(r.people_at_risk),
                        "1" if r.callback_consent else "0",
                    ]
                )
            )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry("cli", "hotline.export", "organisation", org_id, detail={"rows": count}),
        )
    return out.getvalue()


def _row(line: int, raw: dict[str, str]) -> tuple[dt.datetime, ContactIn]:
    def parts(name: str) -> list[str]:
        return [p for p in (raw.get(name) or "").split(";") if p]

    try:
        started = dt.datetime.fromisoformat((raw.get("started_at") or "").strip())
    except ValueError:
        raise InvalidInput(f"line {line}: started_at is not an ISO date-time", field="started_at") from None
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)
    payload: dict[str, object] = {
        "channel": raw.get("channel", ""),
        "contact_type": raw.get("contact_type", ""),
        "categories": parts("categories"),
        "actions": parts("actions"),
        "immediate_danger": (raw.get("immediate_danger") or "0").strip() in {"1", "true", "yes"},
        "callback_consent": (raw.get("callback_consent") or "0").strip() in {"1", "true", "yes"},
    }
    for name in ("language", "interpreter", "caller", "urgency"):
        if (raw.get(name) or "").strip():
            payload[name] = raw[name].strip()
    if (raw.get("people_at_risk") or "").strip():
        payload["people_at_risk"] = raw["people_at_risk"].strip()
    try:
        return started, ContactIn.model_validate(payload)
    except ValidationError as exc:
        problem = invalid_from(exc)
        raise InvalidInput(f"line {line}: {problem.message}", field=problem.field) from None


def import_csv(db: Database, organisation: str, text: str) -> int:
    """Import contacts (the columns of ``export_csv``); all rows are checked before any is stored."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"started_at", "channel", "contact_type"} - set(reader.fieldnames or [])
    if missing:
        raise InvalidInput(f"missing columns: {', '.join(sorted(missing))}", field="file")
    parsed = [_row(n, raw) for n, raw in enumerate(reader, start=2)]
    with db.transaction() as session:
        org_id = _organisation(session, organisation)
        at = now()
        for started, data in parsed:
            session.add(
                HotlineContact(
                    id=new_id(),
                    organisation_id=org_id,
                    operator_id=None,
                    channel=data.channel.value,
                    contact_type=data.contact_type.value,
                    language=data.language,
                    interpreter=data.interpreter.value if data.interpreter else None,
                    caller=data.caller.value if data.caller else None,
                    categories=sorted(set(data.categories)),
                    urgency=data.urgency.value,
                    immediate_danger=data.immediate_danger,
                    actions=sorted({a.value for a in data.actions}),
                    people_at_risk=data.people_at_risk,
                    callback_consent=data.callback_consent,
                    callback_enc=None,
                    notes_enc=None,
                    phone_index=None,
                    case_id=None,
                    started_at=started,
                    created_at=at,
                )
            )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry("cli", "hotline.import", "organisation", org_id, detail={"rows": len(parsed)}),
        )
    return len(parsed)


CATEGORIES = list(CATEGORY_CODES)
