"""Who may sit on an identification panel and who may decide (GR38 §78), decided in access/policy.py."""

from __future__ import annotations

from opennrm.access.policy import (
    Action,
    Actor,
    CaseRelation,
    PanelFacts,
    PanelSeat,
    panel_composition_decision,
    panel_decision,
)
from opennrm.access.roles import Role

NGO = PanelSeat("ngo", "ngo", False)
CLINIC = PanelSeat("clinic", "health_service", False, shared_for_identification=True)
NGO2 = PanelSeat("ngo2", "ngo", False)
POLICE = PanelSeat("police", "police", True)
ROLES = frozenset({"caseworker", "supervisor"})


def facts(*seats: PanelSeat, open_: bool = True) -> PanelFacts:
    return PanelFacts(seats, ROLES, frozenset({"supervisor"}), open=open_)


CASE = CaseRelation("ngo", "u-owner", frozenset({"u-owner"}), received={"clinic": frozenset()})


def actor(org: str, role: Role = Role.SUPERVISOR, user: str = "u1", enforcement: bool = False) -> Actor:
    return Actor(user, org, role, enforcement)


def test_two_organisations_of_two_types_sit() -> None:
    assert panel_composition_decision(facts(NGO, CLINIC))


def test_an_enforcement_organisation_never_sits() -> None:
    refused = panel_composition_decision(facts(NGO, CLINIC, POLICE))
    assert not refused and "firewall" in refused.reason


def test_one_type_or_one_organisation_is_not_a_panel() -> None:
    assert "types" in panel_composition_decision(facts(NGO, NGO2)).reason
    assert "2 organisations" in panel_composition_decision(facts(NGO)).reason


def test_a_recused_seat_does_not_count() -> None:
    recused = PanelSeat("clinic", "health_service", False, recused=True)
    assert not panel_composition_decision(facts(NGO, recused))


def test_members_decide_only_with_a_deciding_role_and_while_shared() -> None:
    panel = facts(NGO, CLINIC)
    assert panel_decision(actor("clinic"), Action.PANEL_DECIDE, CASE, panel)
    assert not panel_decision(actor("clinic", Role.CASEWORKER), Action.PANEL_DECIDE, CASE, panel)
    assert panel_decision(actor("clinic", Role.CASEWORKER), Action.PANEL_READ, CASE, panel)
    unshared = CaseRelation("ngo", "u-owner", frozenset())
    assert "consent" in panel_decision(actor("clinic"), Action.PANEL_READ, unshared, panel).reason
    assert not panel_decision(actor("elsewhere"), Action.PANEL_READ, CASE, panel)
    assert not panel_decision(actor("clinic"), Action.PANEL_DECIDE, CASE, facts(NGO, CLINIC, open_=False))


def test_a_referral_disclosure_does_not_open_the_panels_file() -> None:
    """The clinic holds her case for a referral, not for identification: it reads nothing of the panel."""
    referral_only = PanelSeat("clinic", "health_service", False, shared_for_identification=False)
    for action in (Action.PANEL_READ, Action.PANEL_DECIDE):
        refused = panel_decision(actor("clinic"), action, CASE, facts(NGO, referral_only))
        assert not refused and "for identification" in refused.reason


def test_enforcement_users_reach_nothing() -> None:
    cop = actor("clinic", enforcement=True)
    for action in (Action.PANEL_READ, Action.PANEL_DECIDE, Action.PANEL_CONVENE):
        assert "firewall" in panel_decision(cop, action, CASE, facts(NGO, CLINIC)).reason


def test_a_reconsideration_is_decided_by_someone_else() -> None:
    panel = facts(NGO, CLINIC)
    same = panel_decision(
        actor("clinic", user="u1"), Action.RECONSIDERATION_DECIDE, CASE, panel, took_part=frozenset({"u1"})
    )
    assert not same and "took no part" in same.reason
    assert panel_decision(
        actor("clinic", user="u2"), Action.RECONSIDERATION_DECIDE, CASE, panel, took_part=frozenset({"u1"})
    )


def test_a_decision_is_confirmed_by_another_organisation() -> None:
    """GR38 §78, multi-agency: no organisation confirms what its own member proposed."""
    panel = facts(NGO, CLINIC)
    colleague = panel_decision(
        actor("clinic", user="u2"), Action.PANEL_CONFIRM, CASE, panel, proposed_by_organisation="clinic"
    )
    assert not colleague and "two organisations" in colleague.reason
    owner = Actor("u-owner", "ngo", Role.SUPERVISOR, False)
    assert panel_decision(owner, Action.PANEL_CONFIRM, CASE, panel, proposed_by_organisation="clinic")
    cop = actor("police", enforcement=True)
    assert "firewall" in panel_decision(cop, Action.PANEL_CONFIRM, CASE, panel).reason


def test_the_owner_convenes_and_the_member_does_not() -> None:
    owner = Actor("u-owner", "ngo", Role.CASEWORKER, False)
    assert panel_decision(owner, Action.PANEL_CONVENE, CASE, facts(NGO, CLINIC))
    assert not panel_decision(actor("clinic"), Action.PANEL_CONVENE, CASE, facts(NGO, CLINIC))


def test_in_the_owning_organisation_only_those_in_scope_take_part() -> None:
    stranger = Actor("u-stranger", "ngo", Role.CASEWORKER, False)
    for action in (Action.PANEL_READ, Action.PANEL_DECIDE):
        assert not panel_decision(stranger, action, CASE, facts(NGO, CLINIC))
    supervisor = Actor("u-sup", "ngo", Role.SUPERVISOR, False)
    assert panel_decision(supervisor, Action.PANEL_DECIDE, CASE, facts(NGO, CLINIC))
