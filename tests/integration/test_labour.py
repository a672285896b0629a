"""Labour inspection and recruitment agencies (issue 19), end to end on both backends: licence status over
time, the Employer Pays rule on an upheld complaint, the public check that keeps nothing, the scanner's flag
on an unlicensed agency, an inspection and a worker's consented referral reaching screening and the referral
network — and the firewall: no worker's data ever reaches an enforcement organisation, and an inspectorate
the administrator puts behind the firewall loses everything."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opennrm.domain.labour import (
    AD_NETWORK_WEIGHT,
    ComplaintDecisionIn,
    ComplaintIn,
    InspectionIn,
    WorkerReferralIn,
)
from opennrm.domain.reporting import ReportIn
from opennrm.recruitment.ads import JobAd
from opennrm.services import ad_review, cases, directory, firewall, labour, referrals, reporting, screenings
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.services.periodic_report import nrm_figures
from opennrm.stats import ctdc
from opennrm.stats.published import from_exact
from opennrm.stats.report import build_report
from opennrm.store.tables import (
    AuditEvent,
    Case,
    ConsentRecord,
    Disclosure,
    Inspection,
    InspectionReferral,
    Notification,
    Person,
    Referral,
    Screening,
)
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import client_for, csrf_of, intake, make_org, make_user
from tests.unit.stats.conftest import small_ctdc_frame


def today() -> dt.date:
    """Today, read when a test runs (a date taken at import goes stale if the run crosses midnight)."""
    return dt.date.today()


NOTES = "Passports of four women kept in the manager's safe at the orchard"
ALWAYS = ["police", "prosecution", "immigration_service", "financial_intelligence_unit"]


class World:
    def __init__(self, inst: Installation) -> None:
        db = self.db = inst.db
        self.inst = inst
        self.inspectorate = make_org(db, "Labour Inspectorate North", "labour_inspectorate")
        make_org(db, "Labour Inspectorate South", "labour_inspectorate")
        self.shelter_org = make_org(db, "Rose Shelter", "shelter")
        make_org(db, "Safe Harbour")
        make_org(db, "City Police", "police")
        self.other_org = make_org(db, "Port Authority", "other")
        self.inspector = make_user(db, "ines", "Labour Inspectorate North", "labour_inspector")
        self.south = make_user(db, "sam", "Labour Inspectorate South", "labour_inspector")
        self.reviewer = make_user(db, "rev", "Labour Inspectorate North", "ad_reviewer")
        self.caseworker = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.misplaced = make_user(db, "mis", "Safe Harbour", "labour_inspector")
        self.rose = make_user(db, "rose", "Rose Shelter", "service_provider")
        self.officer = make_user(db, "officer", "City Police", "caseworker", enforcement=True)
        self.shelter = directory.add_service(
            db,
            parse(
                directory.ServiceEntry,
                {
                    "name": "Rose shelter",
                    "service_type": "shelter",
                    "languages": ["ar", "en"],
                    "place": "North",
                },
            ),
            organisation_id=self.shelter_org,
        )
        self.port_desk = directory.add_service(
            db,
            parse(
                directory.ServiceEntry,
                {"name": "Port help desk", "service_type": "legal_aid", "languages": ["en"], "place": "Port"},
            ),
            organisation_id=self.other_org,
        )
        actor = self.inspector.actor
        self.agency = labour.add_agency(
            db, actor, parse(labour.AgencyIn, {"name": "Golden Bridge Manpower Ltd"})
        )
        self.licence = labour.add_licence(
            db,
            actor,
            self.agency,
            parse(
                labour.LicenceIn,
                {
                    "number": "GB-1001",
                    "issuing_authority": "Ministry of Labour",
                    "countries_served": ["sa", "AE"],
                    "issued_on": "2024-01-01",
                    "expires_on": "2027-12-31",
                },
            ),
        )
        self.workplace = labour.add_workplace(
            db,
            actor,
            parse(
                labour.WorkplaceIn,
                {
                    "name": "Hillside orchard",
                    "sector": "agriculture",
                    "region": "North",
                    "agency_id": self.agency,
                },
            ),
        )

    def inspect(self, **change: Any) -> str:
        data = {
            "workplace_id": self.workplace,
            "visited_on": today().isoformat(),
            "announced": False,
            "women_met": 6,
            "indicators": ["CD01", "EXP01"],
            "documents_held": 4,
            "weekly_hours": 70,
            "deductions": [{"kind": "housing", "automatic": True, "amount_minor": 30000}],
            "payments": [{"category": "recruitment_fee", "paid_by": "worker", "amount_minor": 150000}],
            "notes": NOTES,
            **change,
        }
        return labour.record_inspection(self.db, self.inspector.actor, parse(InspectionIn, data))

    def referral(self, **change: Any) -> WorkerReferralIn:
        raw = {
            "consent_given": True,
            "consent_language": "ar",
            "service_id": self.shelter,
            "purpose": "A safe place tonight and a doctor",
            "age": 27,
            "indicators": ["DR01", "DR02", "EXP01", "EXP04", "CD01", "CD02", "CD14"],
            **change,
        }
        return parse(WorkerReferralIn, raw)

    def count(self, model: Any) -> int:
        with self.db.transaction() as session:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())


@pytest.fixture
def world(inst: Installation) -> World:
    return World(inst)


def test_licence_status_is_kept_over_time(world: World) -> None:
    client = client_for(world.inst.settings, world.inspector)
    refused = client.post(
        f"/api/labour/licences/{world.licence}/status",
        json={"status": "suspended", "effective_on": "2025-06-01"},
    )
    assert refused.status_code == 422 and refused.json()["field"] == "decision_ref"
    for body in (
        {"status": "suspended", "effective_on": "2025-06-01", "decision_ref": "DEC-2025-7"},
        {"status": "revoked", "effective_on": "2025-09-01", "decision_ref": "DEC-2025-11"},
    ):
        assert client.post(f"/api/labour/licences/{world.licence}/status", json=body).status_code == 204
    back = client.post(
        f"/api/labour/licences/{world.licence}/status",
        json={"status": "active", "effective_on": "2025-10-01", "decision_ref": "X"},
    )
    assert back.status_code == 422 and back.json()["field"] == "status"
    on = {
        d: client.get(f"/api/labour/agencies/{world.agency}?on={d}").json()
        for d in ("2025-05-31", "2025-07-01", "2025-09-01")
    }
    assert [on[d]["status"] for d in on] == ["active", "suspended", "revoked"]
    assert [h[0] for h in on["2025-09-01"]["licences"][0]["history"]] == ["active", "suspended", "revoked"]
    assert on["2025-05-31"]["licences"][0]["countries_served"] == ["AE", "SA"]
    counted = labour.counts(world.db, "test", year=2025)
    assert counted.agencies_sanctioned == "<11"


def test_an_upheld_complaint_records_every_worker_paid_cost_as_a_violation(world: World) -> None:
    actor = world.inspector.actor
    complaint = labour.record_complaint(
        world.db,
        actor,
        world.agency,
        parse(
            ComplaintIn,
            {
                "received_on": "2025-02-01",
                "source": "worker",
                "allegations": ["contract_substitution"],
                "payments": [
                    {"category": "medical", "paid_by": "worker", "amount_minor": 4000},
                    {"category": "deposit", "paid_by": "worker", "amount_minor": 20000},
                    {"category": "travel_and_lodging", "paid_by": "employer", "amount_minor": 90000},
                ],
                "summary": "She paid for her own medical check and left a deposit",
            },
        ),
    )
    found = labour.decide_complaint(
        world.db,
        actor,
        complaint,
        parse(ComplaintDecisionIn, {"status": "upheld", "decided_on": "2025-03-01"}),
    )
    assert found == ["worker_paid_fee", "worker_paid_deposit", "contract_substitution"]
    view = labour.view_agency(world.db, actor, world.agency)
    assert view.violations == {"worker_paid_fee": 1, "worker_paid_deposit": 1, "contract_substitution": 1}
    with pytest.raises(Exception, match="already upheld"):
        labour.decide_complaint(
            world.db,
            actor,
            complaint,
            parse(ComplaintDecisionIn, {"status": "dismissed", "decided_on": "2025-03-02"}),
        )
    # another inspectorate does not see this inspectorate's complaints
    assert labour.view_agency(world.db, world.south.actor, world.agency).complaints == []


def test_the_public_check_needs_no_log_in_and_keeps_nothing(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(world.inst.settings), base_url="https://testserver")
    audited = world.count(AuditEvent)
    with caplog.at_level(logging.DEBUG):
        page = client.post(
            "/agencies/check/zh-Hant", data={"q": "gb 1001"}, headers={"Origin": "https://testserver"}
        )
        api = client.post("/api/agencies/check", json={"q": "golden bridge"})
        missing = client.post(
            "/agencies/check/ar", data={"q": "Blue Sky Jobs"}, headers={"Origin": "https://testserver"}
        )
    assert (
        page.status_code == 200
        and "Golden Bridge Manpower Ltd" in page.text
        and 'lang="zh-Hant"' in page.text
    )
    assert api.json()["agencies"][0]["status"] == "active"
    assert api.json()["agencies"][0]["licences"][0]["number"] == "GB-1001"
    assert missing.status_code == 200 and 'dir="rtl"' in missing.text
    assert world.count(AuditEvent) == audited
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("opennrm"))
    assert "1001" not in logged and "golden" not in logged.lower() and "Blue Sky" not in logged
    assert "set-cookie" not in {k.lower() for k in page.headers}
    # nothing of a complaint or the inspectorate shows
    assert "complaint" not in api.text and world.inspectorate not in api.text


def test_the_scanner_flags_an_ad_naming_a_revoked_agency_or_an_unknown_licence(world: World) -> None:
    labour.change_licence(
        world.db,
        world.inspector.actor,
        world.licence,
        parse(
            labour.LicenceEventIn,
            {"status": "revoked", "effective_on": "2025-01-01", "decision_ref": "DEC-1"},
        ),
    )
    ads = [
        JobAd(id="a1", title="Orchard work", text="Golden Bridge Manpower hires now"),
        JobAd(
            id="a2",
            title="Hotel work",
            text="Apply, licence no. ZZ-404",
            company="Blue Sky Employment Agency",
        ),
        JobAd(id="a3", title="Bakery", text="Bakers wanted in town", company="Riverside Bakery"),
    ]
    scan = ad_review.store_scan(
        world.db,
        organisation_id=world.inspectorate,
        by=world.reviewer.actor.user_id,
        name="Crawl of 1 May",
        model="test",
        scanned=[(ad, {"id": ad.id, "risk": 0.1, "flags": [], "lang": "en"}) for ad in ads],
    )
    queue = ad_review.ad_queue(world.db, world.reviewer.actor, scan)
    flagged = {item.ad_ref: item for item in queue.ads}
    assert "agency_licence" in flagged["a1"].flags and flagged["a1"].risk >= 0.8
    assert "agency_licence" in flagged["a2"].flags
    assert "agency_licence" not in flagged["a3"].flags
    detail = ad_review.ad_detail(world.db, world.reviewer.actor, flagged["a1"].id)
    evidence = [f.evidence for f in detail.flags if f.flag == "agency_licence"]
    assert evidence and "revoked" in evidence[0]
    # the flag's name and what it means, in the reviewer's language, like every other red flag
    client = client_for(world.inst.settings, world.reviewer)
    for lang, name, explanation in (
        ("en", "Agency or licence not in force", "does not show as licensed on the day of the scan"),
        ("ar", "وكالة أو ترخيص غير ساري المفعول", "لا يُظهره السجل الوطني مرخّصًا في يوم الفحص"),
        ("zh-Hant", "機構或許可證未生效", "在掃描當日的國家登記冊中並無有效許可"),
    ):
        page = client.get(f"/ads/{flagged['a1'].id}?lang={lang}")
        assert page.status_code == 200, lang
        assert name in page.text and explanation in page.text, lang
        assert "agency_licence" not in page.text.replace('value="agency_licence"', ""), lang


def _scan_ads(world: World, organisation_id: str, by: str, ads: list[tuple[JobAd, str, float]]) -> str:
    """Store ads as a scan with the given network (actor) and risk, each carrying one red flag."""
    return ad_review.store_scan(
        world.db,
        organisation_id=organisation_id,
        by=by,
        name="Crawl of 2 May",
        model="test",
        scanned=[
            (
                ad,
                {
                    "id": ad.id,
                    "risk": risk,
                    "actor_id": network,
                    "flags": [{"flag": "worker_pays", "evidence": "fee", "weight": 1.0}],
                    "lang": "en",
                },
            )
            for ad, network, risk in ads
        ],
    )


def test_linked_flagged_ads_naming_the_placing_agency_raise_a_workplace_in_the_plan(world: World) -> None:
    """Two workplaces alike in every way but their placing agency: the one whose agency flagged job ads of
    linked networks name (by its name or its licence number) comes first, with the reason shown in the
    reader's language; ads alone, ads of low risk and ads a reviewer called legitimate do not count."""
    actor = world.inspector.actor
    other = labour.add_agency(world.db, actor, parse(labour.AgencyIn, {"name": "Silver Road Staffing"}))
    licence = {"number": "SR-2002", "issuing_authority": "Ministry of Labour", "issued_on": "2024-01-01"}
    labour.add_licence(world.db, actor, other, parse(labour.LicenceIn, licence))
    apple = labour.add_workplace(
        world.db,
        actor,
        parse(
            labour.WorkplaceIn,
            {"name": "Apple farm", "sector": "agriculture", "region": "North", "agency_id": other},
        ),
    )
    platform = make_org(world.db, "Job board trust and safety")
    scanner = make_user(world.db, "tessa", "Job board trust and safety", "ad_reviewer")
    before = labour.inspection_plan(world.db, actor)
    assert [p.id for p in before] == [apple, world.workplace]  # a tie, broken by name
    golden = "Golden Bridge Manpower Ltd"
    scan = _scan_ads(
        world,
        platform,
        scanner.actor.user_id,
        [
            # network 1 names the agency; network 2 writes its licence number: two networks
            (JobAd(id="g1", title="Pickers", text=f"{golden} hires pickers, fee 500"), "actor-one", 0.9),
            (JobAd(id="g2", title="Pickers", text="Call +1 555 0100 today"), "actor-one", 0.9),
            (JobAd(id="g3", title="Packers", text="Licence no. GB 1001, deposit needed"), "actor-two", 0.7),
            (JobAd(id="g4", title="Packers", text="Deposit needed, start now"), "actor-two", 0.7),
            # the other agency: alone, of low risk, or judged legitimate — none counts
            (JobAd(id="s1", title="Farm", text="Silver Road Staffing pays well"), "actor-alone", 0.95),
            (JobAd(id="s2", title="Farm", text="Silver Road Staffing, easy work"), "actor-low", 0.2),
            (JobAd(id="s3", title="Farm", text="Silver Road Staffing, easy work"), "actor-low", 0.2),
            (JobAd(id="s4", title="Farm", text="Silver Road Staffing hires"), "actor-fine", 0.8),
            (JobAd(id="s5", title="Farm", text="Silver Road Staffing hires"), "actor-fine", 0.8),
        ],
    )
    queue = {a.ad_ref: a.id for a in ad_review.ad_queue(world.db, scanner.actor, scan).ads}
    for ref in ("s4", "s5"):
        ad_review.record_decision(world.db, scanner.actor, queue[ref], "legitimate")
    counts = labour.linked_ad_networks(world.db)
    with world.db.transaction() as session:
        assert counts(session, world.inspectorate) == {world.workplace: 2}
    after = labour.inspection_plan(world.db, actor)
    assert [p.id for p in after] == [world.workplace, apple]
    assert "linked_ad_networks" in after[0].reasons and "linked_ad_networks" not in after[1].reasons
    assert after[0].score == before[1].score + 2 * AD_NETWORK_WEIGHT
    client = client_for(world.inst.settings, world.inspector)
    assert "linked job-ad networks" in client.get("/labour").text
    assert "شبكات إعلانات وظائف مرتبطة" in client.get("/labour?lang=ar").text
    assert "相關的招聘廣告網絡" in client.get("/labour?lang=zh-Hant").text


