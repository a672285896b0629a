"""Issue 12, items 2, 3 and 8: access rests on a consent in force *today*; every consent ends; the criminal-
justice system and financial intelligence are behind the firewall like immigration, and a change of the list
closes sharing; a woman who files a complaint hands over a document she chose; and nobody learns that a
record exists, or a field she may not see, from an answer (DESIGN invariants 2, 3 and 9)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from opennrm.access.policy import OVERRIDE_DAYS, ConsentFacts, disclosure_in_force
from opennrm.config import ConfigurationError, Settings
from opennrm.domain.consent import ConsentTerms, add_months
from opennrm.domain.services import ReferralRequest
from opennrm.services import cases, consent, directory, firewall, installation, referrals, screenings
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, ConsentRecord, Disclosure, Referral
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, SAMPLE_ID, StaffUser, intake, make_org, make_user


def today() -> dt.date:
    """Today, read when a test runs (a date taken at import goes stale if the run crosses midnight)."""
    return dt.date.today()


ALWAYS = ["financial_intelligence_unit", "immigration_service", "police", "prosecution"]


@pytest.fixture(autouse=True)
def _hooks() -> Iterator[None]:
    yield


class Network:
    def __init__(self, inst: Installation) -> None:
        db = inst.db
        self.inst = inst
        self.ngo = make_org(db, "Safe Harbour")
        self.shelter = make_org(db, "Rose Shelter", "shelter")
        self.legal = make_org(db, "Legal Aid North", "legal_aid")
        self.inspectorate = make_org(db, "Labour Inspectorate", "labour_inspectorate")
        self.police = make_org(db, "City Police", "police")
        self.border = make_org(db, "Border Agency", "immigration_service")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.li = make_user(db, "li.wei", "Safe Harbour", "supervisor")
        self.other = make_user(db, "ken", "Rose Shelter", "caseworker")
        self.rose = make_user(db, "rose", "Rose Shelter", "service_provider")
        self.lawyer = make_user(db, "lawyer", "Legal Aid North", "caseworker")
        self.inspector = make_user(db, "inspector", "Labour Inspectorate", "caseworker")
        self.officer = make_user(db, "officer", "City Police", "caseworker", enforcement=True)
        self.liaison = make_user(db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True)

    @property
    def db(self):  # type: ignore[no-untyped-def]
        return self.inst.db

    def case(self, age: int = 24) -> str:
        return cases.intake(self.db, self.amina.actor, intake(case__age_at_trafficking=age))

    def consent(self, case_id: str, to: list[str], **overrides: object) -> str:
        raw = {"purposes": ["referral", "services"], "recipient_organisation_ids": to, "language": "en"}
        return consent.record_consent(
            self.db, self.amina.actor, case_id, consent.parse_consent({**raw, **overrides})
        )

    def share(self, case_id: str, to: str, **kw: object) -> consent.DisclosureResult:
        return consent.disclose(self.db, self.amina.actor, case_id, to, "referral", **kw)  # type: ignore[arg-type]

    def expire(self, consent_id: str, on: dt.date | None = None) -> None:
        """Time passes: the consent's end moves into the past (its disclosures stay marked open)."""
        on = on or today() - dt.timedelta(days=1)
        with self.db.transaction() as s:
            s.execute(update(ConsentRecord).where(ConsentRecord.id == consent_id).values(expires_on=on))

    def client(self, user: StaffUser) -> TestClient:
        client = TestClient(create_app(self.inst.settings), base_url="https://testserver")
        login = {"username": user.username, "password": PASSWORD}
        if user.totp_secret:
            login["totp"] = user.code()
        assert client.post("/api/session", json=login).status_code == 201
        return client

    def denied(self) -> int:
        with self.db.transaction() as s:
            return int(s.scalar(select(func.count()).where(AuditEvent.outcome == "denied")) or 0)


@pytest.fixture
def net(inst: Installation) -> Network:
    return Network(inst)


# -- item 2: a consent in force today, and every consent ends -------------------------------------------


