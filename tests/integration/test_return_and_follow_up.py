"""Return, resettlement and follow-up (issue 14, item 5; GR38 §84, §89–91, §95–96): dependants entitled to
assistance too; no return or resettlement in the reflection period, without a risk assessment or with a risk
found; an unaccompanied girl is not moved before her guardian, best-interests determination, family tracing
and reunification assessment; follow-ups at 1, 3, 6 and 12 months; a cross-border referral to a partner
abroad through the same consent gate; and a caseworker cannot give a case an identification decision's
status at intake."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from opennrm.config import DEFAULT_ENFORCEMENT_TYPES
from opennrm.domain import services as domain
from opennrm.domain.labels import VOCABULARY_LABELS
from opennrm.domain.reintegration import (
    DependantChange,
    DependantIn,
    ExitIn,
    FollowUpIn,
    MovePlanIn,
    add_months,
)
from opennrm.domain.services import EntitlementsChange, ReferralRequest, RiskAssessmentInput
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services import (
    admin,
    cases,
    consent,
    directory,
    entitlements,
    firewall,
    referrals,
    reintegration,
    tasks,
)
from opennrm.services.errors import Conflict, Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, Case, Dependant, FollowUp, MovePlan
from tests.conftest import Installation
from tests.support import StaffUser, client_for, intake, make_org, make_user


def today() -> dt.date:
    """Today, read when a test runs (a date taken at import goes stale if the run crosses midnight)."""
    return dt.date.today()


@pytest.fixture(autouse=True)
def _hooks() -> Iterator[None]:
    yield


class Office:
    def __init__(self, inst: Installation) -> None:
        db = inst.db
        self.inst = inst
        self.ngo = make_org(db, "Safe Harbour")
        make_org(db, "Other NGO")
        make_org(db, "Border Agency", "immigration_service")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker", team="north")
        self.ken = make_user(db, "ken", "Safe Harbour", "caseworker", team="south")
        self.li = make_user(db, "li.wei", "Safe Harbour", "supervisor")
        self.other = make_user(db, "other", "Other NGO", "supervisor")
        self.liaison = make_user(db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True)

    def case(self, age: int | None = 24, *, reflection_over: bool = False, **overrides: object) -> str:
        identified = today() - dt.timedelta(days=60 if reflection_over else 0)
        return cases.intake(
            self.inst.db,
            self.amina.actor,
            intake(case__age_at_trafficking=age, case__identified_on=identified.isoformat(), **overrides),
        )

    def assess(self, case_id: str, *risks: str, on: dt.date | None = None) -> None:
        on = on or today()
        data = RiskAssessmentInput.model_validate(
            {"risk_found": bool(risks), "risks": list(risks), "assessed_on": on.isoformat()}
        )
        entitlements.add_risk_assessment(self.inst.db, self.amina.actor, case_id, data)

    def move(
        self, case_id: str, move: str = "return", on: dt.date | None = None, who: StaffUser | None = None
    ) -> str:
        on = on or today()
        plan = MovePlanIn.model_validate(
            {"move": move, "destination_country": "ng", "planned_on": on.isoformat(), "plan": "Back home."}
        )
        return reintegration.plan_move(self.inst.db, (who or self.amina).actor, case_id, plan)

    def steps(self, case_id: str, **values: object) -> None:
        change = EntitlementsChange.model_validate(values)
        entitlements.update_entitlements(self.inst.db, self.amina.actor, case_id, change)

    def written(self, case_id: str) -> tuple[int, int]:
        with self.inst.db.transaction() as s:
            plans = s.execute(select(func.count()).where(MovePlan.case_id == case_id)).scalar_one()
            follow_ups = s.execute(select(func.count()).where(FollowUp.case_id == case_id)).scalar_one()
        return plans, follow_ups


@pytest.fixture
def office(inst: Installation) -> Office:
    return Office(inst)


# -- a return or resettlement ----------------------------------------------------------------------------


def test_a_return_is_refused_in_the_reflection_period_without_an_assessment_and_with_a_risk(
    office: Office,
) -> None:
    db = office.inst.db
    running = office.case()
    office.assess(running)  # no risk found, but her reflection period runs
    for move in ("return", "resettlement"):
        with pytest.raises(Conflict, match="reflection and recovery period runs until") as refused:
            office.move(running, move)
        assert refused.value.field == "move"
    assert office.move(running, "transfer")  # a transfer within the country is no return
    case_id = office.case(reflection_over=True)
    with pytest.raises(Conflict, match="a risk assessment must be completed") as unassessed:
        office.move(case_id)
    assert unassessed.value.field == "move"
    office.assess(case_id, "re_trafficking", on=today() - dt.timedelta(days=2))
    with pytest.raises(Conflict, match=r"^non-refoulement") as risky:
        office.move(case_id, "resettlement")
    assert risky.value.field == "move"
    assert office.written(case_id) == (0, 0)  # nothing half-written
    with db.transaction() as s:
        denied = s.execute(
            select(func.count()).where(AuditEvent.action == "move.plan", AuditEvent.outcome == "denied")
        ).scalar_one()
    assert denied == 4
    office.assess(case_id)  # a later assessment finds no risk any more
    assert office.move(case_id)
    assert office.written(case_id) == (1, 4)


def test_follow_ups_are_scheduled_at_1_3_6_and_12_months(office: Office) -> None:
    db = office.inst.db
    case_id = office.case(reflection_over=True)
    office.assess(case_id)
    leaves = dt.date(today().year + 1, 1, 31)
    office.move(case_id, "return", on=leaves)
    view = reintegration.view_reintegration(db, office.amina.actor, case_id)
    assert [(f.months, f.due_on, f.reason, f.status) for f in view.follow_ups] == [
        (1, dt.date(leaves.year, 2, 28 if leaves.year % 4 else 29), "return", "scheduled"),
        (3, dt.date(leaves.year, 4, 30), "return", "scheduled"),
        (6, dt.date(leaves.year, 7, 31), "return", "scheduled"),
        (12, dt.date(leaves.year + 1, 1, 31), "return", "scheduled"),
    ]
    stays = office.case()
    ids = reintegration.record_exit(db, office.amina.actor, stays, ExitIn(exited_on=today()))
    assert len(ids) == 4
    exits = reintegration.view_reintegration(db, office.amina.actor, stays).follow_ups
    assert [f.due_on for f in exits] == [add_months(today(), m) for m in (1, 3, 6, 12)]
    assert {f.reason for f in exits} == {"exit"}


def test_a_revised_plan_replaces_the_follow_ups_still_to_come(office: Office) -> None:
    """One set of follow-up calls at a time: those of the earlier plan not yet made are replaced, those
    already made stay."""
    db = office.inst.db
    case_id = office.case(reflection_over=True)
    office.assess(case_id)
    office.move(case_id, "return", on=today())
    first = reintegration.view_reintegration(db, office.amina.actor, case_id).follow_ups
    found = {"safety": "safe", "housing": "stable", "income": "sufficient", "re_trafficking_risk": "low"}
    done = parse(FollowUpIn, {"status": "done", **found})
    reintegration.record_follow_up(db, office.amina.actor, first[0].id, done)
    office.move(case_id, "return", on=today() + dt.timedelta(days=40))
    after = reintegration.view_reintegration(db, office.amina.actor, case_id).follow_ups
    statuses = sorted(f.status for f in after)
    assert statuses == ["done"] + ["replaced"] * 3 + ["scheduled"] * 4
    # a contact already due and not made is not wiped out by a new plan: it stays on her caseworker's list
    late = office.case(reflection_over=True)
    office.assess(late)
    reintegration.record_exit(db, office.amina.actor, late, ExitIn(exited_on=today() - dt.timedelta(days=40)))
    office.move(late, "return")
    kept = reintegration.view_reintegration(db, office.amina.actor, late).follow_ups
    assert [(f.months, f.reason) for f in kept if f.status == "scheduled" and f.overdue] == [(1, "exit")]


def test_her_children_are_children_while_their_age_is_unknown_or_uncertain(office: Office) -> None:
    db = office.inst.db
    case_id = office.case()
    for raw in ({"relationship": "child"}, {"relationship": "child", "age": 18, "age_uncertain": True}):
        reintegration.add_dependant(db, office.amina.actor, case_id, parse(DependantIn, raw))
    reintegration.add_dependant(
        db, office.amina.actor, case_id, parse(DependantIn, {"relationship": "other"})
    )
    view = reintegration.view_reintegration(db, office.amina.actor, case_id)
    assert [d.is_child for d in view.dependants] == [True, True, False]
    with pytest.raises(InvalidInput):
        parse(FollowUpIn, {"status": "replaced"})


def test_a_follow_up_records_safety_housing_income_and_risk_with_encrypted_notes(office: Office) -> None:
    db = office.inst.db
    case_id = office.case()
    first = reintegration.record_exit(db, office.amina.actor, case_id, ExitIn(exited_on=today()))[0]
    with pytest.raises(InvalidInput, match="say what the contact found") as incomplete:
        parse(FollowUpIn, {"status": "done", "safety": "safe", "housing": "stable", "income": "none"})
    assert incomplete.value.field == "re_trafficking_risk"
    with pytest.raises(InvalidInput) as scheduled:
        parse(FollowUpIn, {"status": "scheduled"})
    assert scheduled.value.field == "status"
    found = parse(
        FollowUpIn,
        {
            "status": "done",
            "safety": "concerns",
            "housing": "temporary",
            "income": "insufficient",
            "re_trafficking_risk": "high",
            "notes": "The recruiter called her sister again.",
        },
    )
    reintegration.record_follow_up(db, office.amina.actor, first, found)
    seen = reintegration.view_reintegration(db, office.amina.actor, case_id).follow_ups[0]
    assert (seen.status, seen.re_trafficking_risk, seen.contacted_on) == ("done", "high", today())
    assert seen.notes == "The recruiter called her sister again."
    with db.transaction() as s:
        row = s.get(FollowUp, first)
        assert row is not None and row.notes_enc and b"recruiter" not in row.notes_enc
    with pytest.raises(Forbidden):
        reintegration.record_follow_up(db, office.other.actor, first, found)
    with pytest.raises(Forbidden):
        reintegration.record_follow_up(db, office.liaison.actor, first, found)


def test_follow_ups_due_lists_what_the_caseworker_reaches_for_the_tasks_home(office: Office) -> None:
    db = office.inst.db
    case_id = office.case()
    month_ago = add_months(today(), -1)
    reintegration.record_exit(db, office.amina.actor, case_id, ExitIn(exited_on=month_ago))
    due = reintegration.follow_ups_due(db, office.amina.actor, today())
    assert [(d.case_id, d.months, d.due_on, d.label) for d in due] == [
        (case_id, 1, today(), "Follow-up contact after she left the services")
    ]
    assert not due[0].overdue and due[0].href.startswith(f"/cases/{case_id}/return#follow-up-")
    later = reintegration.follow_ups_due(
        db, office.amina.actor, add_months(month_ago, 3) + dt.timedelta(days=1)
    )
    assert [(d.months, d.overdue) for d in later] == [(1, True), (3, True)]
    assert reintegration.follow_ups_due(db, office.li.actor, today())  # her supervisor sees it too
    assert reintegration.follow_ups_due(db, office.ken.actor, today()) == []  # not his case
    assert reintegration.follow_ups_due(db, office.other.actor, today()) == []
    assert reintegration.follow_ups_due(db, office.liaison.actor, today()) == []
    with db.transaction() as session:  # the tasks home may pass its own session
        assert len(reintegration.follow_ups_due(session, office.amina.actor, today())) == 1
    reintegration.record_follow_up(
        db, office.amina.actor, due[0].follow_up_id, FollowUpIn.model_validate({"status": "missed"})
    )
    assert reintegration.follow_ups_due(db, office.amina.actor, today()) == []


def test_a_follow_up_due_is_a_task_on_her_caseworkers_home_and_nobody_elses(office: Office) -> None:
    db = office.inst.db
    case_id = office.case()
    reintegration.record_exit(db, office.amina.actor, case_id, ExitIn(exited_on=add_months(today(), -1)))
    found = [t for t in tasks.tasks_for(db, office.amina.actor, today=today()) if t.kind == "follow_up"]
    assert [(t.case_id, t.label, t.params["months"], t.due) for t in found] == [
        (case_id, "follow_up_exit", 1, today())
    ]
    assert found[0].href.startswith(f"/cases/{case_id}/return#follow-up-")
    assert not [t for t in tasks.tasks_for(db, office.ken.actor, today=today()) if t.kind == "follow_up"]


# -- an unaccompanied girl ------------------------------------------------------------------------------


def test_an_unaccompanied_girl_is_not_moved_until_every_step_is_recorded(office: Office) -> None:
    db = office.inst.db
    girl = office.case(
        age=None, reflection_over=True, case__age_uncertain=True, case__reasons_to_believe_minor=True
    )
    office.assess(girl)
    for move in ("return", "resettlement", "transfer"):
        with pytest.raises(Conflict) as refused:
            office.move(girl, move)
        assert refused.value.field == "move"
        assert refused.value.message == (
            "before any move of an unaccompanied child these steps must be recorded: guardian appointed, "
            "best interests determination, family tracing, reunification assessment (GR38 §96)"
        )
    with pytest.raises(Conflict, match="unaccompanied child"):  # the planned outcome follows the same rule
        entitlements.plan_outcome(
            db, office.amina.actor, girl, domain.OutcomePlan(outcome=domain.CaseOutcome.RETURN)
        )
    office.steps(
        girl, guardian_appointed_on=today().isoformat(), best_interests_determined_on=today().isoformat()
    )
    with pytest.raises(Conflict, match=r"recorded: family tracing, reunification assessment \(GR38"):
        office.move(girl, "transfer")
    view = reintegration.view_reintegration(db, office.amina.actor, girl)
    assert view.is_child and view.unaccompanied
    assert view.child_steps_missing == ["family_tracing", "reunification_assessment"]
    office.steps(girl, family_traced_on=today().isoformat())
    with pytest.raises(Conflict, match=r"recorded: reunification assessment \(GR38"):
        office.move(girl, "return")
    office.steps(girl, reunification_assessed_on=today().isoformat())
    assert office.move(girl, "return")
    assert reintegration.view_reintegration(db, office.amina.actor, girl).child_steps_missing == []


def test_a_girl_with_her_mother_needs_a_guardian_and_a_determination_only(office: Office) -> None:
    girl = office.case(age=15, reflection_over=True)
    office.assess(girl)
    office.steps(girl, unaccompanied=False)
    with pytest.raises(
        Conflict, match=r"move of a child these steps must be recorded: guardian appointed, best"
    ):
        office.move(girl, "transfer")
    office.steps(
        girl, guardian_appointed_on=today().isoformat(), best_interests_determined_on=today().isoformat()
    )
    assert office.move(girl, "transfer")
    adult = office.case(age=30)
    with pytest.raises(InvalidInput, match="only for a child") as adult_refused:
        office.steps(adult, family_traced_on=today().isoformat())
    assert adult_refused.value.field == "family_traced_on"


# -- dependants ---------------------------------------------------------------------------------------


def test_a_return_with_her_children_waits_for_each_child_s_best_interests(office: Office) -> None:
    """Her children move with her: a return or resettlement waits until the best interests of each child
    with her in the move are assessed (GR38 §84, §95); a child not with her, an adult dependant and a
    transfer within the country wait for nothing."""
    db = office.inst.db
    case_id = office.case(reflection_over=True)
    office.assess(case_id)

    def dependant(**raw: object) -> str:
        return reintegration.add_dependant(db, office.amina.actor, case_id, parse(DependantIn, raw))

    daughter = dependant(relationship="child", age=6)
    son = dependant(relationship="child", age=9)
    dependant(relationship="child", age=8, with_her=False)
    dependant(relationship="sibling", age=25)
    with pytest.raises(Conflict, match="2 still to assess") as waiting:
        office.move(case_id, "return")
    assert waiting.value.field == "move"
    with pytest.raises(Conflict, match="2 still to assess"):  # the planned outcome waits the same way
        entitlements.plan_outcome(
            db, office.amina.actor, case_id, domain.OutcomePlan(outcome=domain.CaseOutcome.RETURN)
        )
    with pytest.raises(InvalidInput, match="cannot be dated before") as early:
        reintegration.change_dependant(
            db, office.amina.actor, son, parse(DependantChange, {"best_interests_on": "2001-01-01"})
        )
    assert early.value.field == "best_interests_on"
    assert "best interests" in (
        reintegration.view_reintegration(db, office.amina.actor, case_id).move_blocked or ""
    )
    assert office.move(case_id, "transfer")
    assessed = parse(DependantChange, {"best_interests_on": today().isoformat()})
    reintegration.change_dependant(db, office.amina.actor, daughter, assessed)
    with pytest.raises(Conflict, match="1 still to assess"):
        office.move(case_id, "resettlement")
    reintegration.change_dependant(db, office.amina.actor, son, assessed)
    assert office.move(case_id, "return")
    with pytest.raises(InvalidInput, match="future") as future:  # an assessment is recorded once made
        parse(DependantChange, {"best_interests_on": (today() + dt.timedelta(days=3)).isoformat()})
    assert future.value.field == "best_interests_on"


def test_dependants_are_encrypted_presumed_children_and_covered_by_her_entitlements(office: Office) -> None:
    db = office.inst.db
    case_id = office.case()
    son = reintegration.add_dependant(
        db,
        office.amina.actor,
        case_id,
        parse(
            DependantIn,
            {
                "relationship": "child",
                "given_name": "Yusuf",
                "age_uncertain": True,
                "reasons_to_believe_minor": True,
                "needs": ["medical", "livelihoods_education", "medical"],
            },
        ),
    )
    reintegration.add_dependant(
        db, office.amina.actor, case_id, parse(DependantIn, {"relationship": "sibling", "age": 19})
    )
    view = reintegration.view_reintegration(db, office.amina.actor, case_id)
    assert [(d.relationship, d.given_name, d.is_child, d.needs) for d in view.dependants] == [
        ("child", "Yusuf", True, ["livelihoods_education", "medical"]),
        ("sibling", None, False, []),
    ]
    with db.transaction() as s:
        row = s.get(Dependant, son)
        assert row is not None and b"Yusuf" not in row.details_enc
    assert entitlements.view_entitlements(db, office.amina.actor, case_id).dependants_with_her == 2
    reintegration.change_dependant(db, office.amina.actor, son, DependantChange(with_her=False))
    assert entitlements.view_entitlements(db, office.amina.actor, case_id).dependants_with_her == 1
    with pytest.raises(InvalidInput, match="never depend on cooperation"):
        parse(DependantIn, {"relationship": "child", "police_cooperation": True})
    with pytest.raises(Forbidden):
        reintegration.add_dependant(db, office.liaison.actor, case_id, DependantIn(relationship="child"))
    with pytest.raises(Forbidden):
        reintegration.view_reintegration(db, office.other.actor, case_id)


# -- a partner abroad -----------------------------------------------------------------------------------


def test_a_partner_abroad_is_reached_only_through_the_consent_gate(office: Office) -> None:
    db = office.inst.db
    with pytest.raises(InvalidInput, match="names its country") as no_country:
        admin.add_organisation(db, "Hope Lagos", "partner_abroad")
    assert no_country.value.field == "country"
    with pytest.raises(InvalidInput) as bad_country:
        admin.add_organisation(db, "Hope Lagos", "partner_abroad", country="XX")
    assert bad_country.value.field == "country"
    partner = admin.add_organisation(db, "Hope Lagos", "partner_abroad", country="ng")
    elsewhere = make_org(db, "Town Clinic", "health_service")
    service = directory.add_service(
        db,
        parse(
            domain.ServiceEntry,
            {
                "name": "Reintegration support",
                "service_type": "safe_return_support",
                "languages": ["en"],
                "place": "Lagos",
            },
        ),
        organisation_id=partner,
    )
    listed = directory.search_services(db, parse(domain.ServiceSearch, {"need": "safe_return_support"}))
    assert [(s.organisation, s.organisation_country) for s in listed] == [("Hope Lagos", "NG")]
    case_id = office.case()
    request = ReferralRequest(service_id=service, purpose="Support on her return home")
    with pytest.raises(Forbidden, match="referral refused: no consent is recorded"):
        referrals.send_referral(db, office.amina.actor, case_id, request)
    consent.record_consent(
        db,
        office.amina.actor,
        case_id,
        consent.parse_consent(
            {"purposes": ["referral"], "recipient_organisation_ids": [elsewhere], "language": "en"}
        ),
    )
    with pytest.raises(Forbidden, match="referral refused"):
        referrals.send_referral(db, office.amina.actor, case_id, request)
    consent.record_consent(
        db,
        office.amina.actor,
        case_id,
        consent.parse_consent(
            {"purposes": ["referral"], "recipient_types": ["partner_abroad"], "language": "en"}
        ),
    )
    assert referrals.send_referral(db, office.amina.actor, case_id, request).status == "sent"


def test_a_partner_abroad_is_no_enforcement_type_and_the_firewall_keeps_its_four(office: Office) -> None:
    always = {"police", "prosecution", "immigration_service", "financial_intelligence_unit"}
    assert {t.value for t in DEFAULT_ENFORCEMENT_TYPES} == always
    assert OrganisationType.PARTNER_ABROAD not in DEFAULT_ENFORCEMENT_TYPES
    with office.inst.db.transaction() as session:
        listed = set(firewall.enforcement_types_in(session))
    assert always <= listed and "partner_abroad" not in listed


# -- the trafficking status at intake ---------------------------------------------------------------------


def test_a_caseworker_cannot_give_a_case_an_identification_decisions_status(office: Office) -> None:
    db = office.inst.db
    for status in ("actual_victim", "not_a_victim"):
        with pytest.raises(InvalidInput, match="is an identification decision") as refused:
            cases.intake(db, office.amina.actor, intake(case__trafficking_status=status))
        assert refused.value.field == "case.trafficking_status"
    with db.transaction() as s:
        assert s.execute(select(func.count()).select_from(Case)).scalar_one() == 0  # nothing written
    presumed = cases.intake(db, office.amina.actor, intake(case__trafficking_status="presumed_victim"))
    with db.transaction() as s:
        row = s.get(Case, presumed)
        assert row is not None and (row.trafficking_status, row.status_imported) == ("presumed_victim", False)
    client = client_for(office.inst.settings, office.amina)
    answer = client.post("/api/cases", json={"case": {"trafficking_status": "actual_victim"}})
    assert answer.status_code == 422 and answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == "case.trafficking_status"


def test_an_import_keeps_its_status_flagged_as_imported(office: Office) -> None:
    db = office.inst.db
    line = json.dumps({"case": {"trafficking_status": "actual_victim", "sex": "female"}})
    cases.import_cases(db, "cli", [line], default_organisation_id=office.ngo, organisations={})
    with db.transaction() as s:
        row = s.execute(select(Case)).scalar_one()
        assert (row.trafficking_status, row.status_imported) == ("actual_victim", True)
        case_id = row.id
    assert cases.view_case(db, office.li.actor, case_id).status_imported  # shown beside the status
    page = client_for(office.inst.settings, office.li).get(f"/cases/{case_id}")
    assert "imported: not decided here" in page.text


# -- the API and the page -------------------------------------------------------------------------------


def test_the_api_and_the_page_refuse_a_move_naming_the_field(office: Office) -> None:
    client = client_for(office.inst.settings, office.amina)
    case_id = office.case()
    body = {"move": "return", "destination_country": "NG", "planned_on": today().isoformat(), "plan": "Home."}
    refused = client.post(f"/api/cases/{case_id}/moves", json=body)
    assert refused.status_code == 409 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "move" and "reflection and recovery period" in refused.json()["detail"]
    bad = client.post(f"/api/cases/{case_id}/moves", json={**body, "destination_country": "ZZ"})
    assert bad.status_code == 422 and bad.json()["field"] == "destination_country"
    made = client.post(f"/api/cases/{case_id}/dependants", json={"relationship": "child", "age": 3})
    assert made.status_code == 201
    read = client.get(f"/api/cases/{case_id}/return")
    assert read.status_code == 200 and read.json()["dependants"][0]["is_child"] is True
    page = client.get(f"/cases/{case_id}/return")
    assert page.status_code == 200 and "reflection and recovery period" in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf
    posted = client.post(f"/cases/{case_id}/moves", data={"csrf": csrf.group(1), **body})
    assert posted.status_code == 409
    assert 'class="error-summary"' in posted.text and 'href="#move"' in posted.text
    assert 'id="move-error"' in posted.text and 'aria-invalid="true"' in posted.text
    incomplete = client.post(
        f"/cases/{case_id}/dependants", data={"csrf": csrf.group(1), "relationship": "", "age": "-3"}
    )
    assert incomplete.status_code == 422 and 'href="#relationship"' in incomplete.text
    saved = client.post(
        f"/cases/{case_id}/exit",
        data={"csrf": csrf.group(1), "exited_on": today().isoformat()},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "done=exit" in saved.headers["location"]
    shown = client.get(saved.headers["location"])
    assert "Follow-up contacts at 1, 3, 6 and 12 months are scheduled" in shown.text
    follow_up = reintegration.view_reintegration(office.inst.db, office.amina.actor, case_id).follow_ups[0]
    unsaid = client.post(
        f"/cases/{case_id}/follow-ups/{follow_up.id}", data={"csrf": csrf.group(1), "status": "done"}
    )
    assert unsaid.status_code == 422 and 'href="#safety"' in unsaid.text
    hub = client.get(f"/cases/{case_id}")
    assert hub.status_code == 200 and f'href="/cases/{case_id}/return"' in hub.text
    assert (
        client_for(office.inst.settings, office.liaison).get(f"/api/cases/{case_id}/return").status_code
        == 403
    )


def test_every_code_and_label_of_the_return_pages_is_translated() -> None:
    import enum

    from opennrm.domain import reintegration as vocab
    from opennrm.web import i18n

    shown: list[type[enum.StrEnum]] = [
        vocab.Relationship,
        vocab.FollowUpReason,
        vocab.FollowUpStatus,
        vocab.Safety,
        vocab.Housing,
        vocab.Income,
        vocab.RiskLevel,
        domain.Move,
        domain.ChildStep,
    ]
    unlabelled = [m.value for v in shown for m in v if m.value not in VOCABULARY_LABELS]
    assert unlabelled == []
    with i18n.activated("zh-Hant"):
        for label in reintegration.LABELS.values():
            assert i18n.gettext(label) != label


def test_the_command_line_adds_a_partner_abroad_with_its_country(sqlite_inst: Installation) -> None:
    import os

    from typer.testing import CliRunner

    from opennrm.cli.main import _register, app
    from opennrm.store.tables import Organisation

    _register()
    environment = sqlite_inst.env()
    cleared = {k: None for k in os.environ if k.startswith("OPENNRM_") and k not in environment}

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, list(args), env={**cleared, **environment})
        return result.exit_code, result.stdout + result.stderr

    code, said = run("org", "add", "Hope Lagos", "--type", "partner_abroad")
    assert code != 0 and "names its country" in said and len(said.strip().splitlines()) == 1
    assert run("org", "add", "Hope Lagos", "--type", "partner_abroad", "--country", "NG")[0] == 0
    with sqlite_inst.db.transaction() as s:
        org = s.execute(select(Organisation).where(Organisation.name == "Hope Lagos")).scalar_one()
        assert (org.type, org.country) == ("partner_abroad", "NG")


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (DependantIn, {"relationship": "child"}),
        (DependantChange, {"with_her": False}),
        (
            MovePlanIn,
            {"move": "return", "destination_country": "NG", "planned_on": today().isoformat(), "plan": "x"},
        ),
        (ExitIn, {"exited_on": today().isoformat()}),
        (FollowUpIn, {"status": "missed"}),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_no_input_of_the_return_pages_takes_cooperation_with_the_authorities(
    model: type[DependantIn], example: dict[str, object]
) -> None:
    """DESIGN invariant 1: a return, a follow-up or a dependant's help never depends on cooperation."""
    parse(model, example)
    for key in ("cooperated_with_police", "testimony_given", "prosecution_status"):
        with pytest.raises(InvalidInput, match="never depend on cooperation") as refused:
            parse(model, {**example, key: True})
        assert refused.value.field == key
