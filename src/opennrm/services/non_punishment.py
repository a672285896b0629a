"""Non-punishment (CEDAW GR38 §98): the measures taken against her because she was trafficked, recorded
with her consent so that she is protected from punishment, flagged to legal aid, with her statement and her
requests to clear a record (§98(c)).

Who may do what is decided by ``opennrm.access.policy.non_punishment_decision``: the owning side, and a
legal-aid organisation holding the case under a disclosure whose consent covers ``non_punishment``; never an
enforcement organisation (the firewall's list comes from ``opennrm.services.firewall``). Every use case runs
in one transaction and leaves an audit event with identifiers only. The jurisdiction's details, the dates, the
link to her trafficking and the clearance details are encrypted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, non_punishment_decision, visible_identity_fields
from opennrm.domain.non_punishment import (
    ClearanceRequestIn,
    ClearanceStatus,
    ClearanceStatusIn,
    LegalAidStep,
    MatterStatus,
    NonPunishmentMatterIn,
    NonPunishmentMatterUpdate,
)
from opennrm.domain.vocabularies import TraffickingStatus
from opennrm.services import consent_gate
from opennrm.services.cases import relation_of
from opennrm.services.clock import now
from opennrm.services.errors import NotFound
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_json
from opennrm.stats.non_punishment import MatterFacts, NonPunishmentCounts, count_non_punishment
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import (
    Case,
    NonPunishmentMatter,
    Organisation,
    Person,
    RecordClearanceRequest,
)

_MATTER = "non_punishment_matter"
_CLEARANCE = "record_clearance"

# The trafficking statuses her non-punishment statement names (anything else is left out).
STATUSES_FOR_HER_DEFENCE = frozenset({TraffickingStatus.PRESUMED.value, TraffickingStatus.ACTUAL.value})


# -- views --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClearanceView:
    id: str
    status: str
    filed_on: dt.date | None
    authority: str | None
    note: str | None
    updated_at: dt.datetime


@dataclass(frozen=True)
class MatterView:
    id: str
    measure: str
    status: str
    legal_aid: str
    jurisdiction_country: str
    jurisdiction: str | None
    occurred_on: dt.date | None
    decided_on: dt.date | None
    link_to_trafficking: str
    recorded_at: dt.datetime
    clearance_requests: list[ClearanceView]


@dataclass(frozen=True)
class NonPunishmentView:
    """The matters of one case, for a reader the policy allows."""

    case_id: str
    survivor_code: str
    matters: list[MatterView]
    owner_side: bool
    """The reader's organisation holds the case (and may record new matters, if her role may)."""
    may_add: bool
    may_update: bool

    @property
    def flagged_to_legal_aid(self) -> int:
        """Matters waiting for legal aid to take them up: the flag on the case."""
        return sum(1 for m in self.matters if m.legal_aid == LegalAidStep.FLAGGED)


@dataclass(frozen=True)
class StatementFacts:
    """What her non-punishment statement says (rendered by the web layer in two languages)."""

    case_id: str
    survivor_code: str
    given_name: str | None
    family_name: str | None
    trafficking_status: str | None
    """Only a status that helps her defence (presumed or identified victim); a document for a court never
    says "not a victim" or "possible victim" — a negative decision may still be reconsidered (GR38 §98)."""
    identified_on: dt.date | None
    organisation: str
    matters: list[MatterView]
    made_on: dt.date


# -- access -------------------------------------------------------------------------------------------


def _decide(db: Database, session: Session, actor: Actor, case: Case, action: Action) -> None:
    consent_gate.decide(db, session, actor, case, action, non_punishment_decision)


def _allowed(session: Session, actor: Actor, case: Case, action: Action) -> bool:
    return consent_gate.allowed(session, actor, case, action, non_punishment_decision)


def _case(db: Database, session: Session, actor: Actor, case_id: str, action: Action) -> Case:
    """The case, if ``action`` on it is allowed; refused alike (403, audited) when there is no such case."""
    case = consent_gate.load(db, session, actor, action, Case, "case", case_id)
    _decide(db, session, actor, case, action)
    return case


def _matter(
    db: Database, session: Session, actor: Actor, matter_id: str, action: Action
) -> tuple[NonPunishmentMatter, Case]:
    """The non-punishment matter and its case, if ``action`` on the case is allowed; refused alike when there
    is none."""
    matter = consent_gate.load(db, session, actor, action, NonPunishmentMatter, "matter", matter_id)
    return matter, _case(db, session, actor, matter.case_id, action)


# -- use cases ----------------------------------------------------------------------------------------


