"""Assistance services, referrals between organisations, and the entitlements every presumed victim has.

GR38 §40 and §92–95 list the assistance a victim needs at once — safe shelter, medical care including sexual
and reproductive health, psychological, social and legal services, interpreters, a reflection and recovery
period, residence permits — and §92 and §98(b) say it never depends on cooperating with the authorities.
§114 asks for a national referral mechanism that coordinates the organisations giving it. §85 and §89–90 ask
that nobody be returned where she faces a risk (non-refoulement), and §96 that every decision about a child
follows a guardian's appointment and a best-interests determination.

This module is the vocabulary and the pure rules; storage and the consent gate live in
``opennrm.services``. Nothing here reads, or can be given, a fact about cooperation with the police, with a
prosecution or about testimony: every input model refuses such keys (``CONDITIONALITY_WORDS``).

Sources for the numbers: the 30-day minimum of the reflection and recovery period is the Council of Europe
Convention on Action against Trafficking in Human Beings (CETS 197), art. 13(1); the five-day routine
response deadline follows the UK NRM's target of five working days for a first decision
(``shared/reference/case-management.md``, [U1][U9]). The emergency and urgent deadlines are OpenNRM's own
defaults and are documented as such in ``docs/referrals.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import Field, ValidationInfo, field_validator, model_validator

from opennrm.domain.iso_codes import LANGUAGES
from opennrm.domain.records import EARLIEST_DATE, LongText, PersonIdentity, ShortText, Strict, _check_date
from opennrm.domain.text import N_

# -- no conditionality ---------------------------------------------------------------------------------

# Words that name cooperation with the authorities, testimony or a prosecution. No input of this module
# may carry a key containing one of them (GR38 §92, §98(b); DESIGN rights invariant 1).
CONDITIONALITY_WORDS = (
    "cooperat",
    "co_operat",
    "testimon",
    "testify",
    "witness",
    "police",
    "prosecut",
    "law_enforcement",
    "criminal_proceed",
    "evidence",
)
_SEPARATORS = re.compile(r"[\s\-.]+")
NO_CONDITIONALITY = N_(
    "assistance, referrals and decisions never depend on cooperation with the authorities, on testimony "
    "or on a prosecution (GR38 §92, §98(b)); no such field exists"
)


def conditionality_keys(raw: Any) -> list[str]:
    """The keys of ``raw`` (a mapping, searched at every depth) that name cooperation with the authorities,
    testimony or a prosecution, as dotted paths."""
    found: list[str] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for key, inner in value.items():
                name = _SEPARATORS.sub("_", str(key).casefold())
                where = f"{path}.{key}" if path else str(key)
                if any(word in name for word in CONDITIONALITY_WORDS):
                    found.append(where)
                walk(inner, where)
        elif isinstance(value, list | tuple):
            for position, inner in enumerate(value):
                walk(inner, f"{path}.{position}" if path else str(position))

    walk(raw, "")
    return found


class Unconditional(Strict):
    """An input that refuses, with the reason, any key about cooperation with the authorities."""

    @model_validator(mode="before")
    @classmethod
    def _no_conditionality(cls, data: Any) -> Any:
        keys = conditionality_keys(data)
        if keys:
            raise ValueError(f"{keys[0]}: {NO_CONDITIONALITY}")
        return data


# -- the service directory -----------------------------------------------------------------------------


class ServiceType(StrEnum):
    """Kinds of assistance (GR38 §40, §92–95; Primero's service types, case-management.md (b)6)."""

    SHELTER = "shelter"
    MEDICAL = "medical"
    SEXUAL_REPRODUCTIVE_HEALTH = "sexual_reproductive_health"
    PSYCHOSOCIAL = "psychosocial"
    LEGAL_AID = "legal_aid"
    INTERPRETATION = "interpretation"
    LIVELIHOODS_EDUCATION = "livelihoods_education"
    FAMILY_TRACING = "family_tracing"
    SAFE_RETURN_SUPPORT = "safe_return_support"
    RESIDENCE_PERMIT_SUPPORT = "residence_permit_support"


class ServiceAttribute(StrEnum):
    """What a service is suited to. Mostly about shelters, but any service may be accessible or
    child-suitable."""

    WOMEN_ONLY = "women_only"
    WITH_CHILDREN = "with_children"
    CHILD_SUITABLE = "child_suitable"
    ACCESSIBLE = "accessible"


IDENTITY_FIELDS: frozenset[str] = frozenset(PersonIdentity.model_fields)

# What a receiving organisation needs to know about the person, per type of service: the consent gate opens
# exactly these identity fields to it, and only while the referral is open. Identity-document numbers never
# leave the owning organisation (``opennrm.access.policy.visible_identity_fields``), so no set names them.
NEED_TO_KNOW: Mapping[ServiceType, frozenset[str]] = {
    ServiceType.SHELTER: frozenset({"given_name", "phone"}),
    ServiceType.MEDICAL: frozenset({"given_name", "family_name", "birth_date"}),
    ServiceType.SEXUAL_REPRODUCTIVE_HEALTH: frozenset({"given_name", "birth_date"}),
    ServiceType.PSYCHOSOCIAL: frozenset({"given_name", "phone"}),
    ServiceType.LEGAL_AID: frozenset({"given_name", "family_name", "birth_date", "phone", "email"}),
    ServiceType.INTERPRETATION: frozenset({"given_name"}),
    ServiceType.LIVELIHOODS_EDUCATION: frozenset({"given_name", "phone", "email"}),
    ServiceType.FAMILY_TRACING: frozenset({"given_name", "family_name", "birth_date"}),
    ServiceType.SAFE_RETURN_SUPPORT: frozenset({"given_name", "family_name", "birth_date", "phone"}),
    ServiceType.RESIDENCE_PERMIT_SUPPORT: frozenset({"given_name", "family_name", "birth_date", "address"}),
}

MAX_PLACES = 100_000


def _language_code(code: str) -> str:
    lower = code.strip().lower()
    if lower not in LANGUAGES:
        raise ValueError(N_("%(code)s is not an ISO 639-1 language code") % {"code": repr(code)})
    return lower


def place_key(place: str | None) -> str | None:
    """How places are compared: case and surrounding spaces do not matter."""
    if place is None:
        return None
    key = " ".join(place.split()).casefold()
    return key or None


class ServiceEntry(Unconditional):
    """A service an organisation offers, as its administrator lists it. ``place`` is a town or district,
    never a shelter's street address."""

    name: ShortText
    service_type: ServiceType
    attributes: list[ServiceAttribute] = Field(default_factory=list, max_length=4)
    languages: list[str] = Field(min_length=1, max_length=30)
    capacity: int | None = Field(default=None, ge=0, le=MAX_PLACES)
    available: int | None = Field(default=None, ge=0, le=MAX_PLACES)
    opening_hours: ShortText | None = None
    place: ShortText
    nationwide: bool = False
    accessibility: LongText | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return sorted({_language_code(c) for c in value})

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: list[ServiceAttribute]) -> list[ServiceAttribute]:
        return sorted(set(value))

    @field_validator("available")
    @classmethod
    def _within_capacity(cls, value: int | None, info: ValidationInfo) -> int | None:
        capacity = info.data.get("capacity")
        if capacity is not None and value is not None and value > capacity:
            raise ValueError(N_("available places cannot exceed the capacity"))
        return value


