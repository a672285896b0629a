"""Seeded synthetic demo cases: realistic enough to try the system, never real people.

Shares follow the published UNODC Global Report on Trafficking in Persons 2024 figures quoted in
``shared/reference/statistics-and-privacy.md`` §2 (victims detected 2020–2023): women 39%, girls 22%,
boys 16%, men 23%; forced labour 42%, sexual exploitation 38%, forced criminality 8% (2022), the rest
split between begging, forced marriage, mixed forms, organ removal and other. Names come from Faker in
several locales, so the demo exercises scripts other than Latin.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from faker import Faker
from sqlalchemy import insert

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.domain.records import Intake
from opennrm.domain.vocabularies import TraffickingStatus
from opennrm.services.cases import IntakeRows, build_intake_rows
from opennrm.services.clock import now
from opennrm.services.statistics import statistics_consent_row
from opennrm.store.database import Database
from opennrm.store.tables import ConsentRecord, table_of

if TYPE_CHECKING:
    from opennrm.recruitment.ads import JobAd
    from opennrm.services.identification import NationalProcedure

# (Faker locale, ISO 3166 citizenship, ISO 639 language)
ORIGINS: tuple[tuple[str, str, str], ...] = (
    ("es_MX", "MX", "es"),
    ("en_NG", "NG", "en"),
    ("ro_RO", "RO", "ro"),
    ("uk_UA", "UA", "uk"),
    ("vi_VN", "VN", "vi"),
    ("zh_CN", "CN", "zh"),
    ("zh_TW", "TW", "zh"),
    ("th_TH", "TH", "th"),
    ("ar_EG", "EG", "ar"),
    ("fr_FR", "FR", "fr"),
    ("ru_RU", "RU", "ru"),
    ("ne_NP", "NP", "ne"),
    ("en_PH", "PH", "tl"),
    ("es_CO", "CO", "es"),
)

VICTIM_GROUPS = (("woman", 0.39), ("girl", 0.22), ("boy", 0.16), ("man", 0.23))
FORMS = (
    (["forced_labour"], 0.42),
    (["sexual_exploitation"], 0.38),
    (["forced_criminality"], 0.08),
    (["forced_begging"], 0.03),
    (["forced_marriage"], 0.03),
    (["sexual_exploitation", "forced_labour"], 0.03),
    (["organ_removal"], 0.01),
    (["other"], 0.02),
)
MEANS = (
    "false_promises",
    "debt_bondage",
    "withholds_documents",
    "psychological_abuse",
    "physical_threats",
    "takes_earnings",
    "threats_law_enforcement",
    "excessive_working_hours",
    "restricts_financial_access",
    "sexual_abuse",
    "physical_abuse",
    "threatens_family",
)
RECRUITMENT = (
    "online_social_network",
    "online_advertisement",
    "friends",
    "family",
    "at_work",
    "place_of_business",
    "newspaper_advert",
    "other",
)
PLATFORMS = (
    "facebook",
    "whatsapp",
    "telegram",
    "wechat",
    "instagram",
    "tiktok",
    "line",
    "viber",
    "job_board",
)
REGIONS = ("North", "South", "East", "West", "Capital", "Coast", "Border")
STATUSES = ("new", "assessment", "case_plan", "services", "follow_up", "closed")
MIGRATION = (
    "migrant_labour",
    "migrant_irregular",
    "asylum_seeker",
    "refugee",
    "migrant_visitor",
    "internally_displaced",
    "national",
    "unknown",
)
NOTES = (
    "First meeting at the drop-in centre; she asked for a safe place to stay tonight.",
    "Interpreter present. Explained the reflection and recovery period and her right to legal aid.",
    "Health check arranged at the clinic; no police contact requested by her.",
    "Follow-up call: settled in the shelter, wants help with her residence permit.",
    "Employer kept her passport; she wants to recover her documents and her unpaid wages.",
)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, float], ...]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _phone(fake: Faker) -> str:
    """A phone number in the locale's format (en_PH has no phone provider: a Philippine mobile format)."""
    try:
        return str(fake.phone_number())
    except AttributeError:  # locales without a phone provider
        return "+63 9" + fake.numerify("## ### ####")


