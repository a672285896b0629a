"""From case records to statistical records, and HTCDS exchange of case records.

Only aggregates leave this module's callers: ``stat_records`` reads the attributes statistics need (never
names, contacts or documents) and the person's pseudonymous key; the extraction is audited as one event.
Consent to statistical use is an active (unexpired, unrevoked) consent with the purpose ``statistics``
recorded on the case; without one the case is not counted (GR38 §111; GBVIMS counts consenting records only).
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from opennrm.access.policy import Action, Actor, decide
from opennrm.domain.consent import ConsentTerms
from opennrm.domain.records import Intake
from opennrm.domain.text import N_
from opennrm.services.cases import IntakeRows, build_intake_rows, consent_in_force_clause, existing_person
from opennrm.services.clock import now
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.services.sealing import decrypt_json, decrypt_text
from opennrm.stats.dimensions import (
    NRM_DEFAULT_TABLES,
    Dimension,
    NationalClassification,
    nrm_dimensions,
    read_classification,
    with_margins,
)
from opennrm.stats.htcds import from_htcds_row, to_htcds_row
from opennrm.stats.records import CountedPersons, StatRecord, count_persons
from opennrm.stats.tables import PersonFrame, frame_from_persons
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import (
    Case,
    ConsentRecord,
    ExploitationEventRow,
    NationalPerson,
    Person,
    table_of,
)

_BATCH = 5000
#: The statistics office's categories, in ``<home>/stats/`` (see ``stats.dimensions.read_classification``).
DOMAINS_FILE = "domains.toml"


#: Consent purposes that let a case's de-identified record go to a statistical or research collaboration.
DATA_SHARING_PURPOSES = ("statistics", "research")


def _consenting_cases(db: Database, today: dt.date, purposes: Iterable[str] = ("statistics",)) -> set[str]:
    """Cases with a consent in force today (``opennrm.access.policy.consent_in_force``, in the store's form
    ``consent_in_force_clause``: given, not past its end, not revoked; none without an end) covering one of
    ``purposes``."""
    wanted = set(purposes)
    with db.transaction() as session:
        rows = session.execute(
            select(ConsentRecord.case_id, ConsentRecord.purposes).where(consent_in_force_clause(today))
        ).all()
    return {case_id for case_id, given_purposes in rows if wanted & set(given_purposes)}


def stat_records(db: Database, home_country: str | None) -> Iterator[StatRecord]:
    """One statistical record per case, streamed in batches; audited as one ``stats.extract`` event."""
    today = dt.date.today()
    consenting = _consenting_cases(db, today)
    with db.transaction() as session:
        # a person the national linkage found known to several organisations is one person (issue 16)
        national: dict[str, str] = {
            person: nid
            for person, nid in session.execute(select(NationalPerson.person_id, NationalPerson.national_id))
        }
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
                person_key=national.get(case.person_id, case.person_id),
                case_key=case.id,
                year=case.identified_on.year if case.identified_on else None,
                sex=case.sex,
                gender=case.gender,
                age_at_trafficking=case.age_at_trafficking,
                child=case.is_child,
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


def classification_in_home(home: Path, today: dt.date | None = None) -> NationalClassification:
    """The statistics office's categories: ``<home>/stats/domains.toml``, else the documented defaults
    (``stats.dimensions.read_classification``). Never taken from the data."""
    return read_classification(home / "stats" / DOMAINS_FILE, today or dt.date.today())


def database_statistics(
    db: Database, home_country: str | None, classification: NationalClassification
) -> DatabaseStatistics:
    """Counted persons (once each, with consent) categorised on the GR38 §110 dimensions by year, on the
    configured categories (``classification``; years and regions never come from the data)."""
    counted = count_persons(stat_records(db, home_country))
    dims = nrm_dimensions(classification)
    tables = with_margins(NRM_DEFAULT_TABLES)
    years = list(classification.years)
    return DatabaseStatistics(counted, frame_from_persons(counted.persons, dims), tables, years)


@dataclass(frozen=True)
class DashboardTable:
    title: str
    rows: list[str]  # the categories, then "Total"
    columns: list[str]  # the categories, then "Total"
    cells: list[list[str]]  # what the reader sees, margins included (last row and last column)
    row_dimension: str = ""
    column_dimension: str = ""  # "" for a one-way table (its only column is the total)
    row_codes: list[str] = field(default_factory=list)  # the categories' codes, then "" for the total
    column_codes: list[str] = field(default_factory=list)


#: The filters of the statistics page: the public categories of these dimensions (never from the data).
FILTER_DIMENSIONS = ("year", "region")


@dataclass(frozen=True)
class StatisticsView:
    """The statistics page. ``exact``: internal exact counts (small ones shown as "<11"), for the roles
    ``access.policy.exact_statistics_decision`` allows; otherwise rounded counts with suppression that
    cannot be undone (``stats.disclosure``).

    ``tables`` is the page without a filter. Filters (by year, by region, by both: ``FILTERED_TABLES``
    within the choice) are for exact readers only: ``shown`` then holds every figure any filter can show and
    ``filtered`` picks a choice out of it. Readers of protected counts see the page as before, with no
    filter: each more view of the same persons would need its own withheld cells, protected together with
    the page's, which leaves a small installation's page all withheld."""

    exact: bool
    total: str
    tables: list[DashboardTable]
    shown: Mapping[frozenset[tuple[str, str]], str] = field(default_factory=dict)
    dimensions: Mapping[str, Dimension] = field(default_factory=dict)

    def options(self, name: str) -> tuple[str, ...]:
        """The categories a filter offers (the configured ones, then ``other`` and ``unknown``)."""
        dim = self.dimensions.get(name) if self.exact else None
        return dim.categories if dim is not None else ()

    def filtered(self, choice: Mapping[str, str]) -> tuple[str, list[DashboardTable]]:
        """The total and the tables within ``choice`` (dimension → category): without a choice the page's
        tables, else one table per dimension of ``FILTERED_TABLES`` (persons by category, and the total)."""
        fixed = [(d, c) for d, c in choice.items() if c]
        for d, c in fixed:
            if d not in FILTER_DIMENSIONS or c not in self.options(d):
                raise InvalidInput(f"{d} must be one of the listed categories", field=d)
        if not fixed:
            return self.total, self.tables
        tables = []
        for title, dim_name in FILTERED_TABLES:
            dim = self.dimensions[dim_name]
            keys = [[(dim_name, c)] for c in dim.categories] + [[]]
            tables.append(
                DashboardTable(
                    title,
                    [dim.label_of(c) for c in dim.categories] + [TOTAL_LABEL],
                    [TOTAL_LABEL],
                    [[self.shown[frozenset(fixed + k)]] for k in keys],
                    row_dimension=dim_name,
                    row_codes=[*dim.categories, ""],
                    column_codes=[""],
                )
            )
        return self.shown[frozenset(fixed)], tables


DASHBOARD_TABLES: tuple[tuple[str, str, str], ...] = (
    (N_("Persons identified, by year and sex"), "year", "sex"),
    (N_("By year and age group"), "year", "age_group"),
    (N_("By form of exploitation and sex"), "exploitation", "sex"),
    (N_("By citizenship and sex"), "citizenship", "sex"),
)
#: What the page shows within a chosen year and/or region: persons by each of these.
FILTERED_TABLES: tuple[tuple[str, str], ...] = (
    (N_("By sex"), "sex"),
    (N_("By age group"), "age_group"),
    (N_("By form of exploitation"), "exploitation"),
    (N_("By citizenship"), "citizenship"),
)
TOTAL_LABEL = N_("Total")


def page_tables() -> list[tuple[str, ...]]:
    """Every table the statistics page can show an exact reader: the page's tables and, for the filters,
    each ``FILTERED_TABLES`` dimension by year and region (whose margins give year alone, region alone, and
    both)."""
    return [(r, c) for _, r, c in DASHBOARD_TABLES] + [(*FILTER_DIMENSIONS, d) for _, d in FILTERED_TABLES]


def keyed_draw(db: Database) -> Callable[[str], float]:
    """A number in [0, 1) for a text that only this installation can compute (its index key), for the
    random rounding of ``stats.disclosure``."""

    def draw(text: str) -> float:
        return int(db.keyring.blind_index("stats_rounding", text), 16) / 16**32

    return draw


def data_version(db: Database, today: dt.date) -> tuple[object, ...]:
    """Changes whenever a statistic could: a case or consent added, changed, revoked or deleted, or a new
    day (consents expire). Cheap: four aggregates over indexed tables."""
    with db.transaction() as session:
        cases = session.execute(select(func.count(Case.id), func.max(Case.updated_at))).one()
        consents = session.execute(
            select(
                func.count(ConsentRecord.id),
                func.max(ConsentRecord.created_at),
                func.max(ConsentRecord.revoked_at),
            )
        ).one()
    return (today.isoformat(), *(str(v) for v in (*cases, *consents)))


class ViewCache:
    """Statistics views by (database, data version, view): computed once, by one request at a time (the
    others wait for it rather than repeat it), and kept for the few most recent versions."""

    def __init__(self, size: int = 8) -> None:
        self._lock = threading.Lock()
        self._items: OrderedDict[tuple[object, ...], StatisticsView] = OrderedDict()
        self._size = size

    def get(self, key: tuple[object, ...], make: Callable[[], StatisticsView]) -> StatisticsView:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            view = make()
            self._items[key] = view
            while len(self._items) > self._size:
                self._items.popitem(last=False)
            return view

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


VIEWS = ViewCache()


def statistics_view(
    db: Database, actor: Actor, home_country: str | None, classification: NationalClassification
) -> StatisticsView:
    """The statistics page for ``actor``: persons counted once with consent, in a few §110 tables with
    their totals — exact only for the statistics office (see ``StatisticsView``). Cached per data version;
    every view is audited (``stats.view``, with whether it was exact)."""
    if not decide(actor, Action.AGGREGATE_READ):
        raise Forbidden("aggregates are not available to this account")
    exact = bool(decide(actor, Action.STATISTICS_EXACT))
    today = dt.date.today()
    key = (str(db.engine.url), data_version(db, today), exact, home_country, classification)
    view = VIEWS.get(key, lambda: make_view(db, home_country, classification, exact=exact))
    with db.transaction() as session:
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "stats.view", "installation", None, detail={"exact": exact}),
        )
    return view


def make_view(
    db: Database, home_country: str | None, classification: NationalClassification, *, exact: bool
) -> StatisticsView:
    """Compute the statistics page (uncached)."""
    from opennrm.stats.disclosure import protect
    from opennrm.stats.tables import display_count

    made = database_statistics(db, home_country, classification)
    pairs = page_tables() if exact else [(r, c) for _, r, c in DASHBOARD_TABLES]
    frame = made.frame
    if exact:
        from opennrm.stats.disclosure import table_keys
        from opennrm.stats.tables import count_table

        shown: dict[frozenset[tuple[str, str]], str] = {}
        for names in pairs:
            counts = count_table(frame, names).values
            for key in table_keys(frame.dimensions, names):
                if key not in shown:
                    by_dim = dict(key)
                    axes = tuple(
                        frame.dimensions[n].position(by_dim[n]) if n in by_dim else slice(None) for n in names
                    )
                    shown[key] = display_count(int(counts[axes].sum()))
    else:
        shown = dict(protect(frame, pairs, keyed_draw(db)).shown)
    tables = []
    for title, row_dim, column_dim in DASHBOARD_TABLES:
        rows_d, cols_d = frame.dimensions[row_dim], frame.dimensions[column_dim]
        row_keys = [[(row_dim, r)] for r in rows_d.categories] + [[]]
        col_keys = [[(column_dim, c)] for c in cols_d.categories] + [[]]
        cells = [[shown[frozenset(r + c)] for c in col_keys] for r in row_keys]
        tables.append(
            DashboardTable(
                title,
                [rows_d.label_of(r) for r in rows_d.categories] + [TOTAL_LABEL],
                [cols_d.label_of(c) for c in cols_d.categories] + [TOTAL_LABEL],
                cells,
                row_dimension=row_dim,
                column_dimension=column_dim,
                row_codes=[*rows_d.categories, ""],
                column_codes=[*cols_d.categories, ""],
            )
        )
    wanted = {n: frame.dimensions[n] for n in (*FILTER_DIMENSIONS, *(d for _, d in FILTERED_TABLES))}
    return StatisticsView(
        exact=exact, total=shown[frozenset()], tables=tables, shown=shown, dimensions=wanted
    )


# -- HTCDS exchange -------------------------------------------------------------------------------------


#: What only an identifying export carries (``htcds_records(identifying=True)``).
IDENTIFYING_KEYS = ("survivor_code", "given_name", "middle_name", "family_name", "birth_date")


def htcds_records(
    db: Database, *, identifying: bool = False, purpose: str | None = None, actor_id: str = "cli"
) -> Iterator[dict[str, object]]:
    """The cases an HTCDS export may carry, one record each, for a CTDC-style collaboration.

    - Only cases with a valid consent (given, not expired, not revoked) covering ``purpose``, or, without
      one, covering statistics or research.
    - De-identified by default: no names, birth date, contacts or survivor code, and keys drawn at random
      for this export (one per person, so her cases stay together, and one per case) — never an id of ours,
      so two exports cannot be joined.
    - ``identifying=True`` adds names, birth date and survivor code; it needs a stated ``purpose`` that the
      consent covers. Every export is audited (``htcds.export``: how many cases, identifying or not, and
      the purpose)."""
    if purpose is not None and purpose not in DATA_SHARING_PURPOSES:
        raise InvalidInput(f"purpose must be one of {', '.join(DATA_SHARING_PURPOSES)}", field="purpose")
    if identifying and purpose is None:
        raise InvalidInput(
            "an export with identifying fields needs its purpose (research or statistics)", field="purpose"
        )
    today = dt.date.today()
    covered = _consenting_cases(db, today, (purpose,) if purpose else DATA_SHARING_PURPOSES)
    statistics_consent = _consenting_cases(db, today)
    person_keys: dict[str, str] = {}
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
            if case.id not in covered:
                continue
            person_key = person_keys.setdefault(person.id, secrets.token_hex(8))
            record = _htcds_dict(case, events[case.id], case.id in statistics_consent)
            record["person_key"], record["case_key"] = person_key, secrets.token_hex(8)
            if identifying:
                identity = decrypt_json(db.keyring, "person", person.id, person.identity_enc)
                record["survivor_code"] = decrypt_text(
                    db.keyring, "survivor_code", person.id, person.survivor_code_enc
                )
                record.update({k: identity.get(k) for k in ("given_name", "middle_name", "family_name")})
                record["birth_date"] = identity.get("birth_date")
            yield record
            exported += 1
        last = rows[-1][0].id
    with db.transaction() as session:
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "htcds.export",
                "installation",
                None,
                detail={
                    "cases": exported,
                    "identifying": identifying,
                    "purpose": purpose or "statistics_research",
                },
            ),
        )


def _htcds_dict(
    case: Case, events: list[ExploitationEventRow], consent_statistics: bool
) -> dict[str, object]:
    """What a case record holds, without identifying fields or keys."""

    def union(attribute: str) -> list[str]:
        return sorted({v for e in events for v in (getattr(e, attribute) or [])})

    languages = case.languages or []
    return {
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
        "consent": True,  # only cases whose consent covers the export are exported
        "identified_on": case.identified_on.isoformat() if case.identified_on else None,
        "sex": case.sex,
        "migration_status": case.migration_status,
        "disability": case.disability or [],
        "ethnicity": case.ethnicity,
        "socioeconomic": case.socioeconomic or [],
        "region": case.region,
        "consent_statistics": consent_statistics,
    }


def htcds_rows(
    db: Database, *, identifying: bool = False, purpose: str | None = None
) -> Iterator[dict[str, str]]:
    for record in htcds_records(db, identifying=identifying, purpose=purpose):
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

    from opennrm.services.parsing import invalid_from

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
        "expires_on": ConsentTerms().expiry(dt.date.today(), None),  # every consent ends (migration 0012)
        "basis_enc": None,
        "recorded_by": recorded_by,
        "created_at": now(),
        "revoked_at": None,
        "revoked_by": None,
    }
