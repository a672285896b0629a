"""Use cases on case records: intake, view, list, notes, documents, batch import.

Each public function runs in one transaction, asks ``opennrm.access.policy`` for a decision, and records an
audit event in the same transaction. Identifying data is encrypted before it reaches the session and
decrypted only for an allowed reader.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, and_, exists, false, insert, or_, select, true, union
from sqlalchemy.orm import Session

from opennrm.access.policy import (
    OVERRIDE_DAYS,
    Action,
    Actor,
    CaseRelation,
    case_list_scopes,
    decide,
    filters_reach_received,
    listed_case_fields,
    visible_case_fields,
    visible_identity_fields,
)
from opennrm.access.roles import Scope
from opennrm.domain.age import child_when_trafficked
from opennrm.domain.consent import Consent, ConsentGiver, ConsentTerms
from opennrm.domain.records import (
    INTAKE_STATUSES,
    MAX_DOCUMENT_BYTES,
    CaseDetails,
    ImportedIntake,
    Intake,
    NoteText,
    PersonIdentity,
    intake_status_refusal,
)
from opennrm.domain.text import N_
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, refuse, refuse_unknown
from opennrm.services.media import strip_metadata
from opennrm.services.parsing import invalid_from
from opennrm.services.sealing import (
    decrypt_bytes,
    decrypt_json,
    decrypt_text,
    encrypt_bytes,
    encrypt_json,
    encrypt_text,
    survivor_code_index,
)
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.keys import Keyring
from opennrm.store.tables import (
    Case,
    CaseAssignment,
    CaseNote,
    ConsentRecord,
    Disclosure,
    Document,
    ExploitationEventRow,
    Organisation,
    Person,
    User,
    table_of,
)

MAX_PAGE_SIZE = 100
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_survivor_code() -> str:
    return "S-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


# -- writing ------------------------------------------------------------------------------------------


@dataclass
class IntakeRows:
    """The rows one intake adds, ready for a bulk insert."""

    persons: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    def insert(self, session: Session, keyring: Keyring) -> None:
        for table, rows in (
            (Person, self.persons),
            (Case, self.cases),
            (ConsentRecord, self.consents),
            (CaseAssignment, self.assignments),
            (ExploitationEventRow, self.events),
            (CaseNote, self.notes),
        ):
            if rows:
                session.connection().execute(insert(table_of(table)), rows)
                rows.clear()
        audit.record(session, keyring, self.audit)
        self.audit.clear()


def build_intake_rows(
    rows: IntakeRows,
    keyring: Keyring,
    data: Intake,
    *,
    organisation_id: str,
    actor_id: str,
    user_id: str | None,
    person_id: str | None = None,
    at: dt.datetime | None = None,
    team: str | None = None,
) -> str:
    """Add the rows of one intake to ``rows``; returns the new case id. A new person unless ``person_id``.

    ``actor_id`` is who the audit names (a user id, or ``cli`` for the command line); ``user_id`` is the
    staff member who owns and is assigned the case, if any."""
    at = at or now()
    case_id = new_id()
    details: CaseDetails = data.case
    if person_id is None:
        person_id = new_id()
        code = details.survivor_code or new_survivor_code()
        identity = data.person.model_dump(mode="json", exclude_none=True)
        rows.persons.append(
            {
                "id": person_id,
                "survivor_code_index": survivor_code_index(keyring, organisation_id, code),
                "survivor_code_enc": encrypt_text(keyring, "survivor_code", person_id, code),
                "phone_index": keyring.blind_index("phone", data.person.phone) if data.person.phone else None,
                "identity_enc": encrypt_json(keyring, "person", person_id, identity),
                "created_at": at,
            }
        )
        rows.audit.append(AuditEntry(actor_id, "person.create", "person", person_id))
    exploitation = next((t for e in details.events for t in e.exploitation_types), None)
    rows.cases.append(
        {
            "id": case_id,
            "person_id": person_id,
            "organisation_id": organisation_id,
            "created_by": user_id,
            "team": team,
            "status": details.status.value,
            "trafficking_status": details.trafficking_status.value,
            # only an import can bring a decision status (``intake`` refuses it): it is kept, flagged
            "status_imported": details.trafficking_status not in INTAKE_STATUSES,
            "identified_on": details.identified_on or at.date(),
            "age_at_trafficking": details.age_at_trafficking,
            "is_child": child_when_trafficked(
                details.age_facts(data.person.birth_date, identified_on=at.date())
            ),
            "age_uncertain": details.age_uncertain,
            "reasons_to_believe_minor": details.reasons_to_believe_minor,
            "sex": details.sex.value,
            "gender": details.gender.value,
            "citizenship": details.citizenship,
            "migration_status": details.migration_status.value,
            "languages": details.languages,
            "disability": [d.value for d in details.disability],
            "ethnicity": details.ethnicity,
            "socioeconomic": [m.value for m in details.socioeconomic],
            "education": details.education.value,
            "region": details.region,
            "primary_exploitation": exploitation.value if exploitation else None,
            "created_at": at,
            "updated_at": at,
        }
    )
    if user_id:
        rows.assignments.append({"case_id": case_id, "user_id": user_id})
    for position, event in enumerate(details.events):
        event_id = new_id()
        rows.events.append(
            {
                "id": event_id,
                "case_id": case_id,
                "position": position,
                "event_type": event.event_type.value,
                "exploitation_types": [t.value for t in event.exploitation_types],
                "means_of_control": [m.value for m in event.means_of_control],
                "recruitment_method": event.recruitment_method.value if event.recruitment_method else None,
                "recruiter_relationship": (
                    event.recruiter_relationship.value if event.recruiter_relationship else None
                ),
                "online_platforms": [p.value for p in event.online_platforms],
                "country": event.country,
                "place_enc": encrypt_text(keyring, "event_place", event_id, event.place)
                if event.place
                else None,
                "start_date": event.start_date,
                "end_date": event.end_date,
            }
        )
    for note in data.notes:
        note_id = new_id()
        rows.notes.append(
            {
                "id": note_id,
                "case_id": case_id,
                "author_id": user_id,
                "body_enc": encrypt_text(keyring, "note", note_id, note),
                "created_at": at,
            }
        )
    rows.audit.append(
        AuditEntry(
            actor_id,
            "case.create",
            "case",
            case_id,
            detail={"events": len(details.events), "notes": len(data.notes)},
        )
    )
    return case_id


def existing_person(session: Session, keyring: Keyring, organisation_id: str, code: str | None) -> str | None:
    """The person this organisation already knows by ``code`` (never another organisation's)."""
    if not code:
        return None
    return session.execute(
        select(Person.id).where(
            Person.survivor_code_index == survivor_code_index(keyring, organisation_id, code)
        )
    ).scalar_one_or_none()


# The same answer whether no person has the code or one the user may not read: a code is no key, and
# trying one tells nothing (a new person always gets a code made for her).
CODE_REFUSED = N_(
    "no person you may read has this survivor code: leave it empty and a new code is made for her, or ask a "
    "colleague who works on her case, or a supervisor, to add the case"
)


def may_read_person(session: Session, actor: Actor, person_id: str) -> bool:
    """May the actor already read one of this person's cases? Only then may a new case join her."""
    for case in session.execute(select(Case).where(Case.person_id == person_id)).scalars():
        if decide(actor, Action.CASE_READ, relation_of(session, case)):
            return True
    return False


def intake(db: Database, actor: Actor, data: Intake) -> str:
    """Record a presumed victim and her case; returns the case id. A new person gets a code made for her; a
    survivor code given here only attaches the case to a person the user may already read."""
    decision = decide(actor, Action.CASE_CREATE)
    if not decision:
        refuse(db, actor, Action.CASE_CREATE, "case", None, decision.reason)
    refusal = intake_status_refusal(data.case.trafficking_status)
    if refusal is not None:
        raise InvalidInput(refusal, field="case.trafficking_status")
    with db.transaction() as session:
        rows = IntakeRows()
        person_id = existing_person(session, db.keyring, actor.organisation_id, data.case.survivor_code)
        given = data.case.survivor_code
        if given and (person_id is None or not may_read_person(session, actor, person_id)):
            # audited without naming the person the code may belong to
            refuse(
                db,
                actor,
                "person.link",
                "person",
                None,
                InvalidInput(CODE_REFUSED, field="case.survivor_code"),
            )
        case_id = record_intake(session, db.keyring, actor, data, person_id=person_id, rows=rows)
    return case_id


def record_intake(
    session: Session,
    keyring: Keyring,
    actor: Actor,
    data: Intake,
    *,
    person_id: str | None = None,
    rows: IntakeRows | None = None,
) -> str:
    """Write a case opened by ``actor`` (her organisation, her team, assigned to her) inside the caller's
    transaction; returns the case id. The caller has decided that she may open it."""
    rows = rows or IntakeRows()
    case_id = build_intake_rows(
        rows,
        keyring,
        data,
        organisation_id=actor.organisation_id,
        actor_id=actor.user_id,
        user_id=actor.user_id,
        person_id=person_id,
        team=actor.team,
    )
    rows.insert(session, keyring)
    return case_id


# -- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSummary:
    id: str
    survivor_code: str
    status: str
    trafficking_status: str
    sex: str
    age_at_trafficking: int | None
    primary_exploitation: str | None
    identified_on: dt.date
    organisation_id: str


@dataclass(frozen=True)
class CaseView:
    id: str
    person_id: str
    survivor_code: str
    organisation: str
    person: dict[str, Any]
    case: dict[str, Any]
    notes: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    identity_document_visible: bool
    received: bool = False
    status_imported: bool = False
    """Her trafficking status came from an import, not from a decision here (shown beside the status)."""


@dataclass(frozen=True)
class CaseFilters:
    status: str | None = None
    trafficking_status: str | None = None
    sex: str | None = None
    age_group: str | None = None  # child | adult | unknown
    exploitation: str | None = None
    survivor_code: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class CasePage:
    items: list[CaseSummary]
    page: int
    per_page: int
    has_next: bool


def consent_in_force_clause(today: dt.date) -> ColumnElement[bool]:
    """The store's form of ``opennrm.access.policy.consent_in_force`` for a ``ConsentRecord`` row: not
    revoked, already given, not past its end. A consent without an end never holds (in SQL ``NULL >= day``
    is not true); the database has refused one since migration 0012 anyway."""
    return and_(
        ConsentRecord.revoked_at.is_(None),
        ConsentRecord.given_on <= today,
        ConsentRecord.expires_on >= today,
    )


def disclosure_in_force_clause(today: dt.date | None = None) -> ColumnElement[bool]:
    """The store's form of ``opennrm.access.policy.disclosure_in_force``: the disclosure is open and its
    consent is in force today (not revoked, already given, not past its end), or it rests on a
    best-interests override younger than ``OVERRIDE_DAYS``. Every receiver's access is computed through
    this, at read time."""
    today = today or dt.date.today()
    consent_in_force = exists().where(
        ConsentRecord.id == Disclosure.consent_id, consent_in_force_clause(today)
    )
    override_since = dt.datetime.combine(today - dt.timedelta(days=OVERRIDE_DAYS), dt.time.min, dt.UTC)
    return and_(
        Disclosure.status == "open",
        or_(
            consent_in_force,
            and_(Disclosure.consent_id.is_(None), Disclosure.created_at >= override_since),
        ),
    )


def relation_of(session: Session, case: Case) -> CaseRelation:
    """How the case stands: owner, creator, assignees, team, and the disclosures in force today with their
    fields (an expired or revoked consent gives nothing, whether or not its disclosure was closed yet)."""
    assigned = session.execute(
        select(CaseAssignment.user_id).where(CaseAssignment.case_id == case.id)
    ).scalars()
    received: dict[str, frozenset[str]] = {}
    for org_id, fields in session.execute(
        select(Disclosure.recipient_organisation_id, Disclosure.fields).where(
            Disclosure.case_id == case.id, disclosure_in_force_clause()
        )
    ):
        received[org_id] = received.get(org_id, frozenset()) | frozenset(fields)
    return CaseRelation(case.organisation_id, case.created_by, frozenset(assigned), case.team, received)


def check_person_level(
    db: Database,
    actor: Actor,
    action: Action | str,
    object_type: str,
    object_id: str,
) -> None:
    """Before looking a record up: refuse (audited) a role or organisation that reaches no person-level data
    at all, with the same answer whatever the id, so the refusal tells nothing about the record."""
    general = decide(actor, Action.CASE_LIST)
    if not general:
        refuse(db, actor, action, object_type, object_id if is_record_id(object_id) else None, general.reason)


def load_case_for(db: Database, session: Session, actor: Actor, case_id: str, action: Action) -> Case:
    """The case, if ``action`` on it is allowed; refused (403, audited) otherwise — and refused the same way
    when there is no such case, so that nobody learns whether a case exists."""
    check_person_level(db, actor, action, "case", case_id)
    case = session.get(Case, case_id) if is_record_id(case_id) else None
    if case is None:
        refuse_unknown(db, actor, action, "case", case_id)
    decision = decide(actor, action, relation_of(session, case))
    if not decision:
        refuse(db, actor, action, "case", case_id, decision.reason)
    return case


def view_case(db: Database, actor: Actor, case_id: str) -> CaseView:
    """Everything about one case that the actor may see, decrypted; audited."""
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.CASE_READ)
        relation = relation_of(session, case)
        keyring = db.keyring
        person = session.get(Person, case.person_id)
        assert person is not None  # noqa: S101 - foreign key guarantees it
        visible = visible_identity_fields(actor, relation, PersonIdentity.model_fields)
        identity = {
            k: v
            for k, v in decrypt_json(keyring, "person", person.id, person.identity_enc).items()
            if k in visible
        }
        show_id_doc = "id_document_number" in visible
        owner_side = case.organisation_id == actor.organisation_id
        organisation = session.get(Organisation, case.organisation_id)
        events = (
            session.execute(
                select(ExploitationEventRow)
                .where(ExploitationEventRow.case_id == case.id)
                .order_by(ExploitationEventRow.position)
            )
            .scalars()
            .all()
        )
        # A receiving organisation reads only its own notes on the case; the owner reads all.
        note_query = select(CaseNote).where(CaseNote.case_id == case.id)
        if not owner_side:
            note_query = note_query.join(User, User.id == CaseNote.author_id).where(
                User.organisation_id == actor.organisation_id
            )
        notes = session.execute(note_query.order_by(CaseNote.created_at, CaseNote.id)).scalars().all()
        documents = session.execute(
            select(
                Document.id, Document.filename_enc, Document.media_type, Document.size, Document.created_at
            )
            .where(Document.case_id == case.id, true() if owner_side else false())
            .order_by(Document.created_at)
        ).all()
        view = CaseView(
            id=case.id,
            person_id=person.id,
            survivor_code=decrypt_text(keyring, "survivor_code", person.id, person.survivor_code_enc),
            organisation=organisation.name if organisation else "",
            person=identity,
            case=_visible(
                _case_dict(case, keyring, events), visible_case_fields(actor, relation, CASE_FIELDS)
            ),
            notes=[
                {
                    "id": n.id,
                    "created_at": n.created_at.isoformat() if n.created_at else None,
                    "text": decrypt_text(keyring, "note", n.id, n.body_enc),
                }
                for n in notes
            ],
            documents=[
                {
                    "id": d.id,
                    "filename": decrypt_text(keyring, "document_name", d.id, d.filename_enc),
                    "media_type": d.media_type,
                    "size": d.size,
                }
                for d in documents
            ],
            identity_document_visible=show_id_doc,
            received=not owner_side,
            status_imported=owner_side and bool(case.status_imported),
        )
        audit.record_one(
            session,
            keyring,
            AuditEntry(actor.user_id, "case.read", "case", case.id, detail={"id_document": show_id_doc}),
        )
    return view


