"""What a caseworker records: a person, her case, what happened, notes.

These are validated input shapes; storage and encryption live in ``opennrm.store``. Validation is strict:
unknown keys, unknown vocabulary values, impossible dates and oversize text are refused with the field named.
Every field a person's safety needs to keep hidden (names, birth date, contact details, identity-document
numbers, addresses, free-text places and notes) is in ``PersonIdentity``, ``ExploitationEvent.place`` or a
note: the store encrypts exactly those.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from opennrm.domain.age import AgeFacts, child_when_trafficked
from opennrm.domain.iso_codes import COUNTRIES, LANGUAGES
from opennrm.domain.text import N_
from opennrm.domain.vocabularies import (
    CaseStatus,
    Disability,
    EducationLevel,
    EventType,
    ExploitationType,
    Gender,
    MeansOfControl,
    MigrationStatus,
    OnlinePlatform,
    RecruiterRelationship,
    RecruitmentMethod,
    Sex,
    SocioeconomicMarker,
    TraffickingStatus,
)

EARLIEST_DATE = dt.date(1900, 1, 1)
MAX_NOTE_CHARS = 20_000
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1_000)]
NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NOTE_CHARS)]
SurvivorCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$"
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _check_date(value: dt.date | None, today: dt.date | None = None) -> dt.date | None:
    if value is None:
        return None
    today = today or dt.date.today()
    if value < EARLIEST_DATE:
        raise ValueError(
            N_("date %(date)s is before %(earliest)s")
            % {"date": value.isoformat(), "earliest": EARLIEST_DATE.isoformat()}
        )
    if value > today:
        raise ValueError(N_("date %(date)s is in the future") % {"date": value.isoformat()})
    return value


def _country(code: str) -> str:
    upper = code.strip().upper()
    if upper not in COUNTRIES:
        raise ValueError(N_("%(code)s is not an ISO 3166-1 alpha-2 country code") % {"code": repr(code)})
    return upper


def _language(code: str) -> str:
    lower = code.strip().lower()
    if lower not in LANGUAGES:
        raise ValueError(N_("%(code)s is not an ISO 639-1 language code") % {"code": repr(code)})
    return lower


class PersonIdentity(Strict):
    """Identifying details. All optional: a person may give none of them and still receives help."""

    given_name: ShortText | None = None
    family_name: ShortText | None = None
    birth_date: dt.date | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40)] | None = None
    email: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
        | None
    ) = None
    id_document_number: ShortText | None = None
    address: LongText | None = None

    @field_validator("birth_date")
    @classmethod
    def _birth_date(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)


class ExploitationEvent(Strict):
    """One stage of what happened: recruitment, transit or exploitation (HTCDS ``hte_`` and ``vic_``)."""

    event_type: EventType = EventType.EXPLOITATION
    exploitation_types: list[ExploitationType] = Field(default_factory=list, max_length=12)
    means_of_control: list[MeansOfControl] = Field(default_factory=list, max_length=16)
    recruitment_method: RecruitmentMethod | None = None
    recruiter_relationship: RecruiterRelationship | None = None
    online_platforms: list[OnlinePlatform] = Field(default_factory=list, max_length=16)
    country: str | None = None
    place: LongText | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else _country(value)

    @field_validator("start_date", "end_date")
    @classmethod
    def _dates(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError(N_("end_date is before start_date"))
        return self


class CaseDetails(Strict):
    """The case of one person: who she is for statistics (GR38 §110), where the case stands, what happened."""

    survivor_code: SurvivorCode | None = None
    status: CaseStatus = CaseStatus.NEW
    trafficking_status: TraffickingStatus = TraffickingStatus.POSSIBLE
    identified_on: dt.date | None = None
    age_at_trafficking: int | None = Field(default=None, ge=0, le=120)
    age_uncertain: bool = False
    """Her age is not established (no reliable document, a disputed estimate)."""
    reasons_to_believe_minor: bool = False
    """There are reasons to believe she is under 18: with an uncertain age she is presumed a child (§96)."""
    sex: Sex = Sex.UNKNOWN
    gender: Gender = Gender.UNKNOWN
    citizenship: list[str] = Field(default_factory=list, max_length=5)
    migration_status: MigrationStatus = MigrationStatus.UNKNOWN
    languages: list[str] = Field(default_factory=list, max_length=10)
    disability: list[Disability] = Field(default_factory=list, max_length=9)
    ethnicity: ShortText | None = None
    socioeconomic: list[SocioeconomicMarker] = Field(default_factory=list, max_length=10)
    education: EducationLevel = EducationLevel.UNKNOWN
    region: ShortText | None = None
    events: list[ExploitationEvent] = Field(default_factory=list, max_length=50)

    @field_validator("citizenship")
    @classmethod
    def _citizenship(cls, value: list[str]) -> list[str]:
        return [_country(c) for c in value]

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return [_language(c) for c in value]

    @field_validator("identified_on")
    @classmethod
    def _identified_on(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    def age_facts(
        self, birth_date: dt.date | None = None, *, identified_on: dt.date | None = None
    ) -> AgeFacts:
        """What this record says of her age, for ``opennrm.domain.age``."""
        started = [e.start_date for e in self.events if e.start_date is not None]
        return AgeFacts(
            birth_date=birth_date,
            age_at_trafficking=self.age_at_trafficking,
            trafficked_on=min(started) if started else None,
            identified_on=self.identified_on or identified_on,
            age_uncertain=self.age_uncertain,
            reasons_to_believe_minor=self.reasons_to_believe_minor,
        )

    @property
    def is_child(self) -> bool | None:
        """A child when trafficked, or presumed one (None: nothing is known of her age)."""
        return child_when_trafficked(self.age_facts())


# The trafficking statuses a caseworker may give a case herself, at intake: a possible victim, or a presumed
# one (the presumption that opens assistance; a screening also moves a case there). "actual_victim" and
# "not_a_victim" are identification decisions (GR38 §77–78): only a decision of a multi-agency panel
# (``opennrm.services.identification``) sets them. Imports keep the status of the system they come from,
# flagged as imported (``Case.status_imported``).
INTAKE_STATUSES = frozenset({TraffickingStatus.POSSIBLE, TraffickingStatus.PRESUMED})


def intake_status_refusal(status: TraffickingStatus) -> str | None:
    """Why a caseworker may not give a case ``status`` at intake, or ``None`` when she may."""
    if status in INTAKE_STATUSES:
        return None
    return N_(
        "%(status)s is an identification decision: only a decision of the identification panel sets it "
        "(GR38 §77–78); record the case as a possible or presumed victim"
    ) % {"status": status.value}


class Intake(Strict):
    """A new person and case as a caseworker records them: always for her own organisation."""

    person: PersonIdentity = Field(default_factory=PersonIdentity)
    case: CaseDetails = Field(default_factory=CaseDetails)
    notes: list[NoteText] = Field(default_factory=list, max_length=100)


class ImportedIntake(Intake):
    """One line of ``opennrm import cases``: may name the organisation that holds the case, and bring the
    consents she gave in the system the case comes from (each shaped like the API's consent record; checked
    as ``opennrm.domain.consent.Consent`` when imported)."""

    organisation: ShortText | None = None
    consents: list[dict[str, Any]] = Field(default_factory=list, max_length=20)