def record_matter(db: Database, actor: Actor, case_id: str, data: NonPunishmentMatterIn) -> str:
    """Record a measure taken against her, with her consent; it is flagged to legal aid at once."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.NON_PUNISHMENT_ADD)
        matter_id = new_id()
        at = now()
        details = {
            "jurisdiction": data.jurisdiction,
            "occurred_on": data.occurred_on.isoformat() if data.occurred_on else None,
            "decided_on": data.decided_on.isoformat() if data.decided_on else None,
            "link_to_trafficking": data.link_to_trafficking,
            "consent": True,
        }
        session.add(
            NonPunishmentMatter(
                id=matter_id,
                case_id=case.id,
                measure=data.measure.value,
                status=data.status.value,
                legal_aid=LegalAidStep.FLAGGED.value,
                jurisdiction_country=data.jurisdiction_country,
                record_enc=encrypt_json(db.keyring, _MATTER, matter_id, details),
                recorded_by=actor.user_id,
                created_at=at,
                updated_at=at,
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "non_punishment.add", "case", case.id, detail={"matter": matter_id}),
        )
    return matter_id


def update_matter(db: Database, actor: Actor, matter_id: str, change: NonPunishmentMatterUpdate) -> str:
    """Where the matter stands now, or the legal-aid flag taken up or resolved; returns the case id."""
    with db.transaction() as session:
        matter, case = _matter(db, session, actor, matter_id, Action.NON_PUNISHMENT_UPDATE)
        if change.status is not None:
            matter.status = change.status.value
        if change.legal_aid is not None:
            matter.legal_aid = change.legal_aid.value
        if change.decided_on is not None:
            details = decrypt_json(db.keyring, _MATTER, matter.id, matter.record_enc)
            details["decided_on"] = change.decided_on.isoformat()
            matter.record_enc = encrypt_json(db.keyring, _MATTER, matter.id, details)
        matter.updated_at = now()
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "non_punishment.update", "case", case.id, detail={"matter": matter.id}),
        )
    return case.id


@dataclass(frozen=True)
class ClearanceCreated:
    id: str
    case_id: str


def add_clearance_request(
    db: Database, actor: Actor, matter_id: str, data: ClearanceRequestIn
) -> ClearanceCreated:
    """Start tracking a request to clear her record (GR38 §98(c))."""
    with db.transaction() as session:
        matter, case = _matter(db, session, actor, matter_id, Action.NON_PUNISHMENT_UPDATE)
        request_id = new_id()
        at = now()
        details = {"authority": data.authority, "note": data.note}
        session.add(
            RecordClearanceRequest(
                id=request_id,
                matter_id=matter.id,
                status=data.status.value,
                filed_on=data.filed_on,
                details_enc=encrypt_json(db.keyring, _CLEARANCE, request_id, details)
                if data.authority or data.note
                else None,
                created_by=actor.user_id,
                created_at=at,
                updated_at=at,
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "non_punishment.clearance.add",
                "case",
                case.id,
                detail={"matter": matter.id, "clearance": request_id},
            ),
        )
    return ClearanceCreated(request_id, case.id)


def update_clearance_status(db: Database, actor: Actor, request_id: str, change: ClearanceStatusIn) -> str:
    """A clearance request filed, granted, refused or withdrawn (granted clears the matter); returns the
    case id."""
    with db.transaction() as session:
        action = Action.NON_PUNISHMENT_UPDATE
        row = consent_gate.load(
            db, session, actor, action, RecordClearanceRequest, "clearance_request", request_id
        )
        matter, case = _matter(db, session, actor, row.matter_id, Action.NON_PUNISHMENT_UPDATE)
        row.status = change.status.value
        if change.filed_on is not None:
            row.filed_on = change.filed_on
        row.updated_at = now()
        if change.status is ClearanceStatus.GRANTED:
            matter.status = MatterStatus.CLEARED.value
            matter.updated_at = row.updated_at
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "non_punishment.clearance.update",
                "case",
                case.id,
                detail={"matter": matter.id, "clearance": row.id},
            ),
        )
    return case.id


def _views(db: Database, session: Session, case_id: str) -> list[MatterView]:
    keyring = db.keyring
    matters = (
        session.execute(
            select(NonPunishmentMatter)
            .where(NonPunishmentMatter.case_id == case_id)
            .order_by(NonPunishmentMatter.created_at, NonPunishmentMatter.id)
        )
        .scalars()
        .all()
    )
    requests: dict[str, list[ClearanceView]] = {}
    if matters:
        for r in session.execute(
            select(RecordClearanceRequest)
            .where(RecordClearanceRequest.matter_id.in_([m.id for m in matters]))
            .order_by(RecordClearanceRequest.created_at, RecordClearanceRequest.id)
        ).scalars():
            details = decrypt_json(keyring, _CLEARANCE, r.id, r.details_enc) if r.details_enc else {}
            requests.setdefault(r.matter_id, []).append(
                ClearanceView(
                    r.id, r.status, r.filed_on, details.get("authority"), details.get("note"), r.updated_at
                )
            )
    views = []
    for m in matters:
        details = decrypt_json(keyring, _MATTER, m.id, m.record_enc)
        views.append(
            MatterView(
                id=m.id,
                measure=m.measure,
                status=m.status,
                legal_aid=m.legal_aid,
                jurisdiction_country=m.jurisdiction_country,
                jurisdiction=details.get("jurisdiction"),
                occurred_on=_date(details.get("occurred_on")),
                decided_on=_date(details.get("decided_on")),
                link_to_trafficking=str(details["link_to_trafficking"]),
                recorded_at=m.created_at,
                clearance_requests=requests.get(m.id, []),
            )
        )
    return views


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(value) if isinstance(value, str) else None


def _person(session: Session, case: Case) -> Person:
    person = session.get(Person, case.person_id)
    if person is None:
        raise NotFound(f"no person for case {case.id}")
    return person


def _survivor_code(db: Database, session: Session, case: Case) -> str:
    person = _person(session, case)
    return decrypt_text(db.keyring, "survivor_code", person.id, person.survivor_code_enc)


def view_matters(db: Database, actor: Actor, case_id: str) -> NonPunishmentView:
    """The matters of a case with their clearance requests, decrypted for an allowed reader; audited."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.NON_PUNISHMENT_READ)
        view = NonPunishmentView(
            case_id=case.id,
            survivor_code=_survivor_code(db, session, case),
            matters=_views(db, session, case.id),
            owner_side=case.organisation_id == actor.organisation_id,
            may_add=_allowed(session, actor, case, Action.NON_PUNISHMENT_ADD),
            may_update=_allowed(session, actor, case, Action.NON_PUNISHMENT_UPDATE),
        )
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "non_punishment.read", "case", case.id)
        )
    return view


