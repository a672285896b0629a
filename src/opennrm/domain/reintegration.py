"""Return, resettlement and reintegration (CEDAW GR38 §84, §89–91, §95–96): the dependants who came with
her, a plan to move her, and the follow-up contacts after a return, a resettlement or her exit from services.

§84 and §95: the children who came with a trafficked woman are entitled to assistance too. §89–91: a
return is safe and voluntary, follows a risk assessment and is followed up, so that she is not trafficked
again. §96: no move of a child before a guardian, a best-interests determination, family tracing and an
assessment of whether reunification is in her best interests.

The rule about *when* a move may be planned lives in ``opennrm.domain.services`` (``move_refusal``, with
``MOVES`` for the planned outcomes); this module holds the input shapes and the follow-up schedule. Nothing
here reads, or can be given, a fact about cooperation with the authorities (``Unconditional``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from enum import StrEnum
from typing import Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from opennrm.domain.age import AgeFacts, presumed_child
from opennrm.domain.iso_codes import COUNTRIES
from opennrm.domain.records import EARLIEST_DATE, LongText, ShortText, _check_date
from opennrm.domain.services import Move, ServiceType, Unconditional
from opennrm.domain.text import N_

# The follow-up contacts after a return, a resettlement or an exit from services, in months (GR38 §89–91;
# OpenNRM's default, as issue 14 asks; docs/return-and-follow-up.md).
FOLLOW_UP_MONTHS = (1, 3, 6, 12)
PLAN_HORIZON = dt.timedelta(days=2 * 366)


def _country(code: str) -> str:
    upper = code.strip().upper()
    if upper not in COUNTRIES:
        raise ValueError(N_("%(code)s is not an ISO 3166-1 alpha-2 country code") % {"code": repr(code)})
    return upper


def _not_too_far(value: dt.date, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    if value < EARLIEST_DATE:
        raise ValueError(
            N_("date %(date)s is before %(earliest)s")
            % {"date": value.isoformat(), "earliest": EARLIEST_DATE.isoformat()}
        )
    if value > today + PLAN_HORIZON:
        raise ValueError(N_("the date is more than two years ahead"))
    return value


# -- dependants ---------------------------------------------------------------------------------------


class Relationship(StrEnum):
    """How the dependant is related to her."""

    CHILD = "child"
    STEPCHILD = "stepchild"
    GRANDCHILD = "grandchild"
    SIBLING = "sibling"
    OTHER_RELATIVE = "other_relative"
    OTHER = "other"


class DependantIn(Unconditional):
    """A dependant as a caseworker records her or him. Name, birth date, age and note are encrypted."""

    relationship: Relationship
    given_name: ShortText | None = None
    birth_date: dt.date | None = None
    age: int | None = Field(default=None, ge=0, le=120, description="Age when recorded, if no birth date")
    age_uncertain: bool = False
    reasons_to_believe_minor: bool = False
    with_her: bool = True
    needs: list[ServiceType] = Field(default_factory=list, max_length=len(ServiceType))
    note: LongText | None = None

    @field_validator("birth_date")
    @classmethod
    def _born(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @field_validator("needs")
    @classmethod
    def _distinct(cls, value: list[ServiceType]) -> list[ServiceType]:
        return sorted(set(value))


class DependantChange(Unconditional):
    """A dependant now with her or no longer, or her needs changed."""

    with_her: bool | None = None
    needs: list[ServiceType] | None = Field(default=None, max_length=len(ServiceType))
    best_interests_on: dt.date | None = Field(
        default=None, description="The day the best interests of this child in a move were assessed"
    )

    @field_validator("best_interests_on")
    @classmethod
    def _assessed(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if self.with_her is None and self.needs is None and self.best_interests_on is None:
            raise ValueError(N_("give with_her, needs or best_interests_on"))
        return self


def children_refusal(move: str, children_unassessed: int) -> str | None:
    """Why a return or resettlement cannot be planned while children with her wait for the assessment of
    their best interests in the move (GR38 §84, §95; CRC art. 3), or ``None``. A transfer within the country
    keeps them with her and waits for nothing here."""
    if move not in ("return", "resettlement") or children_unassessed == 0:
        return None
    return (
        "the best interests of each child with her in this move must be assessed first:"
        f" {children_unassessed} still to assess (GR38 §84, §95)"
    )


def dependant_age_facts(data: dict[str, object], recorded_on: dt.date) -> AgeFacts:
    """What a dependant's record says of the age, for the one child predicate (``opennrm.domain.age``): an
    age given when recorded is carried forward from that day."""
    born = data.get("birth_date")
    age = data.get("age")
    return AgeFacts(
        birth_date=dt.date.fromisoformat(born) if isinstance(born, str) else None,
        age_at_trafficking=age if isinstance(age, int) else None,
        trafficked_on=recorded_on,
        identified_on=recorded_on,
        age_uncertain=bool(data.get("age_uncertain")),
        reasons_to_believe_minor=bool(data.get("reasons_to_believe_minor")),
    )


#: Her children: treated as children whenever their age is unknown or uncertain.
OWN_CHILDREN = frozenset(
    {Relationship.CHILD.value, Relationship.STEPCHILD.value, Relationship.GRANDCHILD.value}
)


def dependant_is_child(
    data: dict[str, object], recorded_on: dt.date, today: dt.date, relationship: str | None = None
) -> bool:
    """Is the dependant treated as a child today? By the one child predicate on what was recorded — and, for
    her son or daughter, also when no age is known or the age given is uncertain (in doubt, a child)."""
    facts = dependant_age_facts(data, recorded_on)
    if relationship in OWN_CHILDREN:
        unknown = facts.birth_date is None and facts.age_at_trafficking is None
        if unknown or facts.age_uncertain:
            return True
    return presumed_child(facts, today)


# -- a move -------------------------------------------------------------------------------------------


class MovePlanIn(Unconditional):
    """A return, resettlement or transfer planned with her: where to, when, and the plan (encrypted)."""

    move: Move
    destination_country: str = Field(description="ISO 3166-1 alpha-2 code")
    planned_on: dt.date
    plan: LongText

    @field_validator("destination_country")
    @classmethod
    def _destination(cls, value: str) -> str:
        return _country(value)

    @field_validator("planned_on")
    @classmethod
    def _when(cls, value: dt.date) -> dt.date:
        return _not_too_far(value)


class ExitIn(Unconditional):
    """She leaves the services (her decision, or the end of assistance): follow-ups are scheduled."""

    exited_on: dt.date

    @field_validator("exited_on")
    @classmethod
    def _when(cls, value: dt.date) -> dt.date:
        return _not_too_far(value)


# -- follow-ups ---------------------------------------------------------------------------------------


class FollowUpReason(StrEnum):
    RETURN = "return"
    RESETTLEMENT = "resettlement"
    EXIT = "exit"


class FollowUpStatus(StrEnum):
    SCHEDULED = "scheduled"
    DONE = "done"
    MISSED = "missed"
    REPLACED = "replaced"  # by the follow-ups of a later move plan or exit, before it was due


class Safety(StrEnum):
    SAFE = "safe"
    CONCERNS = "concerns"
    UNSAFE = "unsafe"
    UNKNOWN = "unknown"


class Housing(StrEnum):
    STABLE = "stable"
    TEMPORARY = "temporary"
    NONE = "none"
    UNKNOWN = "unknown"


class Income(StrEnum):
    SUFFICIENT = "sufficient"
    INSUFFICIENT = "insufficient"
    NONE = "none"
    UNKNOWN = "unknown"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


FOLLOW_UP_ASPECTS = ("safety", "housing", "income", "re_trafficking_risk")


class FollowUpIn(Unconditional):
    """What a follow-up contact found, or that she could not be reached. Notes are encrypted."""

    status: FollowUpStatus
    contacted_on: dt.date | None = None
    safety: Safety | None = Field(default=None, validate_default=True)
    housing: Housing | None = Field(default=None, validate_default=True)
    income: Income | None = Field(default=None, validate_default=True)
    re_trafficking_risk: RiskLevel | None = Field(default=None, validate_default=True)
    notes: LongText | None = None

    @field_validator("status")
    @classmethod
    def _recorded(cls, value: FollowUpStatus) -> FollowUpStatus:
        if value in (FollowUpStatus.SCHEDULED, FollowUpStatus.REPLACED):
            raise ValueError(N_("record the contact as done or missed"))
        return value

    @field_validator("contacted_on")
    @classmethod
    def _when(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @field_validator(*FOLLOW_UP_ASPECTS)
    @classmethod
    def _found(cls, value: StrEnum | None, info: ValidationInfo) -> StrEnum | None:
        if value is None and info.data.get("status") is FollowUpStatus.DONE:
            raise ValueError(N_("say what the contact found (or 'unknown')"))
        return value


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved on by ``months`` calendar months (the last day of a shorter month when it has fewer
    days: 31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_schedule(anchor: dt.date) -> list[tuple[int, dt.date]]:
    """The follow-up contacts after a return, a resettlement or an exit on ``anchor``: (months, due date)."""
    return [(months, add_months(anchor, months)) for months in FOLLOW_UP_MONTHS]


def reason_for(move: Move) -> FollowUpReason | None:
    """The follow-up a move brings (a transfer within the country brings none)."""
    return {Move.RETURN: FollowUpReason.RETURN, Move.RESETTLEMENT: FollowUpReason.RESETTLEMENT}.get(move)