@dataclass
class DemoCaseGenerator:
    """Yields ``Intake`` records; the same seed gives the same cases."""

    seed: int = 38
    home_country: str = "US"

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)  # noqa: S311 - synthetic demo data, not security
        self._fakers: dict[str, Faker] = {}

    def _faker(self, locale: str) -> Faker:
        if locale not in self._fakers:
            fake = Faker(locale)
            fake.seed_instance(self.seed)
            self._fakers[locale] = fake
        return self._fakers[locale]

    def __iter__(self) -> Iterator[Intake]:
        while True:
            yield self.one()

    def one(self) -> Intake:
        rng = self._rng
        locale, country, language = rng.choice(ORIGINS)
        fake = self._faker(locale)
        group = _pick(rng, VICTIM_GROUPS)
        child = group in ("girl", "boy")
        female = group in ("woman", "girl")
        age: int | None = rng.randint(9, 17) if child else rng.randint(18, 55)
        if rng.random() < 0.06:
            age = None
        today = dt.date.today()
        identified = today - dt.timedelta(days=rng.randint(0, 5 * 365))
        forms = _pick(rng, FORMS)
        start = identified - dt.timedelta(days=rng.randint(30, 900))
        end = min(identified, start + dt.timedelta(days=rng.randint(10, 700)))
        birth = None
        if age is not None and rng.random() < 0.7:
            birth = start - dt.timedelta(days=age * 365 + rng.randint(0, 364))
        given = fake.first_name_female() if female else fake.first_name_male()
        sex = "female" if female else "male"
        if rng.random() < 0.01:
            sex, gender = "unknown", "non_conforming"
        else:
            gender = "feminine" if female else "masculine"
        events: list[dict[str, Any]] = [
            {
                "event_type": "recruitment",
                "recruitment_method": rng.choice(RECRUITMENT),
                "recruiter_relationship": rng.choice(
                    ("acquainted", "unacquainted", "familial", "intimate_partner")
                ),
                "online_platforms": rng.sample(PLATFORMS, k=rng.choice((0, 1, 1, 2))),
                "country": country,
                "start_date": start.isoformat(),
            },
            {
                "event_type": "exploitation",
                "exploitation_types": forms,
                "means_of_control": rng.sample(MEANS, k=rng.randint(1, 4)),
                "country": self.home_country,
                "place": fake.city(),
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
            },
        ]
        person = {
            "given_name": given,
            "family_name": fake.last_name(),
            "birth_date": birth.isoformat() if birth else None,
            "phone": _phone(fake) if rng.random() < 0.6 else None,
            "email": fake.email() if rng.random() < 0.2 else None,
            "id_document_number": fake.bothify("??#######").upper() if rng.random() < 0.4 else None,
            "address": fake.address().replace("\n", ", ")[:900] if rng.random() < 0.3 else None,
        }
        record: dict[str, Any] = {
            "case": {
                "status": rng.choice(STATUSES),
                "trafficking_status": rng.choice(("possible_victim", "presumed_victim", "actual_victim")),
                "identified_on": identified.isoformat(),
                "age_at_trafficking": age,
                "sex": sex,
                "gender": gender,
                "citizenship": [country] if rng.random() < 0.95 else [],
                "migration_status": "national" if country == self.home_country else rng.choice(MIGRATION),
                "languages": [language] + (["en"] if language != "en" and rng.random() < 0.3 else []),
                "disability": ["none"]
                if rng.random() < 0.85
                else [rng.choice(("psychosocial", "mobility", "hearing", "cognition"))],
                "socioeconomic": rng.sample(
                    ("poverty", "debt", "unemployment", "no_schooling", "rural", "domestic_violence"),
                    k=rng.randint(0, 3),
                ),
                "education": rng.choice(("primary", "lower_secondary", "upper_secondary", "none", "unknown")),
                "region": rng.choice(REGIONS),
                "events": events,
            },
            "notes": rng.sample(NOTES, k=rng.randint(0, 2)),
        }
        return Intake.model_validate({**record, "person": {k: v for k, v in person.items() if v is not None}})