def test_the_plan_tells_nothing_of_the_ads_beyond_counts(world: World) -> None:
    """What the inspectorate reads of the linked networks is a count in the score and a reason: no ad, no
    network key, no contact, no text, no scanning organisation — on the page, in the API and in the
    audit log — and the inspector still cannot open the ads."""
    platform = make_org(world.db, "Job board trust and safety")
    scanner = make_user(world.db, "tessa", "Job board trust and safety", "ad_reviewer")
    secret_text = "Golden Bridge Manpower Ltd: WhatsApp +44 7700 900123, fee 800"
    scan = _scan_ads(
        world,
        platform,
        scanner.actor.user_id,
        [
            (JobAd(id="ref-secret-1", title="Maids abroad", text=secret_text), "actor-secret-net", 0.9),
            (JobAd(id="ref-secret-2", title="Maids abroad", text="Same WhatsApp"), "actor-secret-net", 0.9),
        ],
    )
    ad_ids = [a.id for a in ad_review.ad_queue(world.db, scanner.actor, scan).ads]
    with world.db.transaction() as session:
        last_seq = session.execute(select(func.max(AuditEvent.seq))).scalar_one()
    client = client_for(world.inst.settings, world.inspector)
    api = client.get("/api/labour/plan")
    page = client.get("/labour")
    assert api.status_code == page.status_code == 200
    planned = next(p for p in api.json() if p["id"] == world.workplace)
    assert set(planned) == {"id", "name", "sector", "region", "score", "reasons", "last_inspected"}
    assert "linked_ad_networks" in planned["reasons"]
    with world.db.transaction() as session:
        details = " ".join(
            f"{e.action} {e.object_type} {e.object_id} {e.detail}"
            for e in session.execute(select(AuditEvent).where(AuditEvent.seq > last_seq)).scalars()
        )
    for secret in (*ad_ids, scan, platform, "ref-secret", "actor-secret-net", "7700", "WhatsApp", "Maids"):
        assert secret not in api.text and secret not in page.text and secret not in details, secret
    with pytest.raises(Forbidden):
        ad_review.ad_detail(world.db, world.inspector.actor, ad_ids[0])
    with pytest.raises(Forbidden):
        ad_review.ad_queue(world.db, world.inspector.actor, scan)


