"""Signals exchanged between two installations over HTTP (issue 18, GR38 §74), and a reviewer's opinion on a
match through the JSON API: installation A on each backend, its partner B on SQLite. A partner is not a user:
it presents the token it was given and reaches only the exchange; an enforcement organisation neither shares
nor receives; a bad file is refused whole with a problem naming the field; a received signal only flags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opennrm.services import ad_review, signals
from opennrm.store.tables import AdReview, AuditEvent, RecruitmentSignal
from opennrm.web.app import create_app
from tests.conftest import Installation, _install
from tests.integration.test_recruitment_signals import KEY, RECRUITER_PHONE, _ad, _store
from tests.support import client_for, make_org, make_user

PLATFORM_A, PLATFORM_B = "Platform A", "Platform B"
TOKEN_OF_B = "b" * 43  # what installation A gave B
TOKEN_OF_A = "a" * 43  # what installation B gave A
TOKEN_OF_POLICE_PARTNER = "p" * 43
PROBLEM = "application/problem+json"


def _partners(home: Path, *entries: tuple[str, str, str]) -> None:
    listed = [
        {"name": name, "organisation": org, "token_sha256": hashlib.sha256(token.encode()).hexdigest()}
        for name, org, token in entries
    ]
    (home / signals.PARTNERS_FILE).write_text(json.dumps({"partners": listed}), encoding="utf-8")


def _partner_client(inst: Installation, token: str | None) -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    if token is not None:
        client.headers["Authorization"] = f"Bearer {token}"
    return client


@pytest.fixture
def other(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Installation]:
    """Installation B, the partner, on SQLite."""
    installed = _install(tmp_path / "home_b", "sqlite", request)
    yield installed
    installed.db.dispose()


@pytest.fixture
def pair(inst: Installation, other: Installation, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv(signals.KEY_VARIABLE, KEY)
    monkeypatch.delenv(signals.PARTNERS_VARIABLE, raising=False)
    a = make_org(inst.db, PLATFORM_A, "ngo")
    make_org(inst.db, "Border Police", "immigration_service")
    b = make_org(other.db, PLATFORM_B, "ngo")
    reviewer_a = make_user(inst.db, "reviewer_a", PLATFORM_A, "ad_reviewer")
    reviewer_b = make_user(other.db, "reviewer_b", PLATFORM_B, "ad_reviewer")
    ads_a = _store(inst, a, [_ad("a1", f"Hostess abroad, deposit 500. Call {RECRUITER_PHONE}")], "A crawl")
    ads_b = _store(
        other,
        b,
        [_ad("b1", "Nice job abroad, call +44 7911-123-461 today"), _ad("b2", "Cook, call +44 7911 123999")],
        "B crawl",
    )
    _partners(
        inst.settings.home,
        (PLATFORM_B, PLATFORM_A, TOKEN_OF_B),
        ("Platform C", "Border Police", TOKEN_OF_POLICE_PARTNER),
    )
    _partners(other.settings.home, (PLATFORM_A, PLATFORM_B, TOKEN_OF_A))
    return {
        "a": a,
        "b": b,
        "reviewer_a": reviewer_a,
        "reviewer_b": reviewer_b,
        "ads_a": ads_a,
        "ads_b": ads_b,
    }


def _signal_rows(inst: Installation) -> int:
    with inst.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(RecruitmentSignal)) or 0)


def test_two_installations_exchange_signals_and_opinions_over_http(
    inst: Installation, other: Installation, pair: dict[str, Any]
) -> None:
    ad_review.record_decision(inst.db, pair["reviewer_a"].actor, pair["ads_a"]["a1"], "deceptive")
    # B fetches A's file with the token A gave it ...
    fetched = _partner_client(inst, TOKEN_OF_B).get("/api/signals/exchange")
    assert fetched.status_code == 200 and fetched.headers["content-type"].startswith("application/x-ndjson")
    lines = fetched.text.splitlines()
    assert json.loads(lines[0])["source"] == PLATFORM_A and len(lines) == 2
    assert "7911" not in fetched.text  # a keyed hash, never the number
    # ... and A sends the same file to B with the token B gave it
    sent = _partner_client(other, TOKEN_OF_A).post(
        "/api/signals/exchange", content=fetched.content, headers={"Content-Type": "application/x-ndjson"}
    )
    assert sent.status_code == 200, sent.text
    assert sent.json() | {} == {
        "signals": 1,
        "new": 1,
        "withdrawn": 0,
        "expired_ignored": 0,
        "opinions_on_ours": 0,
        "ads_matched": 1,
    }
    reviewer_b = pair["reviewer_b"]
    view = ad_review.ad_detail(other.db, reviewer_b.actor, pair["ads_b"]["b1"])
    assert [(f.kind, f.source) for f in view.signal_flags] == [("phone", PLATFORM_A)]
    assert view.decision is None  # nothing acted on: B's reviewer decides
    with other.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AdReview)) == 0

    # B's reviewer disputes the match through the JSON API; the opinion travels back to A over HTTP
    reviewer_api = client_for(other.settings, reviewer_b)
    flag = reviewer_api.get(f"/api/ads/{pair['ads_b']['b1']}").json()["signal_flags"][0]
    answered = reviewer_api.post(
        f"/api/ads/{pair['ads_b']['b1']}/signals/{flag['match_id']}", json={"opinion": "disputed"}
    )
    assert answered.status_code == 204, answered.text
    from_b = _partner_client(other, TOKEN_OF_A).get("/api/signals/exchange")
    assert [json.loads(line)["opinion"] for line in from_b.text.splitlines()[1:]] == ["disputed"]
    back = _partner_client(inst, TOKEN_OF_B).post("/api/signals/exchange", content=from_b.content)
    assert back.status_code == 200 and back.json()["opinions_on_ours"] == 1
    assert signals.transparency(inst.db, pair["a"])["own_withdrawn_disputed"] == 1
    again = _partner_client(inst, TOKEN_OF_B).get("/api/signals/exchange")
    assert again.text.splitlines()[1:] == []  # the disputed signal is gone for good
    with inst.db.transaction() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.actor_id).where(AuditEvent.action.like("signals.%"))
        ).all()
    assert {("signals.export", signals.PARTNER_ACTOR), ("signals.import", signals.PARTNER_ACTOR)} <= set(
        events
    )


def test_a_receivers_opinion_counts_once_however_often_its_file_is_imported(
    inst: Installation, other: Installation, pair: dict[str, Any]
) -> None:
    """An exchange file repeats the receiver's current opinions at every export: pulling it hourly must not
    grow the counts of the annual report; a changed opinion replaces the earlier one."""
    ad_review.record_decision(inst.db, pair["reviewer_a"].actor, pair["ads_a"]["a1"], "deceptive")
    fetched = _partner_client(inst, TOKEN_OF_B).get("/api/signals/exchange")
    _partner_client(other, TOKEN_OF_A).post("/api/signals/exchange", content=fetched.content)
    reviewer_api = client_for(other.settings, pair["reviewer_b"])
    ad = pair["ads_b"]["b1"]
    flag = reviewer_api.get(f"/api/ads/{ad}").json()["signal_flags"][0]
    path = f"/api/ads/{ad}/signals/{flag['match_id']}"

    def pull_from_b_into_a() -> int:
        from_b = _partner_client(other, TOKEN_OF_A).get("/api/signals/exchange")
        answer = _partner_client(inst, TOKEN_OF_B).post("/api/signals/exchange", content=from_b.content)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["opinions_on_ours"])

    assert reviewer_api.post(path, json={"opinion": "seen"}).status_code == 204
    assert [pull_from_b_into_a() for _ in range(3)] == [1, 0, 0]
    counts = signals.transparency(inst.db, pair["a"])
    assert (counts["own_seen_by_receivers"], counts["own_confirmed_by_receivers"]) == (1, 0)
    assert reviewer_api.post(path, json={"opinion": "confirmed"}).status_code == 204
    assert [pull_from_b_into_a() for _ in range(2)] == [1, 0]
    counts = signals.transparency(inst.db, pair["a"])
    assert (counts["own_seen_by_receivers"], counts["own_confirmed_by_receivers"]) == (0, 1)


def test_the_exchange_answers_only_a_partner_and_never_an_enforcement_organisation(
    inst: Installation, pair: dict[str, Any]
) -> None:
    ad_review.record_decision(inst.db, pair["reviewer_a"].actor, pair["ads_a"]["a1"], "deceptive")
    for token in (None, "not-the-token", TOKEN_OF_B + "x"):
        answer = _partner_client(inst, token).get("/api/signals/exchange")
        assert answer.status_code == 401 and answer.headers["content-type"] == PROBLEM
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert _partner_client(inst, token).post("/api/signals/exchange", content=b"{}").status_code == 401
    # a logged-in user, even the organisation's own reviewer, is not a partner; nor does her token open the API
    session_client = client_for(inst.settings, pair["reviewer_a"])
    assert session_client.get("/api/signals/exchange").status_code == 401
    assert _partner_client(inst, TOKEN_OF_B).get(f"/api/ads/{pair['ads_a']['a1']}").status_code == 401
    # a partner bound to an enforcement organisation is refused, and the refusal is audited
    police = _partner_client(inst, TOKEN_OF_POLICE_PARTNER)
    refused = police.get("/api/signals/exchange")
    assert refused.status_code == 403 and "enforcement" in refused.json()["detail"]
    assert police.post("/api/signals/exchange", content=b"").status_code == 403
    with inst.db.transaction() as session:
        denied = session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert {"signals.export", "signals.import"} <= set(denied)


def test_a_bad_file_is_refused_whole_naming_the_field(
    inst: Installation, other: Installation, pair: dict[str, Any]
) -> None:
    ad_review.record_decision(inst.db, pair["reviewer_a"].actor, pair["ads_a"]["a1"], "deceptive")
    good = _partner_client(inst, TOKEN_OF_B).get("/api/signals/exchange").text.splitlines()
    header, signal = json.loads(good[0]), json.loads(good[1])
    second = signal | {"id": "another", "value": "c" * 64}
    cases = [
        ([header | {"source": "Platform C"}, signal | {"source": "Platform C"}], "source"),
        ([header, second, signal | {"category": "fraud_in_general"}], "category"),
        ([header, second, signal | {"confidence": 7}], "confidence"),
        ([header, second, signal | {"value": "+447911123461"}], "value"),
        ([header | {"format": "other/1"}, signal], "format"),
    ]
    client = _partner_client(other, TOKEN_OF_A)
    for lines, field in cases:
        body = "\n".join(json.dumps(line) for line in lines)
        answer = client.post("/api/signals/exchange", content=body.encode())
        assert answer.status_code == 422 and answer.headers["content-type"] == PROBLEM, answer.text
        assert answer.json()["field"] == field, answer.json()
    for raw, message in ((b"\xff\xfe", "UTF-8"), (good[0].encode() + b"\n{not json", "line 2")):
        answer = client.post("/api/signals/exchange", content=raw)
        assert answer.status_code == 422 and answer.json()["field"] == "file" and message in answer.text
    assert _signal_rows(other) == 0  # nothing half-imported
    ad = pair["ads_b"]["b1"]
    assert ad_review.ad_detail(other.db, pair["reviewer_b"].actor, ad).signal_flags == []


def test_a_reviewer_gives_her_opinion_on_a_match_through_the_api(
    inst: Installation, other: Installation, pair: dict[str, Any]
) -> None:
    ad_review.record_decision(inst.db, pair["reviewer_a"].actor, pair["ads_a"]["a1"], "deceptive")
    fetched = _partner_client(inst, TOKEN_OF_B).get("/api/signals/exchange")
    assert (
        _partner_client(other, TOKEN_OF_A).post("/api/signals/exchange", content=fetched.content).is_success
    )
    b1, b2 = pair["ads_b"]["b1"], pair["ads_b"]["b2"]
    reviewer = client_for(other.settings, pair["reviewer_b"])
    match_id = reviewer.get(f"/api/ads/{b1}").json()["signal_flags"][0]["match_id"]
    path = f"/api/ads/{b1}/signals/{match_id}"
    bad = reviewer.post(path, json={"opinion": "maybe"})
    assert bad.status_code == 422 and bad.json()["field"] == "opinion", bad.text
    assert reviewer.post(path, json={"opinion": "seen", "note": "x"}).status_code == 422
    assert reviewer.post(f"/api/ads/{b2}/signals/{match_id}", json={"opinion": "seen"}).status_code == 404
    assert reviewer.post(path, json={"opinion": "seen"}).status_code == 204
    assert reviewer.get(f"/api/ads/{b1}").json()["signal_flags"][0]["feedback"] == "seen"
    # another organisation's reviewer and an enforcement user are refused
    make_org(other.db, "Platform D", "ngo")
    make_org(other.db, "Border Police", "immigration_service")
    outsider = make_user(other.db, "reviewer_d", "Platform D", "ad_reviewer")
    police = make_user(other.db, "officer", "Border Police", "ad_reviewer", enforcement=True)
    caseworker = make_user(other.db, "caseworker_b", PLATFORM_B, "caseworker")
    for user in (outsider, police, caseworker):
        answer = client_for(other.settings, user).post(path, json={"opinion": "disputed"})
        assert answer.status_code == 403, (user.username, answer.text)
    assert reviewer.get(f"/api/ads/{b1}").json()["signal_flags"][0]["feedback"] == "seen"
    counts = signals.transparency(other.db, pair["b"])
    assert counts["received_matches_seen"] == 1


def test_the_cli_issues_a_partner_token_that_opens_only_the_exchange(
    inst: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from opennrm.cli.main import _register, app

    monkeypatch.setenv(signals.KEY_VARIABLE, KEY)
    monkeypatch.delenv(signals.PARTNERS_VARIABLE, raising=False)
    make_org(inst.db, PLATFORM_A, "ngo")
    make_org(inst.db, "Border Police", "immigration_service")
    _register()
    runner = CliRunner()
    env = {**inst.env(), signals.KEY_VARIABLE: KEY}
    issued = runner.invoke(app, ["signals", "partner", PLATFORM_B, "--organisation", PLATFORM_A], env=env)
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip().splitlines()[-1]
    listed = (inst.settings.home / signals.PARTNERS_FILE).read_text()
    assert token not in listed and hashlib.sha256(token.encode()).hexdigest() in listed
    assert _partner_client(inst, token).get("/api/signals/exchange").status_code == 200
    again = runner.invoke(app, ["signals", "partner", PLATFORM_B, "--organisation", PLATFORM_A], env=env)
    assert again.exit_code != 0 and "already a partner" in again.output
    police = runner.invoke(
        app, ["signals", "partner", "Platform C", "--organisation", "Border Police"], env=env
    )
    assert police.exit_code != 0 and "enforcement" in police.output
    # a partner named after an organisation of this installation would pass its signals off as theirs
    make_org(inst.db, "Local Shelter", "shelter")
    local = runner.invoke(app, ["signals", "partner", "Local Shelter", "--organisation", PLATFORM_A], env=env)
    assert local.exit_code != 0 and "organisation of this installation" in local.output
    assert "Local Shelter" not in (inst.settings.home / signals.PARTNERS_FILE).read_text()


def test_a_partner_bearing_a_local_organisations_name_is_refused(
    inst: Installation, pair: dict[str, Any]
) -> None:
    """Listed by hand in the partners file under the name of another organisation of this installation, it
    could not fetch or send a file: its signals would read as "shared by" that organisation."""
    make_org(inst.db, "Local Shelter", "shelter")
    _partners(inst.settings.home, ("Local Shelter", PLATFORM_A, TOKEN_OF_B))
    client = _partner_client(inst, TOKEN_OF_B)
    fetched = client.get("/api/signals/exchange")
    assert fetched.status_code == 403 and "organisation of this installation" in fetched.json()["detail"]
    assert client.post("/api/signals/exchange", content=b"").status_code == 403
    assert _signal_rows(inst) == 0
