"""Seeded synthetic demo cases: realistic enough to try the system, never real people.

Shares follow the published UNODC Global Report on Trafficking in Persons 2024 figures quoted in
``shared/reference/statistics-and-privacy.md`` §2 (victims detected 2020–2023): women 39%, girls 22%,
boys 16%, men 23%; forced labour 42%, sexual exploitation 38%, forced criminality 8% (2022), the rest
split between begging, forced marriage, mixed forms, organ removal and other. Names come from Faker in
several locales, so the demo exercises scripts other than Latin.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from faker import Faker
from sqlalchemy import insert

from opennrm.access.policy import Actor
from opennrm.domain.records import Intake
from opennrm.services.cases import IntakeRows, build_intake_rows
from opennrm.services.statistics import statistics_consent_row
from opennrm.store.database import Database
from opennrm.store.tables import ConsentRecord, table_of

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


def seed_demo_referral_network(
    db: Database,
    *,
    organisations: dict[str, str],
    caseworker: Actor,
    provider: Actor,
    referrals_to_send: int = 6,
) -> int:
    """A small service directory and a few referrals of the caseworker's cases, each under a recorded
    consent and through the consent gate (issue 5). Returns how many referrals were sent."""
    from sqlalchemy import select

    from opennrm.domain.services import (
        Decline,
        DeclineReason,
        ReferralRequest,
        ReferralStep,
        ServiceEntry,
        UnmetNeed,
    )
    from opennrm.services import consent, directory, referrals
    from opennrm.store.tables import Case

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
        services[kind] = directory.add_service(db, entry, organisation_id=organisations[org])
    with db.transaction() as session:
        case_ids = list(
            session.execute(
                select(Case.id)
                .where(Case.created_by == caseworker.user_id)
                .order_by(Case.id)
                .limit(referrals_to_send)
            ).scalars()
        )
    recipients = [organisations["Rose Women's Shelter"], organisations["Riverside Health Centre"]]
    sent = 0
    for i, case_id in enumerate(case_ids):
        raw = {
            "purposes": ["referral"],
            "recipient_organisation_ids": recipients,
            "recipient_types": ["legal_aid"],
        }
        consent.record_consent(db, caseworker, case_id, consent.parse_consent({**raw, "language": "en"}))
        kind = ("shelter", "medical", "legal_aid")[i % 3]
        request = ReferralRequest.model_validate(
            {
                "service_id": services[kind],
                "urgency": ("emergency", "urgent", "routine")[i % 3],
                "purpose": "Demo referral: she asked for this help.",
            }
        )
        referral = referrals.send_referral(db, caseworker, case_id, request)
        sent += 1
        if kind == "shelter" and i == 0:
            referrals.act(db, provider, referral.id, ReferralStep.ACCEPT)
        elif kind == "shelter":
            referrals.act(
                db, provider, referral.id, ReferralStep.DECLINE, Decline(reason=DeclineReason.NO_CAPACITY)
            )
    for need, language in (("family_tracing", "vi"), ("psychosocial", "uk")):
        directory.record_unmet_need(
            db, caseworker, UnmetNeed.model_validate({"need": need, "place": "North", "language": language})
        )
    return sent


def seed_demo_ad_scan(db: Database, organisation_id: str, count: int = 300, seed: int = 38) -> str:
    """A scan of synthetic job ads (English and Chinese, some with planted red flags, templates and shared
    contacts) in an organisation's review queue, scored by the shipped model; returns the scan id."""
    from opennrm.recruitment.ads import JobAd
    from opennrm.recruitment.model import default_model
    from opennrm.recruitment.pipeline import scan_ads
    from opennrm.recruitment.reading import parse_record
    from opennrm.recruitment.synthetic import synthetic_ads
    from opennrm.services.ad_review import CLI, store_scan

    parsed = [parse_record(ad.record, line) for line, ad in enumerate(synthetic_ads(count, seed), start=1)]
    ads = [ad for ad in parsed if isinstance(ad, JobAd)]
    results, _ = scan_ads(ads, default_model())
    return store_scan(
        db,
        organisation_id=organisation_id,
        by=CLI,
        name="Demo crawl (synthetic ads)",
        model="default",
        scanned=zip(ads, results, strict=True),
    )
