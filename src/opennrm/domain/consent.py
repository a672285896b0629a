"""Informed consent as a caseworker records it (GR38 §79, §94; HTCDS ``con_`` and its consent checks).

Consent is specific: to purposes, and to named organisations or types of organisation. It may expire and
may be revoked at any time. For a child it may come from a parent or guardian, or be replaced by a recorded
best-interests determination (GR38 §96)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import Field, field_validator, model_validator

from opennrm.domain.iso_codes import LANGUAGES
from opennrm.domain.records import LongText, Strict, _check_date
from opennrm.domain.vocabularies import OrganisationType


class ConsentGiver(StrEnum):
    PERSON = "person"
    PARENT_OR_GUARDIAN = "parent_or_guardian"
    BEST_INTERESTS_DETERMINATION = "best_interests_determination"


class ConsentPurpose(StrEnum):
    SERVICES = "services"
    REFERRAL = "referral"
    STATISTICS = "statistics"
    RESEARCH = "research"
    CONTACT = "contact"
    NON_PUNISHMENT = "non_punishment"
    """Legal aid may see the matters recorded for her protection from punishment (GR38 §98)."""


MAX_CONSENT_DAYS = 3 * 366


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
            raise ValueError(f"{value!r} is not an ISO 639-1 language code")
        return lower

    @field_validator("given_on")
    @classmethod
    def _given_on(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        given = self.given_on or dt.date.today()
        if self.expires_on is not None:
            if self.expires_on < given:
                raise ValueError("expires_on is before given_on")
            if (self.expires_on - given).days > MAX_CONSENT_DAYS:
                raise ValueError("consent may last three years at most; ask again after that")
        sharing = {ConsentPurpose.REFERRAL, ConsentPurpose.SERVICES, ConsentPurpose.NON_PUNISHMENT} & set(
            self.purposes
        )
        if sharing and not self.recipient_organisation_ids and not self.recipient_types:
            raise ValueError("name the organisations or types of organisation the consent covers")
        if self.given_by is ConsentGiver.BEST_INTERESTS_DETERMINATION and not self.basis:
            raise ValueError("a best-interests determination needs its basis recorded")
        return self