# Share of demo cases whose person consented to statistical use of her anonymised data.
STATISTICS_CONSENT_SHARE = 0.85


def load_demo_cases(
    db: Database,
    count: int,
    *,
    organisation_ids: list[str],
    user_ids: list[str | None],
    seed: int = 38,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Generate and insert ``count`` cases in batches, each batch its own transaction (so a crash keeps
    what was committed). Cases go round-robin to the given organisations and users."""
    generator = DemoCaseGenerator(seed=seed)
    done = 0
    rng = random.Random(seed)  # noqa: S311 - synthetic demo data
    while done < count:
        size = min(batch_size, count - done)
        rows = IntakeRows()
        consents: list[dict[str, Any]] = []
        for _ in range(size):
            k = rng.randrange(len(organisation_ids))
            user_id = user_ids[k] if k < len(user_ids) else None
            case_id = build_intake_rows(
                rows,
                db.keyring,
                generator.one(),
                organisation_id=organisation_ids[k],
                actor_id=user_id or "cli",
                user_id=user_id,
            )
            if rng.random() < STATISTICS_CONSENT_SHARE:
                consents.append(statistics_consent_row(case_id, "en", user_id))
        with db.transaction() as session:
            rows.insert(session, db.keyring)
            if consents:
                session.connection().execute(insert(table_of(ConsentRecord)), consents)
        done += size
        if progress is not None:
            progress(size)
    db.analyse()
    return done


def _decide_identification(
    db: Database,
    procedure: NationalProcedure,
    caseworker: Actor,
    member: Actor,
    case_id: str,
    screening_id: str,
    orgs: dict[str, str],
) -> None:
    """A panel of her own organisation and the health centre (two organisations of two types, none of them
    enforcement) takes the first decision: positive, on the screening's indicators — proposed by the health
    centre's member, confirmed by her caseworker. Her caseworker's supervisor took no part, so a
    reconsideration can be answered by her and confirmed by the health centre."""
    from opennrm.identification.rules import ConfirmationInput, DecisionInput, PanelInput
    from opennrm.services import identification

    panel = PanelInput(
        organisation_ids=[orgs["Safe Harbour Women's Network"], orgs["Riverside Health Centre"]]
    )
    identification.convene_panel(db, procedure, caseworker, case_id, panel)
    decision = DecisionInput.model_validate(
        {
            "stage": procedure.procedure.stages[0].id,
            "outcome": "positive",
            "screening_id": screening_id,
            "indicators": ["DR01", "EXP01"],
            "reasons": "Demo decision: deceived about the job, documents taken, debt she could not repay.",
        }
    )
    identification.record_decision(db, procedure, member, case_id, decision)
    identification.answer_proposal(db, procedure, caseworker, case_id, ConfirmationInput(confirm=True))


def demo_agency_ads() -> tuple[JobAd, ...]:
    """Ads naming the demo registry's agencies (``seed_demo_labour``, seeded first), so that an ad reviewer
    sees the licence check's flag: a revoked licence, a suspended one, and a number the registry does not
    know."""
    from opennrm.recruitment.ads import JobAd

    return (
        JobAd(
            id="demo-licence-1",
            title="Caregivers wanted in Hong Kong",
            text="Silver Road Recruitment, licence SR-2002, is hiring caregivers. Free accommodation, "
            "placement fee deducted from salary.",
            company="Silver Road Recruitment",
        ),
        JobAd(
            id="demo-licence-2",
            title="Factory workers, Malaysia",
            text="East Star Placement (licence no. ES-3003) needs 40 women for electronics assembly. "
            "Apply today, leave in two weeks.",
            company="East Star Placement",
        ),
        JobAd(
            id="demo-licence-3",
            title="Hotel staff, Dubai",
            text="Apply now with Zenith Hands Agency, licence no. ZZ-9999. Free visa, high salary, no "
            "experience needed.",
            company="Zenith Hands Recruitment Agency",
        ),
    )


def seed_demo_ad_scan(
    db: Database, organisation_id: str, count: int = 300, seed: int = 38, *, agency_ads: bool = False
) -> str:
    """A scan of synthetic job ads (English and Chinese, some with planted red flags, templates and shared
    contacts) in an organisation's review queue, scored by the shipped model; returns the scan id. With
    ``agency_ads``, three more name the demo registry's agencies (``demo_agency_ads``)."""
    from opennrm.recruitment.ads import JobAd
    from opennrm.recruitment.model import default_model
    from opennrm.recruitment.pipeline import scan_ads
    from opennrm.recruitment.reading import parse_record
    from opennrm.recruitment.synthetic import synthetic_ads
    from opennrm.services.ad_review import CLI, store_scan

    parsed = [parse_record(ad.record, line) for line, ad in enumerate(synthetic_ads(count, seed), start=1)]
    ads = [ad for ad in parsed if isinstance(ad, JobAd)] + list(demo_agency_ads() if agency_ads else ())
    results, _ = scan_ads(ads, default_model())
    return store_scan(
        db,
        organisation_id=organisation_id,
        by=CLI,
        name="Demo crawl (synthetic ads)",
        model="default",
        scanned=zip(ads, results, strict=True),
    )


# -- the demo network: organisations, accounts and a journey on each of a few cases ----------------------

DEMO_ORGANISATIONS: tuple[tuple[str, str], ...] = (
    ("Safe Harbour Women's Network", "ngo"),
    ("Riverside Health Centre", "health_service"),
    ("Labour Inspectorate, Northern District", "labour_inspectorate"),
    ("National Referral Mechanism Secretariat", "nrm_secretariat"),
    ("Border and Immigration Agency", "immigration_service"),
    ("Rose Women's Shelter", "shelter"),
    ("Legal Aid North", "legal_aid"),
    ("Financial Intelligence Unit", "financial_intelligence_unit"),
)
# (log-in name, organisation, role)
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("amina", "Safe Harbour Women's Network", "caseworker"),
    ("li.wei", "Safe Harbour Women's Network", "supervisor"),
    ("sofia", "Riverside Health Centre", "caseworker"),
    ("analyst", "National Referral Mechanism Secretariat", "analyst"),
    ("liaison", "Border and Immigration Agency", "enforcement_liaison"),
    ("rose", "Rose Women's Shelter", "service_provider"),
    ("coordinator", "National Referral Mechanism Secretariat", "nrm_coordinator"),
    ("inspector", "Labour Inspectorate, Northern District", "ad_reviewer"),
    ("ines", "Labour Inspectorate, Northern District", "labour_inspector"),
    ("hana", "Safe Harbour Women's Network", "hotline_operator"),
    ("farah", "Financial Intelligence Unit", "financial_investigator"),
)
DEMO_ORGANISATION = DEMO_ORGANISATIONS[0][0]  # its presence says the demo data is loaded
ACCOUNTS_FILE = "demo-accounts.json"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    organisation: str
    role: str
    totp_secret: str | None
    user_id: str = ""


