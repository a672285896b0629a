"""Labour inspection and recruitment agencies (CEDAW GR38 §54(b)(c), §59, §60(d)): the pure rules.

- **Licences.** A recruitment agency holds licences; each licence has a status history (active, suspended,
  revoked, expired) and its status is always read *as of a date* (``licence_status_on``). Revoked is final;
  an agency comes back from a suspension or an expiry only by a decision with its reference.
- **Employer Pays.** The ILO *Definition of recruitment fees and related costs* (2019, with the General
  principles and operational guidelines for fair recruitment) says no recruitment fees or related costs may
  be charged to workers, directly or indirectly; the Employer Pays Principle (Leadership Group for
  Responsible Recruitment, 2017) says the same. So any amount a worker paid, in any cost category, deposits
  included, is a violation (``employer_pays_violations``): there is no threshold to configure.
- **Violations** an upheld complaint establishes: a fee or deposit charged to workers, passport or document
  retention, contract substitution, deception (GR38 §59).
- **Inspections.** Workplaces by sector; a deterministic risk order that weights the sectors GR38 §54(b)
  names; the ILO forced-labour indicators as a checklist that uses the indicator ids of the screening
  catalogue (``screening/catalogues/ilo-ec-2009.yaml``); findings from wages, hours, deductions (automatic
  deductions for housing or food are a finding: GR38 §60(d)), housing and documents held by the employer.
- **Firewall (§54(c)).** No shape here has a field for a worker's immigration status, nationality or
  identity: an inspection records counts; the ``extra="forbid"`` of ``Strict`` refuses anything else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from opennrm.domain.records import LongText, ShortText, Strict, _check_date, _country
from opennrm.domain.text import N_

MAX_MINOR = 10**15
LicenceNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
AgencyName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


def _past_date(value: dt.date) -> dt.date:
    checked = _check_date(value)
    assert checked is not None  # noqa: S101 - a date in, a date out
    return checked


#: A day that has come (not in the future, not before the records' earliest date).
PastDate = Annotated[dt.date, AfterValidator(_past_date)]


class LabourRuleError(ValueError):
    """A labour rule refused the input; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# -- licences ---------------------------------------------------------------------------------------------


class LicenceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    EXPIRED = "expired"


#: The statuses a licence may move to from each status (``None``: the licence has no event yet).
TRANSITIONS: Mapping[LicenceStatus | None, frozenset[LicenceStatus]] = {
    None: frozenset({LicenceStatus.ACTIVE}),
    LicenceStatus.ACTIVE: frozenset({LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED}),
    LicenceStatus.SUSPENDED: frozenset({LicenceStatus.ACTIVE, LicenceStatus.REVOKED, LicenceStatus.EXPIRED}),
    LicenceStatus.EXPIRED: frozenset({LicenceStatus.ACTIVE}),
    LicenceStatus.REVOKED: frozenset(),
}
#: Moves that need the reference of the decision that makes them (a sanction, a reinstatement, a renewal).
NEEDS_DECISION = frozenset(
    {
        (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED),
        (LicenceStatus.ACTIVE, LicenceStatus.REVOKED),
        (LicenceStatus.SUSPENDED, LicenceStatus.REVOKED),
        (LicenceStatus.SUSPENDED, LicenceStatus.ACTIVE),
        (LicenceStatus.EXPIRED, LicenceStatus.ACTIVE),
    }
)
#: Statuses in which an agency may not recruit: an ad naming it is flagged.
NOT_IN_FORCE = frozenset({LicenceStatus.SUSPENDED, LicenceStatus.REVOKED, LicenceStatus.EXPIRED})
#: Statuses that are a sanction (counted as "agencies sanctioned").
SANCTIONS = frozenset({LicenceStatus.SUSPENDED, LicenceStatus.REVOKED})


@dataclass(frozen=True)
class LicenceEvent:
    status: LicenceStatus
    effective_on: dt.date
    decision_ref: str | None = None


def _ordered(events: Iterable[LicenceEvent]) -> list[LicenceEvent]:
    return sorted(events, key=lambda e: e.effective_on)