def test_a_consented_referral_from_an_inspection_reaches_screening_and_the_network(world: World) -> None:
    inspection = world.inspect()
    view = labour.view_inspection(world.db, world.inspector.actor, inspection)
    assert {"forced_labour_indicator", "documents_held", "automatic_deduction", "excessive_hours"} <= set(
        view.findings
    )
    assert view.suggests_referral and view.record["notes"] == NOTES
    sent = labour.refer_worker(world.db, world.inspector.actor, inspection, world.referral())
    assert sent.presumed_victim
    # her case: opened by the inspector, screened, no immigration status recorded
    case = cases.view_case(world.db, world.inspector.actor, sent.case_id)
    assert case.case["migration_status"] == "unknown" and case.case["trafficking_status"] == "presumed_victim"
    stored = screenings.screenings_of(world.db, world.inspector.actor, sent.case_id)
    assert len(stored) == 1
    # the shelter received the referral and reads the case's service fields
    received = referrals.list_referrals(world.db, world.rose.actor, direction="received")
    assert [r.id for r in received.items] == [sent.referral_id]
    assert cases.view_case(world.db, world.rose.actor, sent.case_id).case["sex"] == "female"
    assert labour.view_inspection(world.db, world.inspector.actor, inspection).referrals == 1
    # an enforcement organisation reaches nothing of hers, nor the inspection
    for attempt in (
        lambda: cases.view_case(world.db, world.officer.actor, sent.case_id),
        lambda: labour.view_inspection(world.db, world.officer.actor, inspection),
        lambda: labour.list_inspections(world.db, world.officer.actor),
    ):
        with pytest.raises(Forbidden):
            attempt()
    counts = labour.counts(world.db, "test")
    assert counts.workers_referred == "<11" and counts.inspections == "<11"
    # the figures are aggregates: an enforcement user reads them, protected, and nothing more
    figures = client_for(world.inst.settings, world.officer).get("/api/labour/statistics").json()
    assert figures["inspections"] == "<11" and figures["inspections_by_sector"]["agriculture"] == "<11"
    assert set(counts.violations_by_type) >= {"worker_paid_fee", "document_retention"}