def test_an_expired_consent_closes_the_receivers_access_at_the_next_read(net: Network) -> None:
    case_id = net.case()
    consent_id = net.consent(case_id, [net.shelter], given_on=(today() - dt.timedelta(days=40)).isoformat())
    net.share(case_id, net.shelter, fields=frozenset({"given_name", "phone"}))
    rose = net.client(net.rose)
    assert rose.get(f"/api/cases/{case_id}").json()["person"]["phone"] == "+44 7700 900123"
    net.expire(consent_id)
    # no sweep, no view of the referral: the very next read is refused, the list is empty
    assert rose.get(f"/api/cases/{case_id}").status_code == 403
    assert rose.post(f"/api/cases/{case_id}/notes", json={"text": "seen"}).status_code == 403
    assert rose.get("/api/cases").json()["items"] == []
    with net.db.transaction() as s:  # nothing closed it: the read path alone decided
        assert s.scalar(select(Disclosure.status).where(Disclosure.case_id == case_id)) == "open"
    # the last day of a consent still counts
    net.expire(consent_id, on=today())
    assert rose.get(f"/api/cases/{case_id}").status_code == 200


def test_a_referral_under_an_expired_consent_opens_nothing(net: Network) -> None:
    service = directory.add_service(
        net.db,
        parse(
            directory.ServiceEntry,
            {"name": "Rose shelter", "service_type": "shelter", "languages": ["en"], "place": "North"},
        ),
        organisation_id=net.shelter,
    )
    case_id = net.case()
    consent_id = net.consent(case_id, [net.shelter])
    referrals.send_referral(
        net.db,
        net.amina.actor,
        case_id,
        ReferralRequest.model_validate({"service_id": service, "purpose": "Bed"}),
    )
    assert cases.view_case(net.db, net.rose.actor, case_id).person
    net.expire(consent_id)
    with pytest.raises(Forbidden):
        cases.view_case(net.db, net.rose.actor, case_id)
    assert cases.list_cases(net.db, net.rose.actor, cases.CaseFilters()).items == []


def test_a_best_interests_override_holds_for_a_limited_time(net: Network) -> None:
    child = net.case(age=15)
    result = consent.disclose(
        net.db, net.li.actor, child, net.shelter, "referral", override_reason="safe accommodation tonight"
    )
    assert cases.view_case(net.db, net.rose.actor, child).person
    with net.db.transaction() as s:
        s.execute(
            update(Disclosure)
            .where(Disclosure.id == result.id)
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=OVERRIDE_DAYS + 2))
        )
    with pytest.raises(Forbidden):
        cases.view_case(net.db, net.rose.actor, child)


def test_what_the_store_computes_is_what_the_policy_says(net: Network) -> None:
    """``relation_of`` (the store's form) agrees with ``policy.disclosure_in_force`` for every state."""
    states = {
        "valid": {"given_on": today() - dt.timedelta(days=10), "expires_on": today() + dt.timedelta(days=10)},
        "last_day": {"given_on": today() - dt.timedelta(days=10), "expires_on": today()},
        "expired": {
            "given_on": today() - dt.timedelta(days=10),
            "expires_on": today() - dt.timedelta(days=1),
        },
        "future": {"given_on": today() + dt.timedelta(days=1), "expires_on": today() + dt.timedelta(days=30)},
        "revoked": {
            "given_on": today() - dt.timedelta(days=10),
            "expires_on": today() + dt.timedelta(days=10),
        },
        "closed": {
            "given_on": today() - dt.timedelta(days=10),
            "expires_on": today() + dt.timedelta(days=10),
        },
    }
    case_id = net.case()
    orgs = {name: make_org(net.db, f"Clinic {name}", "health_service") for name in states}
    expected: dict[str, bool] = {}
    for name, dates in states.items():
        consent_id = net.consent(case_id, [orgs[name]])
        net.share(case_id, orgs[name])
        with net.db.transaction() as s:
            row = s.get(ConsentRecord, consent_id)
            assert row is not None
            row.given_on, row.expires_on = dates["given_on"], dates["expires_on"]
            if name == "revoked":
                row.revoked_at = dt.datetime.now(dt.UTC)
            if name == "closed":
                s.execute(
                    update(Disclosure).where(Disclosure.consent_id == consent_id).values(status="closed")
                )
            facts = ConsentFacts(
                consent_id,
                frozenset(),
                frozenset(),
                frozenset(),
                row.given_on,
                row.expires_on,
                name == "revoked",
            )
        expected[orgs[name]] = disclosure_in_force(
            "closed" if name == "closed" else "open", facts, today(), today()
        ).allowed
    with net.db.transaction() as s:
        case = s.get(cases.Case, case_id)
        assert case is not None
        received = cases.relation_of(s, case).received
    assert {org for org, ok in expected.items() if ok} == set(received)
    assert set(received) == {orgs["valid"], orgs["last_day"]}