CASE_FIELDS = (
    "status",
    "trafficking_status",
    "identified_on",
    "age_at_trafficking",
    "is_child",
    "sex",
    "gender",
    "citizenship",
    "migration_status",
    "languages",
    "disability",
    "ethnicity",
    "socioeconomic",
    "education",
    "region",
    "events",
)


def _visible(record: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """The record with only the fields the policy lets this reader see; the others are absent, not empty."""
    return {k: v for k, v in record.items() if k in fields}


def _case_dict(case: Case, keyring: Keyring, events: Sequence[ExploitationEventRow]) -> dict[str, Any]:
    return {
        "status": case.status,
        "trafficking_status": case.trafficking_status,
        "identified_on": case.identified_on.isoformat() if case.identified_on else None,
        "age_at_trafficking": case.age_at_trafficking,
        "is_child": case.is_child,
        "sex": case.sex,
        "gender": case.gender,
        "citizenship": case.citizenship,
        "migration_status": case.migration_status,
        "languages": case.languages,
        "disability": case.disability,
        "ethnicity": case.ethnicity,
        "socioeconomic": case.socioeconomic,
        "education": case.education,
        "region": case.region,
        "events": [
            {
                "event_type": e.event_type,
                "exploitation_types": e.exploitation_types,
                "means_of_control": e.means_of_control,
                "recruitment_method": e.recruitment_method,
                "recruiter_relationship": e.recruiter_relationship,
                "online_platforms": e.online_platforms,
                "country": e.country,
                "place": decrypt_text(keyring, "event_place", e.id, e.place_enc) if e.place_enc else None,
                "start_date": e.start_date.isoformat() if e.start_date else None,
                "end_date": e.end_date.isoformat() if e.end_date else None,
            }
            for e in events
        ],
    }


def _filtered(
    stmt: Select[str, dt.datetime], keyring: Keyring, f: CaseFilters, organisation_id: str
) -> Select[str, dt.datetime]:
    if f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.trafficking_status:
        stmt = stmt.where(Case.trafficking_status == f.trafficking_status)
    if f.sex:
        stmt = stmt.where(Case.sex == f.sex)
    if f.age_group == "child":
        stmt = stmt.where(Case.is_child.is_(True))
    elif f.age_group == "adult":
        stmt = stmt.where(Case.is_child.is_(False))
    elif f.age_group == "unknown":
        stmt = stmt.where(Case.is_child.is_(None))
    if f.exploitation:
        stmt = stmt.where(Case.primary_exploitation == f.exploitation)
    if f.survivor_code:
        stmt = stmt.where(
            Person.survivor_code_index == survivor_code_index(keyring, organisation_id, f.survivor_code)
        )
    if f.phone:
        stmt = stmt.where(Person.phone_index == keyring.blind_index("phone", f.phone))
    return stmt


def _with_person(stmt: Select[str, dt.datetime], filters: CaseFilters) -> Select[str, dt.datetime]:
    """Join the person only when a filter needs the person's blind indexes."""
    if filters.survivor_code or filters.phone:
        return stmt.join(Person, Person.id == Case.person_id)
    return stmt


def scope_clause(actor: Actor, scopes: frozenset[Scope]) -> ColumnElement[bool]:
    """All of the actor's scopes as one condition (for counts; page queries use the per-scope branches)."""
    return or_(false(), *_scope_clauses(actor, scopes))


def _scope_clauses(actor: Actor, scopes: frozenset[Scope]) -> list[ColumnElement[bool]]:
    """The SQL form of ``opennrm.access.policy.scopes_reaching``: one condition per scope, each of which an
    index can serve on its own (an OR of them could not)."""
    own_org = Case.organisation_id == actor.organisation_id
    clauses: list[ColumnElement[bool]] = []
    if Scope.ORGANISATION in scopes:
        clauses.append(own_org)
    if Scope.OWN in scopes:
        assigned = select(CaseAssignment.case_id).where(CaseAssignment.user_id == actor.user_id)
        clauses.append(and_(own_org, Case.created_by == actor.user_id))
        clauses.append(and_(own_org, Case.id.in_(assigned)))
    if Scope.TEAM in scopes and actor.team is not None:
        clauses.append(and_(own_org, Case.team == actor.team))
    if Scope.RECEIVED in scopes:
        received = select(Disclosure.case_id).where(
            Disclosure.recipient_organisation_id == actor.organisation_id, disclosure_in_force_clause()
        )
        clauses.append(and_(Case.organisation_id != actor.organisation_id, Case.id.in_(received)))
    return clauses


# What a row of the case list shows (``CaseSummary``, in its order; the survivor code still encrypted).
SUMMARY_COLUMNS = (
    Case.id,
    Person.id,
    Person.survivor_code_enc,
    Case.status,
    Case.trafficking_status,
    Case.sex,
    Case.age_at_trafficking,
    Case.primary_exploitation,
    Case.identified_on,
    Case.organisation_id,
)


def _summary(actor: Actor, keyring: Keyring, r: Any) -> CaseSummary:
    """One list row, with only the columns the policy lets this reader see of it (a received case shows
    its service fields, not the form of exploitation)."""
    shown = listed_case_fields(actor, r[9], _LISTED_FIELDS)
    return CaseSummary(
        id=r[0],
        survivor_code=decrypt_text(keyring, "survivor_code", r[1], r[2]),
        status=r[3],
        trafficking_status=r[4],
        sex=r[5],
        age_at_trafficking=r[6] if "age_at_trafficking" in shown else None,
        primary_exploitation=r[7] if "primary_exploitation" in shown else None,
        identified_on=r[8],
        organisation_id=r[9],
    )


# The policy-governed columns of a list row (id, survivor code and identification date always show).
_LISTED_FIELDS = ("status", "trafficking_status", "sex", "age_at_trafficking", "primary_exploitation")


def list_cases(
    db: Database, actor: Actor, filters: CaseFilters, page: int = 1, per_page: int = 50
) -> CasePage:
    """One page of the cases in the actor's scope, newest first; audited with the ids shown."""
    if page < 1:
        raise InvalidInput("page must be 1 or more", field="page")
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PAGE_SIZE}", field="per_page")
    scopes = case_list_scopes(actor)
    if not scopes:
        refuse(db, actor, Action.CASE_LIST, "case", None, decide(actor, Action.CASE_LIST).reason)
    in_use = [name for name, value in vars(filters).items() if value]
    if not filters_reach_received(in_use):
        scopes = scopes - {Scope.RECEIVED}
    keyring = db.keyring
    with db.transaction() as session:
        # One query per scope, each ordered and cut to the page, then merged: every branch can use an index.
        window = page * per_page + 1
        branches = [
            _filtered(
                _with_person(
                    select(Case.id.label("id"), Case.created_at.label("created_at")).where(clause), filters
                ),
                keyring,
                filters,
                actor.organisation_id,
            )
            .order_by(Case.created_at.desc(), Case.id)
            .limit(window)
            for clause in _scope_clauses(actor, scopes)
        ]
        if branches:
            # each branch is wrapped, since SQLite allows ORDER BY and LIMIT only on a whole compound query
            wrapped = [select(branch.subquery()) for branch in branches]
            merged = union(*wrapped).subquery() if len(wrapped) > 1 else branches[0].subquery()
            page_ids = (
                select(merged.c.id)
                .order_by(merged.c.created_at.desc(), merged.c.id)
                .limit(per_page + 1)
                .offset((page - 1) * per_page)
            )
            ids = list(session.execute(page_ids).scalars())
        else:
            ids = []
        stmt = (
            select(*SUMMARY_COLUMNS)
            .join(Person, Person.id == Case.person_id)
            .where(Case.id.in_(ids))
            .order_by(Case.created_at.desc(), Case.id)
        )
        rows = session.execute(stmt).all()
        items = [_summary(actor, keyring, r) for r in rows[:per_page]]
        audit.record_one(
            session,
            keyring,
            AuditEntry(actor.user_id, "case.list", "case", None, detail={"shown": [i.id for i in items]}),
        )
    return CasePage(items, page, per_page, len(rows) > per_page)