def test_a_referral_without_consent_or_to_an_enforcement_service_writes_nothing(world: World) -> None:
    inspection = world.inspect()
    client = client_for(world.inst.settings, world.inspector)
    before = (world.count(Case), world.count(Person), world.count(InspectionReferral))
    body = world.referral().model_dump(mode="json")
    no_consent = client.post(
        f"/api/labour/inspections/{inspection}/referrals", json={**body, "consent_given": False}
    )
    assert no_consent.status_code == 422
    for field, value in (("consent_language", "xx"), ("sex", "unknown-value")):
        wrong = client.post(f"/api/labour/inspections/{inspection}/referrals", json={**body, field: value})
        assert wrong.status_code == 422 and wrong.json()["field"].endswith(field), field
    status = client.post(
        f"/api/labour/inspections/{inspection}/referrals", json={**body, "migration_status": "irregular"}
    )
    assert status.status_code == 422 and "migration_status" in status.text
    firewall.set_enforcement_types(world.db, [*ALWAYS, "other"])
    with pytest.raises(InvalidInput, match="firewall"):
        labour.refer_worker(
            world.db, world.inspector.actor, inspection, world.referral(service_id=world.port_desk)
        )
    assert (world.count(Case), world.count(Person), world.count(InspectionReferral)) == before
    assert world.port_desk not in dict(labour.referral_services(world.db, world.inspector.actor))


