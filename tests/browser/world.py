"""A demo-like installation for the whole-site browser tests, set up through the services: an account of every
role, cases with screenings, consents, referrals sent and answered, an identification panel, a non-punishment
measure, entitlements and a scan of job ads. One is built per test module and served for all its tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.domain.non_punishment import NonPunishmentMatterIn
from opennrm.domain.remedies import RemedyClaimIn
from opennrm.domain.services import EntitlementsChange, ReferralRequest, ReferralStep, ServiceSearch
from opennrm.identification.rules import ConfirmationInput, DecisionInput, PanelInput
from opennrm.services import (
    cases,
    consent,
    directory,
    entitlements,
    identification,
    installation,
    linkage,
    non_punishment,
    referrals,
    remedies,
    screenings,
)
from opennrm.services.demo import (
    create_demo_network,
    load_demo_cases,
    seed_demo_ad_scan,
    seed_demo_finance,
    seed_demo_journeys,
    seed_demo_labour,
    seed_demo_reach,
)
from opennrm.services.parsing import parse
from opennrm.store.database import Database
from tests.support import PASSWORD, StaffUser, intake, make_user

NGO = "Safe Harbour Women's Network"
CLINIC = "Riverside Health Centre"
SHELTER = "Rose Women's Shelter"
LEGAL_AID = "Legal Aid North"
SECRETARIAT = "National Referral Mechanism Secretariat"
INSPECTORATE = "Labour Inspectorate, Northern District"
FIU = "Financial Intelligence Unit"

# the demo's account of each role, and the roles the demo has no account for
DEMO_USERS: dict[Role, str] = {
    Role.CASEWORKER: "amina",
    Role.SUPERVISOR: "li.wei",
    Role.SERVICE_PROVIDER: "rose",
    Role.NRM_COORDINATOR: "coordinator",
    Role.ANALYST: "analyst",
    Role.ENFORCEMENT_LIAISON: "liaison",
    Role.AD_REVIEWER: "inspector",
    Role.LABOUR_INSPECTOR: "ines",
    Role.HOTLINE_OPERATOR: "hana",
    Role.FINANCIAL_INVESTIGATOR: "farah",
}
ENFORCEMENT_ROLES = (Role.ENFORCEMENT_LIAISON, Role.FINANCIAL_INVESTIGATOR)
MORE_USERS: tuple[tuple[str, str, Role], ...] = (
    ("orgadmin", NGO, Role.ORG_ADMIN),
    ("sysadmin", SECRETARIAT, Role.SYSTEM_ADMIN),
)
PRESUMED = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
}


@dataclass
class World:
    settings: Settings
    db: Database
    users: dict[Role, StaffUser]
    case_id: str  # the caseworker's case with something on every page of the hub
    referral_id: str
    scan_id: str
    member: StaffUser  # a caseworker of the clinic, on the identification panels
    unconvened_case_id: str  # no panel yet
    decided_case_id: str  # a decision in force, open to reconsideration
    claim_id: str  # her compensation claim, open (confiscated proceeds may be allocated to it)
    hidden: tuple[str, ...] = ()
    """What no page may show to anyone the crawl walks as (issue 16): the national person ids, and the case
    and survivor code of a woman's record at the clinic, linked nationally to her record at the NGO."""

    @property
    def ids(self) -> dict[str, str]:
        return {
            "case": self.case_id,
            "unconvened_case": self.unconvened_case_id,
            "decided_case": self.decided_case_id,
            "referral": self.referral_id,
            "scan": self.scan_id,
            "claim": self.claim_id,
        }

    def user(self, role: Role) -> StaffUser:
        return self.users[role]


