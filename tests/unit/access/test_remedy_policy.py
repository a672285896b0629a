"""Who may see and act on her remedy claims (GR38 §101, §108): the owning side as for her case, a legal-aid
organisation holding the case under a consent covering ``remedies``, never an enforcement organisation; and
who enters justice aggregates (GR38 §110): the secretariat's coordinator of a non-enforcement organisation."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.access.policy import (
    FIREWALL,
    Action,
    Actor,
    CaseRelation,
    ConsentFacts,
    justice_aggregates_decision,
    remedy_decision,
)
from opennrm.access.roles import Role

TODAY = dt.date(2026, 6, 1)
OWNER, LEGAL_AID, SHELTER = "org-owner", "org-legal-aid", "org-shelter"
CASE = CaseRelation(OWNER, "u-creator", frozenset(), "north", {LEGAL_AID: frozenset(), SHELTER: frozenset()})
ACTIONS = (Action.REMEDY_READ, Action.REMEDY_ADD, Action.REMEDY_UPDATE)


def consent(*purposes: str, revoked: bool = False, expires: dt.date = dt.date(2027, 1, 1)) -> ConsentFacts:
    return ConsentFacts(
        "c1", frozenset(purposes), frozenset({LEGAL_AID}), frozenset(), dt.date(2026, 1, 1), expires, revoked
    )


def ask(actor: Actor, action: Action, org_type: str = "ngo", consents: tuple[ConsentFacts, ...] = ()) -> bool:
    return remedy_decision(
        actor, action, CASE, organisation_type=org_type, disclosed_under=consents, today=TODAY
    ).allowed


def test_the_owning_side_reads_and_records_as_for_her_case() -> None:
    assert all(ask(Actor("u-creator", OWNER, Role.CASEWORKER, False), a) for a in ACTIONS)
    assert all(ask(Actor("u-sup", OWNER, Role.SUPERVISOR, False), a) for a in ACTIONS)
    assert not any(ask(Actor("u-x", OWNER, Role.CASEWORKER, False, team="south"), a) for a in ACTIONS)


def test_legal_aid_brings_her_claims_only_under_a_consent_covering_remedies() -> None:
    lawyer = Actor("u-lawyer", LEGAL_AID, Role.CASEWORKER, False)
    assert all(ask(lawyer, a, "legal_aid", (consent("referral", "remedies"),)) for a in ACTIONS)
    for consents in (
        (),
        (consent("referral", "non_punishment"),),
        (consent("remedies", revoked=True),),
        (consent("remedies", expires=dt.date(2026, 5, 31)),),
    ):
        assert not any(ask(lawyer, a, "legal_aid", consents) for a in ACTIONS), consents
    shelter = Actor("u-shelter", SHELTER, Role.CASEWORKER, False)
    assert not any(ask(shelter, a, "shelter", (consent("remedies"),)) for a in ACTIONS)


@pytest.mark.parametrize("role", list(Role))
def test_enforcement_never_reaches_her_claims_whatever_the_consent(role: Role) -> None:
    for org in (OWNER, LEGAL_AID):
        officer = Actor("u-officer", org, role, True)
        for action in ACTIONS:
            decision = remedy_decision(
                officer,
                action,
                CASE,
                organisation_type="police",
                disclosed_under=(consent("remedies"),),
                today=TODAY,
            )
            assert not decision and decision.reason == FIREWALL


def test_only_remedy_actions_are_asked() -> None:
    with pytest.raises(ValueError):
        ask(Actor("u-creator", OWNER, Role.CASEWORKER, False), Action.CASE_READ)


def test_justice_aggregates_are_entered_by_the_secretariats_coordinator_only() -> None:
    assert justice_aggregates_decision(Actor("u", "org", Role.NRM_COORDINATOR, False))
    assert not justice_aggregates_decision(Actor("u", "org", Role.NRM_COORDINATOR, True))
    for role in set(Role) - {Role.NRM_COORDINATOR}:
        assert not justice_aggregates_decision(Actor("u", "org", role, False))
