"""Assistance is unconditional (GR38 §92, §98(b)): every case has its reflection and recovery period, legal
aid and an interpreter; no referral, entitlement or outcome depends on cooperation with the authorities; a
return is refused while the latest risk assessment finds a risk (non-refoulement, §85, §89–90); no decision
about a child comes before a guardian and a best-interests determination (§96)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from opennrm.domain import services as domain
from opennrm.domain.services import (
    CONDITIONALITY_WORDS,
    MIN_REFLECTION_DAYS,
    NO_CONDITIONALITY,
    CaseOutcome,
    DecisionFacts,
    EntitlementsChange,
    OutcomePlan,
    Provision,
    ReferralRequest,
    ReturnRisk,
    RiskAssessmentInput,
    RiskFacts,
    StoredEntitlements,
    entitlements_for,
    outcome_refusal,
)
from opennrm.services import cases, consent, directory, entitlements, referrals, screenings
from opennrm.services.errors import Conflict, Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, Case, CaseOutcomePlan
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user


def today() -> dt.date:
    """Today, read when a test runs (a date taken at import goes stale if the run crosses midnight)."""
    return dt.date.today()


# Every input the referral network and the entitlements accept, with a valid example of each.
INPUTS: dict[type[BaseModel], dict[str, Any]] = {
    domain.ServiceEntry: {"name": "Shelter", "service_type": "shelter", "languages": ["en"], "place": "Town"},
    domain.ServiceChange: {"available": 3},
    domain.ServiceSearch: {"need": "medical"},
    domain.UnmetNeed: {"need": "legal_aid"},
    domain.ReferralRequest: {"service_id": "x", "purpose": "Safe place"},
    domain.Decline: {"reason": "no_capacity"},
    domain.EntitlementsChange: {"legal_aid": "arranged"},
    domain.RiskAssessmentInput: {"risk_found": False},
    domain.OutcomePlan: {"outcome": "local_integration"},
}
# The decision functions: none of them may take, or be given, anything about cooperation.
DECISIONS = (
    domain.outcome_refusal,
    domain.entitlements_for,
    domain.next_status,
    domain.matches,
    domain.is_overdue,
    domain.response_deadline,
)
FACT_TYPES = (domain.DecisionFacts, domain.RiskFacts, domain.StoredEntitlements, domain.ServiceFacts)


def _cooperation_like(name: str) -> bool:
    flat = re.sub(r"[\s\-.]+", "_", name.casefold())
    return any(word in flat for word in CONDITIONALITY_WORDS)


# -- no conditionality, by construction ----------------------------------------------------------------


def test_no_decision_function_or_fact_has_a_cooperation_input() -> None:
    names: list[str] = []
    for function in DECISIONS:
        names += list(inspect.signature(function).parameters)
    for fact_type in FACT_TYPES:
        names += [f.name for f in dataclasses.fields(fact_type)]
    for model in INPUTS:
        names += list(model.model_fields)
    names += [f for fields in domain.NEED_TO_KNOW.values() for f in fields]
    assert len(names) > 40
    assert [n for n in names if _cooperation_like(n)] == []


cooperation_keys = st.builds(
    lambda prefix, word, suffix, sep: sep.join(p for p in (prefix, word, suffix) if p),
    st.sampled_from(["", "has", "is", "she", "victim", "Agreed"]),
    st.sampled_from(
        [
            "cooperation",
            "Cooperating",
            "co-operates",
            "testimony",
            "testify",
            "witness",
            "Police",
            "prosecution",
            "law_enforcement",
            "evidence",
        ]
    ),
    st.sampled_from(["", "with_police", "given", "status", "WITH-AUTHORITIES"]),
    st.sampled_from(["_", "-", " ", "."]),
)


@settings(max_examples=150, deadline=None)
@given(
    model=st.sampled_from(sorted(INPUTS, key=lambda m: m.__name__)),
    key=cooperation_keys,
    nested=st.booleans(),
)
def test_every_input_refuses_a_cooperation_key_with_the_reason(
    model: type[BaseModel], key: str, nested: bool
) -> None:
    raw = dict(INPUTS[model])
    model.model_validate(raw)  # the example itself is valid
    raw["extra" if nested else key] = {key: True} if nested else True
    with pytest.raises(ValidationError, match="never depend on cooperation"):
        model.model_validate(raw)
    with pytest.raises(InvalidInput) as refused:
        parse(model, raw)
    assert NO_CONDITIONALITY in refused.value.message and key in (refused.value.field or "")


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))
risk_facts = st.builds(RiskFacts, dates, st.frozensets(st.sampled_from(list(ReturnRisk)), max_size=3))
stored_entitlements = st.builds(
    StoredEntitlements,
    reflection_start=st.none() | dates,
    reflection_days=st.none() | st.integers(0, 2000),
    residence_permit=st.none() | st.sampled_from(list(domain.ResidencePermitStatus)),
    legal_aid=st.none() | st.sampled_from(list(Provision)),
    interpreter=st.none() | st.sampled_from(list(Provision)),
    guardian_appointed_on=st.none() | dates,
    best_interests_determined_on=st.none() | dates,
)


@settings(max_examples=300, deadline=None)
@given(
    stored=stored_entitlements,
    identified_on=dates,
    is_child=st.none() | st.booleans(),
    assessments=st.lists(risk_facts, max_size=3),
    minimum=st.integers(0, 400),
    today=dates,
)
def test_entitlements_are_always_there(
    stored: StoredEntitlements,
    identified_on: dt.date,
    is_child: bool | None,
    assessments: list[RiskFacts],
    minimum: int,
    today: dt.date,
) -> None:
    e = entitlements_for(
        stored,
        identified_on=identified_on,
        is_child=is_child,
        risk_assessments=assessments,
        minimum_reflection_days=minimum,
        today=today,
    )
    assert e.reflection_days >= max(MIN_REFLECTION_DAYS, minimum)
    assert (e.reflection_end - e.reflection_start).days == e.reflection_days
    assert e.legal_aid == (stored.legal_aid or Provision.OFFERED)
    assert e.interpreter == (stored.interpreter or Provision.OFFERED)
    latest = e.latest_risk_assessment
    if assessments:
        assert latest is not None and latest.assessed_on == max(a.assessed_on for a in assessments)
    else:
        assert latest is None and any("assess the risks" in item for item in e.outstanding)
    assert e.non_refoulement == (latest is not None and latest.risk_found)


@settings(max_examples=400, deadline=None)
@given(
    outcome=st.sampled_from(list(CaseOutcome)),
    is_child=st.booleans(),
    guardian=st.none() | dates,
    best_interests=st.none() | dates,
    latest=st.none() | risk_facts,
    reflection_end=st.none() | dates,
)
def test_an_outcome_depends_only_on_the_child_safeguards_the_reflection_period_and_the_risk(
    outcome: CaseOutcome,
    is_child: bool,
    guardian: dt.date | None,
    best_interests: dt.date | None,
    latest: RiskFacts | None,
    reflection_end: dt.date | None,
) -> None:
    """Issue 12.5: no move (return or resettlement) during the reflection period, without a risk assessment,
    or with a risk found (non-refoulement, GR38 §85); a child's case waits for a guardian and a BID."""
    facts = DecisionFacts(is_child, guardian, best_interests, latest, reflection_end)
    child_ready = not is_child or (guardian is not None and best_interests is not None)
    is_move = outcome in (CaseOutcome.RETURN, CaseOutcome.RESETTLEMENT)
    move_safe = not is_move or (reflection_end is None and latest is not None and not latest.risks)
    refusal = outcome_refusal(outcome, facts)
    assert (refusal is None) == (child_ready and move_safe)
    if is_move and child_ready and reflection_end is not None:
        assert refusal is not None and "reflection and recovery period" in refusal
    elif latest is not None and latest.risks and is_move and child_ready:
        assert refusal is not None and refusal.startswith("non-refoulement")


