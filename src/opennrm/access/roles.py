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
    AD_REVIEWER = "ad_reviewer"  # platform trust-and-safety or labour-inspection cyber unit: reviews job ads
    HOTLINE_OPERATOR = "hotline_operator"  # answers the 24/7 hotline; triages anonymous reports (issue 15)
    LABOUR_INSPECTOR = (
        "labour_inspector"  # inspects workplaces, keeps the agency registry (labour inspectorate)
    )
    FINANCIAL_INVESTIGATOR = "financial_investigator"  # a financial intelligence unit: follows the money


class Scope(StrEnum):
    """Which records a role reaches: its own, its team's, its organisation's, or those it received."""

    OWN = "own"
    TEAM = "team"
    ORGANISATION = "organisation"
    RECEIVED = "received"


ROLE_SCOPES: dict[Role, frozenset[Scope]] = {
    Role.CASEWORKER: frozenset({Scope.OWN, Scope.TEAM, Scope.RECEIVED}),
    Role.SUPERVISOR: frozenset({Scope.ORGANISATION, Scope.RECEIVED}),
    Role.SERVICE_PROVIDER: frozenset({Scope.RECEIVED}),
    Role.NRM_COORDINATOR: frozenset(),
    Role.ANALYST: frozenset(),
    Role.ORG_ADMIN: frozenset(),
    Role.SYSTEM_ADMIN: frozenset(),
    Role.ENFORCEMENT_LIAISON: frozenset(),
    Role.AD_REVIEWER: frozenset(),
    # the cases she opened from a contact or a report, nothing else
    Role.HOTLINE_OPERATOR: frozenset({Scope.OWN}),
    # the cases she opened herself for workers who consented to a referral at an inspection (issue 19)
    Role.LABOUR_INSPECTOR: frozenset({Scope.OWN}),
    Role.FINANCIAL_INVESTIGATOR: frozenset(),
}

PERSON_LEVEL: frozenset[Role] = frozenset(r for r, scopes in ROLE_SCOPES.items() if scopes)

# Roles that never see person-level data need no second factor; all others must enrol TOTP.
NEEDS_SECOND_FACTOR: frozenset[Role] = frozenset(Role) - {Role.ENFORCEMENT_LIAISON}

# Who may share a child's data without consent, in the child's best interests, with a recorded reason.
CONSENT_OVERRIDE: frozenset[Role] = frozenset({Role.SUPERVISOR})

# Who reviews scanned job ads (GR38 §§36, 71, 73). Ads hold the contacts of the people behind them, so the
# queue is open only to these roles, and only in the organisation that scanned the ads.
AD_REVIEWERS: frozenset[Role] = frozenset({Role.AD_REVIEWER})

# Who reads exact statistical counts (internal tables, before rounding and suppression): the analyst of the
# statistics office. Every other role, and every user of an enforcement organisation whatever the role, sees
# only protected figures (see ``policy.exact_statistics_decision``).
EXACT_STATISTICS: frozenset[Role] = frozenset({Role.ANALYST})

# Who answers the hotline and records contacts (GR38 §99).
HOTLINE_OPERATORS: frozenset[Role] = frozenset({Role.HOTLINE_OPERATOR, Role.SUPERVISOR})

# Who triages anonymous reports in the receiving organisation (GR38 §54(d), §100): reply, refer, close, and
# (with ``CREATORS`` of ``policy``) turn one into a case.
REPORT_TRIAGE: frozenset[Role] = frozenset({Role.HOTLINE_OPERATOR, Role.CASEWORKER, Role.SUPERVISOR})
# Who inspects workplaces and keeps the recruitment-agency registry (GR38 §54(b), §59): the labour inspector,
# and only in an organisation of the type below (``policy.labour_decision``).
LABOUR_INSPECTORS: frozenset[Role] = frozenset({Role.LABOUR_INSPECTOR})
LABOUR_INSPECTORATE_TYPE = "labour_inspectorate"
#: Roles whose person-level access holds only in an organisation of a given type.
ROLE_ORGANISATION_TYPES: dict[Role, str] = {Role.LABOUR_INSPECTOR: LABOUR_INSPECTORATE_TYPE}
# Who works on financial investigations (GR38 §72, §108, §112(e)): only in the organisation that holds the
# investigation. They see transactions and typology evidence, never a case (their organisation is on the
# firewall's list: a financial intelligence unit is an enforcement organisation).
FINANCIAL_INVESTIGATORS: frozenset[Role] = frozenset({Role.FINANCIAL_INVESTIGATOR})
