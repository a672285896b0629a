"""Anonymous reporting (issue 15), end to end on both backends: the public JSON API and pages, the triage
queue (reply, case, refer, close), the firewall, retention purge, attachment cleaning, rate limits and proof
of work; every action audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from opennrm.domain.reporting import ReportIn
from opennrm.services import cases, clock, notifications, reporting, sealing
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.store.tables import (
    AnonymousReport,
    AuditEvent,
    CaseNote,
    Organisation,
    ReportAttachment,
    ReportMessage,
)
from opennrm.web.app import create_app
from opennrm.web.public_limits import PublicGuard, TooManyReports, solve_for_tests
from tests.conftest import Installation
from tests.support import client_for, csrf_of, make_org, make_user

TEXT = "My employer keeps my passport and I work every day without pay in the greenhouse."
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def public(inst: Installation, **settings: object) -> TestClient:
    changed = dataclasses.replace(inst.settings, **settings) if settings else inst.settings
    return TestClient(create_app(changed), base_url="https://testserver")


def send(client: TestClient, text: str = TEXT, **extra: object) -> str:
    r = client.post("/api/reports", json={"text": text, "locale": "en", **extra})
    assert r.status_code == 201, r.text
    return str(r.json()["receipt"])


def audited(inst: Installation, action: str) -> list[AuditEvent]:
    with inst.db.transaction() as session:
        return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_report_receipt_access_and_messages(inst: Installation) -> None:
    client = public(inst)
    receipt = send(client, sector="agriculture", region="North Valley", concerns=["work", "documents"])
    other = send(client, "Someone else's report")
    # with Arabic-Indic digits and without spaces, the same report
    r = client.post("/api/reports/access", json={"receipt": receipt.replace(" ", "").translate(ARABIC_INDIC)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["report"]["text"] == TEXT and body["messages"] == []
    assert body["report"]["region"] == "North Valley" and body["report"]["sector"] == "agriculture"
    r = client.post("/api/reports/access/messages", json={"receipt": receipt, "text": "They moved us."})
    assert r.status_code == 201
    messages = client.post("/api/reports/access", json={"receipt": receipt}).json()["messages"]
    assert [m["text"] for m in messages] == ["They moved us."]
    # she sees only her own report
    assert client.post("/api/reports/access", json={"receipt": other}).json()["report"]["text"] != TEXT
    # a wrong receipt, a mistyped one and a malformed one get the same answer
    wrong = receipt[:-6] + ("1" if receipt[-6] != "1" else "2") + receipt[-5:]
    answers = [
        client.post("/api/reports/access", json={"receipt": value})
        for value in (wrong, "0000 0000 0000 0000 0000 0000 0000", "hello")
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.json()["detail"] for a in answers}) == 1
    assert (
        client.post("/api/reports/access/messages", json={"receipt": wrong, "text": "x"}).status_code == 404
    )
    # nothing is stored of the receipt but its Argon2id hash
    with inst.db.transaction() as session:
        stored = session.execute(select(AnonymousReport.receipt_hash)).scalars().all()
    assert all(h.startswith("$argon2id$v=19$") for h in stored)
    assert not any(receipt.replace(" ", "") in h for h in stored)
    assert len(audited(inst, "report.create")) == 2 and audited(inst, "report.access")
    assert all(e.actor_id == "reporter" for e in audited(inst, "report.create"))


def test_bad_input_names_the_field(sqlite_inst: Installation) -> None:
    client = public(sqlite_inst)
    r = client.post("/api/reports", json={"text": "", "locale": "en"})
    assert r.status_code == 422 and r.json()["field"] == "text"
    r = client.post("/api/reports", json={"text": "x", "locale": "xx"})
    assert r.status_code == 422 and r.json()["field"] == "locale"
    r = client.post("/api/reports", json={"text": "x", "locale": "en", "sector": "mining!"})
    assert r.status_code == 422 and r.json()["field"] == "sector"
    with sqlite_inst.db.transaction() as session:
        assert session.execute(select(AnonymousReport)).first() is None


def test_triage_reply_convert_refer_close_and_the_firewall(inst: Installation) -> None:
    db = inst.db
    triage = make_user(db, "triage", "Default organisation", "caseworker")
    operator = make_user(db, "operator", "Default organisation", "hotline_operator")
    make_org(db, "Rose Shelter", "shelter")
    police = make_org(db, "City Police", "police")
    officer = make_user(db, "officer", "City Police", "caseworker", enforcement=True)
    outsider = make_user(db, "outsider", "Rose Shelter", "supervisor")
    analyst = make_user(db, "analyst", "Default organisation", "analyst")
    pub = public(inst)
    receipt = send(pub, region="Harbour district")
    pub.post("/api/reports/access/messages", json={"receipt": receipt, "text": "I am afraid of the boss."})

    staff = client_for(inst.settings, triage)
    queue = staff.get("/api/report-queue").json()
    assert [i["status"] for i in queue["items"]] == ["new"]
    report_id = queue["items"][0]["id"]
    assert "text" not in queue["items"][0]  # the list shows no words of hers
    assert staff.get(f"/api/report-queue/{report_id}").json()["report"]["text"] == TEXT
    # reply: she reads it with her receipt
    assert (
        staff.post(
            f"/api/report-queue/{report_id}/replies", json={"text": "We can help. Write again."}
        ).status_code
        == 201
    )
    thread = pub.post("/api/reports/access", json={"receipt": receipt}).json()
    assert thread["messages"][-1] == {
        **thread["messages"][-1],
        "author": "staff",
        "text": "We can help. Write again.",
    }
    assert thread["report"]["status"] == "open"

    # the firewall and the organisation's walls: same refusal for each, audited
    clients = {user.username: client_for(inst.settings, user) for user in (officer, outsider, analyst)}
    for user in (officer, outsider, analyst):
        c = clients[user.username]
        assert c.get(f"/api/report-queue/{report_id}").status_code == 403
        assert c.post(f"/api/report-queue/{report_id}/replies", json={"text": "x"}).status_code == 403
        queue_answer = c.get("/api/report-queue")
        # an enforcement organisation and a role that triages nothing get no queue; another organisation
        # gets its own (empty) one
        assert queue_answer.status_code == (200 if user is outsider else 403)
        if user is outsider:
            assert queue_answer.json()["items"] == []
    with pytest.raises(Forbidden):
        reporting.refer(db, triage.actor, report_id, police)
    assert audited(inst, "report.refer")[-1].outcome == "denied"

    # one step to a case: her words in the notes, her region on the case
    case_id = staff.post(f"/api/report-queue/{report_id}/case").json()["case_id"]
    view = cases.view_case(db, triage.actor, case_id)
    assert view.case["region"] == "Harbour district"
    with db.transaction() as session:
        notes = [
            sealing.decrypt_text(db.keyring, "note", n.id, n.body_enc)
            for n in session.execute(select(CaseNote).where(CaseNote.case_id == case_id)).scalars()
        ]
    assert TEXT in notes and "I am afraid of the boss." in notes
    assert staff.post(f"/api/report-queue/{report_id}/case").status_code == 409
    assert case_id in audited(inst, "report.convert")[0].detail

    # a hotline operator of the organisation triages too; refer to a shelter, then the shelter has it
    receipt2 = send(pub, "Second report")
    second = staff.get("/api/report-queue").json()["items"][0]["id"]
    op = client_for(inst.settings, operator)
    assert op.get(f"/api/report-queue/{second}").status_code == 200
    shelter_id = next(o for o in _orgs(inst) if o[1] == "Rose Shelter")[0]
    assert (
        op.post(f"/api/report-queue/{second}/referral", json={"organisation_id": shelter_id}).status_code
        == 204
    )
    assert op.get(f"/api/report-queue/{second}").status_code == 403
    assert clients["outsider"].get(f"/api/report-queue/{second}").status_code == 200

    # close: deleted after the retention period, with messages and files
    assert (
        staff.post(f"/api/report-queue/{report_id}/closure", json={"retention_days": 30}).status_code == 204
    )
    r = pub.post("/api/reports/access/messages", json={"receipt": receipt, "text": "hello?"})
    assert r.status_code == 409
    assert reporting.purge_expired_reports(db, clock.now() + dt.timedelta(days=29)) == 0
    assert reporting.purge_expired_reports(db, clock.now() + dt.timedelta(days=31)) == 1
    assert pub.post("/api/reports/access", json={"receipt": receipt}).status_code == 404
    assert pub.post("/api/reports/access", json={"receipt": receipt2}).status_code == 200
    with db.transaction() as session:
        assert (
            session.execute(select(ReportMessage).where(ReportMessage.report_id == report_id)).first() is None
        )
    # the case made from it stays
    assert cases.view_case(db, triage.actor, case_id).case["region"] == "Harbour district"
    for action in ("report.list", "report.read", "report.reply", "report.close", "report.purge"):
        assert audited(inst, action), action


def _orgs(inst: Installation) -> list[tuple[str, str]]:
    from opennrm.store.tables import Organisation

    with inst.db.transaction() as session:
        return [(o.id, o.name) for o in session.execute(select(Organisation)).scalars()]


def test_no_enforcement_organisation_receives_reports(sqlite_inst: Installation) -> None:
    db = sqlite_inst.db
    make_org(db, "Border Agency", "immigration_service")
    with pytest.raises(Forbidden):
        reporting.set_receiving_organisation(db, "Border Agency")
    make_org(db, "Helpline NGO", "ngo")
    reporting.set_receiving_organisation(db, "Helpline NGO")
    pepper = reporting.Pepper.load(sqlite_inst.settings.reporting_pepper_file)
    reporting.submit_report(db, pepper, ReportIn(text="to the helpline"))
    helpline = dict((n, i) for i, n in _orgs(sqlite_inst))["Helpline NGO"]
    with db.transaction() as session:
        assert {r.organisation_id for r in session.execute(select(AnonymousReport)).scalars()} == {helpline}


def _exif_image(marker: str) -> bytes:
    image = Image.new("RGB", (8, 8), "blue")
    exif = Image.Exif()
    exif[0x013B] = marker  # Artist
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_attachments_are_cleaned_or_refused(sqlite_inst: Installation) -> None:
    db = sqlite_inst.db
    pepper = reporting.Pepper.load(sqlite_inst.settings.reporting_pepper_file)
    photo = reporting.Attachment("IMG_GPS.jpg", "image/jpeg", _exif_image("ExifCanaryQq7"))
    note = reporting.Attachment("note.txt", "text/plain", b"addresses")
    receipt = reporting.submit_report(db, pepper, ReportIn(text="with files"), [photo, note])
    with db.transaction() as session:
        rows = list(session.execute(select(ReportAttachment)).scalars())
        contents = [db.keyring.decrypt(r.content_enc, f"report_attachment:{r.id}") for r in rows]
    assert len(rows) == 2 and all(b"ExifCanaryQq7" not in c for c in contents)
    image = next(c for c in contents if c.startswith(b"\xff\xd8"))
    with Image.open(io.BytesIO(image)) as opened:
        assert dict(opened.getexif()) == {}
    for refused in (
        reporting.Attachment("contract.pdf", "application/pdf", b"%PDF-1.7 /Author (Canary)"),
        reporting.Attachment("photo.jpg", "image/jpeg", b"\xff\xd8\xff broken"),
        reporting.Attachment("doc.docx", "application/octet-stream", b"PK\x03\x04 zip"),
    ):
        with pytest.raises(InvalidInput) as err:
            reporting.add_reporter_message(db, pepper, receipt, "one more", [refused])
        assert err.value.field == "files"
    # the page refuses the same, and nothing is half-written
    page = public(sqlite_inst)
    r = page.post(
        "/report/en",
        data={"text": "a report with a pdf"},
        files={"files": ("c.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert r.status_code == 422
    with db.transaction() as session:
        assert session.execute(select(AnonymousReport)).scalars().all().__len__() == 1


def test_rate_limits_answer_429_and_forget_every_hour() -> None:
    clock = [3600.0 * 1000 + 10]
    guard = PublicGuard(
        reports_per_client=2,
        reports_total=3,
        access_per_client=2,
        api_proof_of_work=False,
        clock=lambda: clock[0],
    )

    class Req:
        def __init__(self, host: str) -> None:
            self.scope = {"client": (host, 1234)}

    a, b, c = (guard.client_key(Req(h)) for h in ("198.51.100.1", "198.51.100.2", "198.51.100.3"))  # type: ignore[arg-type]
    assert a != b and len(a) == 16
    guard.admit("report", a)
    guard.admit("report", a)
    with pytest.raises(TooManyReports) as refused:
        guard.admit("report", a)
    assert refused.value.status == 429 and 0 < refused.value.retry_after <= 3600
    guard.admit("report", b)
    with pytest.raises(TooManyReports):  # the server's hourly total
        guard.admit("report", c)
    # the next hour: a new key (the same address hashes differently) and fresh counters
    clock[0] += 3600
    a2 = guard.client_key(Req("198.51.100.1"))  # type: ignore[arg-type]
    assert a2 != a
    guard.admit("report", a2)
    # the counters hold hashes only
    assert all(isinstance(k[1], bytes) for k in guard._counts)


def test_rate_limit_on_the_api(sqlite_inst: Installation) -> None:
    client = public(sqlite_inst, reports_per_client_hour=2)
    send(client)
    send(client)
    r = client.post("/api/reports", json={"text": "third", "locale": "en"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.headers["content-type"].startswith("application/problem+json")


def test_proof_of_work_on_the_api_when_asked_for(sqlite_inst: Installation) -> None:
    off = public(sqlite_inst)
    assert off.get("/api/reports/challenge").json()["required"] is False
    on = public(sqlite_inst, report_api_proof_of_work=True)
    challenge = on.get("/api/reports/challenge").json()
    assert challenge["required"] is True
    r = on.post("/api/reports", json={"text": "no proof", "locale": "en"})
    assert r.status_code == 422 and r.json()["field"] == "altcha"
    payload = solve_for_tests(challenge["challenge"])
    assert (
        on.post("/api/reports", json={"text": "proof", "locale": "en", "altcha": payload}).status_code == 201
    )
    # a solution is spent once; a forged one is refused
    assert (
        on.post("/api/reports", json={"text": "again", "locale": "en", "altcha": payload}).status_code == 422
    )
    assert (
        on.post("/api/reports", json={"text": "forged", "locale": "en", "altcha": "e30="}).status_code == 422
    )


def test_public_pages_without_scripts(sqlite_inst: Installation) -> None:
    client = public(sqlite_inst)
    for tag in ("en", "ar", "es", "fr", "ru", "zh-Hans", "zh-Hant"):
        page = client.get(f"/report/{tag}")
        assert page.status_code == 200 and 'class="quick-exit"' in page.text
        assert f'href="/report/{tag}"' in client.get(f"/rights/{tag}").text
        assert "set-cookie" not in page.headers
    assert 'dir="rtl"' in client.get("/report/ar").text
    assert client.get("/report/zh-TW", follow_redirects=False).headers["location"] == "/report/zh-Hant"
    sent = client.post("/report/ar", data={"text": "نص التقرير", "help": ["talk"], "concerns": ["work"]})
    assert sent.status_code == 201
    receipt = sent.text.split('id="receipt">')[1].split("<")[0]
    assert len(receipt.replace(" ", "")) == 28
    thread = client.post("/report/ar/follow-up", data={"receipt": receipt.translate(ARABIC_INDIC)})
    assert thread.status_code == 200 and "نص التقرير" in thread.text
    again = client.post("/report/ar/follow-up/message", data={"receipt": receipt, "text": "رسالة ثانية"})
    assert again.status_code == 200 and "رسالة ثانية" in again.text
    assert client.post("/report/en/follow-up", data={"receipt": "1111"}).status_code == 404


def test_her_mistakes_are_told_in_her_language_and_what_she_typed_stays(sqlite_inst: Installation) -> None:
    """A wrong receipt on the Arabic page says so in Arabic and leaves her 28 digits in the box; an empty
    message on the Chinese page asks for text in Chinese (not pydantic's English)."""
    client = public(sqlite_inst)
    wrong = "1234 5678 9012 3456 7890 1234 5678"
    answer = client.post("/report/ar/follow-up", data={"receipt": wrong})
    assert answer.status_code == 404
    assert "لا يوجد بلاغ بهذا الإيصال" in answer.text and f'value="{wrong}"' in answer.text
    assert "no report" not in answer.text.lower()
    sent = client.post("/report/zh-Hant", data={"text": "老闆扣留我的護照"})
    receipt = sent.text.split('id="receipt">')[1].split("<")[0]
    empty = client.post("/report/zh-Hant/follow-up/message", data={"receipt": receipt, "text": ""})
    assert empty.status_code == 422
    error = empty.text.split('id="text-error">')[1].split("<")[0]
    assert error == "此項為必填。", error


def test_triage_pages(sqlite_inst: Installation) -> None:
    db = sqlite_inst.db
    make_org(db, "Rose Shelter", "shelter")
    triage = make_user(db, "triage", "Default organisation", "supervisor")
    pub = public(sqlite_inst)
    photo = ("photo.jpg", _exif_image("PageExifCanary"), "image/jpeg")
    assert (
        pub.post(
            "/report/en", data={"text": "first", "sector": "fishing"}, files={"files": photo}
        ).status_code
        == 201
    )
    send(pub, "second")
    send(pub, "third")
    staff = client_for(sqlite_inst.settings, triage)
    queue = staff.get("/reports")
    assert queue.status_code == 200 and "Fishing or on a boat" in queue.text
    ids = [line.split('"')[0] for line in queue.text.split('href="/reports/')[1:]]
    first, second, third = ids[2], ids[1], ids[0]
    page = staff.get(f"/reports/{first}")
    assert page.status_code == 200 and "first" in page.text
    csrf = csrf_of(page.text)
    file_link = page.text.split(f'href="/reports/{first}/files/')[1].split('"')[0]
    download = staff.get(f"/reports/{first}/files/{file_link}")
    assert download.status_code == 200 and b"PageExifCanary" not in download.content
    r = staff.post(f"/reports/{first}/reply", data={"csrf": csrf, "text": ""})
    assert r.status_code == 422
    r = staff.post(f"/reports/{first}/reply", data={"csrf": csrf, "text": "Hello"}, follow_redirects=False)
    assert r.status_code == 303
    r = staff.post(f"/reports/{first}/case", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/")
    shelter = dict((n, i) for i, n in _orgs(sqlite_inst))["Rose Shelter"]
    r = staff.post(
        f"/reports/{second}/referral", data={"csrf": csrf, "organisation_id": shelter}, follow_redirects=False
    )
    assert r.status_code == 303
    assert (
        staff.post(f"/reports/{third}/closure", data={"csrf": csrf, "retention_days": "x"}).status_code == 422
    )
    r = staff.post(
        f"/reports/{third}/closure", data={"csrf": csrf, "retention_days": "7"}, follow_redirects=False
    )
    assert r.status_code == 303
    assert staff.get("/reports?status=closed").text.count('href="/reports/') >= 1
    assert staff.get("/reports/not-an-id").status_code == 404
    assert staff.post(f"/reports/{first}/reply", data={"csrf": "forged", "text": "x"}).status_code == 403


def test_her_new_message_tells_the_receiving_organisation_s_triage(sqlite_inst: Installation) -> None:
    """Issue 20's "report reply" notice: when she writes again, the triage of the organisation that
    received her report is told — a link only, nothing she wrote."""
    inst = sqlite_inst
    with inst.db.transaction() as session:
        organisation = session.get(Organisation, inst.default_org)
        assert organisation is not None
        name = organisation.name
    triage = make_user(inst.db, "triage", name, "caseworker")
    client = public(inst)
    receipt = send(client)
    r = client.post("/api/reports/access/messages", json={"receipt": receipt, "text": "They moved us."})
    assert r.status_code == 201
    items = notifications.list_notifications(inst.db, triage.actor.user_id)
    assert [(i.kind, i.link.startswith("/reports/")) for i in items] == [("report_reply", True)]
    assert "moved" not in repr(items)