# -- on a real installation ----------------------------------------------------------------------------

VIGNETTE = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment", "transportation"],
    "means": ["deception", "abuse_of_vulnerability"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
}


class Office:
    def __init__(self, inst: Installation) -> None:
        db = inst.db
        self.inst = inst
        make_org(db, "Safe Harbour")
        self.shelter_org = make_org(db, "Rose Shelter", "shelter")
        make_org(db, "Border Agency", "immigration_service")
        make_org(db, "NRM Secretariat", "nrm_secretariat")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.li = make_user(db, "li.wei", "Safe Harbour", "supervisor")
        self.rose = make_user(db, "rose", "Rose Shelter", "service_provider")
        self.liaison = make_user(db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True)
        self.coordinator = make_user(db, "coord", "NRM Secretariat", "nrm_coordinator")
        self.shelter = directory.add_service(
            db,
            parse(
                domain.ServiceEntry,
                {"name": "Rose shelter", "service_type": "shelter", "languages": ["en"], "place": "Town"},
            ),
            organisation_id=self.shelter_org,
        )

    def case(self, age: int = 24, *, reflection_over: bool = False) -> str:
        """A new case identified today, or (``reflection_over``) 60 days ago, past her reflection period."""
        identified = today() - dt.timedelta(days=60 if reflection_over else 0)
        return cases.intake(
            self.inst.db,
            self.amina.actor,
            intake(case__age_at_trafficking=age, case__identified_on=identified.isoformat()),
        )

    def plan(self, case_id: str, outcome: str, who: StaffUser | None = None) -> str:
        plan = OutcomePlan.model_validate({"outcome": outcome})
        return entitlements.plan_outcome(self.inst.db, (who or self.amina).actor, case_id, plan)

    def assess(self, case_id: str, *risks: str, on: dt.date | None = None) -> str:
        on = on or today()
        data = RiskAssessmentInput.model_validate(
            {"risk_found": bool(risks), "risks": list(risks), "assessed_on": on.isoformat()}
        )
        return entitlements.add_risk_assessment(self.inst.db, self.amina.actor, case_id, data)

    def change(self, case_id: str, **values: object) -> domain.Entitlements:
        change = EntitlementsChange.model_validate(values)
        return entitlements.update_entitlements(self.inst.db, self.amina.actor, case_id, change)


