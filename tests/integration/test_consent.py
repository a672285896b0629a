"""Identifiable data leaves the owning organisation only under a matching, unexpired, unrevoked consent, or a
permitted best-interests override for a child — audited either way; revocation takes effect at once; the
firewall holds whatever the consent says (DESIGN invariants 2 and 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from opennrm.services import cases, consent, firewall
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.store.tables import AuditEvent
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user


class Network:
    def __init__(self, inst: Installation) -> None:
        db = inst.db
        self.inst = inst
        self.ngo = make_org(db, "Safe Harbour")
        self.shelter = make_org(db, "Rose Shelter", "shelter")
        self.clinic = make_org(db, "Riverside Clinic", "health_service")
        self.border = make_org(db, "Border Agency", "immigration_service")
        self.police = make_org(db, "City Police", "police")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker", team="north")
        self.joy = make_user(db, "joy", "Safe Harbour", "caseworker", team="north")
        self.ken = make_user(db, "ken", "Safe Harbour", "caseworker", team="south")
        self.li = make_user(db, "li.wei", "Safe Harbour", "supervisor")
        self.rose = make_user(db, "rose", "Rose Shelter", "service_provider")
        self.doctor = make_user(db, "doctor", "Riverside Clinic", "service_provider")
        self.officer = make_user(db, "officer", "City Police", "caseworker")

    def case(self, age: int = 24) -> str:
        return cases.intake(
            self.inst.db,
            self.amina.actor,
            intake(case__age_at_trafficking=age, person__id_document_number="P123"),
        )

    def consent(self, case_id: str, **overrides: object) -> str:
        raw = {
            "purposes": ["referral"],
            "recipient_organisation_ids": [self.shelter],
            "language": "ar",
            "interpreter_used": True,
            **overrides,
        }
        return consent.record_consent(self.inst.db, self.amina.actor, case_id, consent.parse_consent(raw))

    def share(
        self, case_id: str, to: str, who: StaffUser | None = None, **kw: object
    ) -> consent.DisclosureResult:
        return consent.disclose(self.inst.db, (who or self.amina).actor, case_id, to, "referral", **kw)  # type: ignore[arg-type]


@pytest.fixture
def net(inst: Installation) -> Network:
    return Network(inst)


def test_sharing_without_consent_is_refused_with_the_reason(net: Network) -> None:
    case_id = net.case()
    with pytest.raises(Forbidden, match="no consent is recorded"):
        net.share(case_id, net.shelter)


def test_consent_for_one_organisation_opens_it_for_that_one_only(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id)
    assert net.share(case_id, net.shelter).consent_id
    with pytest.raises(Forbidden, match="does not name this recipient"):
        net.share(case_id, net.clinic)


def test_consent_to_a_type_of_organisation(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id, recipient_organisation_ids=[], recipient_types=["health_service"])
    assert net.share(case_id, net.clinic)
    with pytest.raises(Forbidden):
        net.share(case_id, net.shelter)


def test_expired_revoked_and_wrong_purpose_consents_do_not_count(net: Network) -> None:
    case_id = net.case()
    old = dt.date.today() - dt.timedelta(days=60)
    net.consent(case_id, given_on=old.isoformat(), expires_on=(old + dt.timedelta(days=30)).isoformat())
    with pytest.raises(Forbidden, match="expired"):
        net.share(case_id, net.shelter)
    revoked = net.consent(case_id)
    consent.revoke_consent(net.inst.db, net.amina.actor, revoked)
    with pytest.raises(Forbidden, match="revoked"):
        net.share(case_id, net.shelter)
    net.consent(case_id, purposes=["statistics"])
    with pytest.raises(Forbidden, match="purpose"):
        net.share(case_id, net.shelter)


def test_revocation_ends_the_recipients_access_at_once(net: Network) -> None:
    case_id = net.case()
    consent_id = net.consent(case_id)
    net.share(case_id, net.shelter, fields=frozenset({"given_name", "phone"}))
    seen = cases.view_case(net.inst.db, net.rose.actor, case_id)
    assert set(seen.person) <= {"given_name", "phone"} and seen.person.get("given_name") == "Mariam"
    assert seen.notes == [] and seen.documents == [] and seen.received
    assert [c.id for c in cases.list_cases(net.inst.db, net.rose.actor, cases.CaseFilters()).items] == [
        case_id
    ]
    assert consent.revoke_consent(net.inst.db, net.amina.actor, consent_id) == 1
    with pytest.raises(Forbidden):
        cases.view_case(net.inst.db, net.rose.actor, case_id)
    assert cases.list_cases(net.inst.db, net.rose.actor, cases.CaseFilters()).items == []


def test_receivers_see_only_need_to_know_fields_and_cannot_pass_the_case_on(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id, recipient_organisation_ids=[net.shelter, net.clinic])
    net.share(case_id, net.shelter, fields=frozenset({"given_name", "id_document_number"}))
    seen = cases.view_case(net.inst.db, net.rose.actor, case_id)
    assert "id_document_number" not in seen.person  # never for receivers
    with pytest.raises(Forbidden):
        net.share(case_id, net.clinic, who=net.rose)
    with pytest.raises(Forbidden):
        cases.add_document(net.inst.db, net.rose.actor, case_id, "x.txt", "text/plain", b"x")


def test_the_firewall_holds_even_with_consent(net: Network) -> None:
    case_id = net.case()
    with pytest.raises(InvalidInput, match="firewall"):
        net.consent(case_id, recipient_organisation_ids=[net.border])
    with pytest.raises(InvalidInput, match="firewall"):
        net.consent(case_id, recipient_organisation_ids=[], recipient_types=["immigration_service"])
    with pytest.raises(Forbidden, match="firewall"):
        net.share(case_id, net.border, override_reason="the child's best interests, says the supervisor")


def test_override_needs_the_permission_a_child_and_a_reason_and_is_audited(net: Network) -> None:
    child_case = net.case(age=15)
    adult_case = net.case(age=30)
    with pytest.raises(Forbidden, match="may not override"):
        net.share(child_case, net.shelter, override_reason="urgent safe accommodation for the child")
    with pytest.raises(Forbidden, match="child's best interests"):
        net.share(adult_case, net.shelter, who=net.li, override_reason="urgent safe accommodation needed")
    with pytest.raises(Forbidden, match="reason"):
        net.share(child_case, net.shelter, who=net.li, override_reason="urgent")
    result = net.share(
        child_case, net.shelter, who=net.li, override_reason="urgent safe accommodation for the child"
    )
    assert result.overridden and result.consent_id is None
    with net.inst.db.transaction() as s:
        events = [
            (e.action, e.outcome) for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        ]
    assert events[-1] == ("consent.override", "ok")
    assert events.count(("case.disclose", "denied")) == 3


def test_team_scope(net: Network) -> None:
    case_id = net.case()
    assert cases.view_case(net.inst.db, net.joy.actor, case_id)  # same team
    with pytest.raises(Forbidden):
        cases.view_case(net.inst.db, net.ken.actor, case_id)  # other team


def test_firewall_list_changes_are_audited_warned_and_cannot_drop_the_always_types(net: Network) -> None:
    db = net.inst.db
    always = ["financial_intelligence_unit", "immigration_service", "police", "prosecution"]
    for dropped in always:
        with pytest.raises(InvalidInput, match="cannot be switched off"):
            firewall.set_enforcement_types(db, [t for t in always if t != dropped])
    firewall.set_enforcement_types(db, [*always, "labour_inspectorate"])
    case_id = net.case()
    net.consent(case_id, recipient_organisation_ids=[net.shelter])
    with pytest.raises(InvalidInput, match="firewall"):
        net.consent(case_id, recipient_types=["labour_inspectorate"])
    client = TestClient(create_app(net.inst.settings), base_url="https://testserver")
    assert "organisation types treated as enforcement was changed" in client.get("/login").text
    # the police caseworker is behind the firewall, whatever the list says
    body = {"username": "officer", "password": PASSWORD, "totp": net.officer.code()}
    assert client.post("/api/session", json=body).status_code == 201
    assert client.get("/api/cases").status_code == 403
    assert firewall.acknowledge(db)
    assert "treated as enforcement" not in client.get("/login").text
    with db.transaction() as s:
        actions = [e.action for e in s.execute(select(AuditEvent)).scalars()]
    assert "firewall.change" in actions and "firewall.acknowledge" in actions


def test_consent_api_and_problem_details(net: Network) -> None:
    client = TestClient(create_app(net.inst.settings), base_url="https://testserver")
    body = {"username": "amina", "password": PASSWORD, "totp": net.amina.code()}
    assert client.post("/api/session", json=body).status_code == 201
    case_id = net.case()
    refused = client.post(
        f"/api/cases/{case_id}/disclosures",
        json={"recipient_organisation_id": net.shelter, "purpose": "referral"},
    )
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert "no consent" in refused.json()["detail"]
    bad = client.post(f"/api/cases/{case_id}/consents", json={"purposes": ["referral"], "language": "xx"})
    assert bad.status_code == 422 and bad.json()["field"] == "language"
    made = client.post(
        f"/api/cases/{case_id}/consents",
        json={"purposes": ["referral"], "recipient_organisation_ids": [net.shelter], "language": "ar"},
    )
    assert made.status_code == 201
    listed = client.get(f"/api/cases/{case_id}/consents").json()
    assert [c["status"] for c in listed] == ["active"]
    shared = client.post(
        f"/api/cases/{case_id}/disclosures",
        json={"recipient_organisation_id": net.shelter, "purpose": "referral"},
    )
    assert shared.status_code == 201 and shared.json()["consent_id"] == made.json()["id"]
    revoked = client.post(f"/api/consents/{made.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["disclosures_closed"] == 1
    assert client.get(f"/api/cases/{case_id}/consents").json()[0]["status"] == "revoked"


def test_receivers_see_the_service_fields_of_the_case_but_not_what_happened_or_where(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id)
    net.share(case_id, net.shelter, fields=frozenset({"given_name"}))
    owner = cases.view_case(net.inst.db, net.amina.actor, case_id).case
    receiver = cases.view_case(net.inst.db, net.rose.actor, case_id).case
    assert "events" in owner and "citizenship" in owner
    assert set(receiver) <= {
        "status",
        "trafficking_status",
        "identified_on",
        "age_at_trafficking",
        "is_child",
        "sex",
        "gender",
        "languages",
        "disability",
    }
    assert receiver["age_at_trafficking"] == 24