def test_a_referral_refused_at_its_last_step_leaves_nothing_behind(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case, her consent, her screening, the referral and the inspection's count are one transaction: the
    consent gate refusing the referral, after everything before it was written, rolls all of it back; the
    refusal is in the audit log, and the earlier steps' events are not."""
    from opennrm.access.policy import Decision
    from opennrm.services import consent

    inspection = world.inspect()
    written = (Case, Person, ConsentRecord, Screening, Disclosure, Referral, InspectionReferral, Notification)
    before = [world.count(model) for model in written]
    with world.db.transaction() as session:
        last_seq = session.execute(select(func.max(AuditEvent.seq))).scalar_one()
    monkeypatch.setattr(
        consent, "disclosure_decision", lambda *_: (Decision(False, "no consent covers this recipient"), None)
    )
    with pytest.raises(Forbidden, match="referral refused: no consent covers this recipient"):
        labour.refer_worker(world.db, world.inspector.actor, inspection, world.referral())
    assert [world.count(model) for model in written] == before
    with world.db.transaction() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.outcome).where(AuditEvent.seq > last_seq)
        ).all()
    assert ("case.disclose", "denied") in [tuple(e) for e in events]
    assert not {e.action for e in events} & {
        "case.create",
        "consent.record",
        "screening.create",
        "referral.send",
    }
    assert labour.view_inspection(world.db, world.inspector.actor, inspection).referrals == 0
    # the same worker, once the gate is back to normal, is referred in one piece
    monkeypatch.undo()
    sent = labour.refer_worker(world.db, world.inspector.actor, inspection, world.referral())
    assert [world.count(model) - n for model, n in zip(written, before, strict=True)][:7] == [1] * 7
    assert referrals.view_referral(world.db, world.rose.actor, sent.referral_id) is not None


