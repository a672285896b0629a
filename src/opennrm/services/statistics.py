"""From case records to statistical records, and HTCDS exchange of case records.

Only aggregates leave this module's callers: ``stat_records`` reads the attributes statistics need (never
names, contacts or documents) and the person's pseudonymous key; the extraction is audited as one event.
Consent to statistical use is an active (unexpired, unrevoked) consent with the purpose ``statistics``
recorded on the case; without one the case is not counted (GR38 §111; GBVIMS counts consenting records only).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select

from opennrm.access.policy import Action, Actor, decide
from opennrm.domain.consent import ConsentTerms
from opennrm.domain.records import Intake
from opennrm.services.cases import (
    IntakeRows,
    build_intake_rows,
    decrypt_json,
    decrypt_text,
    existing_person,
    new_id,
    now,
)
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.stats.dimensions import NRM_DEFAULT_TABLES, NationalClassification, nrm_dimensions, with_margins
from opennrm.stats.htcds import from_htcds_row, to_htcds_row
from opennrm.stats.records import CountedPersons, StatRecord, count_persons
from opennrm.stats.tables import PersonFrame, frame_from_persons
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import Case, ConsentRecord, ExploitationEventRow, Person, table_of

_BATCH = 5000


def _consenting_cases(db: Database, today: dt.date) -> set[str]:
    with db.transaction() as session:
        rows = session.execute(
            select(
                ConsentRecord.case_id,
                ConsentRecord.purposes,
                ConsentRecord.expires_on,
                ConsentRecord.given_on,
            ).where(ConsentRecord.revoked_at.is_(None))
        ).all()
    return {
        case_id
        for case_id, purposes, expires_on, given_on in rows
        if "statistics" in purposes and given_on <= today and (expires_on is None or expires_on >= today)
    }


def stat_records(db: Database, home_country: str | None) -> Iterator[StatRecord]:
    """One statistical record per case, streamed in batches; audited as one ``stats.extract`` event."""
    today = dt.date.today()
    consenting = _consenting_cases(db, today)
    last = ""
    read = 0
    while True:
        with db.transaction() as session:
            cases = (
                session.execute(select(Case).where(Case.id > last).order_by(Case.id).limit(_BATCH))
                .scalars()
                .all()
            )
            if not cases:
                break
            types: dict[str, set[str]] = defaultdict(set)
            for case_id, kinds in session.execute(
                select(ExploitationEventRow.case_id, ExploitationEventRow.exploitation_types).where(
                    ExploitationEventRow.case_id.in_([c.id for c in cases])
                )
            ):
                types[case_id].update(kinds)
        for case in cases:
            citizenship = frozenset(case.citizenship or [])
            yield StatRecord(
                person_key=case.person_id,
                case_key=case.id,
                year=case.identified_on.year if case.identified_on else None,
                sex=case.sex,
                gender=case.gender,
                age_at_trafficking=case.age_at_trafficking,
                citizenship=citizenship,
                national=(home_country in citizenship) if home_country and citizenship else None,
                migration_status=case.migration_status,
                disability=frozenset(case.disability or []),
                ethnicity=case.ethnicity,
                socioeconomic=frozenset(case.socioeconomic) if case.socioeconomic else None,
                exploitation_types=frozenset(types.get(case.id, set())),
                region=case.region,
                trafficking_status=case.trafficking_status,
                consent_statistics=case.id in consenting,
            )
        read += len(cases)
        last = cases[-1].id
    with db.transaction() as session:
        audit.record_one(
            session,
            db.keyring,
            AuditEntry("cli", "stats.extract", "installation", None, detail={"cases": read}),
        )


@dataclass(frozen=True)
class DatabaseStatistics:
    counted: CountedPersons
    frame: PersonFrame
    tables: list[tuple[str, ...]]
    years: list[int]


def database_statistics(db: Database, home_country: str | None) -> DatabaseStatistics:
    """Counted persons (once each, with consent) categorised on the GR38 §110 dimensions by year."""
    counted = count_persons(stat_records(db, home_country))
    years = sorted({p.year for p in counted.persons if p.year is not None})
    regions = sorted({p.region for p in counted.persons if p.region})
    dims = nrm_dimensions(NationalClassification(years=tuple(years), regions=tuple(regions)))
    tables = with_margins(NRM_DEFAULT_TABLES)
    return DatabaseStatistics(counted, frame_from_persons(counted.persons, dims), tables, years)


@dataclass(frozen=True)
class DashboardTable:
    title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[str]]  # displayed counts: numbers of 11 or more, "<11" otherwise


DASHBOARD_TABLES: tuple[tuple[str, str, str], ...] = (
    ("Persons identified, by year and sex", "year", "sex"),
    ("By year and age group", "year", "age_group"),
    ("By form of exploitation and sex", "exploitation", "sex"),
    ("By citizenship and sex", "citizenship", "sex"),
)


def dashboard_tables(
    db: Database, actor: Actor, home_country: str | None
) -> tuple[int | str, list[DashboardTable]]:
    """Aggregate tables for the statistics page: persons counted once with consent, and every cell under
    the display threshold shown as "<11" — nothing on it identifies anyone. Open to every role."""
    from opennrm.stats.tables import count_table, display_count

    if not decide(actor, Action.AGGREGATE_READ):
        raise Forbidden("aggregates are not available to this account")
    made = database_statistics(db, home_country)
    tables = []
    for title, row_dim, column_dim in DASHBOARD_TABLES:
        table = count_table(made.frame, (row_dim, column_dim))
        rows_d, cols_d = table.dimensions
        cells = [
            [display_count(table.value(**{row_dim: r, column_dim: c})) for c in cols_d.categories]
            for r in rows_d.categories
        ]
        tables.append(
            DashboardTable(
                title,
                [rows_d.label_of(r) for r in rows_d.categories],
                [cols_d.label_of(c) for c in cols_d.categories],
                cells,
            )
        )
    with db.transaction() as session:
        audit.record_one(session, db.keyring, AuditEntry(actor.user_id, "stats.view", "installation", None))
    return display_count(made.counted.counted), tables


# -- HTCDS exchange -------------------------------------------------------------------------------------


def htcds_records(db: Database) -> Iterator[dict[str, object]]:
    """Every case as an HTCDS record (identifying fields included: an export is a disclosure the CLI
    operator makes deliberately; it is audited)."""
    today = dt.date.today()
    consenting = _consenting_cases(db, today)
    last = ""
    exported = 0
    while True:
        with db.transaction() as session:
            rows = session.execute(
                select(Case, Person)
                .join(Person, Person.id == Case.person_id)
                .where(Case.id > last)
                .order_by(Case.id)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            events: dict[str, list[ExploitationEventRow]] = defaultdict(list)
            for event in session.execute(
                select(ExploitationEventRow).where(ExploitationEventRow.case_id.in_([c.id for c, _ in rows]))
            ).scalars():
                events[event.case_id].append(event)
        for case, person in rows:
            identity = decrypt_json(db.keyring, "person", person.id, person.identity_enc)
            code = decrypt_text(db.keyring, "survivor_code", person.id, person.survivor_code_enc)
            yield _htcds_dict(case, person.id, code, identity, events[case.id], case.id in consenting)
            exported += 1
        last = rows[-1][0].id
    with db.transaction() as session:
        audit.record_one(
            session,
            db.keyring,
            AuditEntry("cli", "htcds.export", "installation", None, detail={"cases": exported}),
        )


def _htcds_dict(
    case: Case,
    person_id: str,
    code: str,
    identity: dict[str, Any],
    events: list[ExploitationEventRow],
    consent_statistics: bool,
) -> dict[str, object]:
    def union(attribute: str) -> list[str]:
        return sorted({v for e in events for v in (getattr(e, attribute) or [])})

    languages = case.languages or []
    return {
        "person_key": person_id,
        "case_key": case.id,
        "survivor_code": code,
        "given_name": identity.get("given_name"),
        "family_name": identity.get("family_name"),
        "birth_date": identity.get("birth_date"),
        "gender": case.gender,
        "citizenship": case.citizenship or [],
        "primary_language": languages[0] if languages else None,
        "secondary_language": languages[1] if len(languages) > 1 else None,
        "education": case.education,
        "trafficking_status": case.trafficking_status,
        "recruiter_relationship": next(
            (e.recruiter_relationship for e in events if e.recruiter_relationship), None
        ),
        "age_at_trafficking": case.age_at_trafficking,
        "recruitment_platforms": union("online_platforms"),
        "recruitment_methods": sorted({e.recruitment_method for e in events if e.recruitment_method}),
        "means_of_control": union("means_of_control"),
        "exploitation_types": union("exploitation_types"),
        "exploitation_platforms": [],
        "status": case.status,
        "consent": consent_statistics,
        "identified_on": case.identified_on.isoformat() if case.identified_on else None,
        "sex": case.sex,
        "migration_status": case.migration_status,
        "disability": case.disability or [],
        "ethnicity": case.ethnicity,
        "socioeconomic": case.socioeconomic or [],
        "region": case.region,
        "consent_statistics": consent_statistics,
    }


def htcds_rows(db: Database) -> Iterator[dict[str, str]]:
    for record in htcds_records(db):
        yield to_htcds_row(record)


@dataclass(frozen=True)
class HtcdsImport:
    cases: int
    problems: list[str]


def intake_from_htcds(record: dict[str, object]) -> Intake:
    """An HTCDS record as an intake (the inverse of ``_htcds_dict`` for what a case record holds)."""
    languages = [str(x) for x in (record.get("primary_language"), record.get("secondary_language")) if x]
    event = {
        "event_type": "exploitation",
        "exploitation_types": record.get("exploitation_types") or [],
        "means_of_control": record.get("means_of_control") or [],
        "online_platforms": record.get("recruitment_platforms") or [],
        "recruitment_method": (list(record.get("recruitment_methods") or []) or [None])[0],  # type: ignore[call-overload]
        "recruiter_relationship": record.get("recruiter_relationship"),
    }
    has_event = any(v for v in event.values() if v not in ("exploitation",))
    raw = {
        "person": {k: record[k] for k in ("given_name", "family_name", "birth_date") if record.get(k)},
        "case": {
            "survivor_code": record.get("survivor_code") or None,
            "status": record.get("status") or "new",
            "trafficking_status": record.get("trafficking_status") or "possible_victim",
            "identified_on": record.get("identified_on"),
            "age_at_trafficking": record.get("age_at_trafficking"),
            "sex": record.get("sex") or "unknown",
            "gender": record.get("gender") or "unknown",
            "citizenship": record.get("citizenship") or [],
            "migration_status": record.get("migration_status") or "unknown",
            "languages": languages,
            "disability": record.get("disability") or [],
            "ethnicity": record.get("ethnicity"),
            "socioeconomic": record.get("socioeconomic") or [],
            "education": record.get("education") or "unknown",
            "region": record.get("region"),
            "events": [{k: v for k, v in event.items() if v not in (None, [])}] if has_event else [],
        },
    }
    raw["case"] = {k: v for k, v in raw["case"].items() if v is not None}
    return Intake.model_validate(raw)


def import_htcds(db: Database, rows: Iterable[dict[str, str | None]], *, organisation_id: str) -> HtcdsImport:
    """Import HTCDS rows in one transaction; any row that does not fit is reported and nothing is written."""
    from pydantic import ValidationError

    from opennrm.services.cases import invalid_from

    problems: list[str] = []
    intakes: list[tuple[Intake, bool]] = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        record, row_problems = from_htcds_row(row)
        if row_problems:
            problems.extend(f"row {number}: {p}" for p in row_problems)
            continue
        try:
            intakes.append((intake_from_htcds(record), bool(record.get("consent_statistics"))))
        except ValidationError as exc:
            problems.append(f"row {number}: {invalid_from(exc).message}")
    if problems:
        raise InvalidInput(f"{len(problems)} row(s) do not fit; first: {problems[0]}", field="rows")
    with db.transaction() as session:
        batch = IntakeRows()
        persons: dict[str, str] = {}  # survivor code -> person, so one person's cases stay one person
        consents: list[dict[str, Any]] = []
        for data, statistics_consent in intakes:
            code = (data.case.survivor_code or "").casefold()
            person_id = persons.get(code) if code else None
            if code and person_id is None:
                person_id = existing_person(session, db.keyring, organisation_id, data.case.survivor_code)
            case_id = build_intake_rows(
                batch,
                db.keyring,
                data,
                organisation_id=organisation_id,
                actor_id="cli",
                user_id=None,
                person_id=person_id,
            )
            if statistics_consent:  # the source system recorded consent to statistical use: keep it
                consents.append(statistics_consent_row(case_id, (data.case.languages or ["en"])[0]))
            if code and person_id is None:
                persons[code] = batch.persons[-1]["id"]
            if len(batch.cases) >= 1000:
                batch.insert(session, db.keyring)
        batch.insert(session, db.keyring)
        if consents:
            session.connection().execute(insert(table_of(ConsentRecord)), consents)
    return HtcdsImport(len(intakes), problems)


def statistics_consent_row(case_id: str, language: str, recorded_by: str | None = None) -> dict[str, Any]:
    """A consent to statistical use only (no sharing of identifiable data), as a row to insert."""
    return {
        "id": new_id(),
        "case_id": case_id,
        "given_by": "person",
        "purposes": ["statistics"],
        "recipient_organisation_ids": [],
        "recipient_types": [],
        "language": language,
        "interpreter_used": False,
        "given_on": dt.date.today(),
        "expires_on": ConsentTerms().expiry(dt.date.today(), None),  # every consent ends (migration 0010)
        "basis_enc": None,
        "recorded_by": recorded_by,
        "created_at": now(),
        "revoked_at": None,
        "revoked_by": None,
    }