def licence_status_on(
    events: Iterable[LicenceEvent], on: dt.date, expires_on: dt.date | None = None
) -> LicenceStatus | None:
    """The licence's status on ``on``: the last event in effect that day; an active licence past its end
    date (``expires_on``, its last valid day) is expired. ``None``: not yet licensed that day."""
    current: LicenceStatus | None = None
    for event in _ordered(events):
        if event.effective_on > on:
            break
        current = event.status
    if current is LicenceStatus.ACTIVE and expires_on is not None and on > expires_on:
        return LicenceStatus.EXPIRED
    return current


def check_licence_event(
    history: Sequence[LicenceEvent], new: LicenceEvent, expires_on: dt.date | None = None
) -> None:
    """Refuse a status change that is not allowed: events in date order only, a revoked licence never comes
    back, and a sanction, reinstatement or renewal needs its decision reference."""
    ordered = _ordered(history)
    if ordered and new.effective_on < ordered[-1].effective_on:
        raise LabourRuleError(
            "effective_on",
            f"the licence already has a change dated {ordered[-1].effective_on.isoformat()}; "
            "record changes in date order",
        )
    current = licence_status_on(ordered, new.effective_on, expires_on)
    if current is new.status:
        raise LabourRuleError("status", f"the licence is already {new.status.value} on that day")
    if new.status not in TRANSITIONS[current]:
        was = current.value if current else "not yet issued"
        raise LabourRuleError("status", f"a licence that is {was} cannot become {new.status.value}")
    if (current, new.status) in NEEDS_DECISION and not (new.decision_ref or "").strip():
        raise LabourRuleError("decision_ref", "this change needs the reference of the decision that makes it")


def sanctioned_between(events: Iterable[LicenceEvent], start: dt.date, end: dt.date) -> bool:
    """Was the licence suspended or revoked on a day from ``start`` to ``end`` (both included)?"""
    return any(e.status in SANCTIONS and start <= e.effective_on <= end for e in events)


# -- recruitment fees and related costs (ILO 2019) --------------------------------------------------------


class CostCategory(StrEnum):
    """Recruitment fees and related costs. Groups recalled from the ILO 2019 definition as summarised in the
    project's reference note (not checked against the primary text): every one of them is the employer's to
    bear; the last four are never legitimate, whoever pays."""

    RECRUITMENT_FEE = "recruitment_fee"
    MEDICAL = "medical"
    INSURANCE = "insurance"
    SKILLS_TEST = "skills_test"
    TRAINING = "training"
    EQUIPMENT = "equipment"
    TRAVEL_AND_LODGING = "travel_and_lodging"
    ADMINISTRATIVE = "administrative"
    """Documents, visas, permits, their fees."""
    DEPOSIT = "deposit"
    BOND = "bond"
    BRIBE = "bribe"
    KICKBACK = "kickback"


ILLEGITIMATE_COSTS = frozenset(
    {CostCategory.DEPOSIT, CostCategory.BOND, CostCategory.BRIBE, CostCategory.KICKBACK}
)


class PaidBy(StrEnum):
    WORKER = "worker"
    """The worker or her family, directly or by a deduction from her wages or a loan she repays."""
    EMPLOYER = "employer"
    AGENCY = "agency"


class FeePayment(Strict):
    """A cost of recruitment as a complaint or an inspection found it: what for, how much, who bore it."""

    category: CostCategory
    paid_by: PaidBy
    amount_minor: int = Field(ge=0, le=MAX_MINOR)
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"


def employer_pays_violations(payments: Iterable[FeePayment]) -> list[FeePayment]:
    """The payments that break the Employer Pays Principle: every cost the worker bore, whatever its category
    and however small (a deposit she gets back later is still charged to her). Nothing the employer or the
    agency bore is a violation of this rule."""
    return [p for p in payments if p.paid_by is PaidBy.WORKER and p.amount_minor > 0]


# -- complaints and violations ------------------------------------------------------------------------


class ViolationType(StrEnum):
    WORKER_PAID_FEE = "worker_paid_fee"
    """A recruitment fee or related cost charged to workers (ILO 2019; Employer Pays)."""
    WORKER_PAID_DEPOSIT = "worker_paid_deposit"
    """A deposit or bond taken from workers."""
    DOCUMENT_RETENTION = "document_retention"
    """Passports or identity documents kept from workers (GR38 §59)."""
    CONTRACT_SUBSTITUTION = "contract_substitution"
    """A different, worse contract at destination than the one signed at home (GR38 §59)."""
    DECEPTION = "deception"
    """False information about the job, the pay, the conditions or the employer."""
    UNLICENSED_RECRUITMENT = "unlicensed_recruitment"
    """Recruiting without a licence in force."""