@dataclass(frozen=True)
class Marker:
    """What the case page shows: how many matters there are and how many wait for legal aid."""

    matters: int
    flagged_to_legal_aid: int


def marker(db: Database, actor: Actor, case_id: str) -> Marker | None:
    """The flag on the case page, for a reader who may see the matters (``None`` for anyone else, with
    nothing audited: she learns nothing). Audited as a read when shown."""
    with db.transaction() as session:
        case = session.get(Case, case_id)
        if case is None or not _allowed(session, actor, case, Action.NON_PUNISHMENT_READ):
            return None
        rows = session.execute(
            select(NonPunishmentMatter.legal_aid).where(NonPunishmentMatter.case_id == case.id)
        ).scalars()
        steps = list(rows)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "non_punishment.read", "case", case.id, detail={"marker": True}),
        )
    return Marker(len(steps), sum(1 for s in steps if s == LegalAidStep.FLAGGED))


def statement_facts(db: Database, actor: Actor, case_id: str) -> StatementFacts:
    """What her statement says: who she is (as far as the reader may see), that she was identified as a
    victim of trafficking, and the matters; audited."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.NON_PUNISHMENT_STATEMENT)
        person = _person(session, case)
        identity = decrypt_json(db.keyring, "person", person.id, person.identity_enc)
        visible = visible_identity_fields(actor, relation_of(session, case), identity)
        owner = session.get(Organisation, case.organisation_id)
        facts = StatementFacts(
            case_id=case.id,
            survivor_code=_survivor_code(db, session, case),
            given_name=identity.get("given_name") if "given_name" in visible else None,
            family_name=identity.get("family_name") if "family_name" in visible else None,
            trafficking_status=(
                case.trafficking_status if case.trafficking_status in STATUSES_FOR_HER_DEFENCE else None
            ),
            identified_on=case.identified_on,
            organisation=owner.name if owner is not None else "",
            matters=_views(db, session, case.id),
            made_on=dt.date.today(),
        )
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "non_punishment.statement", "case", case.id)
        )
    return facts


def counts(db: Database, actor_id: str) -> NonPunishmentCounts:
    """The matters counted for statistics (no person-level data; small cells suppressed); audited."""
    with db.transaction() as session:
        rows: Sequence[Any] = session.execute(
            select(Case.person_id, NonPunishmentMatter.measure, NonPunishmentMatter.status).join(
                Case, Case.id == NonPunishmentMatter.case_id
            )
        ).all()
        clearance = session.execute(select(RecordClearanceRequest.status)).scalars().all()
        audit.record_one(
            session, db.keyring, AuditEntry(actor_id, "non_punishment.count", "statistics", None)
        )
    return count_non_punishment([MatterFacts(str(p), str(m), str(s)) for p, m, s in rows], list(clearance))
