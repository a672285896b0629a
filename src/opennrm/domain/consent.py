"""Informed consent as a caseworker records it (GR38 §79, §94; HTCDS ``con_`` and its consent checks).

Consent is specific: to purposes, and to named organisations or types of organisation. It may expire and
may be revoked at any time. For a child it may come from a parent or guardian, or be replaced by a recorded
best-interests determination (GR38 §96)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from opennrm.domain.iso_codes import LANGUAGES
from opennrm.domain.records import LongText, Strict, _check_date
from opennrm.domain.text import N_
from opennrm.domain.vocabularies import OrganisationType


class ConsentGiver(StrEnum):
    PERSON = "person"
    PARENT_OR_GUARDIAN = "parent_or_guardian"
    BEST_INTERESTS_DETERMINATION = "best_interests_determination"


class ConsentPurpose(StrEnum):
    SERVICES = "services"
    REFERRAL = "referral"
    IDENTIFICATION = "identification"  # sharing with an identification panel (GR38 §78)
    STATISTICS = "statistics"
    RESEARCH = "research"
    CONTACT = "contact"
    NON_PUNISHMENT = "non_punishment"
    """Legal aid may see the matters recorded for her protection from punishment (GR38 §98)."""
    REMEDIES = "remedies"
    """Legal aid may see and bring her compensation and back-wage claims (GR38 §101)."""
    COMPENSATION = "compensation"
    """The financial intelligence unit it names may trace from her own account, recorded on her case, for her
    compensation (GR38 §108; issue 17). It receives the account as an opaque trace seed, never case data."""


MAX_CONSENT_DAYS = 3 * 366
# The longest an installation may let a consent last, whatever its settings.
LONGEST_CONSENT_MONTHS = 36


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the last day of the month where that month is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ConsentTerms:
    """How long a consent lasts: ``default_months`` when she names no end, never more than ``max_months``
    (settings ``OPENNRM_CONSENT_DEFAULT_MONTHS`` and ``OPENNRM_CONSENT_MAX_MONTHS``). Every consent ends:
    she is asked again rather than shared from for ever (GR38 §79)."""

    default_months: int = 12
    max_months: int = 24

    def __post_init__(self) -> None:
        if not 1 <= self.default_months <= self.max_months <= LONGEST_CONSENT_MONTHS:
            raise ValueError(
                "consent terms need 1 <= default months <= maximum months <= "
                f"{LONGEST_CONSENT_MONTHS}, got {self.default_months} and {self.max_months}"
            )

    def expiry(self, given_on: dt.date, expires_on: dt.date | None) -> dt.date:
        """The consent's end: as given, or the default; ``ValueError`` when longer than the maximum."""
        latest = add_months(given_on, self.max_months)
        if expires_on is None:
            return add_months(given_on, self.default_months)
        if expires_on > latest:
            raise ValueError(
                N_("a consent may last %(months)s months at most (until %(until)s); ask her again after that")
                % {"months": self.max_months, "until": latest.isoformat()}
            )
        return expires_on


class Consent(Strict):
    given_by: ConsentGiver = ConsentGiver.PERSON
    purposes: list[ConsentPurpose] = Field(min_length=1, max_length=len(ConsentPurpose))
    recipient_organisation_ids: list[str] = Field(default_factory=list, max_length=50)
    recipient_types: list[OrganisationType] = Field(default_factory=list, max_length=12)
    language: str
    interpreter_used: bool = False
    given_on: dt.date | None = None
    expires_on: dt.date | None = None
    basis: LongText | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        lower = value.strip().lower()
        if lower not in LANGUAGES:
            raise ValueError(N_("%(code)s is not an ISO 639-1 language code") % {"code": repr(value)})
        return lower

    @field_validator("given_on")
    @classmethod
    def _given_on(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @field_validator("expires_on")
    @classmethod
    def _expires_on(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is None:
            return None
        given = info.data.get("given_on") or dt.date.today()
        if value < given:
            raise ValueError(N_("expires_on is before given_on"))
        if (value - given).days > MAX_CONSENT_DAYS:
            raise ValueError(N_("consent may last three years at most; ask again after that"))
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        sharing = {
            ConsentPurpose.REFERRAL,
            ConsentPurpose.SERVICES,
            ConsentPurpose.NON_PUNISHMENT,
            ConsentPurpose.REMEDIES,
            ConsentPurpose.COMPENSATION,
        } & set(self.purposes)
        if sharing and not self.recipient_organisation_ids and not self.recipient_types:
            raise ValueError(N_("name the organisations or types of organisation the consent covers"))
        if self.given_by is ConsentGiver.BEST_INTERESTS_DETERMINATION and not self.basis:
            raise ValueError(N_("a best-interests determination needs its basis recorded"))
        return self
