"""Statistical records: one per case, and the rule that makes one counted person out of several cases.

A ``StatRecord`` holds only what statistics need: a pseudonymous person key (never a name or a document
number), the year and the GR38 §110 attributes. The store builds them from cases (that adapter belongs to
the core platform); the CTDC reader and the synthetic generator build them too.

Counting rule (documented in ``docs/statistics.md``):

- **Persons, not cases.** Records with the same ``person_key`` are one person.
- **Consent.** A person is counted only if *every* one of her records carries consent to statistical use.
  A refusal or withdrawal recorded on any case removes the person from all statistics (revocation takes
  effect at once, DESIGN invariant 3, docs/architecture.md).
- **Victims only.** A person counts when at least one case records her as a possible, presumed or actual
  victim; her status is the strongest one recorded (actual > presumed > possible).
- **Which case's attributes win.** The person's *first* case (earliest ``year``, then smallest
  ``case_key``) gives the year (the year she was first identified, so she is counted in one year only) and
  her attributes. An attribute that is unknown on the first case is taken from the next case that knows it.
  Forms of exploitation, disability domains and socio-economic markers are the *union* over all cases:
  they describe what happened to the person, and a later case can add to it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from opennrm.domain.age import ADULT_AGE
from opennrm.domain.vocabularies import (
    Disability,
    ExploitationType,
    Gender,
    MigrationStatus,
    Sex,
    SocioeconomicMarker,
    TraffickingStatus,
    codes,
)

_SEX = frozenset(codes(Sex))
_GENDER = frozenset(codes(Gender))
_MIGRATION = frozenset(codes(MigrationStatus))
_DISABILITY = frozenset(codes(Disability))
_SOCIOECONOMIC = frozenset(codes(SocioeconomicMarker))
_EXPLOITATION = frozenset(codes(ExploitationType))
_STATUS = frozenset(codes(TraffickingStatus))

#: Strength of a trafficking status when a person's cases disagree (higher wins).
STATUS_STRENGTH: dict[str, int] = {
    TraffickingStatus.NOT_A_VICTIM.value: 0,
    TraffickingStatus.POSSIBLE.value: 1,
    TraffickingStatus.PRESUMED.value: 2,
    TraffickingStatus.ACTUAL.value: 3,
}

#: Statuses that make a person count as a (possible, presumed or actual) victim.
VICTIM_STATUSES = frozenset(s for s, strength in STATUS_STRENGTH.items() if strength > 0)


@dataclass(frozen=True, slots=True)
class StatRecord:
    """One case, reduced to what statistics need. Codes are those of ``opennrm.domain.vocabularies``.

    ``national`` is whether the person is a citizen of the country that runs the NRM (``None``: unknown);
    ``citizenship`` holds ISO 3166-1 alpha-2 codes. ``disability`` holds Washington Group domains, or
    ``{"none"}`` when assessed without disability; empty means not assessed. ``socioeconomic`` is ``None``
    when not assessed. ``region`` and ``ethnicity`` use the codes of the national classification.
    """

    person_key: str
    case_key: str
    year: int | None
    sex: str = Sex.UNKNOWN.value
    gender: str = Gender.UNKNOWN.value
    age_at_trafficking: int | None = None
    child: bool | None = None
    """A child when trafficked, or presumed one (GR38 §96); from the age when not given, None if unknown."""
    citizenship: frozenset[str] = field(default_factory=frozenset)
    national: bool | None = None
    migration_status: str = MigrationStatus.UNKNOWN.value
    disability: frozenset[str] = field(default_factory=frozenset)
    ethnicity: str | None = None
    socioeconomic: frozenset[str] | None = None
    exploitation_types: frozenset[str] = field(default_factory=frozenset)
    region: str | None = None
    trafficking_status: str = TraffickingStatus.PRESUMED.value
    consent_statistics: bool = False

    def __post_init__(self) -> None:
        if not self.person_key:
            raise ValueError("person_key is empty")
        if self.year is not None and not 1900 <= self.year <= 2200:
            raise ValueError(f"year {self.year} is out of range")
        if self.age_at_trafficking is not None and not 0 <= self.age_at_trafficking <= 120:
            raise ValueError(f"age_at_trafficking {self.age_at_trafficking} is out of range 0–120")
        if self.child is None and self.age_at_trafficking is not None:
            object.__setattr__(self, "child", self.age_at_trafficking < ADULT_AGE)
        _check("sex", self.sex, _SEX)
        _check("gender", self.gender, _GENDER)
        _check("migration_status", self.migration_status, _MIGRATION)
        _check("trafficking_status", self.trafficking_status, _STATUS)
        _check_all("disability", self.disability, _DISABILITY)
        _check_all("exploitation_types", self.exploitation_types, _EXPLOITATION)
        if self.socioeconomic is not None:
            _check_all("socioeconomic", self.socioeconomic, _SOCIOECONOMIC)


def _check(name: str, value: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} {value!r} is not one of: {', '.join(sorted(allowed))}")


def _check_all(name: str, values: frozenset[str], allowed: frozenset[str]) -> None:
    if values <= allowed:
        return
    bad = values - allowed
    if bad:
        raise ValueError(f"{name} {sorted(bad)!r} not in: {', '.join(sorted(allowed))}")


@dataclass(frozen=True)
class CountedPersons:
    """The outcome of turning case records into counted persons, with what was left out and why."""

    persons: list[StatRecord]
    cases_read: int
    persons_seen: int
    left_out_no_consent: int
    left_out_not_victim: int

    @property
    def counted(self) -> int:
        return len(self.persons)


_UNKNOWN = "unknown"
_NOT_DOMAINS = frozenset({Disability.NONE.value, Disability.UNKNOWN.value})
_NO_DISABILITY = frozenset({Disability.NONE.value})


def _case_order(record: StatRecord) -> tuple[bool, int, str]:
    return (record.year is None, record.year or 0, record.case_key)


def merge_person(cases: list[StatRecord]) -> StatRecord:
    """One person out of her cases (same ``person_key``), by the rule in the module docstring."""
    if not cases:
        raise ValueError("a person needs at least one case")
    if len(cases) == 1:
        return cases[0]
    ordered = sorted(cases, key=_case_order)
    first = ordered[0]
    year, sex, gender, age = first.year, first.sex, first.gender, first.age_at_trafficking
    # a person any of whose cases presumes her a child counts as a child (GR38 §96)
    children = [r.child for r in ordered if r.child is not None]
    child = True if True in children else (children[0] if children else None)
    citizenship, national, migration = first.citizenship, first.national, first.migration_status
    ethnicity, region = first.ethnicity, first.region
    disability: set[str] = set(first.disability)
    exploitation: set[str] = set(first.exploitation_types)
    markers: set[str] | None = None if first.socioeconomic is None else set(first.socioeconomic)
    status, consent = first.trafficking_status, first.consent_statistics
    for r in ordered[1:]:
        if year is None:
            year = r.year
        if sex == _UNKNOWN:
            sex = r.sex
        if gender == _UNKNOWN:
            gender = r.gender
        if age is None:
            age = r.age_at_trafficking
        if not citizenship:
            citizenship = r.citizenship
        if national is None:
            national = r.national
        if migration == _UNKNOWN:
            migration = r.migration_status
        if ethnicity is None:
            ethnicity = r.ethnicity
        if region is None:
            region = r.region
        disability |= r.disability
        exploitation |= r.exploitation_types
        if r.socioeconomic is not None:
            markers = set(r.socioeconomic) if markers is None else markers | r.socioeconomic
        if STATUS_STRENGTH[r.trafficking_status] > STATUS_STRENGTH[status]:
            status = r.trafficking_status
        consent = consent and r.consent_statistics
    merged_disability = frozenset(disability)
    if merged_disability - _NOT_DOMAINS:
        merged_disability -= _NOT_DOMAINS
    elif Disability.NONE.value in merged_disability:
        merged_disability = _NO_DISABILITY
    return StatRecord(
        person_key=first.person_key,
        case_key=first.case_key,
        year=year,
        sex=sex,
        gender=gender,
        age_at_trafficking=age,
        child=child,
        citizenship=citizenship,
        national=national,
        migration_status=migration,
        disability=merged_disability,
        ethnicity=ethnicity,
        socioeconomic=None if markers is None else frozenset(markers),
        exploitation_types=frozenset(exploitation),
        region=region,
        trafficking_status=status,
        consent_statistics=consent,
    )


@contextlib.contextmanager
def bulk_work() -> Iterator[None]:
    """Pause the cyclic garbage collector while making many acyclic objects (a full collection over a
    million records costs seconds and finds nothing here)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def count_persons(records: Iterable[StatRecord]) -> CountedPersons:
    """Group case records by person, merge each person, and keep those who may be counted."""
    with bulk_work():
        return _count_persons(records)


def _count_persons(records: Iterable[StatRecord]) -> CountedPersons:
    first_case: dict[str, StatRecord] = {}
    more_cases: dict[str, list[StatRecord]] = {}
    cases = 0
    for record in records:
        cases += 1
        key = record.person_key
        if key not in first_case:
            first_case[key] = record
        elif key in more_cases:
            more_cases[key].append(record)
        else:
            more_cases[key] = [first_case[key], record]
    persons: list[StatRecord] = []
    no_consent = not_victim = 0
    for key, person in first_case.items():
        group = more_cases.get(key)
        if group is not None:
            person = merge_person(group)
        if not person.consent_statistics:
            no_consent += 1
        elif person.trafficking_status not in VICTIM_STATUSES:
            not_victim += 1
        else:
            persons.append(person)
    return CountedPersons(
        persons=persons,
        cases_read=cases,
        persons_seen=len(first_case),
        left_out_no_consent=no_consent,
        left_out_not_victim=not_victim,
    )