class ServiceChange(Unconditional):
    """A change to a listed service: only the keys given change."""

    name: ShortText | None = None
    attributes: list[ServiceAttribute] | None = Field(default=None, max_length=4)
    languages: list[str] | None = Field(default=None, min_length=1, max_length=30)
    capacity: int | None = Field(default=None, ge=0, le=MAX_PLACES)
    available: int | None = Field(default=None, ge=0, le=MAX_PLACES)
    opening_hours: ShortText | None = None
    place: ShortText | None = None
    nationwide: bool | None = None
    accessibility: LongText | None = None
    active: bool | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else sorted({_language_code(c) for c in value})


class ServiceSearch(Unconditional):
    """Search the directory by need, language and place (each optional), and required attributes."""

    need: ServiceType | None = None
    language: str | None = None
    place: ShortText | None = None
    attributes: list[ServiceAttribute] = Field(default_factory=list, max_length=4)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else _language_code(value)


@dataclass(frozen=True)
class ServiceFacts:
    service_type: str
    attributes: frozenset[str]
    languages: frozenset[str]
    place_key: str | None
    nationwide: bool
    active: bool


def matches(service: ServiceFacts, search: ServiceSearch) -> bool:
    """Does a listed service meet the search? Nationwide services serve every place; an interpretation
    service counts for the languages it covers like any other."""
    if not service.active:
        return False
    if search.need is not None and service.service_type != search.need.value:
        return False
    if search.language is not None and search.language not in service.languages:
        return False
    wanted = place_key(search.place)
    if wanted is not None and not service.nationwide and service.place_key != wanted:
        return False
    return {a.value for a in search.attributes} <= service.attributes