class ComplaintSource(StrEnum):
    WORKER = "worker"
    JOBSEEKER = "jobseeker"
    ORGANISATION = "organisation"
    INSPECTION = "inspection"
    REPORTING_CHANNEL = "reporting_channel"


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


class ComplaintIn(Strict):
    """A complaint against an agency: what is alleged (no name of the person who complained is asked for)."""

    received_on: PastDate
    source: ComplaintSource
    allegations: list[ViolationType] = Field(default_factory=list, max_length=len(ViolationType))
    payments: list[FeePayment] = Field(default_factory=list, max_length=20)
    summary: LongText | None = None

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.allegations and not self.payments:
            raise ValueError(N_("say what is alleged (allegations) or which costs were paid (payments)"))
        return self


class ComplaintDecisionIn(Strict):
    status: ComplaintStatus
    decided_on: dt.date
    decision_ref: ShortText | None = None

    @model_validator(mode="after")
    def _decided(self) -> Self:
        if self.status is ComplaintStatus.RECEIVED:
            raise ValueError(N_("status: a decision upholds or dismisses the complaint"))
        return self


def violations_of(
    allegations: Iterable[ViolationType], payments: Iterable[FeePayment]
) -> list[ViolationType]:
    """The violations an upheld complaint establishes: its allegations, plus one per kind of cost the worker
    bore (Employer Pays: a deposit or bond is ``worker_paid_deposit``, any other cost ``worker_paid_fee``),
    each type once, in the vocabulary's order."""
    found = set(allegations)
    for payment in employer_pays_violations(payments):
        deposit = payment.category in {CostCategory.DEPOSIT, CostCategory.BOND}
        found.add(ViolationType.WORKER_PAID_DEPOSIT if deposit else ViolationType.WORKER_PAID_FEE)
    return [v for v in ViolationType if v in found]


# -- agencies and licences (input shapes) -------------------------------------------------------------


def _countries(value: list[str]) -> list[str]:
    return sorted({_country(c) for c in value})


class AgencyIn(Strict):
    name: AgencyName
    registration_ref: ShortText | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] | None = None

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else _countries([value])[0]


class LicenceIn(Strict):
    number: LicenceNumber
    issuing_authority: ShortText
    countries_served: list[str] = Field(default_factory=list, max_length=60)
    issued_on: dt.date
    expires_on: dt.date | None = None
    decision_ref: ShortText | None = None

    @field_validator("countries_served")
    @classmethod
    def _served(cls, value: list[str]) -> list[str]:
        return _countries(value)

    @field_validator("issued_on")
    @classmethod
    def _issued(cls, value: dt.date) -> dt.date:
        if value > dt.date.today():
            raise ValueError("issued_on is in the future")
        return value

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.expires_on is not None and self.expires_on < self.issued_on:
            raise ValueError(N_("expires_on is before issued_on"))
        return self


class LicenceEventIn(Strict):
    status: LicenceStatus
    effective_on: dt.date
    decision_ref: ShortText | None = None
    reason: LongText | None = None


def normalise_name(name: str) -> str:
    """An agency name as the registry and the ad scanner compare it: case-folded, punctuation and the words
    of company form dropped, spaces collapsed."""
    folded = re.sub(r"[^\w]+", " ", name.casefold())
    words = [w for w in folded.split() if w not in COMPANY_FORMS]
    return " ".join(words)


def normalise_licence(number: str) -> str:
    """A licence number as compared: upper case, letters and digits only."""
    return "".join(ch for ch in number.upper() if ch.isalnum())


COMPANY_FORMS = frozenset(
    {
        "ltd",
        "limited",
        "llc",
        "inc",
        "co",
        "company",
        "corp",
        "corporation",
        "plc",
        "sdn",
        "bhd",
        "pte",
        "pvt",
        "gmbh",
        "sa",
        "srl",
        "the",
    }
)


# -- workplaces and inspections -----------------------------------------------------------------------


class Sector(StrEnum):
    DOMESTIC_WORK = "domestic_work"
    AGRICULTURE = "agriculture"
    GARMENT = "garment"
    HOSPITALITY = "hospitality"
    ENTERTAINMENT = "entertainment"
    CONSTRUCTION = "construction"
    FISHING = "fishing"
    MANUFACTURING = "manufacturing"
    CARE = "care"
    OTHER = "other"


