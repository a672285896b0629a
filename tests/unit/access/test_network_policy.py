"""Who reads the referral network's pages and keeps the service directory (``access.policy``): escalations
for supervisors outside enforcement, the dashboard for the coordinator, the directory for an organisation's
administrators and supervisors (the system administrator's for every organisation)."""

from __future__ import annotations

import pytest

from opennrm.access.policy import (
    Actor,
    dashboard_decision,
    directory_manage_decision,
    escalations_decision,
)
from opennrm.access.roles import Role


def actor(role: Role, org: str = "ngo", enforcement: bool = False) -> Actor:
    return Actor("u1", org, role, enforcement)


@pytest.mark.parametrize("role", list(Role))
def test_only_supervisors_outside_enforcement_read_escalations(role: Role) -> None:
    assert bool(escalations_decision(actor(role))) is (role is Role.SUPERVISOR)
    assert "firewall" in escalations_decision(actor(role, enforcement=True)).reason


@pytest.mark.parametrize("role", list(Role))
def test_only_the_coordinator_reads_the_dashboard(role: Role) -> None:
    assert bool(dashboard_decision(actor(role))) is (role is Role.NRM_COORDINATOR)


def test_the_directory_is_kept_by_its_own_organisation() -> None:
    supervisor = actor(Role.SUPERVISOR)
    assert directory_manage_decision(supervisor) and directory_manage_decision(supervisor, "ngo")
    elsewhere = directory_manage_decision(supervisor, "shelter")
    assert not elsewhere and "your own organisation" in elsewhere.reason
    assert directory_manage_decision(actor(Role.SYSTEM_ADMIN, org="secretariat"), "shelter")
    assert not directory_manage_decision(actor(Role.CASEWORKER), "ngo")
