"""The demo gives each newer part of the product something to open (issues 15 and 17): the hotline
operator's triage queue and contacts, and the financial investigator's scored investigation — and the
firewall holds in the demo as everywhere (the investigator never reaches a report or a case)."""

from __future__ import annotations

import pytest

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.services import cases, finance, hotline, reporting
from opennrm.services.demo import DemoNetwork, create_demo_network, seed_demo_finance, seed_demo_reach
from opennrm.services.errors import ServiceError
from tests.conftest import Installation


def _actor(network: DemoNetwork, username: str, role: Role) -> Actor:
    account = network.account(username)
    return Actor(account.user_id, network.organisations[account.organisation], role, enforcement=False)


def test_the_hotline_operator_finds_reports_to_triage_and_contacts(inst: Installation) -> None:
    network = create_demo_network(inst.db, "a long demo password")
    made = seed_demo_reach(inst.db, network, inst.settings.reporting_pepper_file)
    hana = _actor(network, "hana", Role.HOTLINE_OPERATOR)
    queue = reporting.triage_queue(inst.db, hana)
    assert len(queue.items) == made["reports"] == 3
    answered = [r for r in queue.items if reporting.view_report(inst.db, hana, r.id).reporter.messages]
    assert len(answered) == 1
    assert len(hotline.recent_contacts(inst.db, hana)) == made["contacts"] == 3


def test_the_financial_investigator_finds_a_scored_investigation_and_no_report_or_case(
    inst: Installation,
) -> None:
    network = create_demo_network(inst.db, "a long demo password")
    seed_demo_reach(inst.db, network, inst.settings.reporting_pepper_file)
    investigation = seed_demo_finance(inst.db, network)
    account = network.account("farah")
    farah = Actor(
        account.user_id,
        network.organisations[account.organisation],
        Role.FINANCIAL_INVESTIGATOR,
        enforcement=True,
        organisation_type="financial_intelligence_unit",
    )
    view = finance.view_investigation(inst.db, farah, investigation)
    (dataset,) = view.datasets
    assert dataset["transactions"] >= 4_000 and dataset["rejected"] == 0
    assert dataset["top"], "the planted typologies are scored"
    assert [(c.amount, c.remaining) for c in view.confiscations] == [("12500.00", "12500.00")]
    with pytest.raises(ServiceError):
        reporting.triage_queue(inst.db, farah)
    with pytest.raises(ServiceError):
        cases.list_cases(inst.db, farah, cases.CaseFilters())
