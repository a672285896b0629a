"""Who reviews scanned job ads: ad reviewers of the organisation that scanned them, never an enforcement
organisation, and no other role (the ads hold the contacts of the people behind them)."""

from __future__ import annotations

import pytest

from opennrm.access.policy import FIREWALL, Actor, ad_review_decision
from opennrm.access.roles import Role


def actor(role: Role, organisation: str = "inspectorate", enforcement: bool = False) -> Actor:
    return Actor("u1", organisation, role, enforcement)


def test_an_ad_reviewer_reviews_her_own_organisations_scans() -> None:
    assert ad_review_decision(actor(Role.AD_REVIEWER))
    assert ad_review_decision(actor(Role.AD_REVIEWER), "inspectorate")


def test_no_one_reviews_another_organisations_scans() -> None:
    decision = ad_review_decision(actor(Role.AD_REVIEWER), "platform")
    assert not decision and "another organisation" in decision.reason


def test_an_enforcement_organisation_never_reviews_ads() -> None:
    decision = ad_review_decision(actor(Role.AD_REVIEWER, enforcement=True), "inspectorate")
    assert not decision and decision.reason == FIREWALL


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.AD_REVIEWER])
def test_other_roles_do_not_review_ads(role: Role) -> None:
    assert not ad_review_decision(actor(role), "inspectorate")