# -- notes and documents ------------------------------------------------------------------------------


def add_note(db: Database, actor: Actor, case_id: str, text: str) -> str:
    from pydantic import TypeAdapter

    try:
        body = TypeAdapter(NoteText).validate_python(text)
    except ValidationError as exc:
        raise invalid_from(exc, "text") from None
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.NOTE_ADD)
        note_id = new_id()
        session.add(
            CaseNote(
                id=note_id,
                case_id=case_id,
                author_id=actor.user_id,
                body_enc=encrypt_text(db.keyring, "note", note_id, body),
                created_at=now(),
            )
        )
        audit.record_one(session, db.keyring, AuditEntry(actor.user_id, "note.add", "case", case_id))
    return note_id


def add_document(
    db: Database, actor: Actor, case_id: str, filename: str, media_type: str, content: bytes
) -> str:
    """Store a file encrypted; images lose their metadata (EXIF, GPS) first."""
    if not content:
        raise InvalidInput(N_("the file is empty"), field="file")
    if len(content) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            N_("the file is larger than %(mb)s MB") % {"mb": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            field="file",
        )
    name = filename.strip()[:200] or "document"
    content, media_type = strip_metadata(content, media_type)
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.DOCUMENT_ADD)
        doc_id = new_id()
        session.add(
            Document(
                id=doc_id,
                case_id=case_id,
                uploaded_by=actor.user_id,
                filename_enc=encrypt_text(db.keyring, "document_name", doc_id, name),
                media_type=media_type[:100],
                size=len(content),
                content_enc=encrypt_bytes(db.keyring, "document", doc_id, content),
                created_at=now(),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "document.add", "document", doc_id, detail={"case": case_id}),
        )
    return doc_id