class GapReason(StrEnum):
    """Why a need was not met: nothing listed, nothing with a free place, or the provider declined for
    want of capacity, the service or the language."""

    NO_SERVICE = "no_service"
    NO_CAPACITY = "no_capacity"
    LANGUAGE_NOT_AVAILABLE = "language_not_available"


class UnmetNeed(Unconditional):
    """A need a caseworker could not meet from the directory (for the coordinator's gap counts)."""

    need: ServiceType
    place: ShortText | None = None
    language: str | None = None
    reason: GapReason = GapReason.NO_SERVICE

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else _language_code(value)


# -- referrals -----------------------------------------------------------------------------------------


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"


@dataclass(frozen=True)
class Deadline:
    """A time limit: clock hours (an emergency is answered round the clock) or working days (Monday to
    Friday, not a public holiday of the installation's calendar; the same time of day)."""

    hours: int = 0
    working_days: int = 0

    def after(
        self, at: dt.datetime, add_working_days: Callable[[dt.datetime, int], dt.datetime]
    ) -> dt.datetime:
        """The moment the limit runs out; ``add_working_days`` counts on the holiday calendar
        (``identification.working_days.add_working_days_at``)."""
        return add_working_days(at, self.working_days) + dt.timedelta(hours=self.hours)


# How long the receiving organisation has to accept or decline; an unanswered referral escalates to the
# supervisors then. After ``EXPIRES_AFTER`` with no answer it expires and the disclosure closes. An
# emergency counts in clock hours (a shelter place tonight does not wait for Monday); the others in working
# days on the national holiday calendar (``OPENNRM_COUNTRY``).
RESPONSE_DEADLINE: Mapping[Urgency, Deadline] = {
    Urgency.EMERGENCY: Deadline(hours=4),
    Urgency.URGENT: Deadline(working_days=1),
    Urgency.ROUTINE: Deadline(working_days=5),
}
EXPIRES_AFTER: Mapping[Urgency, Deadline] = {
    Urgency.EMERGENCY: Deadline(hours=48),
    Urgency.URGENT: Deadline(working_days=5),
    Urgency.ROUTINE: Deadline(working_days=20),
}


class ReferralStatus(StrEnum):
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REVOKED = "revoked"
    EXPIRED = "expired"


OPEN_STATUSES: frozenset[ReferralStatus] = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}
)


class ReferralStep(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    START = "start"
    COMPLETE = "complete"
    REVOKE = "revoke"
    EXPIRE = "expire"


class Side(StrEnum):
    """Who takes a step: the sending organisation, the receiving one, or the deadline sweep."""

    SENDER = "sender"
    RECIPIENT = "recipient"
    SYSTEM = "system"


@dataclass(frozen=True)
class StepRule:
    side: Side
    from_statuses: frozenset[ReferralStatus]
    to: ReferralStatus


STEPS: Mapping[ReferralStep, StepRule] = {
    ReferralStep.ACCEPT: StepRule(Side.RECIPIENT, frozenset({ReferralStatus.SENT}), ReferralStatus.ACCEPTED),
    ReferralStep.DECLINE: StepRule(Side.RECIPIENT, frozenset({ReferralStatus.SENT}), ReferralStatus.DECLINED),
    ReferralStep.START: StepRule(
        Side.RECIPIENT, frozenset({ReferralStatus.ACCEPTED}), ReferralStatus.IN_PROGRESS
    ),
    ReferralStep.COMPLETE: StepRule(
        Side.RECIPIENT,
        frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}),
        ReferralStatus.COMPLETED,
    ),
    ReferralStep.REVOKE: StepRule(Side.SENDER, OPEN_STATUSES, ReferralStatus.REVOKED),
    ReferralStep.EXPIRE: StepRule(Side.SYSTEM, OPEN_STATUSES, ReferralStatus.EXPIRED),
}