def test_every_consent_ends_by_default_and_never_later_than_the_maximum(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id, [net.shelter], given_on="2026-01-31")
    [recorded] = consent.list_consents(net.db, net.amina.actor, case_id)
    assert recorded["expires_on"] == "2027-01-31"  # 12 months
    too_long = add_months(today(), 25).isoformat()
    with pytest.raises(InvalidInput, match="24 months at most") as refused:
        net.consent(case_id, [net.shelter], expires_on=too_long)
    assert refused.value.field == "expires_on"
    assert len(consent.list_consents(net.db, net.amina.actor, case_id)) == 1  # nothing written
    short = ConsentTerms(default_months=3, max_months=6)
    consent.record_consent(
        net.db,
        net.amina.actor,
        case_id,
        consent.parse_consent({"purposes": ["research"], "language": "en", "given_on": "2026-11-30"}),
        terms=short,
    )
    assert consent.list_consents(net.db, net.amina.actor, case_id)[-1]["expires_on"] == "2027-02-28"


def test_the_api_names_expires_on_and_the_settings_come_from_the_environment(net: Network) -> None:
    client = net.client(net.amina)
    case_id = net.case()
    body = {"purposes": ["research"], "language": "en", "expires_on": add_months(today(), 30).isoformat()}
    refused = client.post(f"/api/cases/{case_id}/consents", json=body)
    assert refused.status_code == 422 and refused.json()["field"] == "expires_on"
    beyond = {**body, "expires_on": add_months(today(), 40).isoformat()}
    assert client.post(f"/api/cases/{case_id}/consents", json=beyond).json()["field"] == "expires_on"
    env = {"OPENNRM_HOME": "/tmp/x", "OPENNRM_CONSENT_DEFAULT_MONTHS": "6", "OPENNRM_CONSENT_MAX_MONTHS": "9"}
    assert Settings.from_env(env).consent_terms == ConsentTerms(6, 9)
    for bad in ({"OPENNRM_CONSENT_DEFAULT_MONTHS": "30"}, {"OPENNRM_CONSENT_MAX_MONTHS": "ten"}):
        with pytest.raises(ConfigurationError, match="OPENNRM_CONSENT"):
            Settings.from_env({"OPENNRM_HOME": "/tmp/x", **bad})


def test_migration_0012_gives_old_consents_an_end(net: Network) -> None:
    case_id = net.case()
    consent_id = net.consent(case_id, [net.shelter], given_on="2025-03-31")
    installation.downgrade(net.db, "0011")
    with net.db.engine.begin() as conn:
        conn.execute(update(ConsentRecord.__table__).values(expires_on=None))
    installation.migrate(net.db)
    with net.db.transaction() as s:
        row = s.get(ConsentRecord, consent_id)
        assert row is not None and row.expires_on == dt.date(2026, 3, 31)


# -- item 3: the criminal-justice system is outside the firewall too --------------------------------------


@pytest.mark.parametrize("kind", ALWAYS)
def test_no_consent_and_no_override_opens_a_case_to_enforcement(net: Network, kind: str) -> None:
    org = make_org(net.db, f"Authority {kind}", kind)
    case_id, child = net.case(), net.case(age=15)
    with pytest.raises(InvalidInput, match="firewall"):
        net.consent(case_id, [org])
    with pytest.raises(InvalidInput, match="firewall"):
        net.consent(case_id, [], recipient_types=[kind])
    with pytest.raises(Forbidden, match="firewall"):
        consent.disclose(
            net.db, net.li.actor, child, org, "referral", override_reason="the child's interests"
        )


