"""Contacts with the 24/7 hotline (GR38 §99), as an operator records them during a live call or chat.

The shape follows what helplines record (the distinction between data and non-data contacts, who is calling,
categories, urgency, safe callback; see ``docs/reporting.md`` for the anchors). Pure: no I/O.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from opennrm.domain.text import N_
from opennrm.domain.vocabularies import ExploitationType


class Channel(StrEnum):
    CALL = "call"
    CHAT = "chat"
    SMS = "sms"
    MESSAGING_APP = "messaging_app"
    EMAIL = "email"
    WALK_IN = "walk_in"


class ContactType(StrEnum):
    DATA = "data"  # about a situation: herself or someone else
    SILENT = "silent"
    HANG_UP = "hang_up"
    INFORMATION = "information"  # a question, no situation
    WRONG_NUMBER = "wrong_number"
    ABUSIVE = "abusive"
    OTHER = "other"


NON_DATA = frozenset(ContactType) - {ContactType.DATA}
QUICK_CLOSE = (ContactType.SILENT, ContactType.HANG_UP)
"""The kinds recorded with one key from the contact form, with nothing else asked."""


class Caller(StrEnum):
    HERSELF = "herself"
    FAMILY = "family"
    FRIEND = "friend"
    PROFESSIONAL = "professional"
    ANONYMOUS_THIRD_PARTY = "anonymous_third_party"


class Interpreter(StrEnum):
    NONE = "none"
    STAFF = "staff"  # an operator who speaks her language
    PHONE = "phone"
    VIDEO = "video"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    CRITICAL = "critical"


class ContactAction(StrEnum):
    INFORMATION_GIVEN = "information_given"
    REFERRAL_MADE = "referral_made"
    CASE_OPENED = "case_opened"
    EMERGENCY_SERVICES = "emergency_services"
    SAFETY_PLAN = "safety_plan"


# Categories: the forms of exploitation, and what a contact may be about when it is not a situation.
CATEGORY_CODES: tuple[str, ...] = (
    *(e.value for e in ExploitationType),
    "information_request",
    "labour_rights",
    "migration_question",
    "other",
)

ShortNote = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5_000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+() .\-]*$")]


class SafeCallback(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    safe_times: ShortNote = ""
    code_word: ShortNote = ""


class ContactIn(BaseModel):
    """One contact. Only ``channel`` and ``contact_type`` are needed; a silent call or a hang-up needs
    nothing else."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    channel: Channel
    contact_type: ContactType
    language: (
        Annotated[str, StringConstraints(max_length=10, pattern=r"^[a-zA-Z]{2,3}(-[A-Za-z]{2,4})?$")] | None
    ) = None
    interpreter: Interpreter | None = None
    caller: Caller | None = None
    categories: list[str] = Field(default_factory=list, max_length=len(CATEGORY_CODES))
    urgency: Urgency = Urgency.ROUTINE
    immediate_danger: bool = False
    actions: list[ContactAction] = Field(default_factory=list, max_length=len(ContactAction))
    people_at_risk: int = Field(default=0, ge=0, le=500)
    callback_consent: bool = False
    callback: SafeCallback | None = None
    phone: Phone | None = None
    notes: Note | None = None
    duration_seconds: int | None = Field(default=None, ge=0, le=24 * 3600)

    @model_validator(mode="after")
    def _consistent(self) -> ContactIn:
        unknown = [c for c in self.categories if c not in CATEGORY_CODES]
        if unknown:
            raise ValueError(f"categories: unknown category {unknown[0]!r}")
        details = self.callback is not None and (self.callback.safe_times or self.callback.code_word)
        if details and not self.callback_consent:
            raise ValueError(N_("callback: safe-callback details need her consent to be called back"))
        if self.immediate_danger and self.urgency is not Urgency.CRITICAL:
            object.__setattr__(self, "urgency", Urgency.CRITICAL)
        return self


def quick_contact(channel: Channel, kind: ContactType) -> ContactIn:
    """A silent call or a hang-up, recorded in one action."""
    if kind not in QUICK_CLOSE:
        raise ValueError(f"{kind} is not recorded in one action")
    return ContactIn(channel=channel, contact_type=kind)
