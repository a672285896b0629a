"""A demo-like installation for the whole-site browser tests, set up through the services: an account of every
role, cases with screenings, consents, referrals sent and answered, an identification panel, a non-punishment
measure, entitlements and a scan of job ads. One is built per test module and served for all its tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.domain.non_punishment import NonPunishmentMatterIn
from opennrm.domain.services import EntitlementsChange, ReferralRequest, ReferralStep, ServiceSearch
from opennrm.identification.rules import DecisionInput, PanelInput
from opennrm.services import (
    cases,
    consent,
    directory,
    entitlements,
    identification,
    installation,
    non_punishment,
    referrals,
    screenings,
)
from opennrm.services.demo import load_demo_cases, seed_demo_ad_scan, seed_demo_referral_network
from opennrm.services.parsing import parse
from opennrm.store.database import Database
from tests.support import StaffUser, intake, make_org, make_user

NGO = "Safe Harbour Women's Network"
CLINIC = "Riverside Health Centre"
SHELTER = "Rose Women's Shelter"
LEGAL_AID = "Legal Aid North"
SECRETARIAT = "National Referral Mechanism Secretariat"
BORDER = "Border and Immigration Agency"
INSPECTORATE = "Labour Inspectorate, Northern District"

# (username, organisation, role): one account of every role
ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("amina", NGO, Role.CASEWORKER),
    ("li.wei", NGO, Role.SUPERVISOR),
    ("rose", SHELTER, Role.SERVICE_PROVIDER),
    ("coordinator", SECRETARIAT, Role.NRM_COORDINATOR),
    ("analyst", SECRETARIAT, Role.ANALYST),
    ("orgadmin", NGO, Role.ORG_ADMIN),
    ("sysadmin", SECRETARIAT, Role.SYSTEM_ADMIN),
    ("liaison", BORDER, Role.ENFORCEMENT_LIAISON),
    ("inspector", INSPECTORATE, Role.AD_REVIEWER),
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

    @property
    def ids(self) -> dict[str, str]:
        return {
            "case": self.case_id,
            "unconvened_case": self.unconvened_case_id,
            "decided_case": self.decided_case_id,
            "referral": self.referral_id,
            "scan": self.scan_id,
        }

    def user(self, role: Role) -> StaffUser:
        return self.users[role]


def _build(settings: Settings, db: Database) -> World:
    referrals.register_hooks()
    orgs = {
        name: make_org(db, name, kind)
        for name, kind in (
            (NGO, "ngo"),
            (CLINIC, "health_service"),
            (SHELTER, "shelter"),
            (LEGAL_AID, "legal_aid"),
            (SECRETARIAT, "nrm_secretariat"),
            (BORDER, "immigration_service"),
            (INSPECTORATE, "labour_inspectorate"),
        )
    }
    users = {role: make_user(db, name, org, role.value) for name, org, role in ACCOUNTS}
    amina, rose = users[Role.CASEWORKER], users[Role.SERVICE_PROVIDER]
    load_demo_cases(db, 12, organisation_ids=[orgs[NGO]], user_ids=[amina.actor.user_id], seed=13)
    seed_demo_referral_network(db, organisations=orgs, caseworker=amina.actor, provider=rose.actor)
    scan_id = seed_demo_ad_scan(db, orgs[INSPECTORATE], count=40, seed=4)

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
    nat = identification.national_procedure(settings)
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
    member = make_user(db, "sofia", CLINIC, "caseworker")
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
    return World(settings, db, users, case_id, sent.id, scan_id, member, unconvened, decided)


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