def next_status(current: ReferralStatus, step: ReferralStep) -> ReferralStatus:
    """The status after ``step``; ``ValueError`` with the reason when the workflow does not allow it."""
    rule = STEPS[step]
    if current not in rule.from_statuses:
        if current not in OPEN_STATUSES:
            raise ValueError(N_("the referral is %(status)s and can no longer change") % {"status": current})
        allowed = " or ".join(sorted(rule.from_statuses))
        raise ValueError(
            N_("only a referral that is %(allowed)s can be %(step)s; this one is %(status)s")
            % {"allowed": allowed, "step": _past(step), "status": current}
        )
    return rule.to


def _past(step: ReferralStep) -> str:
    return {
        ReferralStep.ACCEPT: "accepted",
        ReferralStep.DECLINE: "declined",
        ReferralStep.START: "started",
        ReferralStep.COMPLETE: "completed",
        ReferralStep.REVOKE: "revoked",
        ReferralStep.EXPIRE: "expired",
    }[step]


def response_deadline(
    sent_at: dt.datetime, urgency: Urgency, add_working_days: Callable[[dt.datetime, int], dt.datetime]
) -> dt.datetime:
    return RESPONSE_DEADLINE[urgency].after(sent_at, add_working_days)


def expiry(
    sent_at: dt.datetime, urgency: Urgency, add_working_days: Callable[[dt.datetime, int], dt.datetime]
) -> dt.datetime:
    return EXPIRES_AFTER[urgency].after(sent_at, add_working_days)


def is_overdue(status: ReferralStatus, respond_by: dt.datetime, now: dt.datetime) -> bool:
    """Only a referral still waiting for an answer can be overdue."""
    return status is ReferralStatus.SENT and now > respond_by


class DeclineReason(StrEnum):
    NO_CAPACITY = "no_capacity"
    NOT_ELIGIBLE = "not_eligible"
    SERVICE_NOT_OFFERED = "service_not_offered"
    LANGUAGE_NOT_AVAILABLE = "language_not_available"
    SAFETY_CONCERN = "safety_concern"
    OTHER = "other"


# Declines that reveal a gap in the network (counted on the coordinator's dashboard).
GAP_FROM_DECLINE: Mapping[DeclineReason, GapReason] = {
    DeclineReason.NO_CAPACITY: GapReason.NO_CAPACITY,
    DeclineReason.SERVICE_NOT_OFFERED: GapReason.NO_SERVICE,
    DeclineReason.LANGUAGE_NOT_AVAILABLE: GapReason.LANGUAGE_NOT_AVAILABLE,
}


class ReferralRequest(Unconditional):
    """A referral from a case to a listed service: what for, how urgent. The consent it rests on is the
    one the consent gate finds; for a child without consent a supervisor may give an override reason."""

    service_id: str = Field(min_length=1, max_length=36)
    urgency: Urgency = Urgency.ROUTINE
    purpose: LongText
    override_reason: LongText | None = None


