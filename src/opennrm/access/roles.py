"""Roles and what each may see. Person-level data is open only to the roles listed in ``PERSON_LEVEL``."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    SUPERVISOR = "supervisor"
    SERVICE_PROVIDER = "service_provider"
    NRM_COORDINATOR = "nrm_coordinator"
    ANALYST = "analyst"
    ORG_ADMIN = "org_admin"
    SYSTEM_ADMIN = "system_admin"
    ENFORCEMENT_LIAISON = "enforcement_liaison"


class Scope(StrEnum):
    """Which records a role reaches: its own, its organisation's, or those received by referral."""

    NONE = "none"
    OWN = "own"
    ORGANISATION = "organisation"
    REFERRED = "referred"


ROLE_SCOPE: dict[Role, Scope] = {
    Role.CASEWORKER: Scope.OWN,
    Role.SUPERVISOR: Scope.ORGANISATION,
    Role.SERVICE_PROVIDER: Scope.REFERRED,
    Role.NRM_COORDINATOR: Scope.NONE,
    Role.ANALYST: Scope.NONE,
    Role.ORG_ADMIN: Scope.NONE,
    Role.SYSTEM_ADMIN: Scope.NONE,
    Role.ENFORCEMENT_LIAISON: Scope.NONE,
}

PERSON_LEVEL: frozenset[Role] = frozenset(r for r, s in ROLE_SCOPE.items() if s is not Scope.NONE)

# Roles that never see person-level data need no second factor (issue 3); all others must enrol TOTP.
NEEDS_SECOND_FACTOR: frozenset[Role] = frozenset(Role) - {Role.ENFORCEMENT_LIAISON}