def test_a_change_of_the_firewall_list_closes_sharing_and_a_toggle_never_revives_it(net: Network) -> None:
    service = directory.add_service(
        net.db,
        parse(
            directory.ServiceEntry,
            {"name": "Inspection desk", "service_type": "legal_aid", "languages": ["en"], "place": "North"},
        ),
        organisation_id=net.inspectorate,
    )
    case_id, other_case = net.case(), net.case()
    net.consent(case_id, [net.inspectorate, net.shelter])
    net.consent(other_case, [net.inspectorate])
    net.share(case_id, net.inspectorate)
    net.share(case_id, net.shelter)
    sent = referrals.send_referral(
        net.db,
        net.amina.actor,
        other_case,
        ReferralRequest.model_validate({"service_id": service, "purpose": "Pay"}),
    )
    assert cases.view_case(net.db, net.inspector.actor, case_id).person
    firewall.set_enforcement_types(net.db, [*ALWAYS, "labour_inspectorate"], actor_id=net.li.actor.user_id)
    firewall.set_enforcement_types(net.db, ALWAYS, actor_id=net.li.actor.user_id)  # and back again
    # the inspector is no longer behind the firewall, but the old sharing stays closed
    with pytest.raises(Forbidden):
        cases.view_case(net.db, net.inspector.actor, case_id)
    with pytest.raises(Forbidden):
        cases.view_case(net.db, net.inspector.actor, other_case)
    assert cases.view_case(net.db, net.rose.actor, case_id).person  # other recipients keep theirs
    with net.db.transaction() as s:
        ref = s.get(Referral, sent.id)
        assert ref is not None and (ref.status, ref.close_reason) == ("revoked", "firewall_change")
        closed = (
            s.execute(select(AuditEvent.detail).where(AuditEvent.action == "disclosure.close"))
            .scalars()
            .all()
        )
        revoked = (
            s.execute(select(AuditEvent.detail).where(AuditEvent.action == "referral.revoke")).scalars().all()
        )
    # the direct disclosure and the referral (with its disclosure) closed, each audited
    assert len(closed) == 2 and [json.loads(d).get("reason") for d in closed].count("firewall_change") == 1
    assert [json.loads(d)["reason"] for d in revoked] == ["firewall_change"]


def test_install_and_demo_organisation_types_are_valid_and_fiu_has_a_label_and_htcds_name() -> None:
    from opennrm.domain.labels import VOCABULARY_LABELS
    from opennrm.domain.vocabularies import HTCDS, OrganisationType

    assert HTCDS[OrganisationType].names["financial_intelligence_unit"] == "CentralGovernmentOrganisation"
    assert "financial_intelligence_unit" in VOCABULARY_LABELS
    assert frozenset(ALWAYS) == firewall.ALWAYS


# -- the complaint hand-over document ---------------------------------------------------------------------


def test_the_owner_prepares_a_handover_document_of_the_fields_she_chose(net: Network) -> None:
    case_id = net.case()
    client = net.client(net.amina)
    form = client.get(f"/cases/{case_id}/handover")
    assert form.status_code == 200 and 'value="given_name"' in form.text and 'value="events"' in form.text
    assert f'href="/cases/{case_id}/handover"' in client.get(f"/cases/{case_id}").text
    csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
    document = client.post(
        f"/cases/{case_id}/handover", data={"csrf": csrf, "fields": ["given_name", "events"]}
    )
    assert document.status_code == 200
    assert "Mariam" in document.text and "forced labour" in document.text
    assert "Haddad" not in document.text and "900123" not in document.text  # not chosen
    download = client.post(
        f"/cases/{case_id}/handover", data={"csrf": csrf, "fields": ["phone"], "download": "1"}
    )
    assert download.headers["content-disposition"].startswith("attachment")
    assert client.post(f"/cases/{case_id}/handover", data={"csrf": csrf}).status_code == 422
    bad = client.post(f"/cases/{case_id}/handover", data={"csrf": csrf, "fields": ["migration_status"]})
    assert bad.status_code == 422
    with net.db.transaction() as s:
        details = (
            s.execute(select(AuditEvent.detail).where(AuditEvent.action == "case.handover")).scalars().all()
        )
    # names, never values
    assert [json.loads(d) for d in details] == [{"fields": ["events", "given_name"]}, {"fields": ["phone"]}]


def test_legal_aid_prepares_it_from_what_she_shared_and_nobody_else_does(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id, [net.legal, net.shelter])
    net.share(case_id, net.legal, fields=frozenset({"given_name", "phone"}))
    net.share(case_id, net.shelter, fields=frozenset({"given_name"}))
    offer = net.client(net.lawyer).get(f"/cases/{case_id}/handover")
    assert offer.status_code == 200 and 'value="phone"' in offer.text
    assert 'value="family_name"' not in offer.text and 'value="events"' not in offer.text
    assert net.client(net.rose).get(f"/cases/{case_id}/handover").status_code == 403
    assert net.client(net.officer).get(f"/cases/{case_id}/handover").status_code == 403


# -- item 8: screenings, existence, occupancy -----------------------------------------------------------