class Decline(Unconditional):
    reason: DeclineReason
    note: LongText | None = Field(default=None, validate_default=True)

    @field_validator("note")
    @classmethod
    def _explained(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("reason") is DeclineReason.OTHER and not value:
            raise ValueError(N_("say why in the note when the reason is 'other'"))
        return value


# -- entitlements --------------------------------------------------------------------------------------

MIN_REFLECTION_DAYS = 30  # CETS 197 art. 13(1)
MAX_REFLECTION_DAYS = 3 * 366


class ResidencePermitStatus(StrEnum):
    NOT_NEEDED = "not_needed"
    NOT_APPLIED = "not_applied"
    APPLIED = "applied"
    GRANTED = "granted"
    REFUSED = "refused"
    APPEALED = "appealed"


class Provision(StrEnum):
    """Where an unconditional entitlement stands. It is always at least offered; only the person herself can
    decline it."""

    OFFERED = "offered"
    ARRANGED = "arranged"
    PROVIDED = "provided"
    DECLINED_BY_PERSON = "declined_by_person"


class ReturnRisk(StrEnum):
    RE_TRAFFICKING = "re_trafficking"
    REPRISALS = "reprisals"
    PERSECUTION = "persecution"
    TORTURE_OR_ILL_TREATMENT = "torture_or_ill_treatment"
    GENDER_BASED_VIOLENCE = "gender_based_violence"
    STIGMA_OR_REJECTION = "stigma_or_rejection"
    NO_SAFE_CARE_FOR_CHILD = "no_safe_care_for_child"
    OTHER = "other"


class CaseOutcome(StrEnum):
    LOCAL_INTEGRATION = "local_integration"
    RESETTLEMENT = "resettlement"
    RETURN = "return"


class EntitlementsChange(Unconditional):
    """A change to a case's entitlements: only the keys given change."""

    reflection_start: dt.date | None = None
    reflection_days: int | None = Field(default=None, ge=MIN_REFLECTION_DAYS, le=MAX_REFLECTION_DAYS)
    residence_permit: ResidencePermitStatus | None = None
    legal_aid: Provision | None = None
    interpreter: Provision | None = None
    interpreter_language: str | None = None
    guardian_appointed_on: dt.date | None = None
    best_interests_determined_on: dt.date | None = None
    unaccompanied: bool | None = None
    """For a child: she is not with a parent or a legal guardian. Not recorded counts as unaccompanied."""
    family_traced_on: dt.date | None = None
    reunification_assessed_on: dt.date | None = None

    @field_validator("reflection_start")
    @classmethod
    def _start(cls, value: dt.date | None) -> dt.date | None:
        # The start may lie ahead (a period that begins on arrival at a shelter), but not absurdly far.
        if value is not None and value > dt.date.today() + dt.timedelta(days=366):
            raise ValueError(N_("the reflection period cannot start more than a year from now"))
        if value is not None and value < EARLIEST_DATE:
            raise ValueError(
                N_("date %(date)s is before %(earliest)s")
                % {"date": value.isoformat(), "earliest": EARLIEST_DATE.isoformat()}
            )
        return value

    @field_validator(
        "guardian_appointed_on",
        "best_interests_determined_on",
        "family_traced_on",
        "reunification_assessed_on",
    )
    @classmethod
    def _past_dates(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @field_validator("interpreter_language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else _language_code(value)


class RiskAssessmentInput(Unconditional):
    """A risk assessment on return (GR38 §85, §89–90). ``risks`` names what was found; none means none."""

    assessed_on: dt.date | None = None
    risk_found: bool
    risks: list[ReturnRisk] = Field(default_factory=list, max_length=8, validate_default=True)
    summary: LongText | None = None

    @field_validator("assessed_on")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @field_validator("risks")
    @classmethod
    def _coherent(cls, value: list[ReturnRisk], info: ValidationInfo) -> list[ReturnRisk]:
        found = info.data.get("risk_found")
        if found is True and not value:
            raise ValueError(N_("name the risks that were found"))
        if found is False and value:
            raise ValueError(N_("risks are named but risk_found is false"))
        return value


class OutcomePlan(Unconditional):
    outcome: CaseOutcome
    note: LongText | None = None


@dataclass(frozen=True)
class RiskFacts:
    assessed_on: dt.date
    risks: frozenset[ReturnRisk]

    @property
    def risk_found(self) -> bool:
        return bool(self.risks)


@dataclass(frozen=True)
class DecisionFacts:
    """Everything a decision about a case's outcome may read — and nothing else."""

    is_child: bool
    """Presumed a child today (``opennrm.domain.age.presumed_child``)."""
    guardian_appointed_on: dt.date | None
    best_interests_determined_on: dt.date | None
    latest_risk_assessment: RiskFacts | None
    reflection_end: dt.date | None = None
    """The end of her reflection and recovery period until it has passed (also while a period that starts
    later has not begun); None once it has ended."""
    unaccompanied: bool = False
    """A child not with a parent or legal guardian (resolved by ``entitlements_for``: a child is
    unaccompanied unless recorded otherwise)."""
    family_traced_on: dt.date | None = None
    reunification_assessed_on: dt.date | None = None


# Outcomes that move her out of the country she is in: never during the reflection and recovery period,
# never without a risk assessment, never when it found a risk (non-refoulement, GR38 §85, §89–90).
MOVES = frozenset({CaseOutcome.RETURN, CaseOutcome.RESETTLEMENT})


class Move(StrEnum):
    """A move of her from where she is: back to her country of origin, on to a third country, or a transfer
    to another place of care. Return and resettlement cross a border (non-refoulement applies); every move
    of an unaccompanied child waits for the child steps (GR38 §96)."""

    RETURN = "return"
    RESETTLEMENT = "resettlement"
    TRANSFER = "transfer"


CROSS_BORDER_MOVES = frozenset({Move.RETURN, Move.RESETTLEMENT})


class ChildStep(StrEnum):
    """What must be recorded before an unaccompanied child is moved (GR38 §96), in order."""

    GUARDIAN = "guardian_appointed"
    BEST_INTERESTS = "best_interests_determination"
    FAMILY_TRACING = "family_tracing"
    REUNIFICATION = "reunification_assessment"


def missing_child_steps(facts: DecisionFacts) -> list[ChildStep]:
    """The child steps a move still waits for: guardian and best-interests determination for every child;
    family tracing and the reunification assessment too for an unaccompanied one. Empty for an adult."""
    if not facts.is_child:
        return []
    recorded = {
        ChildStep.GUARDIAN: facts.guardian_appointed_on,
        ChildStep.BEST_INTERESTS: facts.best_interests_determined_on,
        ChildStep.FAMILY_TRACING: facts.family_traced_on,
        ChildStep.REUNIFICATION: facts.reunification_assessed_on,
    }
    needed = list(ChildStep) if facts.unaccompanied else [ChildStep.GUARDIAN, ChildStep.BEST_INTERESTS]
    return [step for step in needed if recorded[step] is None]


def move_refusal(move: Move, facts: DecisionFacts) -> str | None:
    """Why ``move`` cannot be planned, or ``None`` when it can: a child's steps first (naming every one
    missing), then for a return or resettlement the reflection and recovery period and the risk on return."""
    missing = missing_child_steps(facts)
    if missing:
        who = "an unaccompanied child" if facts.unaccompanied else "a child"
        steps = ", ".join(step.value.replace("_", " ") for step in missing)
        return f"before any move of {who} these steps must be recorded: {steps} (GR38 §96)"
    if move not in CROSS_BORDER_MOVES:
        return None
    return _cross_border_refusal(facts)


def outcome_refusal(outcome: CaseOutcome, facts: DecisionFacts) -> str | None:
    """Why ``outcome`` cannot be planned for the case, or ``None`` when it can."""
    if outcome in MOVES and facts.is_child and facts.unaccompanied:
        return move_refusal(Move(outcome.value), facts)
    if facts.is_child:
        if facts.guardian_appointed_on is None:
            return "a guardian must be appointed before any decision about a child (GR38 §96)"
        if facts.best_interests_determined_on is None:
            return "a best-interests determination must come before any decision about a child (GR38 §96)"
    if outcome not in MOVES:
        return None
    return _cross_border_refusal(facts)


def _cross_border_refusal(facts: DecisionFacts) -> str | None:
    if facts.reflection_end is not None:
        return (
            f"her reflection and recovery period runs until {facts.reflection_end.isoformat()}: no return or "
            "resettlement can be planned before it ends (GR38 §85)"
        )
    risk = facts.latest_risk_assessment
    if risk is None:
        return "a risk assessment must be completed before any return or resettlement (GR38 §85, §89–90)"
    if risk.risk_found:
        found = ", ".join(sorted(r.value.replace("_", " ") for r in risk.risks))
        return (
            f"non-refoulement: the risk assessment of {risk.assessed_on.isoformat()} found a risk "
            f"({found}); no return or resettlement can be planned (GR38 §85, §89–90)"
        )
    return None


@dataclass(frozen=True)
class StoredEntitlements:
    """A case's entitlements as recorded (``None`` fields: never changed, the defaults apply)."""

    reflection_start: dt.date | None = None
    reflection_days: int | None = None
    residence_permit: ResidencePermitStatus | None = None
    legal_aid: Provision | None = None
    interpreter: Provision | None = None
    interpreter_language: str | None = None
    guardian_appointed_on: dt.date | None = None
    best_interests_determined_on: dt.date | None = None
    unaccompanied: bool | None = None
    family_traced_on: dt.date | None = None
    reunification_assessed_on: dt.date | None = None


ENTITLEMENT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(StoredEntitlements))
"""The entitlements a case records: the one list (``EntitlementsChange`` changes them, ``Entitlements``
shows them, the ``case_entitlements`` table holds them; tests/unit/domain/test_entitlement_fields.py)."""


@dataclass(frozen=True)
class Entitlements:
    reflection_start: dt.date
    reflection_end: dt.date
    reflection_days: int
    in_reflection_period: bool
    residence_permit: ResidencePermitStatus
    legal_aid: Provision
    interpreter: Provision
    interpreter_language: str | None
    child: bool
    guardian_appointed_on: dt.date | None
    best_interests_determined_on: dt.date | None
    latest_risk_assessment: RiskFacts | None
    non_refoulement: bool
    outstanding: tuple[str, ...]
    unaccompanied: bool = False
    """A child not with a parent or legal guardian: unless recorded otherwise, a child is (the protective
    reading, as for her age, GR38 §96)."""
    family_traced_on: dt.date | None = None
    reunification_assessed_on: dt.date | None = None


def entitlements_for(
    stored: StoredEntitlements,
    *,
    identified_on: dt.date,
    is_child: bool | None,
    risk_assessments: Iterable[RiskFacts],
    minimum_reflection_days: int,
    today: dt.date,
) -> Entitlements:
    """The entitlements of a case. Every case has them, whatever else is recorded: a reflection and recovery
    period of at least ``minimum_reflection_days`` (never fewer than 30), legal aid and an interpreter offered
    unless the person declined them."""
    minimum = max(MIN_REFLECTION_DAYS, minimum_reflection_days)
    days = max(minimum, stored.reflection_days or minimum)
    start = stored.reflection_start or identified_on
    end = start + dt.timedelta(days=days)
    latest = max(risk_assessments, key=lambda r: r.assessed_on, default=None)
    child = is_child is True
    outstanding: list[str] = []
    if child and stored.guardian_appointed_on is None:
        outstanding.append(N_("appoint a guardian"))
    if child and stored.best_interests_determined_on is None:
        outstanding.append(N_("make a best-interests determination"))
    unaccompanied = child and stored.unaccompanied is not False
    if unaccompanied and stored.family_traced_on is None:
        outstanding.append(N_("trace her family"))
    if unaccompanied and stored.reunification_assessed_on is None:
        outstanding.append(N_("assess whether reunification is in her best interests"))
    if latest is None:
        outstanding.append(N_("assess the risks on return before any return is considered"))
    return Entitlements(
        reflection_start=start,
        reflection_end=end,
        reflection_days=days,
        in_reflection_period=start <= today < end,
        residence_permit=stored.residence_permit or ResidencePermitStatus.NOT_APPLIED,
        legal_aid=stored.legal_aid or Provision.OFFERED,
        interpreter=stored.interpreter or Provision.OFFERED,
        interpreter_language=stored.interpreter_language,
        child=child,
        guardian_appointed_on=stored.guardian_appointed_on,
        best_interests_determined_on=stored.best_interests_determined_on,
        latest_risk_assessment=latest,
        non_refoulement=latest is not None and latest.risk_found,
        outstanding=tuple(outstanding),
        unaccompanied=unaccompanied,
        family_traced_on=stored.family_traced_on if child else None,
        reunification_assessed_on=stored.reunification_assessed_on if child else None,
    )
