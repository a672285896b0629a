"""Scheduled work and notifications, end to end: a consent that runs out closes its disclosures with no
command run (the worker beside the web server does it); e-mails reach a real local SMTP server in the
recipient's language with nothing from the case in them; referral deadlines skip weekends and holidays;
liveness, readiness and metrics answer without personal data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from opennrm.identification.working_days import add_working_days_at, national_holidays
from opennrm.services import consent, jobs, notifications
from opennrm.services.scheduled import build_registry
from opennrm.services.worker import run_one, start_in_thread
from opennrm.store.tables import AuditEvent, ConsentRecord, Disclosure, Job, Notification, User
from opennrm.web.app import create_app
from opennrm.web.mail import compose
from tests.conftest import Installation
from tests.integration.test_referrals import Network

CANARY_NAME = "Zephyrine"
CANARY_PURPOSE = "CANARY-purpose-4d2f"


@pytest.fixture
def net(inst: Installation) -> Network:
    return Network(inst)


def test_a_consent_that_runs_out_closes_its_disclosures_without_any_command(net: Network) -> None:
    db = net.inst.db
    case_id = net.case()
    given = dt.date.today() - dt.timedelta(days=30)
    consent_id = net.consent(case_id, given_on=given.isoformat(), expires_on=dt.date.today().isoformat())
    shared = consent.disclose(db, net.amina.actor, case_id, net.shelter_org, "referral")
    with db.transaction() as s:  # time passes: her consent's last day was yesterday
        row = s.get(ConsentRecord, consent_id)
        assert row is not None
        row.expires_on = dt.date.today() - dt.timedelta(days=1)
    thread, stop = start_in_thread(net.inst.settings, db, build_registry(net.inst.settings))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with db.transaction() as s:
                status = s.get(Disclosure, shared.id).status  # type: ignore[union-attr]
            if status != "open":
                break
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(30)
    assert status == "expired"
    with db.transaction() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "consent.expire")).scalars().all()
    assert [(e.object_id, e.actor_id) for e in events] == [(case_id, "system")]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Inbox, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_a_new_referral_is_e_mailed_in_her_language_with_nothing_from_the_case(
    net: Network, smtp: tuple[_Inbox, int]
) -> None:
    inbox, port = smtp
    db = net.inst.db
    settings = dataclasses.replace(net.inst.settings, smtp_host="127.0.0.1", smtp_port=port)
    notifications.set_preferences(
        db, net.rose.actor.user_id, "rose@shelter.example", notifications.KINDS, [notifications.REFERRAL_NEW]
    )
    with db.transaction() as s:
        user = s.get(User, net.rose.actor.user_id)
        assert user is not None
        user.language = "ar"
    case_id = net.case(person__given_name=CANARY_NAME, person__family_name="Haddad")
    net.consent(case_id)
    sent = net.refer(case_id, purpose=CANARY_PURPOSE)
    registry = build_registry(settings, compose)
    while run_one(db, settings, registry, "test-worker"):
        pass
    assert len(inbox.messages) == 1
    mail = inbox.messages[0]
    assert mail["To"] == "rose@shelter.example"
    assert mail["Subject"] == "إحالة بانتظارك"
    body = mail.get_content()
    assert f"/referrals/{sent.id}" in body
    raw = mail.as_string()
    for canary in (CANARY_NAME, CANARY_PURPOSE, "Haddad", case_id, "Rose emergency shelter"):
        assert canary not in raw
    with db.transaction() as s:
        shown = s.execute(
            select(Notification).where(Notification.user_id == net.rose.actor.user_id)
        ).scalars()
        assert [(n.kind, n.link) for n in shown] == [("referral_new", f"/referrals/{sent.id}")]
        done = s.execute(select(Job).where(Job.kind == notifications.EMAIL_JOB)).scalar_one()
        assert done.status == jobs.DONE and done.payload_enc is None


def test_enforcement_is_never_notified(net: Network) -> None:
    db = net.inst.db
    assert notifications.notify(db, net.liaison.actor.user_id, notifications.ESCALATION, "/referrals") == 0
    assert notifications.notify(db, net.rose.actor.user_id, notifications.ESCALATION, "/referrals") == 1
    assert (
        notifications.notify(db, net.rose.actor.user_id, notifications.ESCALATION, "/referrals") == 0
    )  # not again


@pytest.mark.parametrize(
    "link", ["https://elsewhere.example/x", "/cases?name=Mariam", "/cases/Mariam Haddad", "referrals"]
)
def test_a_notice_links_into_the_product_by_ids_only(net: Network, link: str) -> None:
    from opennrm.services.errors import InvalidInput

    with pytest.raises(InvalidInput):
        notifications.notify(net.inst.db, net.rose.actor.user_id, notifications.REFERRAL_NEW, link)


def test_preferences_refuse_bad_input_naming_the_field(net: Network) -> None:
    from opennrm.services.errors import InvalidInput

    uid = net.rose.actor.user_id
    with pytest.raises(InvalidInput) as bad:
        notifications.set_preferences(net.inst.db, uid, "not an address", [], [])
    assert bad.value.field == "email"
    with pytest.raises(InvalidInput) as bad:
        notifications.set_preferences(net.inst.db, uid, None, ["gossip"], [])
    assert bad.value.field == "in_app"
    with pytest.raises(InvalidInput):
        notifications.set_preferences(net.inst.db, uid, None, [], [notifications.REFERRAL_NEW])
    assert notifications.preferences(net.inst.db, uid).email is None  # nothing half-saved


def test_referral_deadlines_skip_weekends_and_holidays() -> None:
    christmas = national_holidays("GB", "ENG")
    friday = dt.datetime(2026, 12, 18, 15, 0, tzinfo=dt.UTC)
    assert add_working_days_at(friday, 1) == dt.datetime(2026, 12, 21, 15, 0, tzinfo=dt.UTC)  # Monday
    thursday = dt.datetime(2026, 12, 24, 10, 0, tzinfo=dt.UTC)
    # Christmas Day (Fri), the weekend, Boxing Day substitute (Mon 28th): due Tuesday the 29th
    assert add_working_days_at(thursday, 1, christmas) == dt.datetime(2026, 12, 29, 10, 0, tzinfo=dt.UTC)


def test_a_referral_sent_before_a_weekend_is_due_after_it(net: Network) -> None:
    from opennrm.services import referrals

    case_id = net.case()
    net.consent(case_id)
    friday = dt.datetime(2026, 12, 18, 15, 0, tzinfo=dt.UTC)
    sent = referrals.send_referral(
        net.inst.db,
        net.amina.actor,
        case_id,
        referrals.ReferralRequest.model_validate(
            {"service_id": net.shelter, "purpose": "Safe place", "urgency": "urgent"}
        ),
        at=friday,
    )
    assert sent.respond_by == dt.datetime(2026, 12, 21, 15, 0, tzinfo=dt.UTC)
    saturday_evening = dt.datetime(2026, 12, 19, 20, 0, tzinfo=dt.UTC)
    assert referrals.run_deadlines(net.inst.db, at=saturday_evening).escalated == 0
    assert referrals.run_deadlines(net.inst.db, at=sent.respond_by + dt.timedelta(minutes=1)).escalated == 1


METRICS_TOKEN = "metrics-token-" + "7f3a9c" * 8


def _metrics_client(net: Network, token: str | None = METRICS_TOKEN) -> TestClient:
    settings = dataclasses.replace(net.inst.settings, metrics_token=token)
    return TestClient(create_app(settings), base_url="https://testserver")


def test_liveness_readiness_and_metrics_hold_no_personal_data(net: Network) -> None:
    client = _metrics_client(net)
    assert client.get("/livez").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ok"}
    case_id = net.case(person__given_name=CANARY_NAME)
    client.get(f"/cases/{case_id}?q={CANARY_NAME}", headers={"User-Agent": CANARY_PURPOSE})
    jobs.enqueue(net.inst.db, "ads.scan", {"name": CANARY_NAME})
    scraped = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert "opennrm_http_requests_total" in text and 'route="/cases/{case_id}"' in text
    assert 'opennrm_jobs{kind="ads.scan",status="queued"} 1.0' in text
    for canary in (CANARY_NAME, CANARY_PURPOSE, case_id, "testclient", METRICS_TOKEN):
        assert canary not in text


def test_metrics_do_not_exist_while_no_token_is_configured(net: Network) -> None:
    client = _metrics_client(net, token=None)
    for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"):
        unknown = client.request(method, "/no-such-address")
        for headers in ({}, {"Authorization": f"Bearer {METRICS_TOKEN}"}, {"Authorization": "Bearer "}):
            answer = client.request(method, "/metrics", headers=headers)
            # the same answer as an address that does not exist: nothing tells that metrics could be here
            assert (answer.status_code, answer.text) == (404, unknown.text), method


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Bearer {METRICS_TOKEN[:-1]}",
        f"Bearer {METRICS_TOKEN}x",
        f"Bearer {METRICS_TOKEN.upper()}",
        f"Basic {METRICS_TOKEN}",
        METRICS_TOKEN,
    ],
)
def test_a_scrape_without_the_right_token_is_refused(net: Network, authorization: str | None) -> None:
    client = _metrics_client(net)
    headers = {} if authorization is None else {"Authorization": authorization}
    refused = client.get("/metrics", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["www-authenticate"] == 'Bearer realm="opennrm-metrics"'
    assert refused.json()["status"] == 401
    assert "opennrm_http_requests" not in refused.text and METRICS_TOKEN not in refused.text


def test_the_token_is_taken_from_the_header_only_never_the_address_or_a_session(net: Network) -> None:
    from tests.support import PASSWORD, make_org, make_user

    client = _metrics_client(net)
    assert client.get(f"/metrics?token={METRICS_TOKEN}").status_code == 401
    assert client.get(f"/metrics?access_token={METRICS_TOKEN}").status_code == 401
    make_org(net.inst.db, "Metrics Watchers")
    admin = make_user(net.inst.db, "metrics-admin", "Metrics Watchers", "system_admin")
    logged_in = client.post(
        "/api/session", json={"username": "metrics-admin", "password": PASSWORD, "totp": admin.code()}
    )
    assert logged_in.status_code == 201
    assert client.get("/metrics").status_code == 401  # an administrator's session is not the token
    assert client.get("/metrics", headers={"Authorization": f"bearer {METRICS_TOKEN}"}).status_code == 200


def test_the_metrics_token_setting(tmp_path: Path) -> None:
    from opennrm.config import ConfigurationError, Settings

    home = {"OPENNRM_HOME": str(tmp_path)}
    assert Settings.from_env(home).metrics_token is None
    assert Settings.from_env({**home, "OPENNRM_METRICS_TOKEN": METRICS_TOKEN}).metrics_token == METRICS_TOKEN
    token_file = tmp_path / "metrics.token"
    token_file.write_text(METRICS_TOKEN + "\n")
    from_file = Settings.from_env({**home, "OPENNRM_METRICS_TOKEN_FILE": str(token_file)})
    assert from_file.metrics_token == METRICS_TOKEN
    assert METRICS_TOKEN not in repr(from_file)
    for weak in ("short", "x" * 31, "two words " + "x" * 40):
        with pytest.raises(ConfigurationError) as refused:
            Settings.from_env({**home, "OPENNRM_METRICS_TOKEN": weak})
        assert weak not in str(refused.value)
    with pytest.raises(ConfigurationError):
        Settings.from_env({**home, "OPENNRM_METRICS_TOKEN_FILE": str(tmp_path / "missing")})