def _build(settings: Settings, db: Database) -> World:
    """What ``opennrm demo`` loads (its network, cases, journeys and ads, fewer of them), and three cases
    of the caseworker's with something on every page."""
    nat = identification.national_procedure(settings)
    network = create_demo_network(db, PASSWORD)
    orgs = network.organisations
    users: dict[Role, StaffUser] = {}
    for role, username in DEMO_USERS.items():
        account = network.account(username)
        actor = Actor(account.user_id, orgs[account.organisation], role, role in ENFORCEMENT_ROLES)
        users[role] = StaffUser(actor, username, account.totp_secret)
    for username, org, role in MORE_USERS:
        users[role] = make_user(db, username, org, role.value)
    sofia = network.account("sofia")
    member = StaffUser(Actor(sofia.user_id, orgs[CLINIC], Role.CASEWORKER, False), "sofia", sofia.totp_secret)
    amina, rose = users[Role.CASEWORKER], users[Role.SERVICE_PROVIDER]
    load_demo_cases(
        db,
        12,
        organisation_ids=[orgs[NGO], orgs[CLINIC]],
        user_ids=[amina.actor.user_id, sofia.user_id],
        seed=13,
    )
    seed_demo_journeys(db, network, cases=6, procedure=nat)
    scan_id = seed_demo_ad_scan(db, orgs[INSPECTORATE], count=40, seed=4)
    seed_demo_labour(db, network)
    seed_demo_reach(db, network, settings.reporting_pepper_file)
    seed_demo_finance(db, network)

    case_id = cases.intake(db, amina.actor, intake(case__languages=["ar"]))
    screenings.screen_case(db, amina.actor, case_id, PRESUMED)
    consent.record_consent(
        db,
        amina.actor,
        case_id,
        consent.parse_consent(
            {
                "purposes": ["referral", "identification", "non_punishment"],
                "recipient_organisation_ids": [orgs[SHELTER], orgs[CLINIC], orgs[LEGAL_AID]],
                "language": "ar",
            }
        ),
    )
    found = directory.search_services(db, parse(ServiceSearch, {"need": "shelter"}), amina.actor)
    request = ReferralRequest.model_validate({"service_id": found[0].id, "purpose": "A safe place tonight"})
    sent = referrals.send_referral(db, amina.actor, case_id, request)
    referrals.act(db, rose.actor, sent.id, ReferralStep.ACCEPT)
    identification.convene_panel(
        db, nat, amina.actor, case_id, parse(PanelInput, {"organisation_ids": [orgs[NGO], orgs[CLINIC]]})
    )
    non_punishment.record_matter(
        db,
        amina.actor,
        case_id,
        parse(
            NonPunishmentMatterIn,
            {
                "consent": True,
                "measure": "arrest",
                "jurisdiction_country": "GB",
                "jurisdiction": "Magistrates' court",
                "occurred_on": "2025-03-02",
                "link_to_trafficking": "Arrested in the raid on the flat where she was held.",
            },
        ),
    )
    entitlements.update_entitlements(
        db,
        amina.actor,
        case_id,
        parse(EntitlementsChange, {"legal_aid": "provided", "interpreter": "provided"}),
    )
    claim_id = remedies.record_claim(
        db,
        amina.actor,
        case_id,
        parse(
            RemedyClaimIn,
            {
                "route": "criminal",
                "kind": "compensation",
                "payer": "trafficker",
                "currency": "EUR",
                "amount_claimed": "8000.00",
                "status": "filed",
                "filed_on": "2025-04-01",
            },
        ),
    )
    unconvened = cases.intake(db, amina.actor, intake())
    decided = cases.intake(db, amina.actor, intake())
    screening_id, _ = screenings.screen_case(db, amina.actor, decided, PRESUMED)
    consent.record_consent(
        db,
        amina.actor,
        decided,
        consent.parse_consent(
            {"purposes": ["identification"], "recipient_types": ["health_service"], "language": "en"}
        ),
    )
    identification.convene_panel(
        db, nat, amina.actor, decided, parse(PanelInput, {"organisation_ids": [orgs[NGO], orgs[CLINIC]]})
    )
    first_stage = nat.procedure.stages[0].id
    identification.record_decision(
        db,
        nat,
        member.actor,
        decided,
        parse(
            DecisionInput,
            {
                "stage": first_stage,
                "outcome": "positive",
                "screening_id": screening_id,
                "indicators": ["DR01"],
                "reasons": "Deceived about the job.",
            },
        ),
    )
    identification.answer_proposal(db, nat, amina.actor, decided, ConfirmationInput(confirm=True))
    hidden = _linked_twins(db, amina, member)
    return World(
        settings, db, users, case_id, sent.id, scan_id, member, unconvened, decided, claim_id, hidden
    )


def _linked_twins(db: Database, amina: StaffUser, member: StaffUser) -> tuple[str, ...]:
    """One woman known to the NGO and to the clinic, linked nationally inside this installation (issue 16):
    returns what would betray the link (the national ids; the clinic's case and survivor code)."""
    her = {"person__given_name": "Amal", "person__family_name": "Nassar", "person__birth_date": "1999-04-02"}
    cases.intake(db, amina.actor, intake(**her))
    at_clinic = cases.intake(db, member.actor, intake(**her))
    code = cases.view_case(db, member.actor, at_clinic).survivor_code
    linkage.link_within(db, legal_basis="Statistics Act, s. 12 (browser world)")
    with db.transaction() as session:
        national = sorted(set(linkage.national_ids(session).values()))
    assert national, "the twins were not linked"
    return (*national, at_clinic, code)


@contextmanager
def built(home: Path) -> Iterator[World]:
    """A new installation under ``home`` (SQLite) with the world in it."""
    settings = Settings.from_env({"OPENNRM_HOME": str(home)})
    installation.initialise(settings)
    db = installation.open_database(settings)
    try:
        yield _build(settings, db)
    finally:
        db.dispose()
