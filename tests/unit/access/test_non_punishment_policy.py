"""Who may see and act on the matters recorded to protect her from punishment (GR38 §98; DESIGN invariant 6):
the owning side as for her case, a legal-aid organisation holding the case under a consent that covers them,
never an enforcement organisation — whatever the consent says."""

from __future__ import annotations

import datetime as dt

import pytest

from opennrm.access.policy import (
    FIREWALL,
    Action,
    Actor,
    CaseRelation,
    ConsentFacts,
    non_punishment_decision,
)
from opennrm.access.roles import Role

TODAY = dt.date(2026, 6, 1)
OWNER, LEGAL_AID, SHELTER = "org-owner", "org-legal-aid", "org-shelter"
CASE = CaseRelation(OWNER, "u-creator", frozenset(), "north", {LEGAL_AID: frozenset(), SHELTER: frozenset()})
READ, ADD, UPDATE, STATEMENT = (
    Action.NON_PUNISHMENT_READ,
    Action.NON_PUNISHMENT_ADD,
    Action.NON_PUNISHMENT_UPDATE,
    Action.NON_PUNISHMENT_STATEMENT,
)


def consent(
    *purposes: str, org: str = LEGAL_AID, revoked: bool = False, expires: dt.date = dt.date(2027, 1, 1)
) -> ConsentFacts:
    return ConsentFacts(
        "c1", frozenset(purposes), frozenset({org}), frozenset(), dt.date(2026, 1, 1), expires, revoked
    )


def ask(actor: Actor, action: Action, org_type: str = "ngo", consents: tuple[ConsentFacts, ...] = ()) -> bool:
    decision = non_punishment_decision(
        actor, action, CASE, organisation_type=org_type, disclosed_under=consents, today=TODAY
    )
    return decision.allowed


def test_the_owning_caseworker_reads_records_updates_and_makes_the_statement() -> None:
    creator = Actor("u-creator", OWNER, Role.CASEWORKER, False)
    assert all(ask(creator, action) for action in (READ, ADD, UPDATE, STATEMENT))


def test_a_caseworker_of_the_owner_outside_the_case_sees_nothing() -> None:
    stranger = Actor("u-other", OWNER, Role.CASEWORKER, False, team="south")
    assert not any(ask(stranger, action) for action in (READ, ADD, UPDATE, STATEMENT))


def test_legal_aid_under_a_consent_that_covers_non_punishment_reads_updates_and_makes_the_statement() -> None:
    lawyer = Actor("u-lawyer", LEGAL_AID, Role.CASEWORKER, False)
    covered = (consent("referral", "non_punishment"),)
    assert ask(lawyer, READ, "legal_aid", covered)
    assert ask(lawyer, UPDATE, "legal_aid", covered)
    assert ask(lawyer, STATEMENT, "legal_aid", covered)
    assert not ask(lawyer, ADD, "legal_aid", covered)  # recording a new matter stays with the owner


@pytest.mark.parametrize(
    "consents",
    [
        (),
        (consent("referral"),),
        (consent("referral", "non_punishment", revoked=True),),
        (consent("referral", "non_punishment", expires=dt.date(2026, 5, 31)),),
        (consent("referral", "non_punishment", org="someone-else"),),
    ],
    ids=["no consent", "consent without non_punishment", "revoked", "expired", "names another organisation"],
)
def test_legal_aid_without_a_covering_consent_sees_nothing(consents: tuple[ConsentFacts, ...]) -> None:
    lawyer = Actor("u-lawyer", LEGAL_AID, Role.CASEWORKER, False)
    assert not any(ask(lawyer, action, "legal_aid", consents) for action in (READ, UPDATE, STATEMENT))


def test_a_receiver_that_is_not_legal_aid_sees_nothing_even_under_such_a_consent() -> None:
    shelter = Actor("u-shelter", SHELTER, Role.CASEWORKER, False)
    assert not ask(shelter, READ, "shelter", (consent("referral", "non_punishment", org=SHELTER),))


@pytest.mark.parametrize("action", [READ, ADD, UPDATE, STATEMENT])
@pytest.mark.parametrize("org", [OWNER, LEGAL_AID])
def test_enforcement_never_reaches_these_matters_whatever_the_consent_says(action: Action, org: str) -> None:
    for role in Role:
        actor = Actor("u-creator", org, role, True)
        decision = non_punishment_decision(
            actor,
            action,
            CASE,
            organisation_type="legal_aid",
            disclosed_under=(consent("referral", "non_punishment"),),
            today=TODAY,
        )
        assert not decision.allowed and decision.reason == FIREWALL


def test_only_non_punishment_actions_are_decided_here() -> None:
    with pytest.raises(ValueError, match="not a non-punishment action"):
        non_punishment_decision(
            Actor("u", OWNER, Role.SUPERVISOR, False),
            Action.CASE_READ,
            CASE,
            organisation_type="ngo",
            disclosed_under=(),
            today=TODAY,
        )
