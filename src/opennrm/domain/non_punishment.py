"""Non-punishment (CEDAW GR38 §98): what was done to her by the authorities because of her trafficking.

§98: women and girls who are trafficked are not to be arrested, charged, detained, prosecuted or penalised
for irregular entry or stay, or for unlawful activities they were involved in as a direct consequence of
their situation as trafficked persons; (b) no evidence or testimony may be demanded in exchange; (c) a
trafficked woman convicted of a crime committed as a direct result of being trafficked has a remedy: her
record is cleared.

Rights invariant 6 (docs/architecture.md): a survivor's record carries no offender flag. So what is
recorded here is a *matter she needs protecting from* — a ``NonPunishmentMatter`` — described by what the
authorities did (arrested, charged, detained, convicted, penalised for irregular entry or stay) and how it
is linked to her being trafficked. No code here names her as an offender, and nothing here
is an input to any decision about her assistance (invariant 1).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, StringConstraints, field_validator, model_validator

from opennrm.domain.iso_codes import COUNTRIES
from opennrm.domain.records import LongText, ShortText, Strict, _check_date
from opennrm.domain.text import N_

LinkText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4_000)]


class MeasureTaken(StrEnum):
    """What the authorities did to her (§98's own list), never what she is said to have done."""

    ARREST = "arrest"
    CHARGE = "charge"
    DETENTION = "detention"
    PROSECUTION = "prosecution"
    CONVICTION = "conviction"
    IMMIGRATION_PENALTY = "immigration_penalty"
    """Penalised for irregular entry or stay (fine, detention order, removal order, entry ban)."""


class MatterStatus(StrEnum):
    """Where the matter stands for her."""

    ONGOING = "ongoing"
    DROPPED = "dropped"
    """Proceedings discontinued, charges withdrawn, released without penalty."""
    ACQUITTED = "acquitted"
    PENALTY_IMPOSED = "penalty_imposed"
    """A conviction or penalty stands: §98(c) clearance may be asked for."""
    CLEARED = "cleared"
    """The record was cleared (§98(c))."""


class LegalAidStep(StrEnum):
    """The flag to legal aid: raised when the matter is recorded, lowered when the matter is resolved."""

    FLAGGED = "flagged"
    TAKEN_UP = "taken_up"
    RESOLVED = "resolved"


class ClearanceStatus(StrEnum):
    """A request to clear a record (§98(c))."""

    PREPARING = "preparing"
    FILED = "filed"
    GRANTED = "granted"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


CLOSED_CLEARANCE = frozenset({ClearanceStatus.GRANTED, ClearanceStatus.REFUSED, ClearanceStatus.WITHDRAWN})


def _jurisdiction_country(code: str) -> str:
    upper = code.strip().upper()
    if upper not in COUNTRIES:
        raise ValueError(N_("%(code)s is not an ISO 3166-1 alpha-2 country code") % {"code": repr(code)})
    return upper


class NonPunishmentMatterIn(Strict):
    """A matter as a caseworker records it, with her consent."""

    consent: bool = Field(
        description="She agreed that this is recorded (GR38 §98; nothing is recorded without her consent)."
    )
    measure: MeasureTaken
    jurisdiction_country: str = Field(description="ISO 3166-1 alpha-2 code of the State concerned")
    jurisdiction: ShortText | None = Field(default=None, description="Court, authority or place (encrypted)")
    occurred_on: dt.date | None = None
    decided_on: dt.date | None = None
    status: MatterStatus = MatterStatus.ONGOING
    link_to_trafficking: LinkText = Field(
        description="How the measure is a direct consequence of her being trafficked (encrypted)"
    )

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError(N_("record this only with her consent"))
        return value

    @field_validator("jurisdiction_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return _jurisdiction_country(value)

    @field_validator("occurred_on", "decided_on")
    @classmethod
    def _dates(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.occurred_on and self.decided_on and self.decided_on < self.occurred_on:
            raise ValueError(N_("decided_on is before occurred_on"))
        return self


class NonPunishmentMatterUpdate(Strict):
    """A change of where the matter stands, or of the legal-aid flag."""

    status: MatterStatus | None = None
    legal_aid: LegalAidStep | None = None
    decided_on: dt.date | None = None

    @field_validator("decided_on")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.status is None and self.legal_aid is None and self.decided_on is None:
            raise ValueError(N_("give status, legal_aid or decided_on"))
        return self


class ClearanceRequestIn(Strict):
    """A request to clear her record (§98(c)), or a change of its status."""

    status: ClearanceStatus = ClearanceStatus.PREPARING
    filed_on: dt.date | None = None
    authority: ShortText | None = Field(default=None, description="Where it is filed (encrypted)")
    note: LongText | None = Field(default=None, description="Encrypted")

    @field_validator("filed_on")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)


class ClearanceStatusIn(Strict):
    status: ClearanceStatus
    filed_on: dt.date | None = None

    @field_validator("filed_on")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)