@dataclass(frozen=True)
class DemoNetwork:
    password: str
    organisations: dict[str, str]  # name → id
    accounts: list[DemoAccount]

    def account(self, username: str) -> DemoAccount:
        return next(a for a in self.accounts if a.username == username)


def create_demo_network(db: Database, password: str) -> DemoNetwork:
    """The demo's organisations and accounts, all with ``password``. The password is hashed once for all
    accounts (argon2id takes a good fraction of a second each) and the accounts get no recovery codes (the
    demo shows none; ``opennrm user reset-second-factor`` issues them)."""
    from opennrm.access.credentials import hash_password
    from opennrm.services import admin

    organisations = {name: admin.add_organisation(db, name, kind) for name, kind in DEMO_ORGANISATIONS}
    hashed = hash_password(password)
    accounts = []
    for username, organisation, role in DEMO_ACCOUNTS:
        user = admin.add_user(
            db, username, organisation, role, password, recovery_codes=False, password_hash=hashed
        )
        accounts.append(DemoAccount(username, organisation, role, user.totp_secret, user.id))
    return DemoNetwork(password, organisations, accounts)


def save_demo_accounts(home: Path, network: DemoNetwork) -> Path:
    """Keep the demo's password and TOTP secrets in the data directory (mode 0600) so that ``opennrm demo
    --accounts`` can print them again. Only the demo writes this file; a real installation has none."""
    path = home / ACCOUNTS_FILE
    data = {
        "password": network.password,
        "accounts": [
            {
                "username": a.username,
                "organisation": a.organisation,
                "role": a.role,
                "totp_secret": a.totp_secret,
            }
            for a in network.accounts
        ],
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
    return path


def read_demo_accounts(home: Path) -> tuple[str, list[DemoAccount]] | None:
    """The demo's password and accounts, or None when the data directory holds no demo."""
    path = home / ACCOUNTS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return str(data["password"]), [
            DemoAccount(str(a["username"]), str(a["organisation"]), str(a["role"]), a.get("totp_secret"))
            for a in data["accounts"]
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return None


# Screening answers of a presumed victim, and of someone the screening does not (yet) presume to be one.
PRESUMED_SCREENING: dict[str, Any] = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment", "transportation"],
    "means": ["deception", "abuse_of_vulnerability"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
}
OPEN_SCREENING: dict[str, Any] = {
    "age": 31,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "indicators": ["EXP01"],
}


_DAY, _HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)
# One journey per case, in turn: (service, urgency, sent how long ago, what became of it).
JOURNEYS: tuple[tuple[str, str, dt.timedelta, str], ...] = (
    ("shelter", "emergency", 38 * _DAY, "served"),
    ("medical", "urgent", 30 * _DAY, "served"),
    ("shelter", "urgent", 21 * _DAY, "declined"),
    ("legal_aid", "routine", 2 * _DAY, "waiting"),
    ("medical", "routine", 12 * _DAY, "not_presumed"),
    ("shelter", "emergency", 9 * _DAY, "started"),
    ("medical", "urgent", 5 * _DAY, "accepted"),
    ("shelter", "emergency", 6 * _HOUR, "waiting"),
    ("medical", "routine", 25 * _DAY, "served"),
    ("medical", "urgent", 20 * _HOUR, "waiting"),
    ("shelter", "routine", 15 * _DAY, "declined"),
    ("legal_aid", "urgent", 4 * _DAY, "waiting"),
    ("medical", "routine", 3 * _DAY, "not_presumed"),
    ("shelter", "urgent", 45 * _DAY, "served"),
)


def seed_demo_journeys(
    db: Database, network: DemoNetwork, *, cases: int = 14, procedure: NationalProcedure | None = None
) -> dict[str, int]:
    """Give some of the caseworker's cases the journey the pages show: screenings (most presumed), a
    recorded consent, referrals sent over the past weeks and answered after realistic waits — accepted,
    started and completed (served), declined for want of a place, still awaiting an answer, one overdue —
    and unmet needs; with the installation's identification ``procedure``, a panel of two organisations
    decides the first two cases (GR38 §78). Everything goes through the services, with their consent gate
    and audit. Returns counts of what was made."""

    from opennrm.domain.services import (
        Decline,
        DeclineReason,
        ReferralRequest,
        ReferralStep,
        ServiceEntry,
        UnmetNeed,
    )
    from opennrm.services import cases as cases_service
    from opennrm.services import consent, directory, referrals, screenings

    orgs = network.organisations
    amina, rose, sofia = (network.account(u) for u in ("amina", "rose", "sofia"))
    caseworker = Actor(amina.user_id, orgs[amina.organisation], Role.CASEWORKER, enforcement=False)
    shelter = Actor(rose.user_id, orgs[rose.organisation], Role.SERVICE_PROVIDER, enforcement=False)
    clinic = Actor(sofia.user_id, orgs[sofia.organisation], Role.CASEWORKER, enforcement=False)

    listed = [
        ("Rose Women's Shelter", "Rose emergency shelter", "shelter", ["women_only", "with_children"], 12, 3),
        ("Riverside Health Centre", "Riverside clinic", "medical", ["accessible"], None, None),
        (
            "Riverside Health Centre",
            "Sexual and reproductive health clinic",
            "sexual_reproductive_health",
            [],
            None,
            None,
        ),
        ("Legal Aid North", "Legal advice for survivors", "legal_aid", [], 40, 11),
        ("Legal Aid North", "Interpreters on call", "interpretation", [], None, None),
    ]
    services: dict[str, str] = {}
    for org, name, kind, attributes, capacity, available in listed:
        entry = ServiceEntry.model_validate(
            {
                "name": name,
                "service_type": kind,
                "attributes": attributes,
                "languages": ["en", "ar", "fr", "ro", "uk", "vi", "zh"],
                "capacity": capacity,
                "available": available,
                "place": "North",
                "nationwide": kind in ("legal_aid", "interpretation"),
                "opening_hours": "24/7" if kind == "shelter" else "Mon-Fri 9:00-17:00",
            }
        )
        services[kind] = directory.add_service(db, entry, organisation_id=orgs[org])
    # The journeys are of women met in the past weeks: new cases identified a few days before their
    # referral, so that the dashboard's waits are the waits of a working network (not years).
    generator = DemoCaseGenerator(seed=1038)
    made = {
        "screenings": 0,
        "consents": 0,
        "referrals": 0,
        "served": 0,
        "declined": 0,
        "waiting": 0,
        "identification_decisions": 0,
    }
    at = now()
    day, hour = dt.timedelta(days=1), dt.timedelta(hours=1)
    receivers = {"shelter": shelter, "medical": clinic, "legal_aid": None}  # legal aid has no demo account
    for i in range(cases):
        kind, urgency, ago, outcome = JOURNEYS[i % len(JOURNEYS)]
        met = generator.one()
        identified = (at - ago - (2 + i % 6) * day).date()
        case_id = cases_service.intake(
            db,
            caseworker,
            met.model_copy(
                update={
                    "case": met.case.model_copy(
                        update={"identified_on": identified, "trafficking_status": TraffickingStatus.POSSIBLE}
                    )
                }
            ),
        )
        presumed = outcome != "not_presumed"
        screening_id, _ = screenings.screen_case(
            db, caseworker, case_id, PRESUMED_SCREENING if presumed else OPEN_SCREENING
        )
        made["screenings"] += 1
        if not presumed:
            continue
        sent_at = at - ago
        consent.record_consent(
            db,
            caseworker,
            case_id,
            consent.parse_consent(
                {
                    "purposes": ["referral", "identification"],
                    "recipient_organisation_ids": [
                        orgs["Rose Women's Shelter"],
                        orgs["Riverside Health Centre"],
                    ],
                    "recipient_types": ["legal_aid"],
                    "language": "en",
                    "interpreter_used": i % 2 == 0,
                    "given_on": (sent_at - hour).date().isoformat(),
                }
            ),
        )
        made["consents"] += 1
        if procedure is not None and i < 2:
            _decide_identification(db, procedure, caseworker, clinic, case_id, screening_id, orgs)
            made["identification_decisions"] += 1
        request = ReferralRequest.model_validate(
            {
                "service_id": services[kind],
                "urgency": urgency,
                "purpose": "Demo referral: she asked for this help.",
            }
        )
        referral = referrals.send_referral(db, caseworker, case_id, request, at=sent_at)
        made["referrals"] += 1
        receiver = receivers[kind]
        if outcome == "waiting" or receiver is None:
            made["waiting"] += 1  # awaiting an answer (the sweep escalates it once its deadline has passed)
            continue
        answered = sent_at + (2 + 5 * (i % 4)) * hour  # answered after a few hours
        if outcome == "declined":
            decline = Decline(reason=DeclineReason.NO_CAPACITY)
            referrals.act(db, receiver, referral.id, ReferralStep.DECLINE, decline, at=answered)
            made["declined"] += 1
            continue
        referrals.act(db, receiver, referral.id, ReferralStep.ACCEPT, at=answered)
        if outcome in ("started", "served"):
            referrals.act(db, receiver, referral.id, ReferralStep.START, at=answered + day)
        if outcome == "served":
            referrals.act(db, receiver, referral.id, ReferralStep.COMPLETE, at=answered + 9 * day)
            made["served"] += 1
    for need, language in (("family_tracing", "vi"), ("psychosocial", "uk")):
        directory.record_unmet_need(
            db, caseworker, UnmetNeed.model_validate({"need": need, "place": "North", "language": language})
        )
    referrals.run_deadlines(db, at=at, actor_id="cli")
    return made


def seed_demo_labour(db: Database, network: DemoNetwork) -> dict[str, str]:
    """The labour inspectorate's registry and work (issue 19): three agencies (one licensed, one whose licence
    was revoked, one suspended), three workplaces in sectors GR38 §54(b) names, an unannounced inspection with
    findings and an open labour-law action, and a complaint received. Returns the ids made."""
    from opennrm.access.policy import Actor
    from opennrm.access.roles import Role
    from opennrm.domain import labour as rules
    from opennrm.services import labour
    from opennrm.services.parsing import parse

    ines = network.account("ines")
    actor = Actor(
        ines.user_id,
        network.organisations[ines.organisation],
        Role.LABOUR_INSPECTOR,
        enforcement=False,
        organisation_type="labour_inspectorate",
    )
    today = dt.date.today()
    made: dict[str, str] = {}
    for name, number, change in (
        ("Golden Bridge Manpower", "GB-1001", None),
        ("Silver Road Recruitment", "SR-2002", "revoked"),
        ("East Star Placement", "ES-3003", "suspended"),
    ):
        agency = labour.add_agency(db, actor, parse(rules.AgencyIn, {"name": name, "country": "PH"}))
        licence = labour.add_licence(
            db,
            actor,
            agency,
            parse(
                rules.LicenceIn,
                {
                    "number": number,
                    "issuing_authority": "Department of Migrant Workers",
                    "countries_served": ["AE", "SA", "HK"],
                    "issued_on": (today - dt.timedelta(days=700)).isoformat(),
                    "expires_on": (today + dt.timedelta(days=400)).isoformat(),
                },
            ),
        )
        if change:
            labour.change_licence(
                db,
                actor,
                licence,
                parse(
                    rules.LicenceEventIn,
                    {
                        "status": change,
                        "effective_on": (today - dt.timedelta(days=60)).isoformat(),
                        "decision_ref": f"DMW-{number}-{change[:3].upper()}",
                    },
                ),
            )
        made[name] = agency
    labour.record_complaint(
        db,
        actor,
        made["Silver Road Recruitment"],
        parse(
            rules.ComplaintIn,
            {
                "received_on": (today - dt.timedelta(days=90)).isoformat(),
                "source": "worker",
                "allegations": ["document_retention"],
                "payments": [{"category": "recruitment_fee", "paid_by": "worker", "amount_minor": 150000}],
            },
        ),
    )
    for name, sector in (("Hillside orchard", "agriculture"), ("Harbour hotel", "hospitality")):
        made[name] = labour.add_workplace(
            db,
            actor,
            parse(
                rules.WorkplaceIn,
                {
                    "name": name,
                    "sector": sector,
                    "region": "North",
                    "agency_id": made["Silver Road Recruitment"],
                },
            ),
        )
    made["inspection"] = labour.record_inspection(
        db,
        actor,
        parse(
            rules.InspectionIn,
            {
                "workplace_id": made["Hillside orchard"],
                "visited_on": (today - dt.timedelta(days=3)).isoformat(),
                "announced": False,
                "women_met": 14,
                "men_met": 6,
                "indicators": ["CD01", "EXP01", "EXP04"],
                "weekly_hours": 66,
                "deductions": [{"kind": "housing", "automatic": True, "amount_minor": 30000}],
                "documents_held": 9,
                "housing": "inadequate",
            },
        ),
    )
    labour.add_action(
        db,
        actor,
        made["inspection"],
        parse(
            rules.LabourActionIn,
            {
                "kind": "compliance_order",
                "finding": "documents_held",
                "taken_on": (today - dt.timedelta(days=2)).isoformat(),
                "due_on": (today + dt.timedelta(days=12)).isoformat(),
            },
        ),
    )
    return made


# Anonymous reports for the demo's triage queue, as a reporter might write them (synthetic).
DEMO_REPORTS: tuple[dict[str, Any], ...] = (
    {
        "text": "My sister works in a house in the North. They keep her passport and she has not been paid "
        "for four months. She can only call at night.",
        "locale": "en",
        "about": "someone_else",
        "concerns": ["work", "documents"],
        "sector": "domestic_work",
        "region": "North",
        "help": ["information", "leave"],
    },
    {
        "text": "我在農場工作，老闆說我欠中介費，不能離開。",
        "locale": "zh-Hant",
        "about": "myself",
        "concerns": ["debt", "movement"],
        "sector": "agriculture",
        "help": ["talk", "wages"],
    },
    {
        "text": "عرض عمل في فندق يطلب دفع رسوم قبل السفر. هل هذا طبيعي؟",
        "locale": "ar",
        "about": "myself",
        "concerns": ["recruitment"],
        "sector": "hospitality",
        "help": ["information"],
    },
)


def seed_demo_reach(db: Database, network: DemoNetwork, pepper_file: Path) -> dict[str, int]:
    """The reporting channel and the hotline (issue 15): Safe Harbour receives anonymous reports and runs
    the hotline; three reports wait in its triage queue (one answered), and the hotline operator ``hana``
    has recorded three contacts, a silent call among them. Returns what was made."""
    from opennrm.domain.hotline import ContactIn
    from opennrm.domain.reporting import ReportIn
    from opennrm.services import hotline, reporting
    from opennrm.store.tables import AnonymousReport

    hana = network.account("hana")
    operator = Actor(
        hana.user_id, network.organisations[hana.organisation], Role.HOTLINE_OPERATOR, enforcement=False
    )
    reporting.set_receiving_organisation(db, hana.organisation)
    pepper = reporting.Pepper.load(pepper_file)
    for report in DEMO_REPORTS:
        reporting.submit_report(db, pepper, ReportIn.model_validate(report))
    with db.transaction() as session:
        first = session.query(AnonymousReport.id).order_by(AnonymousReport.created_at).limit(1).scalar()
    if first is not None:
        reporting.reply(
            db,
            operator,
            first,
            "Thank you for writing. We can help her safely."
            " Can she call our hotline at night, or write here?",
        )
    contacts = (
        {"channel": "call", "contact_type": "silent", "duration_seconds": 12},
        {
            "channel": "messaging_app",
            "contact_type": "data",
            "language": "tl",
            "interpreter": "phone",
            "caller": "friend",
            "categories": ["forced_labour"],
            "urgency": "urgent",
            "people_at_risk": 3,
            "actions": ["information_given", "referral_made"],
            "notes": "Three women at a fish-processing plant; a friend calls for them (synthetic).",
        },
        {
            "channel": "call",
            "contact_type": "information",
            "language": "en",
            "categories": ["labour_rights"],
            "actions": ["information_given"],
        },
    )
    for contact in contacts:
        hotline.record_contact(db, operator, ContactIn.model_validate(contact))
    return {"reports": len(DEMO_REPORTS), "contacts": len(contacts)}


def seed_demo_finance(db: Database, network: DemoNetwork) -> str:
    """A financial investigation of the Financial Intelligence Unit (issue 17) with one synthetic dataset
    (600 accounts, 4,000 transactions, the typologies planted), scored on loading, and a confiscation whose
    proceeds may be allocated to victims' claims. Returns its id."""
    from opennrm.finance import synthetic
    from opennrm.services import finance

    farah = network.account("farah")
    investigator = Actor(
        farah.user_id,
        network.organisations[farah.organisation],
        Role.FINANCIAL_INVESTIGATOR,
        enforcement=True,
        organisation_type="financial_intelligence_unit",
    )
    data = synthetic.generate(n_accounts=600, n_transactions=4_000, days=60, seed=38)
    investigation = finance.create_investigation(db, investigator, "Operation Orchard (synthetic)")
    finance.add_dataset(
        db,
        investigator,
        investigation,
        "Bank statements, two months (synthetic)",
        data.transactions.write_csv().encode(),
        data.accounts.write_csv().encode(),
    )
    # proceeds confiscated in the operation, to be allocated to the victims' compensation claims
    finance.record_confiscation(
        db,
        investigator,
        investigation,
        "12500.00",
        "EUR",
        "Confiscation order 2025/044 (synthetic)",
        "2025-05-20",
    )
    return investigation