@pytest.fixture
def office(inst: Installation) -> Office:
    return Office(inst)


def test_every_case_has_its_entitlements_from_the_start(office: Office) -> None:
    case_id = office.case()
    view = entitlements.view_entitlements(office.inst.db, office.amina.actor, case_id)
    e = view.entitlements
    assert e.reflection_start == today() and e.reflection_end == today() + dt.timedelta(days=30)
    assert e.in_reflection_period and e.reflection_days == 30
    assert (e.legal_aid, e.interpreter, e.residence_permit) == ("offered", "offered", "not_applied")
    assert e.outstanding == ("assess the risks on return before any return is considered",)


def test_the_reflection_period_is_configurable_but_never_below_30_days(office: Office) -> None:
    db = office.inst.db
    with pytest.raises(InvalidInput, match="at least 30"):
        entitlements.set_minimum_reflection_days(db, 20)
    entitlements.set_minimum_reflection_days(db, 45)
    case_id = office.case(reflection_over=True)
    assert entitlements.view_entitlements(db, office.amina.actor, case_id).entitlements.reflection_days == 45
    with pytest.raises(InvalidInput, match="at least 45 days") as short:
        office.change(case_id, reflection_days=40)
    assert short.value.field == "reflection_days"
    start = today() - dt.timedelta(days=10)
    e = office.change(case_id, reflection_days=90, reflection_start=start.isoformat(), legal_aid="arranged")
    assert e.reflection_end == start + dt.timedelta(days=90) and e.legal_aid == "arranged"
    with pytest.raises(ValidationError):
        EntitlementsChange.model_validate({"reflection_days": 29})


def test_a_return_is_refused_without_a_risk_assessment_and_while_a_risk_is_found(office: Office) -> None:
    db = office.inst.db
    case_id = office.case(reflection_over=True)
    with pytest.raises(Conflict, match="a risk assessment must be completed before any return"):
        office.plan(case_id, "return")
    office.assess(case_id, on=today() - dt.timedelta(days=20))
    office.assess(case_id, "re_trafficking", "reprisals", on=today() - dt.timedelta(days=2))
    with pytest.raises(Conflict) as refused:
        office.plan(case_id, "return")
    assert refused.value.field == "outcome"
    assert refused.value.message.startswith(
        f"non-refoulement: the risk assessment of {(today() - dt.timedelta(days=2)).isoformat()} found a risk "
        "(re trafficking, reprisals)"
    )
    with pytest.raises(Conflict, match="non-refoulement"):
        office.plan(case_id, "resettlement")  # no move of any kind while a risk is found
    assert office.plan(case_id, "local_integration")  # staying is never blocked
    view = entitlements.view_entitlements(db, office.amina.actor, case_id)
    assert view.entitlements.non_refoulement and [o.outcome for o in view.outcomes] == ["local_integration"]
    with db.transaction() as s:
        denied = s.execute(
            select(AuditEvent).where(AuditEvent.action == "outcome.plan", AuditEvent.outcome == "denied")
        ).scalars()
        assert len(list(denied)) == 3
        assert [r.outcome for r in s.execute(select(CaseOutcomePlan)).scalars()] == ["local_integration"]
    office.assess(case_id, on=today())  # a later assessment finds no risk any more
    assert office.plan(case_id, "return")


