"""Justice aggregates (CEDAW GR38 §110: data on victims *and perpetrators*): how many perpetrators were
investigated, prosecuted and convicted in a year, by form of exploitation and by the perpetrator's sex, age
group and nationality.

These are **counts only**. A row names no person and no case, and nothing links it to a victim: the table
has no case, person or victim column, and the counts come from the secretariat (a page, or a CSV file the
justice system sends), never from the case records. A victim's record is never an input to them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field, field_validator

from opennrm.domain.iso_codes import COUNTRIES
from opennrm.domain.records import Strict
from opennrm.domain.text import N_
from opennrm.domain.vocabularies import ExploitationType

EARLIEST_YEAR = 2000
#: The largest count one row may hold (a typing error of a few digits too many is refused).
MAX_COUNT = 1_000_000
UNKNOWN = "unknown"


class JusticeStage(StrEnum):
    INVESTIGATION = "investigation"
    PROSECUTION = "prosecution"
    CONVICTION = "conviction"


class PerpetratorSex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class PerpetratorAge(StrEnum):
    UNDER_18 = "under_18"
    AGE_18_29 = "18_29"
    AGE_30_49 = "30_49"
    AGE_50_PLUS = "50_plus"
    UNKNOWN = "unknown"


EXPLOITATION_FORMS = (*(e.value for e in ExploitationType), UNKNOWN)
#: The columns of a row, in the order of the CSV file (docs/statistics.md).
COLUMNS = ("year", "stage", "exploitation", "sex", "age_group", "nationality", "count")
KEY_COLUMNS = COLUMNS[:-1]


class JusticeAggregateIn(Strict):
    """One cell: in ``year``, ``count`` perpetrators at ``stage`` for ``exploitation``, of this sex, age
    group and nationality (ISO 3166-1 alpha-2, or "unknown")."""

    year: int
    stage: JusticeStage
    exploitation: str
    sex: PerpetratorSex
    age_group: PerpetratorAge
    nationality: str
    count: int = Field(ge=0, le=MAX_COUNT)

    @field_validator("year")
    @classmethod
    def _year(cls, value: int) -> int:
        if not EARLIEST_YEAR <= value <= dt.date.today().year:
            raise ValueError(f"a year from {EARLIEST_YEAR} to this year")
        return value

    @field_validator("exploitation")
    @classmethod
    def _exploitation(cls, value: str) -> str:
        code = value.strip().lower()
        if code not in EXPLOITATION_FORMS:
            raise ValueError(f"one of {', '.join(EXPLOITATION_FORMS)}")
        return code

    @field_validator("nationality")
    @classmethod
    def _nationality(cls, value: str) -> str:
        code = value.strip()
        if code.lower() == UNKNOWN:
            return UNKNOWN
        if code.upper() not in COUNTRIES:
            raise ValueError(
                N_("%(code)s is not an ISO 3166-1 alpha-2 country code or 'unknown'") % {"code": repr(value)}
            )
        return code.upper()

    def key(self) -> tuple[str, ...]:
        return (
            str(self.year),
            self.stage.value,
            self.exploitation,
            self.sex.value,
            self.age_group.value,
            self.nationality,
        )