#: The sectors GR38 §54(b) names for routine, unannounced inspection.
GR38_SECTORS = frozenset(
    {Sector.DOMESTIC_WORK, Sector.AGRICULTURE, Sector.GARMENT, Sector.HOSPITALITY, Sector.ENTERTAINMENT}
)


class WorkplaceIn(Strict):
    name: AgencyName
    sector: Sector
    region: ShortText
    agency_id: Annotated[str, StringConstraints(max_length=36)] | None = None


@dataclass(frozen=True)
class RiskFacts:
    """What the risk order reads of one workplace (counts only)."""

    workplace_id: str
    name: str
    sector: Sector
    past_findings: int = 0
    complaints: int = 0
    linked_ad_networks: int = 0
    days_since_inspection: int | None = None


@dataclass(frozen=True)
class RiskScore:
    workplace_id: str
    name: str
    score: float
    reasons: tuple[str, ...]


#: Weights of the risk order. Every GR38 sector weighs more than any other sector; each past finding,
#: complaint and linked ad network adds, up to a cap so that one noisy source cannot swamp the others.
SECTOR_WEIGHT = 3.0
FINDING_WEIGHT = 2.0
COMPLAINT_WEIGHT = 1.5
AD_NETWORK_WEIGHT = 1.0
NEVER_INSPECTED_WEIGHT = 1.0
CAP = 5


def risk_score(facts: RiskFacts) -> RiskScore:
    score = 0.0
    reasons: list[str] = []
    if facts.sector in GR38_SECTORS:
        score += SECTOR_WEIGHT
        reasons.append("gr38_sector")
    if facts.past_findings:
        score += FINDING_WEIGHT * min(facts.past_findings, CAP)
        reasons.append("past_findings")
    if facts.complaints:
        score += COMPLAINT_WEIGHT * min(facts.complaints, CAP)
        reasons.append("complaints")
    if facts.linked_ad_networks:
        score += AD_NETWORK_WEIGHT * min(facts.linked_ad_networks, CAP)
        reasons.append("linked_ad_networks")
    if facts.days_since_inspection is None:
        score += NEVER_INSPECTED_WEIGHT
        reasons.append("never_inspected")
    elif facts.days_since_inspection > 365:
        score += NEVER_INSPECTED_WEIGHT / 2
        reasons.append("not_inspected_this_year")
    return RiskScore(facts.workplace_id, facts.name, round(score, 2), tuple(reasons))


def risk_order(workplaces: Iterable[RiskFacts]) -> list[RiskScore]:
    """Workplaces riskiest first; ties by name then id, so the order is the same on every run."""
    return sorted((risk_score(f) for f in workplaces), key=lambda r: (-r.score, r.name, r.workplace_id))


# The ILO indicators of forced labour (ILO, "ILO indicators of forced labour", 2012) as a checklist whose
# items are the screening catalogue's own indicator ids: what an inspector ticks is what a screening reads.
# Indicators about a person's legal or migration status (AVR02, AVR12, AVD05) are left out on purpose: an
# inspection never records immigration status (GR38 §54(c)).
FORCED_LABOUR_INDICATORS: Mapping[str, tuple[str, ...]] = {
    "abuse_of_vulnerability": ("AVD01", "AVD03"),
    "deception": ("DR01", "DR02", "DR03", "DR04"),
    "restriction_of_movement": ("CD03",),
    "isolation": ("CD03",),
    "physical_and_sexual_violence": ("CD04",),
    "intimidation_and_threats": ("CD05", "CD11", "CD12", "CD13"),
    "retention_of_identity_documents": ("CD01",),
    "withholding_of_wages": ("CD14",),
    "debt_bondage": ("CD02",),
    "abusive_working_and_living_conditions": ("EXP04", "EXP05", "EXP06"),
    "excessive_overtime": ("EXP01",),
}
CHECKLIST: tuple[str, ...] = tuple(dict.fromkeys(i for ids in FORCED_LABOUR_INDICATORS.values() for i in ids))


def _on_checklist(value: list[str]) -> list[str]:
    unknown = [i for i in value if i not in CHECKLIST]
    if unknown:
        raise ValueError(f"not on the inspection checklist: {', '.join(unknown)}")
    return [i for i in CHECKLIST if i in set(value)]