def test_no_decision_about_a_child_before_a_guardian_and_a_best_interests_determination(
    office: Office,
) -> None:
    case_id = office.case(age=15)
    adult = office.case(age=30)
    with pytest.raises(Conflict, match="a guardian must be appointed"):
        office.plan(case_id, "local_integration")
    office.change(case_id, guardian_appointed_on=today().isoformat())
    with pytest.raises(Conflict, match="best-interests determination must come before"):
        office.plan(case_id, "local_integration")
    # she is with her mother: the steps for an unaccompanied child (tests/integration/test_return_and_follow_up.py)
    # do not apply
    e = office.change(case_id, best_interests_determined_on=today().isoformat(), unaccompanied=False)
    assert e.child and e.outstanding == ("assess the risks on return before any return is considered",)
    assert office.plan(case_id, "local_integration")
    with pytest.raises(Conflict, match="reflection and recovery period"):
        office.plan(case_id, "return")
    with pytest.raises(InvalidInput, match="only for a child"):
        office.change(adult, guardian_appointed_on=today().isoformat())


def test_only_the_owning_organisation_reads_and_changes_entitlements(office: Office) -> None:
    db = office.inst.db
    case_id = office.case()
    consent.record_consent(
        db,
        office.amina.actor,
        case_id,
        consent.parse_consent(
            {"purposes": ["referral"], "recipient_organisation_ids": [office.shelter_org], "language": "en"}
        ),
    )
    referrals.send_referral(
        db,
        office.amina.actor,
        case_id,
        ReferralRequest.model_validate({"service_id": office.shelter, "purpose": "x"}),
    )
    assert entitlements.view_entitlements(db, office.li.actor, case_id)
    for who in (office.rose, office.liaison, office.coordinator):
        with pytest.raises(Forbidden):
            entitlements.view_entitlements(db, who.actor, case_id)
        with pytest.raises(Forbidden):
            entitlements.plan_outcome(
                db, who.actor, case_id, OutcomePlan(outcome=CaseOutcome.LOCAL_INTEGRATION)
            )


def test_cooperation_with_the_authorities_changes_no_referral_entitlement_or_outcome(office: Office) -> None:
    """Two cases alike in everything but what the screening recorded about cooperating with the
    authorities: every referral, entitlement and outcome decision comes out the same."""
    db = office.inst.db
    results: dict[bool, dict[str, Any]] = {}
    for cooperating in (True, False):
        case_id = office.case(reflection_over=True)
        context = {"consented_to_work": False, "cooperating_with_authorities": cooperating}
        screenings.screen_case(db, office.amina.actor, case_id, {**VIGNETTE, "context": context})
        outcome: dict[str, Any] = {}
        request = ReferralRequest.model_validate({"service_id": office.shelter, "purpose": "Safe place"})
        try:
            referrals.send_referral(db, office.amina.actor, case_id, request)
        except Forbidden as exc:
            outcome["referral without consent"] = exc.message
        consent.record_consent(
            db,
            office.amina.actor,
            case_id,
            consent.parse_consent(
                {
                    "purposes": ["referral"],
                    "recipient_organisation_ids": [office.shelter_org],
                    "language": "en",
                }
            ),
        )
        outcome["referral with consent"] = referrals.send_referral(
            db, office.amina.actor, case_id, request
        ).status
        e = entitlements.view_entitlements(db, office.amina.actor, case_id).entitlements
        outcome["entitlements"] = dataclasses.replace(e, latest_risk_assessment=None)
        try:
            office.plan(case_id, "return")
        except Conflict as exc:
            outcome["return before assessment"] = exc.message
        office.assess(case_id)
        outcome["return after assessment"] = bool(office.plan(case_id, "return"))
        results[cooperating] = outcome
    assert results[True] == results[False]
    assert results[True]["referral without consent"].startswith("referral refused")
    assert results[True]["referral with consent"] == "sent"


def _client(inst: Installation, user: StaffUser) -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    login = {"username": user.username, "password": PASSWORD, "totp": user.code()}
    assert client.post("/api/session", json=login).status_code == 201
    return client