def test_only_the_owning_side_reads_a_stored_screening(net: Network) -> None:
    case_id, other_case = net.case(), net.case()
    sid, _ = screenings.screen_case(
        net.db, net.amina.actor, case_id, {"exploitation_form": "labour", "age": 30}
    )
    other_sid, _ = screenings.screen_case(
        net.db, net.amina.actor, other_case, {"exploitation_form": "labour", "age": 30}
    )
    net.consent(case_id, [net.shelter])
    net.share(case_id, net.shelter)
    owner, rose = net.client(net.amina), net.client(net.rose)
    assert owner.get(f"/cases/{case_id}/screening/{sid}").status_code == 200
    assert rose.get(f"/cases/{case_id}").status_code == 200  # she holds the case …
    assert rose.get(f"/cases/{case_id}/screening/{sid}").status_code == 403  # … but not its screening
    # a screening of another case, or none at all, is answered like one that is not hers
    assert owner.get(f"/cases/{case_id}/screening/{other_sid}").status_code == 403
    assert owner.get(f"/cases/{case_id}/screening/{SAMPLE_ID}").status_code == 403


def test_absent_and_not_yours_get_the_same_answer_and_refusals_are_audited(net: Network) -> None:
    service = directory.add_service(
        net.db,
        parse(
            directory.ServiceEntry,
            {"name": "Rose shelter", "service_type": "shelter", "languages": ["en"], "place": "North"},
        ),
        organisation_id=net.shelter,
    )
    case_id = net.case()
    net.consent(case_id, [net.shelter])
    sent = referrals.send_referral(
        net.db,
        net.amina.actor,
        case_id,
        ReferralRequest.model_validate({"service_id": service, "purpose": "Bed"}),
    )
    doc = cases.add_document(net.db, net.amina.actor, case_id, "a.txt", "text/plain", b"x")
    [consent_id] = [c["id"] for c in consent.list_consents(net.db, net.amina.actor, case_id)]
    sid, _ = screenings.screen_case(
        net.db, net.amina.actor, case_id, {"exploitation_form": "labour", "age": 30}
    )
    routes = {
        "case": lambda c, i: c.get(f"/api/cases/{i['case']}"),
        "case page": lambda c, i: c.get(f"/cases/{i['case']}"),
        "note": lambda c, i: c.post(f"/api/cases/{i['case']}/notes", json={"text": "x"}),
        "document": lambda c, i: c.get(f"/api/documents/{i['doc']}"),
        "consents": lambda c, i: c.get(f"/api/cases/{i['case']}/consents"),
        "revoke": lambda c, i: c.post(f"/api/consents/{i['consent']}/revoke"),
        "refer": lambda c, i: c.post(
            f"/api/cases/{i['case']}/referrals", json={"service_id": service, "purpose": "Again"}
        ),
        "referral": lambda c, i: c.get(f"/api/referrals/{i['referral']}"),
        "screening": lambda c, i: c.get(f"/cases/{i['case']}/screening/{i['screening']}"),
        "handover": lambda c, i: c.get(f"/cases/{i['case']}/handover"),
    }
    real = {"case": case_id, "doc": doc, "consent": consent_id, "referral": sent.id, "screening": sid}
    absent = dict.fromkeys(real, SAMPLE_ID)
    for user in (net.liaison, net.officer, net.lawyer, net.inspector):
        client = net.client(user)
        for name, call in routes.items():
            before = net.denied()
            existing, missing = call(client, real), call(client, absent)
            assert existing.status_code == missing.status_code == 403, (user.username, name)
            if "json" in existing.headers.get("content-type", ""):
                assert existing.json()["detail"] == missing.json()["detail"], (user.username, name)
            assert net.denied() >= before + 2, (user.username, name)  # both refusals audited


def test_enforcement_users_see_no_occupancy_in_the_directory(net: Network) -> None:
    directory.add_service(
        net.db,
        parse(
            directory.ServiceEntry,
            {
                "name": "Rose shelter",
                "service_type": "shelter",
                "languages": ["en"],
                "place": "North",
                "capacity": 10,
                "available": 3,
            },
        ),
        organisation_id=net.shelter,
    )
    seen = net.client(net.amina).get("/api/directory/services?need=shelter").json()
    assert [(s["capacity"], s["available"]) for s in seen] == [(10, 3)]
    for user in (net.liaison, net.officer):
        client = net.client(user)
        hidden = client.get("/api/directory/services?need=shelter").json()
        assert [(s["capacity"], s["available"]) for s in hidden] == [(None, None)]
        one = client.get(f"/api/directory/services/{hidden[0]['id']}").json()
        assert (one["capacity"], one["available"]) == (None, None)
        page = client.get("/directory?need=shelter")
        assert page.status_code == 200 and "3 / 10" not in page.text
