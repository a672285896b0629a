"""The job-ad review queue (issue 8, part 6), on SQLite and PostgreSQL: a reviewer scans a file of ads, works
through the ads and actor networks by risk with the evidence marked, records decisions that are audited and
become training labels; nobody else reaches the ads, and bad input changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.recruitment.synthetic import synthetic_ads
from opennrm.store.tables import AdReview, AdScan, AuditEvent, ScannedAd
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, make_org, make_user
from tests.support import client_for as support_client_for

INSPECTORATE = "Labour Inspectorate"
CANARY = "Canary-Recruiter-Q7X"


def ads_file(count: int = 120, seed: int = 8) -> bytes:
    """Synthetic ads with planted flags, templates and shared phones, plus two unreadable lines."""
    lines = [json.dumps(ad.record, ensure_ascii=False) for ad in synthetic_ads(count, seed=seed)]
    lines.insert(3, "{not json")
    lines.insert(10, json.dumps({"id": "no-text", "title": "Cook"}))
    return ("\n".join(lines) + "\n").encode()


def client_for(inst: Installation, user: StaffUser) -> TestClient:
    return support_client_for(inst.settings, user)


@pytest.fixture
def reviewer(inst: Installation) -> StaffUser:
    make_org(inst.db, INSPECTORATE, "labour_inspectorate")
    return make_user(inst.db, "inspector", INSPECTORATE, "ad_reviewer")


def upload(client: TestClient, data: bytes, name: str = "ads.jsonl", scan: str = "Crawl 2026-11") -> object:
    return client.post(
        "/api/ad-scans", files={"file": (name, data, "application/x-ndjson")}, data={"name": scan}
    )


def count(inst: Installation, table: type) -> int:
    with inst.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def audit_actions(inst: Installation) -> list[tuple[str, str]]:
    with inst.db.transaction() as s:
        return [(e.action, e.outcome) for e in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def test_a_reviewer_works_the_queue_by_risk_and_her_decision_is_audited_and_becomes_a_label(
    inst: Installation, reviewer: StaffUser
) -> None:
    client = client_for(inst, reviewer)
    made = upload(client, ads_file())
    assert made.status_code == 201, made.text  # type: ignore[attr-defined]
    body = made.json()  # type: ignore[attr-defined]
    assert body["ads"] == 120
    assert [m.split(":")[0] for m in body["malformed"]] == ["line 4", "line 11"]
    scan_id = body["id"]

    queue = client.get(f"/api/ad-scans/{scan_id}/ads").json()
    risks = [a["risk"] for a in queue["ads"]]
    assert len(risks) == 50 and queue["total"] == 120 and queue["pages"] == 3
    assert risks == sorted(risks, reverse=True)
    top = queue["ads"][0]
    assert top["flags"], "the riskiest synthetic ad carries red flags"

    ad = client.get(f"/api/ads/{top['id']}").json()
    text = ad["ad"]["text"]
    spans = [f for f in ad["flags"] if f["field"] == "text"]
    assert spans and all(text[s["start"] : s["end"]] == s["evidence"] for s in spans_of(ad))
    marked = "".join(seg["text"] for seg in ad["text_segments"] if seg["flags"])
    assert all(s["evidence"] in marked for s in spans_of(ad))
    assert ad["decision"] is None

    decided = client.post(f"/api/ads/{top['id']}/decisions", json={"decision": "deceptive", "note": "fee"})
    assert decided.status_code == 201
    client.post(f"/api/ads/{queue['ads'][1]['id']}/decisions", json={"decision": "legitimate"})
    client.post(f"/api/ads/{queue['ads'][2]['id']}/decisions", json={"decision": "unsure"})
    again = client.get(f"/api/ads/{top['id']}").json()
    assert again["decision"] == "deceptive" and again["decisions"][0]["note"] == "fee"
    assert again["decisions"][0]["reviewer"] == "inspector"

    undecided = client.get(f"/api/ad-scans/{scan_id}/ads?undecided=true").json()
    assert undecided["total"] == 117
    assert top["id"] not in {a["id"] for a in undecided["ads"]}

    labels = client.get("/api/ads/labels")
    assert labels.status_code == 200 and "attachment" in labels.headers["content-disposition"]
    records = [json.loads(line) for line in labels.text.splitlines()]
    assert sorted(r["label"] for r in records) == [0, 1]
    deceptive = next(r for r in records if r["label"] == 1)
    assert deceptive["id"] == top["ad_ref"] and deceptive["text"] == text

    actions = audit_actions(inst)
    for action in ("ads.scan.import", "ads.queue.read", "ads.read", "ads.decide", "ads.labels.export"):
        assert (action, "ok") in actions, action
    assert actions.count(("ads.decide", "ok")) == 3


def spans_of(ad: dict[str, object]) -> list[dict[str, object]]:
    return [f for f in ad["flags"] if f["field"] == "text"]  # type: ignore[attr-defined, index]


def test_actor_networks_are_ranked_and_show_what_joins_their_ads(
    inst: Installation, reviewer: StaffUser
) -> None:
    client = client_for(inst, reviewer)
    scan_id = upload(client, ads_file(300, seed=3)).json()["id"]  # type: ignore[attr-defined]
    networks = client.get(f"/api/ad-scans/{scan_id}/networks").json()
    assert networks["networks"], "the synthetic ads plant shared phones and templates"
    risks = [n["risk"] for n in networks["networks"]]
    assert risks == sorted(risks, reverse=True)
    assert all(n["size"] >= 2 for n in networks["networks"])
    first = networks["networks"][0]
    page = client.get(f"/ads/scans/{scan_id}/network", params={"key": first["actor_key"]})
    assert page.status_code == 200
    assert page.text.count('href="/ads/') >= min(first["size"], 200)


def test_the_pages_scan_mark_the_evidence_and_take_the_reviewer_to_the_next_ad(
    inst: Installation, reviewer: StaffUser
) -> None:
    client = client_for(inst, reviewer)
    home = client.get("/", follow_redirects=False)
    assert home.headers["location"] == "/ads"
    form = client.get("/ads")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
    assert csrf
    data = "\n".join(json.dumps(ad.record, ensure_ascii=False) for ad in synthetic_ads(60, seed=5))
    made = client.post(
        "/ads",
        data={"csrf": csrf.group(1), "name": "Board A"},
        files={"file": ("ads.jsonl", data.encode(), "application/x-ndjson")},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    queue = client.get(made.headers["location"])
    assert queue.status_code == 200 and "Board A" in queue.text
    ids = re.findall(r'href="/ads/([0-9a-f-]{36})"', queue.text)
    assert len(ids) == 50
    ad = client.get(f"/ads/{ids[0]}")
    assert ad.status_code == 200 and "<mark title=" in ad.text
    following = re.search(r'name="next" value="([0-9a-f-]{36})"', ad.text)
    assert following and following.group(1) == ids[1]
    decided = client.post(
        f"/ads/{ids[0]}/decision",
        data={"csrf": csrf.group(1), "decision": "deceptive", "next": following.group(1)},
        follow_redirects=False,
    )
    assert decided.status_code == 303 and decided.headers["location"] == f"/ads/{ids[1]}"
    refused = client.post(f"/ads/{ids[1]}/decision", data={"csrf": csrf.group(1), "decision": "guilty"})
    assert refused.status_code == 422 and "decision must be one of" in refused.text
    assert count(inst, AdReview) == 1


def test_with_unreadable_records_the_page_lists_their_line_numbers(
    inst: Installation, reviewer: StaffUser
) -> None:
    client = client_for(inst, reviewer)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/ads").text)
    assert csrf
    page = client.post(
        "/ads",
        data={"csrf": csrf.group(1), "name": "Board B"},
        files={"file": ("ads.jsonl", ads_file(20), "application/x-ndjson")},
    )
    assert page.status_code == 200
    assert "line 4:" in page.text and "line 11:" in page.text
    assert count(inst, ScannedAd) == 20


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("ads.jsonl", b"", "file"),
        ("ads.txt", b'{"id": "1", "title": "t", "text": "x"}\n', "file"),
        ("ads.jsonl", b"{broken\n[1, 2]\n", "file"),
        ("ads.csv", b"id,title\n1,Cook\n", "file"),
        ("ads.jsonl", b"\xff\xfe\x00", "file"),
        ("ads.jsonl", b'{"id": "1", "title": "t", "text": "x"}\n', "name"),
    ],
)
def test_bad_uploads_are_refused_naming_the_field_and_store_nothing(
    inst: Installation, reviewer: StaffUser, name: str, data: bytes, field: str
) -> None:
    client = client_for(inst, reviewer)
    response = upload(client, data, name, scan="   " if field == "name" else "Crawl")
    assert response.status_code == 422, response.text  # type: ignore[attr-defined]
    problem = response.json()  # type: ignore[attr-defined]
    assert problem["field"] == field or field in json.dumps(problem)
    assert count(inst, AdScan) == 0 and count(inst, ScannedAd) == 0


def test_bad_decisions_are_refused_and_change_nothing(inst: Installation, reviewer: StaffUser) -> None:
    client = client_for(inst, reviewer)
    scan_id = upload(client, ads_file(10)).json()["id"]  # type: ignore[attr-defined]
    ad_id = client.get(f"/api/ad-scans/{scan_id}/ads").json()["ads"][0]["id"]
    for body in ({"decision": "guilty"}, {"decision": "deceptive", "note": "x" * 2001}, {"note": "x"}):
        assert client.post(f"/api/ads/{ad_id}/decisions", json=body).status_code == 422
    assert client.post("/api/ads/not-an-id/decisions", json={"decision": "unsure"}).status_code == 404
    assert count(inst, AdReview) == 0


def test_only_the_scanning_organisations_reviewers_reach_the_ads(
    inst: Installation, reviewer: StaffUser
) -> None:
    mine = client_for(inst, reviewer)
    scan_id = upload(mine, ads_file(10)).json()["id"]  # type: ignore[attr-defined]
    ad_id = mine.get(f"/api/ad-scans/{scan_id}/ads").json()["ads"][0]["id"]
    make_org(inst.db, "Other Platform", "other")
    make_org(inst.db, "Safe Harbour", "ngo")
    make_org(inst.db, "Border Agency", "immigration_service")
    others = {
        "reviewer elsewhere": make_user(inst.db, "elsewhere", "Other Platform", "ad_reviewer"),
        "caseworker": make_user(inst.db, "amina", "Safe Harbour", "caseworker"),
        "supervisor": make_user(inst.db, "sup", INSPECTORATE, "supervisor"),
        "org admin": make_user(inst.db, "admin", INSPECTORATE, "org_admin"),
        "enforcement reviewer": make_user(
            inst.db, "border", "Border Agency", "ad_reviewer", enforcement=True
        ),
    }
    for who, user in others.items():
        client = client_for(inst, user)
        for path in (
            f"/api/ad-scans/{scan_id}/ads",
            f"/api/ad-scans/{scan_id}/networks",
            f"/api/ads/{ad_id}",
        ):
            assert client.get(path).status_code == 403, (who, path)
        assert client.get(f"/ads/{ad_id}").status_code == 403, who
        decided = client.post(f"/api/ads/{ad_id}/decisions", json={"decision": "legitimate"})
        assert decided.status_code == 403, who
        labels = client.get("/api/ads/labels")
        if who == "reviewer elsewhere":
            assert labels.status_code == 200 and labels.text == ""  # her organisation decided nothing
        else:
            assert labels.status_code == 403, who
    assert count(inst, AdReview) == 0
    assert ("ads.review", "denied") in audit_actions(inst)


def test_ads_are_encrypted_at_rest(sqlite_inst: Installation) -> None:
    make_org(sqlite_inst.db, INSPECTORATE, "labour_inspectorate")
    reviewer = make_user(sqlite_inst.db, "inspector", INSPECTORATE, "ad_reviewer")
    client = client_for(sqlite_inst, reviewer)
    record = {
        "id": "ad-1",
        "title": "Hostess wanted",
        "text": f"Contact {CANARY} on WhatsApp +44 7700 900456, deposit 500 required, passport kept.",
        "company": f"{CANARY} Ltd",
    }
    assert upload(client, (json.dumps(record) + "\n").encode()).status_code == 201  # type: ignore[attr-defined]
    ad_id = client.get(f"/api/ad-scans/{client.get('/api/ad-scans').json()[0]['id']}/ads").json()["ads"][0][
        "id"
    ]
    client.post(f"/api/ads/{ad_id}/decisions", json={"decision": "deceptive", "note": f"{CANARY} again"})
    sqlite_inst.db.dispose()
    home = sqlite_inst.settings.home
    files = [p for p in home.rglob("*") if p.is_file() and p.suffix != ".key"]
    for path in files:
        data = path.read_bytes()
        assert CANARY.encode() not in data, path
        assert b"7700 900456" not in data and b"447700900456" not in data, path


def test_the_cli_imports_a_scan_and_exports_decisions_that_train_a_model(
    inst: Installation, reviewer: StaffUser, tmp_path: Path
) -> None:
    _register()
    runner = CliRunner()
    env = inst.env()
    ads = tmp_path / "ads.jsonl"
    ads.write_bytes(ads_file(200, seed=11))
    out = tmp_path / "scan.jsonl"
    scanned = runner.invoke(app, ["ads", "scan", str(ads), "--out", str(out)], env=env)
    assert scanned.exit_code == 0, scanned.output
    risky = runner.invoke(
        app,
        [
            "ads",
            "import",
            str(ads),
            "--organisation",
            INSPECTORATE,
            "--name",
            "Risky",
            "--scan",
            str(out),
            "--min-risk",
            "0.5",
        ],
        env=env,
    )
    assert risky.exit_code == 0, risky.output
    risky_count = sum(1 for line in out.read_text().splitlines() if json.loads(line)["risk"] >= 0.5)
    assert count(inst, ScannedAd) == risky_count > 0
    assert "line 4:" in risky.output  # unreadable records are reported, not skipped silently
    imported = runner.invoke(
        app, ["ads", "import", str(ads), "--organisation", INSPECTORATE, "--name", "Spark run"], env=env
    )
    assert imported.exit_code == 0, imported.output
    assert count(inst, ScannedAd) == risky_count + 200  # scanned now, in memory, all kept

    client = client_for(inst, reviewer)
    scans = client.get("/api/ad-scans").json()
    scan_id, risky_id = scans[0]["id"], scans[1]["id"]  # newest first
    # the risky import kept only part of each network: sizes and network pages count what was kept
    for row in client.get(f"/api/ad-scans/{risky_id}/ads").json()["ads"]:
        page = client.get(f"/ads/scans/{risky_id}/network", params={"key": row["actor_key"]})
        assert page.status_code == (200 if row["actor_size"] > 1 else 404), row
    truth = {ad.record["id"]: ad.label for ad in synthetic_ads(200, seed=11)}
    rows = []
    for number in range(1, client.get(f"/api/ad-scans/{scan_id}/ads").json()["pages"] + 1):
        rows += client.get(f"/api/ad-scans/{scan_id}/ads?page={number}").json()["ads"]
    assert len(rows) == 200
    for row in rows:
        decision = "deceptive" if truth[row["ad_ref"]] else "legitimate"
        assert client.post(f"/api/ads/{row['id']}/decisions", json={"decision": decision}).status_code == 201

    labels = tmp_path / "labels.jsonl"
    exported = runner.invoke(
        app, ["ads", "labels", "--organisation", INSPECTORATE, "--out", str(labels)], env=env
    )
    assert exported.exit_code == 0, exported.output
    records = [json.loads(line) for line in labels.read_text().splitlines()]
    assert len(records) == 200
    assert all(r["label"] == truth[r["id"]] for r in records)
    trained = runner.invoke(app, ["ads", "train", str(labels), "--out", str(tmp_path / "model")], env=env)
    assert trained.exit_code == 0, trained.output
    assert (tmp_path / "model").is_dir()

    unknown = runner.invoke(app, ["ads", "labels", "--organisation", "Nobody", "--out", str(labels)], env=env)
    assert unknown.exit_code != 0 and "no organisation named" in unknown.output


def test_a_model_folder_that_cannot_be_loaded_is_a_clear_503_and_stores_nothing(
    inst: Installation, reviewer: StaffUser, tmp_path: Path
) -> None:
    from dataclasses import replace

    from opennrm.services import ad_review

    ad_review._model.cache_clear()
    broken = replace(inst.settings, ads_model=tmp_path / "no-such-model")
    client = TestClient(create_app(broken), base_url="https://testserver")
    login = {"username": reviewer.username, "password": PASSWORD, "totp": reviewer.code()}
    assert client.post("/api/session", json=login).status_code == 201
    response = upload(client, ads_file(5))
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert "OPENNRM_ADS_MODEL" in response.json()["detail"]  # type: ignore[attr-defined]
    assert count(inst, AdScan) == 0
    ad_review._model.cache_clear()


def test_an_import_with_a_broken_scan_file_says_which_line_and_stores_nothing(
    inst: Installation, reviewer: StaffUser, tmp_path: Path
) -> None:
    _register()
    ads = tmp_path / "ads.jsonl"
    ads.write_bytes(ads_file(5))
    first_id = json.loads(ads.read_text().splitlines()[0])["id"]
    for content, message in [
        ('{"id": "x", "risk": "high"}\n', "line 1: 'risk' is not a number"),
        ('{"id": "x"}\n', "line 1: not a record"),
        (json.dumps({"id": first_id, "risk": 7}) + "\n", "is not between 0 and 1"),
    ]:
        scan = tmp_path / "scan.jsonl"
        scan.write_text(content)
        result = CliRunner().invoke(
            app,
            ["ads", "import", str(ads), "--organisation", INSPECTORATE, "--name", "X", "--scan", str(scan)],
            env=inst.env(),
        )
        assert result.exit_code != 0 and message in result.output, result.output
    assert count(inst, AdScan) == 0 and count(inst, ScannedAd) == 0


def test_ads_and_notes_stay_readable_after_a_key_rotation(inst: Installation, reviewer: StaffUser) -> None:
    from opennrm.services import ad_review, installation, keys

    client = client_for(inst, reviewer)
    scan_id = upload(client, ads_file(10)).json()["id"]  # type: ignore[attr-defined]
    top = client.get(f"/api/ad-scans/{scan_id}/ads").json()["ads"][0]
    client.post(f"/api/ads/{top['id']}/decisions", json={"decision": "deceptive", "note": "deposit asked"})
    before = client.get(f"/api/ads/{top['id']}").json()["ad"]
    inst.db.dispose()
    keys.rotate_key(inst.settings)
    db = installation.open_database(inst.settings)
    try:
        view = ad_review.ad_detail(db, reviewer.actor, top["id"])
    finally:
        db.dispose()
    assert view.ad == before and view.decisions[0].note == "deposit asked"


def test_a_reviewer_deletes_a_scan_with_its_ads_networks_and_decisions(
    inst: Installation, reviewer: StaffUser
) -> None:
    from opennrm.store.tables import AdNetwork

    client = client_for(inst, reviewer)
    keep = upload(client, ads_file(30, seed=1), scan="Keep").json()["id"]  # type: ignore[attr-defined]
    drop = upload(client, ads_file(60, seed=2), scan="Drop").json()["id"]  # type: ignore[attr-defined]
    ad_id = client.get(f"/api/ad-scans/{drop}/ads").json()["ads"][0]["id"]
    client.post(f"/api/ads/{ad_id}/decisions", json={"decision": "deceptive"})
    make_org(inst.db, "Other Platform", "other")
    stranger = client_for(inst, make_user(inst.db, "elsewhere", "Other Platform", "ad_reviewer"))
    assert stranger.delete(f"/api/ad-scans/{drop}").status_code == 403

    page = client.get(f"/ads/scans/{drop}")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf and f'action="/ads/scans/{drop}/delete"' in page.text
    unconfirmed = client.post(f"/ads/scans/{drop}/delete", data={"csrf": csrf.group(1)})
    assert unconfirmed.status_code == 422 and count(inst, AdScan) == 2
    done = client.post(
        f"/ads/scans/{drop}/delete", data={"csrf": csrf.group(1), "confirm": "on"}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/ads?deleted=60"
    assert "The scan was deleted with its 60 ads" in client.get(done.headers["location"]).text

    with inst.db.transaction() as s:
        assert set(s.scalars(select(ScannedAd.scan_id))) == {keep}
        assert set(s.scalars(select(AdNetwork.scan_id))) <= {keep}
        assert s.scalar(select(func.count()).select_from(AdReview)) == 0
    assert client.get(f"/api/ad-scans/{drop}/ads").status_code == 404
    assert ("ads.scan.delete", "ok") in audit_actions(inst)
    assert client.delete(f"/api/ad-scans/{keep}").status_code == 204
    assert count(inst, ScannedAd) == 0


def test_purge_deletes_only_scans_older_than_asked(inst: Installation, reviewer: StaffUser) -> None:
    import datetime as dt

    from sqlalchemy import update

    _register()
    client = client_for(inst, reviewer)
    old = upload(client, ads_file(10, seed=1), scan="Old").json()["id"]  # type: ignore[attr-defined]
    upload(client, ads_file(10, seed=2), scan="New")
    with inst.db.transaction() as s:
        s.execute(
            update(AdScan)
            .where(AdScan.id == old)
            .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=100))
        )
    result = CliRunner().invoke(app, ["ads", "purge", "--older-than", "90"], env=inst.env())
    assert result.exit_code == 0, result.output
    assert "1 scan(s) made more than 90 days ago deleted, with 10 ads" in result.output
    assert [s["name"] for s in client.get("/api/ad-scans").json()] == ["New"]
    again = CliRunner().invoke(app, ["ads", "purge", "--older-than", "90"], env=inst.env())
    assert "0 scan(s)" in again.output
    bad = CliRunner().invoke(app, ["ads", "purge", "--older-than", "0"], env=inst.env())
    assert bad.exit_code != 0


def test_scanning_an_upload_does_not_hold_up_other_requests(
    sqlite_inst: Installation, live_server: str
) -> None:
    """The scan runs off the event loop: while a reviewer's upload is being scanned, the server still answers."""
    import threading
    import time

    import httpx

    make_org(sqlite_inst.db, INSPECTORATE, "labour_inspectorate")
    user = make_user(sqlite_inst.db, "inspector", INSPECTORATE, "ad_reviewer")
    with httpx.Client(base_url=live_server, timeout=120) as http:
        login = {"username": "inspector", "password": PASSWORD, "totp": user.code()}
        token = http.post("/api/session", json=login).json()["token"]
        bearer = {"Authorization": f"Bearer {token}"}
        uploaded: list[int] = []
        data = ads_file(4000, seed=9)

        def send() -> None:
            files = {"file": ("ads.jsonl", data, "application/x-ndjson")}
            response = http.post("/api/ad-scans", files=files, data={"name": "Big"}, headers=bearer)
            uploaded.append(response.status_code)

        sender = threading.Thread(target=send)
        sender.start()
        time.sleep(0.5)  # the upload is on its way and being scanned
        answers = []
        while sender.is_alive():  # every request sent while the scan runs
            started = time.monotonic()
            answers.append((http.get("/api/health").status_code, time.monotonic() - started))
            time.sleep(0.2)
        sender.join()
    assert uploaded == [201]
    assert all(status == 200 and seconds < 2 for status, seconds in answers), answers
    assert len(answers) >= 3, f"only {len(answers)} answer(s) while the scan ran: {answers}"
