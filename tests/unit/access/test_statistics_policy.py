"""Who sees exact statistical counts: the statistics office's analyst of a non-enforcement organisation, and
nobody else. Exact counts can be subtracted (a new case is +1 in several cells), so every other role sees
rounded counts with suppression, and an enforcement organisation never sees an exact count whatever the
role (issue 12, item 6)."""

from __future__ import annotations

import pytest

from opennrm.access.policy import Action, Actor, decide, exact_statistics_decision
from opennrm.access.roles import Role


def actor(role: Role, *, enforcement: bool = False) -> Actor:
    return Actor("u1", "org1", role, enforcement)


def test_the_analyst_of_a_non_enforcement_organisation_sees_exact_counts() -> None:
    assert exact_statistics_decision(actor(Role.ANALYST))
    assert decide(actor(Role.ANALYST), Action.STATISTICS_EXACT)


@pytest.mark.parametrize("role", list(Role))
def test_no_enforcement_user_sees_exact_counts_whatever_the_role(role: Role) -> None:
    decision = decide(actor(role, enforcement=True), Action.STATISTICS_EXACT)
    assert not decision and "enforcement" in decision.reason


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ANALYST])
def test_every_other_role_sees_protected_statistics_only(role: Role) -> None:
    decision = decide(actor(role), Action.STATISTICS_EXACT)
    assert not decision and "protected statistics" in decision.reason


@pytest.mark.parametrize("enforcement", [False, True])
@pytest.mark.parametrize("role", list(Role))
def test_every_role_still_reads_protected_aggregates(role: Role, enforcement: bool) -> None:
    assert decide(actor(role, enforcement=enforcement), Action.AGGREGATE_READ)