#: Indicator ids of the checklist, in the checklist's order (each once); any other id is refused.
ChecklistIds = Annotated[list[str], AfterValidator(_on_checklist)]
#: Ids never on an inspection's checklist (they would record her status).
STATUS_INDICATORS = frozenset({"AVR02", "AVR12", "AVD05"})
#: Indicators that call for offering the workers met a screening and a referral into the NRM.
REFERRAL_INDICATORS = frozenset({"CD01", "CD02", "CD14", "CD03", "CD04"})


class DeductionKind(StrEnum):
    HOUSING = "housing"
    FOOD = "food"
    RECRUITMENT_DEBT = "recruitment_debt"
    TRANSPORT = "transport"
    EQUIPMENT = "equipment"
    OTHER = "other"


#: GR38 §60(d): no automatic deductions for housing and food.
NO_AUTOMATIC_DEDUCTION = frozenset({DeductionKind.HOUSING, DeductionKind.FOOD})


class Deduction(Strict):
    kind: DeductionKind
    automatic: bool
    """Taken from wages without the worker's free agreement each time."""
    amount_minor: int = Field(default=0, ge=0, le=MAX_MINOR)


class HousingCondition(StrEnum):
    NOT_PROVIDED = "not_provided"
    ADEQUATE = "adequate"
    INADEQUATE = "inadequate"


class InspectionIn(Strict):
    """One inspection visit as recorded on site: counts, never identities or immigration status."""

    workplace_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    visited_on: PastDate
    announced: bool
    women_met: int = Field(default=0, ge=0, le=100_000)
    men_met: int = Field(default=0, ge=0, le=100_000)
    others_met: int = Field(default=0, ge=0, le=100_000)
    indicators: ChecklistIds = Field(default_factory=list, max_length=len(CHECKLIST))
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "USD"
    monthly_wage_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    minimum_wage_minor: int | None = Field(default=None, ge=0, le=MAX_MINOR)
    weekly_hours: int | None = Field(default=None, ge=0, le=168)
    deductions: list[Deduction] = Field(default_factory=list, max_length=len(DeductionKind))
    housing: HousingCondition = HousingCondition.NOT_PROVIDED
    documents_held: int = Field(default=0, ge=0, le=100_000)
    """How many workers' passports or identity documents the employer holds."""
    agency_id: Annotated[str, StringConstraints(max_length=36)] | None = None
    payments: list[FeePayment] = Field(default_factory=list, max_length=20)
    """Recruitment costs workers said they bore (for the agency that placed them)."""
    notes: LongText | None = None


#: Weekly hours above which hours are a finding (ILO C001: 48 hours a week).
WEEKLY_HOURS_LIMIT = 48


class FindingKind(StrEnum):
    FORCED_LABOUR_INDICATOR = "forced_labour_indicator"
    WAGE_BELOW_MINIMUM = "wage_below_minimum"
    EXCESSIVE_HOURS = "excessive_hours"
    AUTOMATIC_DEDUCTION = "automatic_deduction"
    DOCUMENTS_HELD = "documents_held"
    INADEQUATE_HOUSING = "inadequate_housing"
    RECRUITMENT_FEES = "recruitment_fees"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    detail: str


def findings_of(visit: InspectionIn, weekly_limit: int = WEEKLY_HOURS_LIMIT) -> list[Finding]:
    """What the visit found, from what was recorded (each rule is one line here, and tested)."""
    found = [Finding(FindingKind.FORCED_LABOUR_INDICATOR, i) for i in visit.indicators]
    if (
        visit.monthly_wage_minor is not None
        and visit.minimum_wage_minor is not None
        and visit.monthly_wage_minor < visit.minimum_wage_minor
    ):
        found.append(
            Finding(FindingKind.WAGE_BELOW_MINIMUM, f"{visit.monthly_wage_minor}<{visit.minimum_wage_minor}")
        )
    if visit.weekly_hours is not None and visit.weekly_hours > weekly_limit:
        found.append(Finding(FindingKind.EXCESSIVE_HOURS, str(visit.weekly_hours)))
    for deduction in visit.deductions:
        if deduction.automatic and deduction.kind in NO_AUTOMATIC_DEDUCTION:
            found.append(Finding(FindingKind.AUTOMATIC_DEDUCTION, deduction.kind.value))
        elif deduction.kind is DeductionKind.RECRUITMENT_DEBT:
            found.append(Finding(FindingKind.RECRUITMENT_FEES, "recruitment_debt"))
    if visit.documents_held > 0:
        found.append(Finding(FindingKind.DOCUMENTS_HELD, str(visit.documents_held)))
    if visit.housing is HousingCondition.INADEQUATE:
        found.append(Finding(FindingKind.INADEQUATE_HOUSING, "inadequate"))
    for payment in employer_pays_violations(visit.payments):
        found.append(Finding(FindingKind.RECRUITMENT_FEES, payment.category.value))
    return found


