"""Identification decisions (GR38 §77–78), on SQLite and PostgreSQL: a multi-agency panel never led by an
enforcement organisation, decisions at the procedure's stages with deadlines in working days, the case's
standing following them (never downwards but by reconsideration), a negative decision opening the move-on
period without ending any service, reconsideration by someone else, the letter, deadlines and statistics.
No decision can be tied to cooperation with the police or to criminal proceedings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from opennrm.identification.procedure import shipped_procedure
from opennrm.identification.rules import (
    ConfirmationInput,
    DecisionInput,
    PanelInput,
    ReconsiderationDecisionInput,
    ReconsiderationRequestInput,
    RecusalInput,
)
from opennrm.identification.working_days import national_holidays
from opennrm.services import cases, consent, entitlements, firewall, identification, screenings
from opennrm.services.errors import Conflict, Forbidden, InvalidInput
from opennrm.services.identification import NationalProcedure
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, Case, CaseEntitlement, Disclosure
from tests.conftest import Installation
from tests.support import StaffUser, client_for, csrf_of, intake, make_org, make_user

SCREENING = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment", "transportation"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
}
# A Monday; 2025-05-05 (Monday) is the Early May bank holiday in England.
MONDAY = dt.date(2025, 4, 28)
NAT = NationalProcedure(shipped_procedure("default"), national_holidays("GB", "ENG"), "GB")


@dataclass
class World:
    inst: Installation
    owner: StaffUser
    owner_supervisor: StaffUser
    clinic: StaffUser
    clinic_caseworker: StaffUser
    outsider: StaffUser
    case_id: str
    screening_id: str
    orgs: dict[str, str]

    @property
    def db(self) -> Any:
        return self.inst.db


def _world(inst: Installation, *, consent_to_panel: bool = True) -> World:
    db = inst.db
    orgs = {
        "owner": make_org(db, "Owner NGO"),
        "clinic": make_org(db, "Clinic", "health_service"),
        "ngo2": make_org(db, "Second NGO"),
        "police": make_org(db, "Police", "police"),
        "immigration": make_org(db, "Border Agency", "immigration_service"),
        "outsider": make_org(db, "Outside Shelter", "shelter"),
    }
    owner = make_user(db, "owner", "Owner NGO", "caseworker")
    supervisor = make_user(db, "owner-sup", "Owner NGO", "supervisor")
    clinic = make_user(db, "clinic-sup", "Clinic", "supervisor")
    clinic_cw = make_user(db, "clinic-cw", "Clinic", "caseworker")
    outsider = make_user(db, "outsider", "Outside Shelter", "supervisor")
    # identified well before the panel meets: her reflection period has run its course by the final stage
    case_id = cases.intake(db, owner.actor, intake(case__identified_on=MONDAY - dt.timedelta(days=60)))
    screening_id, _ = screenings.screen_case(db, owner.actor, case_id, SCREENING)
    if consent_to_panel:
        consent.record_consent(
            db,
            owner.actor,
            case_id,
            consent.parse_consent(
                {"purposes": ["identification"], "recipient_types": ["health_service"], "language": "en"}
            ),
        )
    return World(inst, owner, supervisor, clinic, clinic_cw, outsider, case_id, screening_id, orgs)


def _convene(w: World, *orgs: str, today: dt.date = MONDAY) -> str:
    data = parse(PanelInput, {"organisation_ids": [w.orgs[o] for o in orgs]})
    return identification.convene_panel(w.db, NAT, w.owner.actor, w.case_id, data, today=today)


def _decide(
    w: World,
    user: StaffUser,
    stage: str,
    outcome: str,
    on: dt.date,
    *,
    confirmed_by: StaffUser | None = None,
    **extra: Any,
) -> str:
    """``user`` proposes the decision; a member of the case's own organisation (another organisation on the
    panel) confirms it the same day, unless ``confirmed_by`` names someone else."""
    proposed = _propose(w, user, stage, outcome, on, **extra)
    taken = identification.answer_proposal(
        w.db, NAT, (confirmed_by or w.owner).actor, w.case_id, ConfirmationInput(confirm=True), today=on
    )
    assert taken == proposed
    return proposed


def _propose(w: World, user: StaffUser, stage: str, outcome: str, on: dt.date, **extra: Any) -> str:
    raw = {
        "stage": stage,
        "outcome": outcome,
        "screening_id": w.screening_id,
        "indicators": ["DR01", "EXP01"],
        "reasons": "She was deceived about the job and her documents were taken.",
        "decided_on": on.isoformat(),
        **extra,
    }
    data = parse(DecisionInput, raw)
    return identification.record_decision(w.db, NAT, user.actor, w.case_id, data, today=on)


def _case(w: World) -> Case:
    with w.db.transaction() as session:
        case = session.get(Case, w.case_id)
        assert case is not None
        session.expunge(case)
        return case


# -- the panel -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("enforcement", ["police", "immigration"])
def test_a_panel_with_an_enforcement_organisation_is_refused(inst: Installation, enforcement: str) -> None:
    w = _world(inst)
    with pytest.raises(InvalidInput) as refused:
        _convene(w, "owner", "clinic", enforcement)
    assert refused.value.field == "organisation_ids"
    assert "GR38 §78" in refused.value.message
    with w.db.transaction() as session:
        assert session.execute(select(Disclosure)).first() is None  # nothing shared


def test_a_type_added_to_the_firewall_list_cannot_sit(inst: Installation) -> None:
    w = _world(inst)
    firewall.set_enforcement_types(w.db, [*firewall.ALWAYS, "health_service"])
    with pytest.raises(InvalidInput, match="firewall"):
        _convene(w, "owner", "clinic", "ngo2")


def test_a_panel_of_one_organisation_type_is_refused(inst: Installation) -> None:
    w = _world(inst)
    with pytest.raises(InvalidInput, match="different types") as refused:
        _convene(w, "owner", "ngo2")  # two NGOs
    assert refused.value.field == "organisation_ids"
    with pytest.raises(InvalidInput, match="at least 2 organisations"):
        _convene(w, "owner")


def test_sharing_with_the_panel_goes_through_the_consent_gate(inst: Installation) -> None:
    w = _world(inst, consent_to_panel=False)
    with pytest.raises(Forbidden, match="consent"):
        _convene(w, "owner", "clinic")
    with w.db.transaction() as session:
        assert session.execute(select(Disclosure)).first() is None


def test_a_panel_refused_for_want_of_consent_leads_to_her_consent_with_the_organisations_kept(
    inst: Installation,
) -> None:
    w = _world(inst, consent_to_panel=False)
    client = client_for(w.inst.settings, w.owner)
    page = client.get(f"/cases/{w.case_id}/identification")
    chosen = [w.orgs["owner"], w.orgs["clinic"]]
    refused = client.post(
        f"/cases/{w.case_id}/identification/panel",
        data={"csrf": csrf_of(page.text), "organisation_ids": chosen},
    )
    assert refused.status_code == 403
    assert all(f'value="{o}" checked' in refused.text for o in chosen)  # every tick kept
    link = f"/cases/{w.case_id}/consents?purpose=identification&amp;recipient={chosen[0]}"
    assert link in refused.text


def test_members_see_what_deciding_needs_and_lose_it_when_consent_is_revoked(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    view = identification.view_identification(w.db, NAT, w.clinic.actor, w.case_id, today=MONDAY)
    assert view.may_decide and not view.owner_side
    assert view.screenings[0]["indicators"] == ["AVD01", "CD03", "DR01", "EXP01"]
    assert set(view.case) == set(identification.PANEL_CASE_FIELDS)
    # the member's organisation reads no identity field of the case
    seen = cases.view_case(w.db, w.clinic.actor, w.case_id)
    assert seen.person == {} and "events" not in seen.case
    with pytest.raises(Forbidden):
        identification.view_identification(w.db, NAT, w.outsider.actor, w.case_id)
    shared = consent.list_consents(w.db, w.owner.actor, w.case_id)[0]["id"]
    consent.revoke_consent(w.db, w.owner.actor, shared)
    with pytest.raises(Forbidden, match="consent"):
        identification.view_identification(w.db, NAT, w.clinic.actor, w.case_id)


def test_recusal_is_recorded_and_a_panel_left_with_one_type_cannot_decide(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    reason = parse(
        RecusalInput, {"organisation_id": w.orgs["clinic"], "reason": "We employed her recruiter."}
    )
    identification.recuse(w.db, NAT, w.clinic.actor, w.case_id, reason)
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id)
    recused = next(m for m in view.members if m.organisation_id == w.orgs["clinic"])
    assert recused.recused and recused.recusal_reason == "We employed her recruiter."
    with pytest.raises(Forbidden, match="recused"):
        _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY)
    with pytest.raises(Conflict, match="at least 2"):
        _decide(w, w.owner_supervisor, "reasonable_grounds", "positive", MONDAY)


# -- decisions -----------------------------------------------------------------------------------------


def test_deadlines_skip_weekends_and_holidays(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic", today=MONDAY)
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id, today=MONDAY)
    # 5 working days from Monday 28 April 2025: Tue, Wed, Thu, Fri, (weekend), (bank holiday 5 May), Tue 6 May
    assert view.due_on == dt.date(2025, 5, 6)
    assert not view.overdue
    late = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id, today=dt.date(2025, 5, 7))
    assert late.overdue
    items = identification.deadlines(w.db, NAT, w.clinic.actor, coordinator=False, today=dt.date(2025, 5, 7))
    assert [(i.case_id, i.overdue) for i in items] == [(w.case_id, True)]
    coordinator = identification.deadlines(w.db, NAT, w.clinic.actor, coordinator=True, today=MONDAY)
    assert [i.case_id for i in coordinator] == [None]  # the coordinator sees the network, not the person


def test_the_case_follows_the_decisions_and_never_moves_down(inst: Installation) -> None:
    w = _world(inst)
    assert _case(w).trafficking_status == "presumed_victim"
    _convene(w, "owner", "clinic")
    with pytest.raises(InvalidInput, match="reasonable_grounds") as wrong_stage:
        _decide(w, w.clinic, "conclusive_grounds", "positive", MONDAY)
    assert wrong_stage.value.field == "stage"
    _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY)
    case = _case(w)
    assert (case.identification_stage, case.trafficking_status) == ("first", "presumed_victim")
    with pytest.raises(InvalidInput, match="recovery period") as early:
        _decide(w, w.clinic, "conclusive_grounds", "positive", MONDAY + dt.timedelta(days=10))
    assert early.value.field == "decided_on"
    _decide(w, w.clinic, "conclusive_grounds", "positive", MONDAY + dt.timedelta(days=30))
    case = _case(w)
    assert (case.identification_stage, case.trafficking_status) == ("final", "actual_victim")
    with pytest.raises(Forbidden):  # the panel has decided and no longer reads the case
        _decide(w, w.clinic, "reasonable_grounds", "negative", MONDAY + dt.timedelta(days=31))
    with pytest.raises(Conflict):
        _convene(w, "owner", "clinic", today=MONDAY + dt.timedelta(days=31))


def test_her_periods_run_from_the_day_a_decision_is_recorded_and_wait_for_her_reflection(
    inst: Installation,
) -> None:
    """A decision dated before the panel met is refused; one dated earlier than the day it is recorded
    shortens nothing; no final decision while her own reflection and recovery period runs (GR38 §92)."""
    w = _world(inst)
    _convene(w, "owner", "clinic")
    with pytest.raises(InvalidInput, match="before the panel met") as backdated:
        _decide(
            w, w.clinic, "reasonable_grounds", "negative", MONDAY, decided_on=MONDAY - dt.timedelta(days=1)
        )
    assert backdated.value.field == "decided_on"
    _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY + dt.timedelta(days=20), decided_on=MONDAY)
    with pytest.raises(InvalidInput, match="recovery period"):  # 30 days from the day it was recorded
        _decide(w, w.clinic, "conclusive_grounds", "positive", MONDAY + dt.timedelta(days=35))
    with w.db.transaction() as session:  # her own reflection period, set longer than the procedure's
        session.add(
            CaseEntitlement(case_id=w.case_id, reflection_days=200, updated_at=dt.datetime.now(dt.UTC))
        )
    with pytest.raises(InvalidInput, match="reflection and recovery period") as waiting:
        _decide(w, w.clinic, "conclusive_grounds", "positive", MONDAY + dt.timedelta(days=60))
    assert waiting.value.field == "decided_on"


def test_the_panel_reads_which_questions_were_never_put_to_her(inst: Installation) -> None:
    """What the panel decides on includes every answer of the stored screening, "not asked" apart from "no"
    (issue 14.6), so a negative decision cannot rest unseen on questions nobody asked."""
    w = _world(inst)
    answers = {"DR01": "yes", "EXP01": "yes", "CD01": "no", "CD03": "not_asked"}
    screenings.screen_case(w.db, w.owner.actor, w.case_id, SCREENING, answers=answers)
    _convene(w, "owner", "clinic")
    view = identification.view_identification(w.db, NAT, w.clinic.actor, w.case_id, today=MONDAY)
    latest = next(s for s in view.screenings if s["answers"])
    assert latest["answers"]["CD03"] == "not_asked" and latest["answers"]["CD01"] == "no"


def test_only_deciding_roles_of_sitting_organisations_decide(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    with pytest.raises(Forbidden):
        _decide(w, w.outsider, "reasonable_grounds", "positive", MONDAY)
    provider = make_user(w.db, "clinic-sp", "Clinic", "service_provider")
    with pytest.raises(Forbidden, match="does not decide"):
        _decide(w, provider, "reasonable_grounds", "positive", MONDAY)


def test_a_negative_decision_opens_the_move_on_period_and_keeps_services(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    _decide(w, w.clinic, "reasonable_grounds", "negative", MONDAY, dissent="I would have found grounds.")
    case = _case(w)
    assert case.trafficking_status == "not_a_victim"
    minimum = entitlements.minimum_reflection_days(w.db)
    assert case.move_on_until == MONDAY + dt.timedelta(days=max(NAT.procedure.move_on_days, minimum))
    assert (case.move_on_until - MONDAY).days >= 30
    assert case.status != "closed"
    kept = entitlements.view_entitlements(w.db, w.owner.actor, w.case_id)
    assert kept.entitlements.legal_aid and kept.entitlements.interpreter
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id)
    assert view.decisions[0].dissent == "I would have found grounds."


def test_decisions_rest_on_the_case_s_screening_and_its_indicators(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    with pytest.raises(InvalidInput) as unknown:
        _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY, indicators=["CR09"])
    assert unknown.value.field == "indicators"
    with pytest.raises(InvalidInput) as other:
        _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY, screening_id="nope")
    assert other.value.field == "screening_id"


@pytest.mark.parametrize(
    "key",
    ["cooperated_with_police", "criminal_proceedings", "testimony_given", "prosecution_outcome"],
)
def test_a_decision_tied_to_cooperation_or_prosecution_is_refused(key: str) -> None:
    raw = {
        "stage": "reasonable_grounds",
        "outcome": "positive",
        "screening_id": "s",
        "reasons": "r",
        key: True,
    }
    with pytest.raises(InvalidInput) as refused:
        parse(DecisionInput, raw)
    assert refused.value.message.startswith(key) or key in refused.value.message


# -- reconsideration -----------------------------------------------------------------------------------


def test_reconsideration_is_decided_by_someone_else_and_may_move_the_case_down(inst: Installation) -> None:
    """The answer is proposed by someone who took no part in the decision and confirmed by a member of
    another organisation who took no part either (GR38 §78)."""
    w = _world(inst)
    _convene(w, "owner", "clinic")
    first = _decide(w, w.clinic, "reasonable_grounds", "negative", MONDAY)  # confirmed by w.owner
    asked = identification.request_reconsideration(
        w.db,
        NAT,
        w.owner.actor,
        w.case_id,
        parse(ReconsiderationRequestInput, {"decision_id": first, "grounds": "New medical report."}),
        today=MONDAY + dt.timedelta(days=3),
    )
    answer = parse(
        ReconsiderationDecisionInput, {"result": "overturned", "reasons": "The report shows coercion."}
    )
    for took_part in (w.clinic, w.owner):  # who proposed or confirmed the decision answers nothing
        with pytest.raises(Forbidden, match="took no part"):
            identification.decide_reconsideration(w.db, NAT, took_part.actor, asked, answer)
    assert identification.decide_reconsideration(w.db, NAT, w.clinic_caseworker.actor, asked, answer) is None
    assert _case(w).trafficking_status == "not_a_victim"  # nothing moves until it is confirmed
    confirm = ConfirmationInput(confirm=True)
    for refused in (w.clinic, w.owner):  # the proposer's organisation; someone who took part
        with pytest.raises(Forbidden):
            identification.answer_proposal(w.db, NAT, refused.actor, w.case_id, confirm)
    new = identification.answer_proposal(w.db, NAT, w.owner_supervisor.actor, w.case_id, confirm)
    assert new is not None
    case = _case(w)
    assert (case.trafficking_status, case.move_on_until) == ("presumed_victim", None)
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id)
    assert [(d.outcome, d.in_force) for d in view.decisions] == [("negative", False), ("positive", True)]
    assert view.decisions[-1].confirmed_by_organisation == "Owner NGO"
    assert view.next_stage == "conclusive_grounds"
    with w.db.transaction() as session:
        events = [e.action for e in session.execute(select(AuditEvent)).scalars()]
    assert "identification.reconsider" in events and "identification.decide" in events


# -- multi-agency: one organisation proposes, another confirms (GR38 §78) ---------------------------------


def test_a_decision_takes_effect_only_when_another_organisation_confirms_it(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    proposed = _propose(w, w.clinic, "reasonable_grounds", "positive", MONDAY)
    assert _case(w).identification_stage is None  # a proposal changes nothing about her
    with pytest.raises(Exception, match="no decision"):
        identification.letter_facts(w.db, NAT, w.owner.actor, w.case_id)
    with pytest.raises(Conflict, match="waits"):  # one proposal at a time
        _propose(w, w.clinic_caseworker, "reasonable_grounds", "negative", MONDAY)
    confirm = ConfirmationInput(confirm=True)
    for same_organisation in (w.clinic, w.clinic_caseworker):  # the proposer, and her colleague
        with pytest.raises(Forbidden, match=r"two organisations|took no part"):
            identification.answer_proposal(w.db, NAT, same_organisation.actor, w.case_id, confirm)
    with pytest.raises(Forbidden):  # an organisation not on the panel
        identification.answer_proposal(w.db, NAT, w.outsider.actor, w.case_id, confirm)
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id, today=MONDAY)
    assert view.proposal is not None and view.proposal.may_confirm and view.proposal.id == proposed
    clinic_view = identification.view_identification(w.db, NAT, w.clinic_caseworker.actor, w.case_id)
    assert clinic_view.proposal is not None and not clinic_view.proposal.may_confirm
    later = MONDAY + dt.timedelta(days=2)
    taken = identification.answer_proposal(w.db, NAT, w.owner.actor, w.case_id, confirm, today=later)
    assert taken == proposed
    case = _case(w)
    assert (case.identification_stage, case.trafficking_status) == ("first", "presumed_victim")
    letter = identification.letter_facts(w.db, NAT, w.owner.actor, w.case_id)
    assert letter.decision.reconsider_until == later + dt.timedelta(days=30)  # her periods run from today
    with pytest.raises(Conflict, match="nothing waits"):
        identification.answer_proposal(w.db, NAT, w.owner.actor, w.case_id, confirm)


def test_a_declined_proposal_stays_on_record_and_the_panel_decides_again(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    declined = _propose(w, w.clinic, "reasonable_grounds", "negative", MONDAY)
    with pytest.raises(InvalidInput) as no_reason:
        identification.answer_proposal(w.db, NAT, w.owner.actor, w.case_id, parse_decline(None))
    assert no_reason.value.field == "reason"
    identification.answer_proposal(
        w.db, NAT, w.owner.actor, w.case_id, parse_decline("The screening shows deception; look again.")
    )
    assert _case(w).trafficking_status == "presumed_victim"
    retaken = _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY)
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id)
    states = {d.id: (d.state, d.in_force) for d in view.decisions}
    assert states == {declined: ("declined", False), retaken: ("taken", True)}
    assert view.decisions[0].declined_reason == "The screening shows deception; look again."
    stats = identification.statistics(w.db)
    assert stats["total"] == "<11" and stats["outcomes"]["first"]["negative"] == "<11"


def test_enforcement_and_outsiders_learn_nothing_from_the_answer(inst: Installation) -> None:
    """An absent case, a case with no panel and a case with a proposal waiting all answer an enforcement
    user or an outsider the same 403 — before any conflict could tell where the case stands."""
    w = _world(inst)
    _convene(w, "owner", "clinic")
    _propose(w, w.clinic, "reasonable_grounds", "positive", MONDAY)
    other = cases.intake(w.db, w.owner.actor, intake())  # no panel
    officer = make_user(w.db, "officer", "Border Agency", "enforcement_liaison", enforcement=True)
    recusal = parse(RecusalInput, {"organisation_id": w.orgs["clinic"], "reason": "none"})
    confirm = ConfirmationInput(confirm=True)
    for who in (officer, w.outsider):
        for case_id in (w.case_id, other, "00000000-0000-4000-8000-000000000000"):
            with pytest.raises(Forbidden):
                identification.answer_proposal(w.db, NAT, who.actor, case_id, confirm)
            with pytest.raises(Forbidden):
                identification.recuse(w.db, NAT, who.actor, case_id, recusal)
            with pytest.raises(Forbidden):
                identification.view_identification(w.db, NAT, who.actor, case_id)


def test_an_organisation_recuses_only_itself_and_its_proposal_falls_with_it(inst: Installation) -> None:
    w = _world(inst)
    consent.record_consent(
        w.db,
        w.owner.actor,
        w.case_id,
        consent.parse_consent({"purposes": ["identification"], "recipient_types": ["ngo"], "language": "en"}),
    )
    _convene(w, "owner", "clinic", "ngo2")
    proposed = _propose(w, w.clinic, "reasonable_grounds", "positive", MONDAY)
    clinic_off = parse(RecusalInput, {"organisation_id": w.orgs["clinic"], "reason": "Conflict of interest."})
    with pytest.raises(InvalidInput, match="recuses itself") as not_yours:
        identification.recuse(w.db, NAT, w.owner.actor, w.case_id, clinic_off)
    assert not_yours.value.field == "organisation_id"
    identification.recuse(w.db, NAT, w.clinic.actor, w.case_id, clinic_off)
    view = identification.view_identification(w.db, NAT, w.owner.actor, w.case_id)
    assert view.proposal is None
    assert {d.id: d.state for d in view.decisions} == {proposed: "declined"}


def test_deadlines_show_a_member_only_the_panels_of_cases_it_still_holds(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    assert [i.case_id for i in identification.deadlines(w.db, NAT, w.clinic.actor, coordinator=False)] == [
        w.case_id
    ]
    shared = consent.list_consents(w.db, w.owner.actor, w.case_id)[0]["id"]
    consent.revoke_consent(w.db, w.owner.actor, shared)
    assert identification.deadlines(w.db, NAT, w.clinic.actor, coordinator=False) == []
    assert len(identification.deadlines(w.db, NAT, w.owner.actor, coordinator=False)) == 1


def test_decision_statistics_are_for_the_coordinator_and_analysts_only(inst: Installation) -> None:
    make_org(inst.db, "Secretariat", "nrm_secretariat")
    coordinator = make_user(inst.db, "coord", "Secretariat", "nrm_coordinator")
    make_org(inst.db, "Police", "police")
    officer = make_user(inst.db, "officer", "Police", "enforcement_liaison", enforcement=True)
    assert client_for(inst.settings, coordinator).get("/api/identification/statistics").status_code == 200
    assert client_for(inst.settings, officer).get("/api/identification/statistics").status_code == 403


def parse_decline(reason: str | None) -> ConfirmationInput:
    raw: dict[str, Any] = {"confirm": False}
    if reason is not None:
        raw["reason"] = reason
    return parse(ConfirmationInput, raw)


# -- letter and statistics -----------------------------------------------------------------------------


def test_letter_facts_and_statistics(inst: Installation) -> None:
    w = _world(inst)
    _convene(w, "owner", "clinic")
    with pytest.raises(Exception, match="no decision"):
        identification.letter_facts(w.db, NAT, w.owner.actor, w.case_id)
    _decide(w, w.clinic, "reasonable_grounds", "positive", MONDAY + dt.timedelta(days=1))
    letter = identification.letter_facts(w.db, NAT, w.owner.actor, w.case_id)
    assert letter.decision.outcome == "positive" and letter.stage.id == "reasonable_grounds"
    assert letter.decision.reconsider_until == MONDAY + dt.timedelta(days=31)
    stats = identification.statistics(w.db)
    assert stats["outcomes"]["first"] == {"positive": "<11", "negative": "<11"}
    assert stats["working_days_to_decide"]["first"]["0-5"] == "<11"
    assert stats["total"] == "<11"
    # by the GR38 §110 dimensions, on the statistics office's categories: none is named from the data
    assert set(stats["by"]) == {"sex", "age_group", "nationality", "exploitation"}
    assert set(stats["by"]["age_group"]["positive"]) == {"child", "adult", "unknown"}
    assert all(n == "<11" for n in stats["by"]["nationality"]["positive"].values())
    assert "xx" not in stats["by"]["nationality"]["positive"]


# -- over HTTP: problems naming the field, the letter in seven languages -----------------------------------

LETTER_OUTCOME = {
    "en": "Positive decision",
    "ar": "قرار إيجابي",
    "fr": "Décision positive",
    "es": "Decisión positiva",
    "ru": "Положительное решение",
    "zh-Hans": "肯定的决定",
    "zh-Hant": "肯定的決定",
}


def test_api_convenes_decides_and_refuses_with_the_field_named(inst: Installation) -> None:
    w = _world(inst)
    owner = client_for(inst.settings, w.owner)
    clinic = client_for(inst.settings, w.clinic)
    base = f"/api/cases/{w.case_id}/identification"
    refused = owner.post(f"{base}/panel", json={"organisation_ids": [w.orgs["owner"], w.orgs["police"]]})
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == "organisation_ids"
    made = owner.post(f"{base}/panel", json={"organisation_ids": [w.orgs["owner"], w.orgs["clinic"]]})
    assert made.status_code == 201, made.text
    body = {
        "stage": "reasonable_grounds",
        "outcome": "positive",
        "screening_id": w.screening_id,
        "indicators": ["DR01"],
        "reasons": "Deceived about the job.",
    }
    tied = clinic.post(f"{base}/decisions", json={**body, "cooperating_with_police": True})
    assert tied.status_code == 422 and tied.json()["field"] == "cooperating_with_police"
    assert clinic.post(f"{base}/decisions", json=body).status_code == 201
    seen = clinic.get(base).json()
    assert seen["decisions"][0]["outcome"] == "positive" and seen["trafficking_status"] == "presumed_victim"
    assert "person" not in seen
    coordinator = make_user(w.db, "coord", "Owner NGO", "nrm_coordinator")
    listed = client_for(inst.settings, coordinator).get("/api/identification/deadlines").json()
    assert [i["case_id"] for i in listed] == [None]
    enforcement = make_user(w.db, "cop", "Police", "caseworker", enforcement=True)
    assert client_for(inst.settings, enforcement).get(base).status_code == 403


@pytest.mark.parametrize("tag", sorted(LETTER_OUTCOME))
def test_the_letter_renders_in_every_language_as_html_and_pdf(sqlite_inst: Installation, tag: str) -> None:
    w = _world(sqlite_inst)
    _convene(w, "owner", "clinic")
    _decide(w, w.clinic, "reasonable_grounds", "positive", dt.date.today())
    owner = client_for(sqlite_inst.settings, w.owner)
    page = owner.get(f"/cases/{w.case_id}/identification/letter", params={"language": tag})
    assert page.status_code == 200
    assert f'lang="{tag}"' in page.text and LETTER_OUTCOME[tag] in page.text
    assert ('dir="rtl"' in page.text) == (tag == "ar")
    # the letter speaks to her: the standard is addressed to her, as the rest of the letter is
    assert NAT.procedure.stage("reasonable_grounds").standard_in_letter(tag) in page.text
    if tag == "en":
        assert "that you are a victim" in page.text and "that she is" not in page.text
    pdf = owner.get(f"/cases/{w.case_id}/identification/letter.pdf", params={"language": tag})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 1000


def test_the_letter_is_in_her_language_by_default(sqlite_inst: Installation) -> None:
    w = _world(sqlite_inst)
    with w.db.transaction() as session:
        case = session.get(Case, w.case_id)
        assert case is not None
        case.languages = ["ar", "en"]
    _convene(w, "owner", "clinic")
    _decide(w, w.clinic, "reasonable_grounds", "negative", dt.date.today())
    page = client_for(sqlite_inst.settings, w.owner).get(f"/cases/{w.case_id}/identification/letter")
    assert 'lang="ar"' in page.text and "قرار سلبي" in page.text