def test_the_api_and_page_refuse_a_return_with_a_clear_reason(office: Office) -> None:
    client = _client(office.inst, office.amina)
    case_id = office.case(reflection_over=True)
    made = client.post(
        f"/api/cases/{case_id}/risk-assessments", json={"risk_found": True, "risks": ["persecution"]}
    )
    assert made.status_code == 201
    incoherent = client.post(f"/api/cases/{case_id}/risk-assessments", json={"risk_found": True})
    assert incoherent.status_code == 422 and incoherent.json()["field"] == "risks"
    refused = client.post(f"/api/cases/{case_id}/outcome", json={"outcome": "return"})
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "outcome" and "non-refoulement" in refused.json()["detail"]
    cooperation = client.patch(f"/api/cases/{case_id}/entitlements", json={"police_cooperation": True})
    assert cooperation.status_code == 422 and "never depend on cooperation" in cooperation.json()["detail"]
    changed = client.patch(f"/api/cases/{case_id}/entitlements", json={"interpreter": "arranged"})
    assert changed.status_code == 200 and changed.json()["entitlements"]["interpreter"] == "arranged"
    page = client.get(f"/cases/{case_id}/entitlements")
    assert page.status_code == 200 and "non-refoulement" in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf
    posted = client.post(f"/cases/{case_id}/outcome", data={"csrf": csrf.group(1), "outcome": "return"})
    assert (
        posted.status_code == 409 and 'id="outcome-error"' in posted.text and "non-refoulement" in posted.text
    )
    unchosen = client.post(f"/cases/{case_id}/risk-assessments", data={"csrf": csrf.group(1)})
    assert unchosen.status_code == 422 and 'id="risk_found-error"' in unchosen.text
    bad = client.post(f"/cases/{case_id}/entitlements", data={"csrf": csrf.group(1), "reflection_days": "10"})
    assert bad.status_code == 422 and 'id="reflection_days-error"' in bad.text


def test_no_move_while_her_reflection_period_runs(office: Office) -> None:
    """Issue 12.5: a return or resettlement waits for the end of the reflection and recovery period."""
    case_id = office.case()
    office.assess(case_id)  # no risk found
    for move in ("return", "resettlement"):
        with pytest.raises(Conflict, match=f"runs until {(today() + dt.timedelta(days=30)).isoformat()}"):
            office.plan(case_id, move)
    plan = OutcomePlan.model_validate({"outcome": "resettlement"})
    after = today() + dt.timedelta(days=30)
    assert entitlements.plan_outcome(office.inst.db, office.amina.actor, case_id, plan, today=after)


def test_a_girl_of_uncertain_age_is_a_child_for_returns_and_guardians(office: Office) -> None:
    """Issue 12.4: age not known, reasons to believe she is a minor → every child rule applies."""
    db = office.inst.db
    girl = cases.intake(
        db,
        office.amina.actor,
        intake(case__age_at_trafficking=None, case__age_uncertain=True, case__reasons_to_believe_minor=True),
    )
    e = entitlements.view_entitlements(db, office.amina.actor, girl).entitlements
    assert e.child and "appoint a guardian" in e.outstanding
    with pytest.raises(
        Conflict, match="unaccompanied child these steps must be recorded: guardian appointed"
    ):
        office.plan(girl, "return")


def test_a_woman_trafficked_as_a_girl_years_ago_is_an_adult_now(office: Office) -> None:
    """Issue 12.4: born in 1999 and trafficked at 16, she decides for herself today."""
    db = office.inst.db
    woman = cases.intake(
        db, office.amina.actor, intake(case__age_at_trafficking=16, person__birth_date="1999-03-02")
    )
    e = entitlements.view_entitlements(db, office.amina.actor, woman).entitlements
    assert not e.child and "appoint a guardian" not in e.outstanding
    assert office.plan(woman, "local_integration")  # no guardian asked of an adult
    with db.transaction() as s:
        assert s.get(Case, woman).is_child is True  # she counts as a child victim in the statistics


def test_moving_the_reflection_period_never_opens_a_move_early(office: Office) -> None:
    """Attack review: a start moved to tomorrow, or back before she was identified, must not end the period."""
    case_id = office.case()
    office.assess(case_id)  # no risk found
    office.change(case_id, reflection_start=(today() + dt.timedelta(days=1)).isoformat())
    with pytest.raises(Conflict, match="reflection and recovery period runs until"):
        office.plan(case_id, "return")
    with pytest.raises(InvalidInput, match="cannot start before she was identified") as early:
        office.change(case_id, reflection_start="2020-01-01")
    assert early.value.field == "reflection_start"
    with pytest.raises(Conflict, match="reflection and recovery period runs until"):
        office.plan(case_id, "resettlement")


def test_a_same_day_assessment_finding_no_risk_never_wipes_out_a_risk(office: Office) -> None:
    """Attack review: non-refoulement holds while any assessment of the latest day found a risk."""
    case_id = office.case(reflection_over=True)
    office.assess(case_id, "re_trafficking")
    office.assess(case_id)  # the same day, no risk
    with pytest.raises(Conflict, match="non-refoulement"):
        office.plan(case_id, "resettlement")
    view = entitlements.view_entitlements(office.inst.db, office.amina.actor, case_id)
    assert view.entitlements.non_refoulement
    later = office.case(reflection_over=True)
    office.assess(later, "re_trafficking", on=today() - dt.timedelta(days=1))
    office.assess(later)  # a later day's assessment may find the risk gone
    assert office.plan(later, "resettlement")