def read_document(db: Database, actor: Actor, document_id: str) -> tuple[str, str, bytes]:
    check_person_level(db, actor, Action.DOCUMENT_READ, "document", document_id)
    with db.transaction() as session:
        doc = session.get(Document, document_id) if is_record_id(document_id) else None
        if doc is None:  # the same answer as a document outside your scope
            refuse_unknown(db, actor, Action.DOCUMENT_READ, "document", document_id)
        load_case_for(db, session, actor, doc.case_id, Action.DOCUMENT_READ)
        name = decrypt_text(db.keyring, "document_name", doc.id, doc.filename_enc)
        content = decrypt_bytes(db.keyring, "document", doc.id, doc.content_enc)
        audit.record_one(session, db.keyring, AuditEntry(actor.user_id, "document.read", "document", doc.id))
    return name, doc.media_type, content


# -- batch import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    cases: int
    persons: int


def parse_import_lines(lines: Iterable[str]) -> Iterator[tuple[int, ImportedIntake]]:
    """Parse JSON Lines into intakes; the first bad line raises ``InvalidInput`` naming line and field."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"line {number}: not valid JSON ({exc.msg})", field=f"line {number}") from None
        if not isinstance(raw, dict):
            raise InvalidInput(f"line {number}: expected a JSON object", field=f"line {number}")
        try:
            yield number, ImportedIntake.model_validate(raw)
        except ValidationError as exc:
            problem = invalid_from(exc)
            raise InvalidInput(
                f"line {number}: {problem.message}", field=f"line {number}: {problem.field}"
            ) from None


def _imported_consents(
    session: Session,
    keyring: Keyring,
    rows: IntakeRows,
    number: int,
    raw: list[dict[str, Any]],
    *,
    case_id: str,
    terms: ConsentTerms,
    actor_id: str,
) -> None:
    """The consents one imported line brings, checked as ``consent.record`` checks them (purposes, dates,
    the firewall on recipients, a best-interests determination only for a child); queued on ``rows``."""
    if not raw:
        return
    from opennrm.services.firewall import enforcement_types_in  # firewall imports this module

    enforcement = enforcement_types_in(session)
    child = bool(rows.cases[-1].get("is_child"))
    for index, item in enumerate(raw):
        where = f"line {number}: consents.{index}"
        try:
            consent = Consent.model_validate(item)
        except ValidationError as exc:
            problem = invalid_from(exc)
            raise InvalidInput(f"{where}.{problem.message}", field=f"{where}.{problem.field}") from None
        given_on = consent.given_on or dt.date.today()
        try:
            expires_on = terms.expiry(given_on, consent.expires_on)
        except ValueError as exc:
            raise InvalidInput(f"{where}.expires_on: {exc}", field=f"{where}.expires_on") from None
        if consent.given_by is ConsentGiver.BEST_INTERESTS_DETERMINATION and not child:
            raise InvalidInput(
                f"{where}.given_by: a best-interests determination replaces consent only for a child",
                field=f"{where}.given_by",
            )
        blocked = sorted(t.value for t in consent.recipient_types if t.value in enforcement)
        if blocked:
            raise InvalidInput(
                f"{where}.recipient_types: {', '.join(blocked)} can never receive person-level data "
                "(firewall)",
                field=f"{where}.recipient_types",
            )
        for org_id in consent.recipient_organisation_ids:
            org = session.get(Organisation, org_id)
            if org is None or org.type in enforcement:
                raise InvalidInput(
                    f"{where}.recipient_organisation_ids: no organisation {org_id} that may receive her data",
                    field=f"{where}.recipient_organisation_ids",
                )
        consent_id = new_id()
        rows.consents.append(
            {
                "id": consent_id,
                "case_id": case_id,
                "given_by": consent.given_by.value,
                "purposes": [p.value for p in consent.purposes],
                "recipient_organisation_ids": list(consent.recipient_organisation_ids),
                "recipient_types": [t.value for t in consent.recipient_types],
                "language": consent.language,
                "interpreter_used": consent.interpreter_used,
                "given_on": given_on,
                "expires_on": expires_on,
                "basis_enc": encrypt_text(keyring, "consent_basis", consent_id, consent.basis)
                if consent.basis
                else None,
                "recorded_by": None,
                "created_at": now(),
                "revoked_at": None,
                "revoked_by": None,
            }
        )
        rows.audit.append(
            AuditEntry(actor_id, "consent.record", "case", case_id, detail={"consent": consent_id})
        )


def import_cases(
    db: Database,
    actor_id: str,
    lines: Iterable[str],
    *,
    default_organisation_id: str,
    organisations: dict[str, str],
    batch_size: int = 1000,
    progress: Any = None,
    consent_terms: ConsentTerms | None = None,
) -> ImportReport:
    """Import all lines in one transaction: any bad line rolls back the whole import. A line's
    ``consents`` are recorded on its case (``_imported_consents``). No line puts a case at an organisation on
    the firewall's enforcement list."""
    from opennrm.services.firewall import enforcement_types_in  # firewall imports this module

    cases = persons = 0
    terms = consent_terms or ConsentTerms()
    with db.transaction() as session:
        rows = IntakeRows()
        codes_seen: dict[str, str] = {}
        enforcement = set(
            session.execute(
                select(Organisation.id).where(Organisation.type.in_(sorted(enforcement_types_in(session))))
            ).scalars()
        )
        for number, data in parse_import_lines(lines):
            org_id = default_organisation_id
            if data.organisation is not None:
                if data.organisation not in organisations:
                    raise InvalidInput(
                        f"line {number}: organisation: no organisation named {data.organisation!r}",
                        field=f"line {number}: organisation",
                    )
                org_id = organisations[data.organisation]
            if org_id in enforcement:  # the firewall: an enforcement organisation holds no case
                name = data.organisation or "the default organisation"
                raise InvalidInput(
                    f"line {number}: organisation: {name} is on the firewall's enforcement list and holds "
                    "no case",
                    field=f"line {number}: organisation",
                )
            code = data.case.survivor_code
            person_id = None
            if code:
                key = f"{org_id}:{code.casefold()}"
                person_id = codes_seen.get(key) or existing_person(session, db.keyring, org_id, code)
            new_person = person_id is None
            case_id = build_intake_rows(
                rows,
                db.keyring,
                data,
                organisation_id=org_id,
                actor_id=actor_id,
                user_id=None,
                person_id=person_id,
            )
            _imported_consents(
                session,
                db.keyring,
                rows,
                number,
                data.consents,
                case_id=case_id,
                terms=terms,
                actor_id=actor_id,
            )
            if new_person:
                persons += 1
                if code:
                    codes_seen[f"{org_id}:{code.casefold()}"] = rows.persons[-1]["id"]
            cases += 1
            if len(rows.cases) >= batch_size:
                rows.insert(session, db.keyring)
            if progress is not None:
                progress(1)
        rows.insert(session, db.keyring)
    db.analyse()
    return ImportReport(cases, persons)
