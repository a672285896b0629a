"""The labour rules (GR38 §54(b)(c), §59, §60(d)): licence status over time, Employer Pays, the checklist,
findings, the risk order and the shapes that cannot carry immigration status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from opennrm.domain.labour import (
    CHECKLIST,
    FORCED_LABOUR_INDICATORS,
    GR38_SECTORS,
    STATUS_INDICATORS,
    ActionStatus,
    CostCategory,
    FeePayment,
    FindingKind,
    InspectionIn,
    LabourRuleError,
    LicenceEvent,
    LicenceStatus,
    PaidBy,
    RiskFacts,
    Sector,
    ViolationType,
    WorkerReferralIn,
    check_action_change,
    check_licence_event,
    employer_pays_violations,
    findings_of,
    licence_status_on,
    normalise_licence,
    normalise_name,
    risk_order,
    risk_score,
    sanctioned_between,
    screening_input,
    suggests_referral,
    violations_of,
)
from opennrm.screening.catalogue import default_catalogue

D = dt.date
ACTIVE, SUSPENDED, REVOKED, EXPIRED = (
    LicenceStatus.ACTIVE,
    LicenceStatus.SUSPENDED,
    LicenceStatus.REVOKED,
    LicenceStatus.EXPIRED,
)


# -- licence status over time ----------------------------------------------------------------------------


def test_the_status_is_read_as_of_a_day() -> None:
    history = [
        LicenceEvent(ACTIVE, D(2024, 1, 1)),
        LicenceEvent(SUSPENDED, D(2024, 6, 1), "DEC-7"),
        LicenceEvent(ACTIVE, D(2024, 9, 1), "DEC-9"),
        LicenceEvent(REVOKED, D(2025, 3, 1), "DEC-12"),
    ]
    assert licence_status_on(history, D(2023, 12, 31)) is None
    assert licence_status_on(history, D(2024, 1, 1)) is ACTIVE
    assert licence_status_on(history, D(2024, 5, 31)) is ACTIVE
    assert licence_status_on(history, D(2024, 6, 1)) is SUSPENDED
    assert licence_status_on(history, D(2024, 10, 1)) is ACTIVE
    assert licence_status_on(history, D(2025, 3, 1)) is REVOKED
    # the order the events are given in does not matter
    assert licence_status_on(list(reversed(history)), D(2024, 7, 1)) is SUSPENDED


def test_an_active_licence_past_its_last_day_is_expired() -> None:
    history = [LicenceEvent(ACTIVE, D(2024, 1, 1))]
    assert licence_status_on(history, D(2024, 12, 31), expires_on=D(2024, 12, 31)) is ACTIVE
    assert licence_status_on(history, D(2025, 1, 1), expires_on=D(2024, 12, 31)) is EXPIRED


def test_a_revoked_licence_never_comes_back() -> None:
    history = [LicenceEvent(ACTIVE, D(2024, 1, 1)), LicenceEvent(REVOKED, D(2024, 2, 1), "DEC-1")]
    for status in LicenceStatus:
        with pytest.raises(LabourRuleError) as err:
            check_licence_event(history, LicenceEvent(status, D(2024, 3, 1), "DEC-2"))
        assert err.value.field == "status"


def test_sanctions_reinstatements_and_renewals_need_their_decision() -> None:
    active = [LicenceEvent(ACTIVE, D(2024, 1, 1))]
    with pytest.raises(LabourRuleError) as err:
        check_licence_event(active, LicenceEvent(SUSPENDED, D(2024, 2, 1)))
    assert err.value.field == "decision_ref"
    check_licence_event(active, LicenceEvent(SUSPENDED, D(2024, 2, 1), "DEC-1"))
    suspended = [*active, LicenceEvent(SUSPENDED, D(2024, 2, 1), "DEC-1")]
    with pytest.raises(LabourRuleError):
        check_licence_event(suspended, LicenceEvent(ACTIVE, D(2024, 3, 1), "  "))
    check_licence_event(suspended, LicenceEvent(ACTIVE, D(2024, 3, 1), "DEC-2"))
    # an expiry needs no decision: the end date is the decision
    check_licence_event(active, LicenceEvent(EXPIRED, D(2025, 1, 1)))


def test_changes_are_recorded_in_date_order_and_never_twice() -> None:
    history = [LicenceEvent(ACTIVE, D(2024, 1, 1)), LicenceEvent(SUSPENDED, D(2024, 6, 1), "DEC-1")]
    with pytest.raises(LabourRuleError) as err:
        check_licence_event(history, LicenceEvent(REVOKED, D(2024, 5, 1), "DEC-2"))
    assert err.value.field == "effective_on"
    with pytest.raises(LabourRuleError, match="already suspended"):
        check_licence_event(history, LicenceEvent(SUSPENDED, D(2024, 7, 1), "DEC-3"))
    with pytest.raises(LabourRuleError, match="not yet issued"):
        check_licence_event([], LicenceEvent(SUSPENDED, D(2024, 7, 1), "DEC-3"))


@given(st.lists(st.sampled_from(list(LicenceStatus)), max_size=8), st.integers(0, 400))
def test_every_accepted_history_reads_back_its_last_status(moves: list[LicenceStatus], offset: int) -> None:
    """Whatever is tried, what the rules accept is a history whose status on any day is the last accepted
    change before it, and a revoked licence stays revoked."""
    history: list[LicenceEvent] = []
    day = D(2024, 1, 1)
    for number, status in enumerate(moves):
        event = LicenceEvent(status, day + dt.timedelta(days=10 * number), f"DEC-{number}")
        try:
            check_licence_event(history, event)
        except LabourRuleError:
            continue
        history.append(event)
    on = day + dt.timedelta(days=offset)
    expected = None
    for event in history:
        if event.effective_on <= on:
            expected = event.status
    assert licence_status_on(history, on) is expected
    revoked = [e for e in history if e.status is REVOKED]
    if revoked:
        assert history[-1].status is REVOKED


def test_sanctioned_between_counts_suspensions_and_revocations_in_the_period() -> None:
    history = [LicenceEvent(ACTIVE, D(2024, 1, 1)), LicenceEvent(SUSPENDED, D(2024, 6, 1), "D")]
    assert sanctioned_between(history, D(2024, 1, 1), D(2024, 12, 31))
    assert not sanctioned_between(history, D(2025, 1, 1), D(2025, 12, 31))
    assert not sanctioned_between([LicenceEvent(EXPIRED, D(2024, 6, 1))], D(2024, 1, 1), D(2024, 12, 31))


# -- Employer Pays ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("category", list(CostCategory))
def test_any_cost_a_worker_bore_is_a_violation_whatever_its_category(category: CostCategory) -> None:
    paid = FeePayment(category=category, paid_by=PaidBy.WORKER, amount_minor=1)
    assert employer_pays_violations([paid]) == [paid]


@pytest.mark.parametrize("payer", [PaidBy.EMPLOYER, PaidBy.AGENCY])
def test_a_cost_the_employer_or_agency_bore_is_not(payer: PaidBy) -> None:
    assert (
        employer_pays_violations([FeePayment(category="medical", paid_by=payer, amount_minor=90_000)]) == []
    )


def test_a_deposit_is_its_own_violation_and_every_type_is_listed_once() -> None:
    payments = [
        FeePayment(category="recruitment_fee", paid_by="worker", amount_minor=150_000),
        FeePayment(category="medical", paid_by="worker", amount_minor=8_000),
        FeePayment(category="deposit", paid_by="worker", amount_minor=50_000),
        FeePayment(category="travel_and_lodging", paid_by="employer", amount_minor=60_000),
    ]
    assert violations_of([ViolationType.DOCUMENT_RETENTION], payments) == [
        ViolationType.WORKER_PAID_FEE,
        ViolationType.WORKER_PAID_DEPOSIT,
        ViolationType.DOCUMENT_RETENTION,
    ]
    assert violations_of([], [FeePayment(category="medical", paid_by="agency", amount_minor=1)]) == []


def test_a_negative_or_float_amount_is_refused() -> None:
    with pytest.raises(ValidationError):
        FeePayment(category="medical", paid_by="worker", amount_minor=-1)
    with pytest.raises(ValidationError):
        FeePayment.model_validate({"category": "medical", "paid_by": "worker", "amount_minor": 1.5})


# -- the checklist, findings and referrals -------------------------------------------------------------


def test_the_checklist_covers_the_eleven_indicators_with_screening_ids() -> None:
    catalogue = default_catalogue()
    assert len(FORCED_LABOUR_INDICATORS) == 11
    assert all(ids for ids in FORCED_LABOUR_INDICATORS.values())
    assert set(CHECKLIST) <= set(catalogue.indicators)
    assert not STATUS_INDICATORS & set(CHECKLIST)


def visit(**change: Any) -> InspectionIn:
    return InspectionIn.model_validate(
        {"workplace_id": "w", "visited_on": "2025-03-01", "announced": False, **change}
    )


def test_an_inspection_has_no_field_for_immigration_status_or_identity() -> None:
    for field in ("migration_status", "immigration_status", "nationality", "names", "passport_numbers"):
        with pytest.raises(ValidationError) as err:
            visit(**{field: "irregular"})
        assert field in str(err.value)
    with pytest.raises(ValidationError):
        visit(indicators=["AVD05"])  # her legal status is not a checklist item


def test_findings_follow_from_what_was_recorded() -> None:
    found = findings_of(
        visit(
            indicators=["CD01", "EXP01"],
            monthly_wage_minor=90_000,
            minimum_wage_minor=120_000,
            weekly_hours=72,
            deductions=[
                {"kind": "housing", "automatic": True, "amount_minor": 20_000},
                {"kind": "food", "automatic": False, "amount_minor": 5_000},
                {"kind": "transport", "automatic": True},
            ],
            housing="inadequate",
            documents_held=4,
            payments=[{"category": "recruitment_fee", "paid_by": "worker", "amount_minor": 100}],
        )
    )
    kinds = [f.kind for f in found]
    assert kinds.count(FindingKind.FORCED_LABOUR_INDICATOR) == 2
    assert {
        FindingKind.WAGE_BELOW_MINIMUM,
        FindingKind.EXCESSIVE_HOURS,
        FindingKind.DOCUMENTS_HELD,
        FindingKind.INADEQUATE_HOUSING,
        FindingKind.RECRUITMENT_FEES,
    } <= set(kinds)
    # §60(d): only the automatic housing deduction; a food deduction she agreed to and transport are not
    assert [f.detail for f in found if f.kind is FindingKind.AUTOMATIC_DEDUCTION] == ["housing"]
    assert findings_of(visit(weekly_hours=48, monthly_wage_minor=5, minimum_wage_minor=5)) == []


def test_a_referral_is_suggested_for_strong_control_indicators_or_documents_held() -> None:
    assert suggests_referral(visit(indicators=["CD01"]))
    assert suggests_referral(visit(documents_held=1))
    assert suggests_referral(visit(indicators=["EXP01", "EXP04"]))
    assert not suggests_referral(visit(indicators=["EXP01"]))


def test_her_referral_needs_her_consent_and_has_no_immigration_field() -> None:
    base = {"consent_language": "ar", "service_id": "s", "purpose": "Shelter tonight", "consent_given": True}
    assert WorkerReferralIn.model_validate(base).sex == "female"
    with pytest.raises(ValidationError, match="consent_given"):
        WorkerReferralIn.model_validate({**base, "consent_given": False})
    with pytest.raises(ValidationError, match="migration_status"):
        WorkerReferralIn.model_validate({**base, "migration_status": "irregular"})
    raw = screening_input(
        WorkerReferralIn.model_validate({**base, "age": 17, "indicators": ["CD02", "CD01"]})
    )
    assert raw == {
        "exploitation_form": "labour",
        "indicators": ["CD01", "CD02"],
        "age": 17,
        "age_uncertain": False,
        "reasons_to_believe_minor": False,
    }


# -- the risk order ---------------------------------------------------------------------------------------


def test_every_gr38_sector_weighs_more_than_any_other() -> None:
    scores = {s: risk_score(RiskFacts("w", "n", s, days_since_inspection=10)).score for s in Sector}
    assert all(scores[s] > 0 for s in GR38_SECTORS)
    assert min(scores[s] for s in GR38_SECTORS) > max(scores[s] for s in Sector if s not in GR38_SECTORS)


def test_the_risk_order_is_deterministic_and_explains_itself() -> None:
    places = [
        RiskFacts("b", "Bakery", Sector.MANUFACTURING, days_since_inspection=30),
        RiskFacts("f", "Farm", Sector.AGRICULTURE, past_findings=2, complaints=1),
        RiskFacts("h", "Hotel", Sector.HOSPITALITY, days_since_inspection=30),
        RiskFacts("a", "Another hotel", Sector.HOSPITALITY, days_since_inspection=30),
    ]
    ranked = risk_order(places)
    assert [r.workplace_id for r in ranked] == ["f", "a", "h", "b"]
    assert ranked[0].reasons == ("gr38_sector", "past_findings", "complaints", "never_inspected")
    assert risk_order(reversed(places)) == ranked


def test_one_noisy_source_is_capped() -> None:
    flooded = risk_score(RiskFacts("w", "n", Sector.OTHER, complaints=1_000, days_since_inspection=1))
    assert flooded.score == 7.5


# -- names and numbers -------------------------------------------------------------------------------------


def test_names_and_numbers_compare_without_form_words_or_punctuation() -> None:
    assert normalise_name("Golden Bridge Manpower Co., Ltd.") == "golden bridge manpower"
    assert normalise_licence("poea-123/2024 ") == "POEA1232024"


def test_an_action_reaches_its_outcome_and_stays_there() -> None:
    check_action_change(ActionStatus.OPEN, ActionStatus.APPEALED)
    check_action_change(ActionStatus.APPEALED, ActionStatus.COMPLIED)
    with pytest.raises(LabourRuleError):
        check_action_change(ActionStatus.COMPLIED, ActionStatus.OPEN)
