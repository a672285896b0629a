"""Referrals go through the consent gate with the service type's need-to-know fields; the receiver reads those
fields only while the referral is open; revoking the consent revokes the referral at once; declines keep
their reason; unanswered referrals escalate and expire (issue 5; DESIGN invariants 2, 3, 9)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from opennrm.access.roles import Role
from opennrm.cli.main import _register, app
from opennrm.domain.services import NEED_TO_KNOW, Decline, ReferralRequest, ReferralStep, ServiceType
from opennrm.services import cases, consent, dashboard, directory, installation, keys, referrals
from opennrm.services.errors import Conflict, Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, Disclosure, Referral, ReferralEscalation, ServiceGap
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user

FULL_IDENTITY = {
    "person__given_name": "Mariam",
    "person__family_name": "Haddad",
    "person__birth_date": "1999-04-02",
    "person__phone": "+44 7700 900123",
    "person__email": "mariam@example.org",
    "person__id_document_number": "P1234567",
    "person__address": "12 Hidden Street",
}


@pytest.fixture(autouse=True)
def _hooks() -> Iterator[None]:
    yield


class Network:
    def __init__(self, inst: Installation) -> None:
        db = inst.db
        self.inst = inst
        self.ngo = make_org(db, "Safe Harbour")
        self.shelter_org = make_org(db, "Rose Shelter", "shelter")
        self.clinic_org = make_org(db, "Riverside Clinic", "health_service")
        self.border = make_org(db, "Border Agency", "immigration_service")
        make_org(db, "NRM Secretariat", "nrm_secretariat")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker", team="north")
        self.ken = make_user(db, "ken", "Safe Harbour", "caseworker", team="south")
        self.li = make_user(db, "li.wei", "Safe Harbour", "supervisor")
        self.rose = make_user(db, "rose", "Rose Shelter", "service_provider")
        self.rosa = make_user(db, "rosa", "Rose Shelter", "supervisor")
        self.doctor = make_user(db, "doctor", "Riverside Clinic", "service_provider")
        self.coordinator = make_user(db, "coord", "NRM Secretariat", "nrm_coordinator")
        self.liaison = make_user(db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True)
        self.shelter = directory.add_service(
            db,
            parse(
                directory.ServiceEntry,
                {
                    "name": "Rose emergency shelter",
                    "service_type": "shelter",
                    "attributes": ["women_only", "accessible"],
                    "languages": ["ar", "en"],
                    "capacity": 10,
                    "available": 2,
                    "place": "Northtown",
                },
            ),
            organisation_id=self.shelter_org,
        )
        self.clinic = directory.add_service(
            db,
            parse(
                directory.ServiceEntry,
                {
                    "name": "Riverside clinic",
                    "service_type": "medical",
                    "languages": ["en"],
                    "place": "Northtown",
                },
            ),
            organisation_id=self.clinic_org,
        )

    def case(self, age: int = 24, **identity: str) -> str:
        data = intake(case__age_at_trafficking=age, **(identity or FULL_IDENTITY))
        return cases.intake(self.inst.db, self.amina.actor, data)

    def consent(self, case_id: str, to: list[str] | None = None, **overrides: object) -> str:
        raw = {
            "purposes": ["referral"],
            "recipient_organisation_ids": to if to is not None else [self.shelter_org],
            "language": "ar",
            "interpreter_used": True,
            **overrides,
        }
        return consent.record_consent(self.inst.db, self.amina.actor, case_id, consent.parse_consent(raw))

    def refer(
        self, case_id: str, service: str | None = None, who: StaffUser | None = None, **kw: object
    ) -> referrals.ReferralSent:
        request = ReferralRequest.model_validate(
            {"service_id": service or self.shelter, "purpose": "Safe place tonight", **kw}
        )
        return referrals.send_referral(self.inst.db, (who or self.amina).actor, case_id, request)

    def act(self, who: StaffUser, referral_id: str, step: ReferralStep, **decline: str) -> str:
        body = Decline.model_validate(decline) if decline else None
        return referrals.act(self.inst.db, who.actor, referral_id, step, body)

    def count(self, table: type) -> int:
        with self.inst.db.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(table)) or 0)

    def referral(self, referral_id: str) -> Referral:
        with self.inst.db.transaction() as s:
            row = s.get(Referral, referral_id)
            assert row is not None
            return row


@pytest.fixture
def net(inst: Installation) -> Network:
    return Network(inst)


# -- the consent gate ----------------------------------------------------------------------------------


def test_a_referral_without_consent_is_refused_with_the_gates_reason(net: Network) -> None:
    case_id = net.case()
    with pytest.raises(Forbidden, match="referral refused: no consent is recorded for this case"):
        net.refer(case_id)
    assert net.count(Referral) == 0 and net.count(Disclosure) == 0
    with net.inst.db.transaction() as s:
        last = s.execute(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).scalar_one()
    assert (last.action, last.outcome) == ("case.disclose", "denied")


def test_consent_for_one_organisation_refers_to_it_and_is_refused_for_another(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id, to=[net.shelter_org])
    sent = net.refer(case_id, net.shelter)
    assert (
        sent.status == "sent" and sent.consent_id and sent.fields == sorted(NEED_TO_KNOW[ServiceType.SHELTER])
    )
    with pytest.raises(Forbidden, match=r"referral refused: .*does not name this recipient"):
        net.refer(case_id, net.clinic)
    assert net.count(Referral) == 1


def test_the_firewall_keeps_enforcement_out_of_the_directory(net: Network) -> None:
    entry = parse(
        directory.ServiceEntry,
        {"name": "Border help desk", "service_type": "legal_aid", "languages": ["en"], "place": "Port"},
    )
    with pytest.raises(InvalidInput, match="firewall"):
        directory.add_service(net.inst.db, entry, organisation_id=net.border)


def test_a_child_may_be_referred_under_a_supervisors_recorded_override(net: Network) -> None:
    case_id = net.case(age=15, **{**FULL_IDENTITY, "person__birth_date": "2011-04-02"})  # a child today
    with pytest.raises(Forbidden, match="may not override"):
        net.refer(case_id, override_reason="urgent safe accommodation for the child")
    sent = net.refer(case_id, who=net.li, override_reason="urgent safe accommodation for the child")
    assert sent.overridden and sent.consent_id is None


def test_one_open_referral_per_case_and_service(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id)
    net.refer(case_id)
    with pytest.raises(Conflict, match="already has an open referral"):
        net.refer(case_id)


# -- revocation ----------------------------------------------------------------------------------------


def test_revoking_the_consent_revokes_the_open_referral_and_ends_access_at_once(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    consent_id = net.consent(case_id)
    sent = net.refer(case_id)
    net.act(net.rose, sent.id, ReferralStep.ACCEPT)
    assert cases.view_case(db, net.rose.actor, case_id).person.get("given_name") == "Mariam"
    consent.revoke_consent(db, net.amina.actor, consent_id)
    row = net.referral(sent.id)
    assert (row.status, row.close_reason) == ("revoked", "consent_revoked")
    with pytest.raises(Forbidden):
        cases.view_case(db, net.rose.actor, case_id)
    seen = referrals.view_referral(db, net.rose.actor, sent.id)
    assert seen.person is None and seen.purpose is None and seen.summary.case_id is None
    with pytest.raises(Conflict, match="revoked"):
        net.act(net.rose, sent.id, ReferralStep.START)


def test_a_revocation_that_missed_its_referrals_is_caught_on_the_next_read(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = net.inst.db
    case_id = net.case()
    consent_id = net.consent(case_id)
    sent = net.refer(case_id)
    monkeypatch.setattr(referrals, "on_consent_revoked", lambda *_: None)
    consent.revoke_consent(db, net.amina.actor, consent_id)
    with pytest.raises(Forbidden):
        cases.view_case(db, net.rose.actor, case_id)  # the disclosure closed anyway
    listed = referrals.list_referrals(db, net.rose.actor).items
    assert [(r.id, r.status) for r in listed] == [(sent.id, "revoked")]


def test_only_the_sender_revokes_and_only_the_receiver_responds(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id)
    for who, step in [
        (net.rose, ReferralStep.REVOKE),
        (net.amina, ReferralStep.ACCEPT),
        (net.doctor, ReferralStep.ACCEPT),
        (net.liaison, ReferralStep.ACCEPT),
        (net.coordinator, ReferralStep.ACCEPT),
        (net.ken, ReferralStep.REVOKE),  # same organisation, other team: the case is outside his scope
    ]:
        with pytest.raises(Forbidden):
            net.act(who, sent.id, step)
    assert net.act(net.li, sent.id, ReferralStep.REVOKE) == "revoked"
    with pytest.raises(Forbidden):
        cases.view_case(net.inst.db, net.rose.actor, case_id)
    with pytest.raises(Forbidden, match="outside your scope"):  # unknown: the answer of "not yours"
        net.act(net.rose, "00000000-0000-4000-8000-000000000000", ReferralStep.ACCEPT)


# -- workflow ------------------------------------------------------------------------------------------


def test_the_workflow_runs_sent_accepted_in_progress_completed(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id)
    with pytest.raises(Conflict, match="only a referral that is accepted"):
        net.act(net.rose, sent.id, ReferralStep.START)
    assert net.act(net.rose, sent.id, ReferralStep.ACCEPT) == "accepted"
    assert directory.get_service(db, net.shelter).available == 1  # a place is taken
    with pytest.raises(Conflict):
        net.act(net.rose, sent.id, ReferralStep.ACCEPT)
    assert net.act(net.rosa, sent.id, ReferralStep.START) == "in_progress"
    assert net.act(net.rose, sent.id, ReferralStep.COMPLETE) == "completed"
    assert directory.get_service(db, net.shelter).available == 2  # and given back
    with pytest.raises(Conflict, match="completed and can no longer change"):
        net.act(net.li, sent.id, ReferralStep.REVOKE)
    with db.transaction() as s:
        actions = [e.action for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    for action in (
        "referral.send",
        "referral.accept",
        "referral.start",
        "referral.complete",
        "disclosure.close",
    ):
        assert action in actions


def test_a_declined_referral_records_its_reason_and_ends_access(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id)
    with pytest.raises(InvalidInput, match="reason"):
        referrals.act(db, net.rose.actor, sent.id, ReferralStep.DECLINE)
    with pytest.raises(ValueError, match="say why"):
        Decline.model_validate({"reason": "other"})
    assert net.act(
        net.rose, sent.id, ReferralStep.DECLINE, reason="no_capacity", note="Full until Monday"
    ) == ("declined")
    row = net.referral(sent.id)
    assert (row.status, row.decline_reason, row.close_reason) == ("declined", "no_capacity", "declined")
    assert b"Full until Monday" not in row.decline_note_enc  # type: ignore[operator]
    seen_by_sender = referrals.view_referral(db, net.amina.actor, sent.id)
    assert seen_by_sender.summary.decline_reason == "no_capacity"
    assert seen_by_sender.decline_note == "Full until Monday"
    with pytest.raises(Forbidden):
        cases.view_case(db, net.rose.actor, case_id)
    with db.transaction() as s:
        gap = s.execute(select(ServiceGap)).scalar_one()
    assert (gap.service_type, gap.place, gap.language, gap.reason) == (
        "shelter",
        "Northtown",
        None,
        "no_capacity",
    )


# -- need to know --------------------------------------------------------------------------------------


def test_the_receiver_reads_exactly_the_need_to_know_fields_and_nothing_after_the_referral_closes(
    net: Network,
) -> None:
    db = net.inst.db
    case_id = net.case()
    net.consent(case_id, to=[net.shelter_org, net.clinic_org])
    to_shelter = net.refer(case_id, net.shelter)
    to_clinic = net.refer(case_id, net.clinic, purpose="Health check")
    assert set(cases.view_case(db, net.rose.actor, case_id).person) == NEED_TO_KNOW[ServiceType.SHELTER]
    assert set(cases.view_case(db, net.doctor.actor, case_id).person) == NEED_TO_KNOW[ServiceType.MEDICAL]
    shown = referrals.view_referral(db, net.rose.actor, to_shelter.id)
    assert shown.person == {"given_name": "Mariam", "phone": "+44 7700 900123"}
    assert shown.purpose == "Safe place tonight" and shown.steps == ["accept", "decline"]
    assert shown.consent_id is None  # the receiver does not learn about the person's consents
    net.act(net.rose, to_shelter.id, ReferralStep.ACCEPT)
    net.act(net.rose, to_shelter.id, ReferralStep.COMPLETE)
    with pytest.raises(Forbidden):
        cases.view_case(db, net.rose.actor, case_id)
    after = referrals.view_referral(db, net.rose.actor, to_shelter.id)
    assert after.person is None and after.purpose is None and after.survivor_code is None
    assert after.summary.case_id is None and after.steps == []
    assert cases.list_cases(db, net.rose.actor, cases.CaseFilters()).items == []
    # the clinic's own referral is unaffected
    assert set(cases.view_case(db, net.doctor.actor, case_id).person) == NEED_TO_KNOW[ServiceType.MEDICAL]
    assert referrals.view_referral(db, net.doctor.actor, to_clinic.id).person is not None


def test_other_organisations_and_enforcement_never_see_a_referral(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id)
    for who in (net.doctor, net.liaison, net.coordinator, net.ken):
        with pytest.raises(Forbidden):
            referrals.view_referral(db, who.actor, sent.id)
    assert referrals.list_referrals(db, net.doctor.actor).items == []
    assert referrals.list_referrals(db, net.ken.actor).items == []
    for who in (net.liaison, net.coordinator):
        with pytest.raises(Forbidden):
            referrals.list_referrals(db, who.actor)
    assert [r.id for r in referrals.list_referrals(db, net.li.actor, direction="sent").items] == [sent.id]
    assert [r.id for r in referrals.list_referrals(db, net.rose.actor, status="open").items] == [sent.id]


def test_referral_texts_stay_readable_after_a_key_rotation(net: Network) -> None:
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id)
    net.act(net.rose, sent.id, ReferralStep.DECLINE, reason="other", note="Full until Monday")
    net.inst.db.dispose()
    keys.rotate_key(net.inst.settings)
    db = installation.open_database(net.inst.settings)
    try:
        view = referrals.view_referral(db, net.amina.actor, sent.id)
    finally:
        db.dispose()
    assert (view.purpose, view.decline_note) == ("Safe place tonight", "Full until Monday")


# -- deadlines -----------------------------------------------------------------------------------------


def test_an_overdue_referral_escalates_to_supervisors_once(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id, urgency="emergency")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)
    assert referrals.run_deadlines(db, at=later - dt.timedelta(hours=2)).escalated == 0
    assert referrals.run_deadlines(db, at=later) == referrals.SweepReport(escalated=1, expired=0, revoked=0)
    assert referrals.run_deadlines(db, at=later).escalated == 0
    for supervisor in (net.li, net.rosa):
        items = referrals.list_escalations(db, supervisor.actor)
        assert [(i.referral_id, i.urgency) for i in items] == [(sent.id, "emergency")]
    with pytest.raises(Forbidden):
        referrals.list_escalations(db, net.amina.actor)
    board = dashboard.coordinator_dashboard(db, net.coordinator.actor, at=later)
    assert [(c.organisation, c.count) for c in board.overdue] == [("Rose Shelter", 1)]
    assert [(c.organisation, c.count) for c in board.open_escalations] == [("Rose Shelter", 1)]
    with db.transaction() as s:
        escalate = (
            s.execute(select(AuditEvent).where(AuditEvent.action == "referral.escalate")).scalars().all()
        )
    assert len(escalate) == 1
    net.act(net.rose, sent.id, ReferralStep.ACCEPT)
    assert referrals.list_escalations(db, net.li.actor) == []
    with db.transaction() as s:
        assert s.execute(select(ReferralEscalation.resolved_at)).scalar_one() is not None


def test_an_unanswered_referral_expires_and_its_disclosure_closes(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id, urgency="emergency")
    report = referrals.run_deadlines(db, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    assert report.expired == 1
    row = net.referral(sent.id)
    assert (row.status, row.close_reason) == ("expired", "no_response")
    with pytest.raises(Forbidden):
        cases.view_case(db, net.rose.actor, case_id)


def test_a_referral_expires_with_the_consent_it_rests_on(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    old = dt.date.today() - dt.timedelta(days=10)
    net.consent(case_id, given_on=old.isoformat(), expires_on=dt.date.today().isoformat())
    sent = net.refer(case_id)
    net.act(net.rose, sent.id, ReferralStep.ACCEPT)
    assert referrals.run_deadlines(db, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).expired == 1
    assert net.referral(sent.id).close_reason == "consent_expired"


# -- the web API and pages -----------------------------------------------------------------------------


def _client(net: Network, user: StaffUser) -> TestClient:
    client = TestClient(create_app(net.inst.settings), base_url="https://testserver")
    login = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        login["totp"] = user.code()
    assert client.post("/api/session", json=login).status_code == 201
    return client


def test_referral_api_answers_with_the_gates_reason_and_the_workflow(net: Network) -> None:
    amina, rose = _client(net, net.amina), _client(net, net.rose)
    case_id = net.case()
    body = {"service_id": net.shelter, "urgency": "urgent", "purpose": "Safe place tonight"}
    refused = amina.post(f"/api/cases/{case_id}/referrals", json=body)
    assert refused.status_code == 403 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "referral refused: no consent is recorded for this case"
    cooperation = amina.post(f"/api/cases/{case_id}/referrals", json={**body, "cooperates_with_police": True})
    assert cooperation.status_code == 422 and "never depend on cooperation" in cooperation.json()["detail"]
    net.consent(case_id)
    made = amina.post(f"/api/cases/{case_id}/referrals", json=body)
    assert made.status_code == 201, made.text
    referral_id = made.json()["id"]
    listed = rose.get("/api/referrals?status=sent").json()
    assert [i["id"] for i in listed["items"]] == [referral_id] and listed["items"][0][
        "direction"
    ] == "received"
    assert rose.get("/api/referrals?status=bogus").status_code == 422
    detail = rose.get(f"/api/referrals/{referral_id}").json()
    assert detail["person"] == {"given_name": "Mariam", "phone": "+44 7700 900123"}
    no_reason = rose.post(f"/api/referrals/{referral_id}/decline", json={})
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "reason"
    assert amina.post(f"/api/referrals/{referral_id}/accept").status_code == 403
    declined = rose.post(f"/api/referrals/{referral_id}/decline", json={"reason": "language_not_available"})
    assert declined.json() == {"id": referral_id, "status": "declined"}
    again = rose.post(f"/api/referrals/{referral_id}/accept")
    assert again.status_code == 409 and "declined" in again.json()["detail"]
    assert rose.get(f"/api/referrals/{referral_id}").json()["person"] is None
    assert rose.get(f"/api/cases/{case_id}").status_code == 403
    mine = amina.get(f"/api/referrals?case_id={case_id}").json()["items"]
    assert mine[0]["decline_reason"] == "language_not_available"


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)


def test_pages_send_receive_and_track_a_referral(net: Network) -> None:
    amina, rose = _client(net, net.amina), _client(net, net.rose)
    case_id = net.case()
    net.consent(case_id)
    form = amina.get(f"/cases/{case_id}/referrals/new?need=shelter&language=ar&place=northtown")
    assert form.status_code == 200 and "Rose emergency shelter" in form.text
    csrf = _csrf(form.text)
    missing = amina.post(
        f"/cases/{case_id}/referrals/new",
        data={"csrf": csrf, "need": "shelter", "service_id": net.shelter, "urgency": "urgent"},
    )
    assert missing.status_code == 422 and 'id="purpose-error"' in missing.text
    assert 'aria-describedby="purpose-error"' in missing.text
    refused = amina.post(
        f"/cases/{case_id}/referrals/new",
        data={
            "csrf": csrf,
            "need": "medical",
            "service_id": net.clinic,
            "urgency": "urgent",
            "purpose": "Health",
        },
    )
    assert refused.status_code == 403  # the gate's reason, as a plain sentence
    assert "None of her recorded consents covers sharing with this organisation" in refused.text
    sent = amina.post(
        f"/cases/{case_id}/referrals/new",
        data={"csrf": csrf, "service_id": net.shelter, "urgency": "urgent", "purpose": "Safe place tonight"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"].endswith("?done=referral")  # the next page says it was sent
    referral_page = sent.headers["location"].split("?")[0]
    assert "Safe place tonight" in amina.get(referral_page).text
    inbox = rose.get("/referrals?direction=received")
    assert inbox.status_code == 200 and "Rose emergency shelter" in inbox.text
    received = rose.get(referral_page)
    assert "Mariam" in received.text and "Haddad" not in received.text
    declined = rose.post(
        referral_page + "/decline",
        data={"csrf": _csrf(received.text), "reason": "other"},
        follow_redirects=False,
    )
    assert declined.status_code == 422 and 'id="note-error"' in declined.text
    accepted = rose.post(
        referral_page + "/accept", data={"csrf": _csrf(received.text)}, follow_redirects=False
    )
    assert accepted.status_code == 303
    forged = rose.post(referral_page + "/complete", data={"csrf": "forged"}, follow_redirects=False)
    assert forged.status_code == 403
    assert "accepted" in amina.get("/referrals").text
    assert amina.get("/directory?need=medical").status_code == 200
    assert "Riverside clinic" in amina.get("/directory?need=medical").text


# -- the command line ----------------------------------------------------------------------------------


def _cli(inst: Installation, *args: str) -> tuple[int, str, str]:
    _register()
    environment = inst.env()
    cleared = {k: None for k in os.environ if k.startswith("OPENNRM_") and k not in environment}
    result = CliRunner().invoke(app, list(args), env={**cleared, **environment})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_command_line_lists_services_and_runs_the_deadlines(net: Network) -> None:
    inst = net.inst
    code, out, _ = _cli(
        inst, "service", "add", "Riverside Clinic", "--type", "psychosocial", "--languages", "ar,fr",
        "--place", "Southtown", "--capacity", "5", "--available", "1", "--attributes", "women_only",
    )  # fmt: skip
    assert code == 0
    service_id = out.strip()
    code, out, _ = _cli(inst, "service", "list", "--need", "psychosocial", "--language", "fr", "--json")
    assert code == 0 and json.loads(out)["id"] == service_id
    for bad in (
        ["service", "add", "Riverside Clinic", "--type", "spa", "--languages", "en", "--place", "X"],
        ["service", "add", "Nowhere Org", "--type", "medical", "--languages", "en", "--place", "X"],
        ["service", "add", "Border Agency", "--type", "medical", "--languages", "en", "--place", "X"],
        ["service", "set", service_id],
        ["referrals", "escalate", "--at", "tomorrow"],
        ["entitlements", "reflection-days", "14"],
    ):
        code, out, err = _cli(inst, *bad)
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, bad
    assert _cli(inst, "service", "set", service_id, "--available", "0")[0] == 0
    case_id = net.case()
    net.consent(case_id)
    sent = net.refer(case_id, urgency="urgent")  # one working day: escalated an hour after
    later = (sent.respond_by + dt.timedelta(hours=1)).isoformat()
    code, out, _ = _cli(inst, "referrals", "escalate", "--at", later)
    assert code == 0 and json.loads(out) == {"escalated": 1, "expired": 0, "revoked": 0}
    assert _cli(inst, "entitlements", "reflection-days", "60")[0] == 0
    assert _cli(inst, "entitlements", "reflection-days")[1].strip() == "60"


# -- authorisation over the HTTP routes ----------------------------------------------------------------

# the person-level roles here (a hotline operator reaches only the cases she opened; a labour inspector
# outside a labour inspectorate — every organisation here — reaches nothing, like an aggregate role)
PERSON_LEVEL = {"caseworker", "supervisor", "service_provider", "hotline_operator"}


def test_person_level_routes_follow_the_policy_for_every_role_and_organisation(inst: Installation) -> None:
    """Every role in the owning, the receiving, another and an enforcement organisation, against the
    referral and entitlement routes: the specification below is written apart from the code."""
    db = inst.db
    names = {
        "owner": "Owner NGO",
        "receiver": "Receiving Shelter",
        "other": "Other NGO",
        "enforcement": "Border",
    }
    kinds = {"owner": "ngo", "receiver": "shelter", "other": "ngo", "enforcement": "immigration_service"}
    orgs = {k: make_org(db, names[k], kinds[k]) for k in names}
    creator = make_user(db, "creator", "Owner NGO", "caseworker", team="north")
    case_id = cases.intake(db, creator.actor, intake(**FULL_IDENTITY))
    entry = {"name": "Shelter", "service_type": "shelter", "languages": ["en"], "place": "Town"}
    service = directory.add_service(
        db, parse(directory.ServiceEntry, entry), organisation_id=orgs["receiver"]
    )
    raw = {"purposes": ["referral"], "recipient_organisation_ids": [orgs["receiver"]], "language": "en"}
    consent.record_consent(db, creator.actor, case_id, consent.parse_consent(raw))
    request = ReferralRequest.model_validate({"service_id": service, "purpose": "Safe place"})
    referral_id = referrals.send_referral(db, creator.actor, case_id, request).id
    app = create_app(inst.settings)
    routes = {
        "read referral": lambda c: c.get(f"/api/referrals/{referral_id}"),
        "read entitlements": lambda c: c.get(f"/api/cases/{case_id}/entitlements"),
        "change entitlements": lambda c: c.patch(
            f"/api/cases/{case_id}/entitlements", json={"legal_aid": "arranged"}
        ),
        "assess risk": lambda c: c.post(f"/api/cases/{case_id}/risk-assessments", json={"risk_found": False}),
        "plan outcome": lambda c: c.post(
            f"/api/cases/{case_id}/outcome", json={"outcome": "local_integration"}
        ),
    }
    owner_only = {"read entitlements", "change entitlements", "assess risk", "plan outcome"}

    def expected(role: str, org: str, record: str, route: str) -> bool:
        if org == "enforcement" or org == "other" or role not in PERSON_LEVEL:
            return False
        if org == "receiver":  # a hotline operator reaches only cases she opened, nothing received
            return role != "hotline_operator" and route not in owner_only
        return role == "supervisor" or (role == "caseworker" and record == "creator")

    violations, checked = [], 0
    for role in [r.value for r in Role]:
        for org in names:
            for record in (
                ("creator", "stranger") if (org, role) == ("owner", "caseworker") else ("stranger",)
            ):
                if (role, org, record) == ("caseworker", "owner", "creator"):
                    user, username = creator, "creator"
                else:
                    username = f"{role[:8]}-{org[:5]}".replace("_", "")
                    user = make_user(db, username, names[org], role, enforcement=org == "enforcement")
                client = TestClient(app, base_url="https://testserver")
                login = {"username": username, "password": PASSWORD}
                if user.totp_secret:
                    login["totp"] = user.code()
                assert client.post("/api/session", json=login).status_code == 201
                for name, call in routes.items():
                    status = call(client).status_code
                    want = expected(role, org, record, name)
                    checked += 1
                    if (200 <= status < 300) != want or (not want and status not in (403, 404)):
                        violations.append((role, org, record, name, status))
                listed = client.get(f"/api/referrals?case_id={case_id}")
                if role in PERSON_LEVEL and org != "enforcement":
                    shown = [i["id"] for i in listed.json()["items"]]
                    if shown != ([referral_id] if expected(role, org, record, "read referral") else []):
                        violations.append((role, org, record, "list", shown))
                elif listed.status_code != 403:
                    violations.append((role, org, record, "list", listed.status_code))
    assert checked >= 150 and violations == []


def test_directory_pages_list_and_update_a_service_and_supervisors_see_escalations(net: Network) -> None:
    li, amina = _client(net, net.li), _client(net, net.amina)
    assert amina.get("/directory/new").status_code == 403
    form = li.get("/directory/new")
    csrf = _csrf(form.text)
    data = {"csrf": csrf, "name": "Counselling", "service_type": "psychosocial", "place": "Northtown"}
    missing = li.post("/directory/new", data=data)
    assert missing.status_code == 422 and 'id="languages-error"' in missing.text
    made = li.post(
        "/directory/new", data={**data, "languages": "ar, en", "capacity": "4"}, follow_redirects=False
    )
    assert made.status_code == 303
    page = li.get("/directory")
    assert "Your organisation" in page.text and "Counselling" in page.text
    service_id = directory.services_of(net.inst.db, net.ngo)[0].id
    changed = li.post(
        f"/directory/services/{service_id}",
        data={"csrf": csrf, "available": "2", "active": "yes"},
        follow_redirects=False,
    )
    assert changed.status_code == 303 and directory.get_service(net.inst.db, service_id).available == 2
    too_many = li.post(f"/directory/services/{service_id}", data={"csrf": csrf, "available": "9"})
    assert too_many.status_code == 422 and "capacity" in too_many.text
    case_id = net.case()
    net.consent(case_id)
    net.refer(case_id, urgency="emergency")
    referrals.run_deadlines(net.inst.db, at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=5))
    escalations = li.get("/referrals/escalations")
    assert escalations.status_code == 200 and "Rose emergency shelter" in escalations.text
    assert amina.get("/referrals/escalations").status_code == 403
    unmet = amina.post(
        "/directory/unmet-needs",
        data={
            "csrf": _csrf(amina.get("/directory").text),
            "need": "family_tracing",
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert unmet.status_code == 303 and unmet.headers["location"] == "/directory?recorded=1"