def suggests_referral(visit: InspectionIn) -> bool:
    """Should the inspector offer the workers met a screening and a referral (with their consent)? When a
    strong indicator of control was seen, documents are held, or several indicators were seen together."""
    return (
        bool(REFERRAL_INDICATORS & set(visit.indicators))
        or visit.documents_held > 0
        or len(visit.indicators) >= 2
    )


class ActionKind(StrEnum):
    ADVICE = "advice"
    COMPLIANCE_ORDER = "compliance_order"
    BACK_PAY_ORDER = "back_pay_order"
    FINE = "fine"
    STOP_WORK_ORDER = "stop_work_order"
    LABOUR_COURT = "labour_court"


class ActionStatus(StrEnum):
    OPEN = "open"
    COMPLIED = "complied"
    APPEALED = "appealed"
    NOT_COMPLIED = "not_complied"
    WITHDRAWN = "withdrawn"


ACTION_TRANSITIONS: Mapping[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset(
        {ActionStatus.COMPLIED, ActionStatus.APPEALED, ActionStatus.NOT_COMPLIED, ActionStatus.WITHDRAWN}
    ),
    ActionStatus.APPEALED: frozenset({ActionStatus.OPEN, ActionStatus.WITHDRAWN, ActionStatus.COMPLIED}),
    ActionStatus.NOT_COMPLIED: frozenset({ActionStatus.COMPLIED}),
    ActionStatus.COMPLIED: frozenset(),
    ActionStatus.WITHDRAWN: frozenset(),
}


def check_action_change(current: ActionStatus, new: ActionStatus) -> None:
    if new not in ACTION_TRANSITIONS[current]:
        raise LabourRuleError("status", f"an action that is {current.value} cannot become {new.value}")


class LabourActionIn(Strict):
    kind: ActionKind
    finding: FindingKind | None = None
    taken_on: dt.date
    due_on: dt.date | None = None
    notes: LongText | None = None


class ActionOutcomeIn(Strict):
    status: ActionStatus
    on: dt.date
    notes: LongText | None = None


class WorkerReferralIn(Strict):
    """A worker met at an inspection who agrees to be screened and referred into the NRM. Only what serving
    her needs: no name is required, and there is no field for her immigration status or nationality — the
    inspection never records it (GR38 §54(c))."""

    consent_given: bool
    """She gave her informed consent, in a language she understands, to screening and this referral."""
    consent_language: Annotated[str, StringConstraints(min_length=2, max_length=3)]
    interpreter_used: bool = False
    service_id: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    purpose: LongText
    sex: Annotated[str, StringConstraints(max_length=20)] = "female"
    age: int | None = Field(default=None, ge=0, le=120)
    age_uncertain: bool = False
    reasons_to_believe_minor: bool = False
    languages: list[str] = Field(default_factory=list, max_length=10)
    indicators: ChecklistIds = Field(default_factory=list, max_length=len(CHECKLIST))
    """Her own answers: the checklist indicators that apply to her."""

    @model_validator(mode="after")
    def _consented(self) -> Self:
        if not self.consent_given:
            raise ValueError(N_("consent_given: she must agree before she is screened or referred"))
        return self


def screening_input(referral: WorkerReferralIn) -> dict[str, object]:
    """The screening engine's input for her: labour exploitation, her age facts and her indicators."""
    raw: dict[str, object] = {
        "exploitation_form": "labour",
        "indicators": list(referral.indicators),
        "age_uncertain": referral.age_uncertain,
        "reasons_to_believe_minor": referral.reasons_to_believe_minor,
    }
    if referral.age is not None:
        raw["age"] = referral.age
    return raw