def test_only_the_inspectorates_own_inspectors_reach_its_inspections(world: World) -> None:
    inspection = world.inspect()
    for who in (world.south, world.caseworker, world.misplaced, world.officer, world.rose, world.reviewer):
        with pytest.raises(Forbidden):
            labour.view_inspection(world.db, who.actor, inspection)
        with pytest.raises(Forbidden):
            labour.refer_worker(world.db, who.actor, inspection, world.referral())
    assert labour.list_inspections(world.db, world.south.actor) == []
    # a labour inspector outside a labour inspectorate opens no case either
    with pytest.raises(Forbidden):
        cases.intake(world.db, world.misplaced.actor, intake())
    # no column of an inspection holds a worker's identity or status; the notes are encrypted
    with world.db.transaction() as session:
        row = session.execute(select(Inspection)).scalars().one()
        assert NOTES.encode() not in row.record_enc
        assert not [c.name for c in Inspection.__table__.columns if "migra" in c.name or "nation" in c.name]


def test_an_inspectorate_behind_the_firewall_loses_everything(world: World) -> None:
    inspection = world.inspect()
    sent = labour.refer_worker(world.db, world.inspector.actor, inspection, world.referral())
    firewall.set_enforcement_types(world.db, [*ALWAYS, "labour_inspectorate"])
    client = client_for(world.inst.settings, world.inspector)
    for path in (
        "/api/labour/inspections",
        f"/api/labour/inspections/{inspection}",
        f"/api/cases/{sent.case_id}",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get("/labour").status_code == 403


def test_the_pages_record_an_inspection_and_refer_her(world: World) -> None:
    client = client_for(world.inst.settings, world.inspector)
    home = client.get("/labour")
    assert home.status_code == 200 and "Hillside orchard" in home.text
    form = client.get(f"/labour/inspections/new?workplace={world.workplace}")
    assert form.status_code == 200 and 'name="indicators" value="CD01"' in form.text
    csrf = csrf_of(form.text)
    post = {
        "csrf": csrf,
        "workplace_id": world.workplace,
        "visited_on": today().isoformat(),
        "announced": "no",
        "women_met": "5",
        "indicators": ["CD01", "CD14"],
        "automatic_deductions": ["food"],
        "monthly_wage": "abc",
    }
    bad = client.post("/labour/inspections", data=post, headers={"Origin": "https://testserver"})
    assert bad.status_code == 422 and 'id="monthly_wage-error"' in bad.text and "checked" in bad.text
    post["monthly_wage"] = "850.00"
    made = client.post(
        "/labour/inspections", data=post, headers={"Origin": "https://testserver"}, follow_redirects=False
    )
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert page.status_code == 200 and "Refer a worker" in page.text
    refer = client.post(
        made.headers["location"].split("?")[0] + "/referrals",
        data={"csrf": csrf, "consent_language": "en", "service_id": world.shelter, "purpose": "Shelter"},
        headers={"Origin": "https://testserver"},
    )
    assert refer.status_code == 422 and 'id="consent_given-error"' in refer.text
    for path in ("/labour/agencies", f"/labour/agencies/{world.agency}"):
        assert client.get(path).status_code == 200, path
    sheet = client.get("/labour/checklist.xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"


def test_the_periodic_report_counts_labour_inspection_with_small_cells_suppressed(
    world: World, tmp_path: Path
) -> None:
    inspection = world.inspect()
    labour.refer_worker(world.db, world.inspector.actor, inspection, world.referral())
    figures = nrm_figures(world.db)
    assert figures.labour is not None and figures.labour.workers_referred == "<11"
    stats = from_exact(small_ctdc_frame(), ctdc.DEFAULT_TABLES, "test", "2025-01-01")
    html = build_report(stats, tmp_path, nrm=figures).html.read_text(encoding="utf-8")
    for part in (
        "Labour inspection and recruitment (paras. 54(b), 59 and 60(d))",
        "Violations by recruitment agencies, by type",
        "Inspections and findings by sector",
    ):
        assert part in html, part
    assert "<td>1</td>" not in html and "of which unannounced &lt;11" in html


def test_the_demo_seeds_the_registry_and_an_inspection(sqlite_inst: Installation) -> None:
    from opennrm.services.demo import create_demo_network, seed_demo_labour

    network = create_demo_network(sqlite_inst.db, "a long demo password")
    made = seed_demo_labour(sqlite_inst.db, network)
    found = labour.public_check(sqlite_inst.db, "silver road")
    assert [(a.name, a.status) for a in found] == [("Silver Road Recruitment", "revoked")]
    assert labour.public_check(sqlite_inst.db, "ES 3003")[0].status == "suspended"
    assert labour.counts(sqlite_inst.db, "test").inspections == "<11"
    assert made["inspection"]


def test_anonymous_reports_about_work_in_its_sector_and_region_raise_a_workplace_in_the_plan(
    world: World,
) -> None:
    """The reporting channel feeds the risk order (GR38 §54(b)) with counts only: reports about work in
    the workplace's sector and region count as complaints; a report about another region does not."""
    db = world.db
    before = {p.id: p for p in labour.plan(db, world.inspector.actor)}[world.workplace]
    pepper = reporting.Pepper.load(world.inst.settings.reporting_pepper_file)
    for region in ("north", "South"):
        report = {"text": "They keep our passports.", "concerns": ["work"], "sector": "agriculture"}
        reporting.submit_report(db, pepper, ReportIn.model_validate({**report, "region": region}))
    counts = labour.complaints_with_reports(db)
    planned = {p.id: p for p in labour.plan(db, world.inspector.actor, complaint_counts=counts)}[
        world.workplace
    ]
    assert planned.score > before.score
    with db.transaction() as session:
        assert counts(session, world.inspectorate)[world.workplace] >= 1
