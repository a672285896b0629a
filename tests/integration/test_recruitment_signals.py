"""Signals shared between platforms about recruiters (issue 18, GR38 §74), on SQLite and PostgreSQL: only a
reviewer's decision becomes a signal; a received signal only flags an ad for a reviewer; disputes and appeals
withdraw; expired and withdrawn signals leave the next exchange; counts are published; the firewall holds."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.recruitment.model import default_model
from opennrm.recruitment.pipeline import scan_ads
from opennrm.recruitment.reading import parse_record
from opennrm.recruitment.signals import read_exchange
from opennrm.services import ad_review, signals
from opennrm.services.errors import Forbidden, Unavailable
from opennrm.store.tables import AdReview, AuditEvent, RecruitmentSignal
from tests.conftest import Installation
from tests.support import client_for, make_org, make_user

KEY = "5a" * 32
PLATFORM_A, PLATFORM_B = "Platform A", "Platform B"
RECRUITER_PHONE = "+44 7911 123461"
JOBSEEKER_NOTE = "Jobseeker Canary-Maria-77 wrote to us"


def _ad(ad_id: str, text: str, **extra: Any) -> Any:
    return parse_record({"id": ad_id, "title": "Hostess work", "text": text, "lang": "en", **extra}, 1)


def _store(inst: Installation, organisation_id: str, ads: list[Any], name: str) -> dict[str, str]:
    results, _ = scan_ads(ads, default_model())
    scan_id = ad_review.store_scan(
        inst.db,
        organisation_id=organisation_id,
        by=ad_review.CLI,
        name=name,
        model="default",
        scanned=list(zip(ads, results, strict=True)),
    )
    with inst.db.transaction() as session:
        from opennrm.store.tables import ScannedAd

        rows = session.execute(
            select(ScannedAd.ad_ref, ScannedAd.id).where(ScannedAd.scan_id == scan_id)
        ).all()
    return {ref: row_id for ref, row_id in rows}


@pytest.fixture
def world(inst: Installation, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv(signals.KEY_VARIABLE, KEY)
    a = make_org(inst.db, PLATFORM_A, "ngo")
    b = make_org(inst.db, PLATFORM_B, "ngo")
    reviewer_a = make_user(inst.db, "reviewer_a", PLATFORM_A, "ad_reviewer")
    reviewer_b = make_user(inst.db, "reviewer_b", PLATFORM_B, "ad_reviewer")
    ads_a = _store(
        inst,
        a,
        [
            _ad(
                "a1",
                f"Hostess in Dubai, free flights, deposit 500. Call {RECRUITER_PHONE} or jobs@fast-hire.example.com",
            ),
            _ad(
                "a2",
                "Receptionist at our dental practice in Leeds. Call +44 7911 123123.",
                company_reg="GB 123-456",
            ),
        ],
        "A crawl",
    )
    return {"a": a, "b": b, "reviewer_a": reviewer_a, "reviewer_b": reviewer_b, "ads_a": ads_a}


def _export(inst: Installation, organisation_id: str, at: dt.datetime | None = None) -> list[str]:
    lines, _ = signals.export_signals(inst.db, organisation_id, by="cli", key=bytes.fromhex(KEY), at=at)
    return lines


def _import(inst: Installation, organisation_id: str, lines: list[str]) -> dict[str, int]:
    return signals.import_signals(
        inst.db, organisation_id, read_exchange(lines), by="cli", key=bytes.fromhex(KEY)
    )


def test_only_a_reviewers_decision_becomes_a_signal_and_a_match_only_flags_the_ad(
    inst: Installation, world: dict[str, Any]
) -> None:
    a, b, reviewer_a = world["a"], world["b"], world["reviewer_a"]
    # a high risk alone is not a decision: nothing to share
    assert [json.loads(line)["type"] for line in _export(inst, a)[1:]] == []
    ad_review.record_decision(inst.db, reviewer_a.actor, world["ads_a"]["a1"], "deceptive", JOBSEEKER_NOTE)
    ad_review.record_decision(inst.db, reviewer_a.actor, world["ads_a"]["a2"], "legitimate")
    lines = _export(inst, a)
    shared = [json.loads(line) for line in lines[1:]]
    assert {s["kind"] for s in shared} == {"phone", "email", "domain"}  # a2 was judged legitimate
    text = "\n".join(lines)
    # keyed hashes only: no contact, no note, no jobseeker in the file
    for secret in ("7911 123461", "7911123461", "fast-hire", "Canary-Maria", "Dubai"):
        assert secret not in text
    assert all(s["source"] == PLATFORM_A and s["category"] == "deceptive_recruitment" for s in shared)

    ads_b = _store(
        inst,
        b,
        [
            _ad("b1", "Nice job abroad, call +44 7911-123-461 today", city="London"),
            _ad("b2", "Cook wanted, call +44 7911 123999"),
        ],
        "B crawl before",
    )
    risk_before = ad_review.ad_detail(inst.db, world["reviewer_b"].actor, ads_b["b1"]).risk
    summary = _import(inst, b, lines)
    assert summary["new"] == 3 and summary["ads_matched"] == 1
    later = _store(inst, b, [_ad("b3", "Same recruiter: +447911123461")], "B crawl after")
    reviewer_b = world["reviewer_b"]
    for ad_id in (ads_b["b1"], later["b3"]):
        view = ad_review.ad_detail(inst.db, reviewer_b.actor, ad_id)
        assert [(f.kind, f.source) for f in view.signal_flags] == [("phone", PLATFORM_A)]
        assert view.decision is None  # no action: the reviewer decides
    assert ad_review.ad_detail(inst.db, reviewer_b.actor, ads_b["b1"]).risk == risk_before
    assert ad_review.ad_detail(inst.db, reviewer_b.actor, ads_b["b2"]).signal_flags == []
    with inst.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(AdReview)) == 2  # B's reviewer decided nothing
        actions = {e.action for e in session.scalars(select(AuditEvent))}
    assert {"signals.export", "signals.import", "signals.match"} <= actions

    page = client_for(inst.settings, reviewer_b).get(f"/ads/{ads_b['b1']}")
    assert page.status_code == 200 and f"Matches a signal shared by {PLATFORM_A}" in page.text


def test_disputes_and_appeals_withdraw_and_expired_signals_leave_the_next_exchange(
    inst: Installation, world: dict[str, Any]
) -> None:
    a, b = world["a"], world["b"]
    reviewer_a, reviewer_b = world["reviewer_a"], world["reviewer_b"]
    ad_review.record_decision(inst.db, reviewer_a.actor, world["ads_a"]["a1"], "deceptive")
    ads_b = _store(inst, b, [_ad("b1", "Call +44 7911 123461 or write to JOBS@fast-hire.example.com")], "B")
    _import(inst, b, _export(inst, a))
    flags = ad_review.ad_detail(inst.db, reviewer_b.actor, ads_b["b1"]).signal_flags
    assert {f.kind for f in flags} == {"phone", "email", "domain"}
    phone = next(f for f in flags if f.kind == "phone")

    # an enforcement user, or another platform's reviewer, cannot give an opinion on B's match
    make_org(inst.db, "Border Police", "immigration_service")
    police = make_user(inst.db, "officer", "Border Police", "ad_reviewer", enforcement=True)
    for outsider in (police.actor, reviewer_a.actor):
        with pytest.raises(Forbidden):
            signals.record_feedback(inst.db, outsider, phone.match_id, "disputed")
    signals.record_feedback(inst.db, reviewer_b.actor, phone.match_id, "disputed")

    from_b = [json.loads(line) for line in _export(inst, b)[1:]]
    assert [(f["type"], f["opinion"], f["source"]) for f in from_b] == [("feedback", "disputed", PLATFORM_A)]
    _import(inst, a, _export(inst, b))
    counts = signals.transparency(inst.db, a)
    assert counts["own_withdrawn_disputed"] == 1 and counts["own_disputed_by_receivers"] == 1
    kinds_now = {json.loads(line)["kind"] for line in _export(inst, a)[1:]}
    assert kinds_now == {"email", "domain"}  # the disputed phone is gone, for good
    _import(inst, b, _export(inst, a))
    flags = ad_review.ad_detail(inst.db, reviewer_b.actor, ads_b["b1"]).signal_flags
    assert {f.kind: f.active for f in flags} == {"phone": False, "email": True, "domain": True}

    # an appeal: A's reviewer looks again and decides legitimate; every signal of the ad is withdrawn
    ad_review.record_decision(inst.db, reviewer_a.actor, world["ads_a"]["a1"], "legitimate")
    assert _export(inst, a)[1:] == []
    assert signals.transparency(inst.db, a)["own_withdrawn_decision_changed"] == 2

    # decided deceptive again: shared again, and gone from the exchange once expired
    ad_review.record_decision(inst.db, reviewer_a.actor, world["ads_a"]["a1"], "deceptive")
    assert len(_export(inst, a)) == 3
    assert _export(inst, a, at=dt.datetime.now(dt.UTC) + dt.timedelta(days=181))[1:] == []
    counts_b = signals.transparency(inst.db, b)
    assert counts_b["received_matches_disputed"] == 1 and counts_b["received_active"] == 2


def test_the_cli_exports_and_imports_and_refuses_bad_files_enforcement_and_a_missing_key(
    inst: Installation, world: dict[str, Any], tmp_path: Path
) -> None:
    _register()
    runner = CliRunner()
    env = {**inst.env(), signals.KEY_VARIABLE: KEY}
    ad_review.record_decision(inst.db, world["reviewer_a"].actor, world["ads_a"]["a1"], "deceptive")
    out = tmp_path / "a.jsonl"
    done = runner.invoke(app, ["signals", "export", "--organisation", PLATFORM_A, "--out", str(out)], env=env)
    assert done.exit_code == 0, done.output
    assert "3 signal(s)" in done.output and out.read_text().count("\n") == 4
    got = runner.invoke(app, ["signals", "import", str(out), "--organisation", PLATFORM_B], env=env)
    assert got.exit_code == 0 and "3 new" in got.output, got.output

    bad = tmp_path / "bad.jsonl"
    lines = out.read_text().splitlines()
    other_purpose = json.loads(lines[1]) | {"category": "fraud_in_general"}
    bad.write_text("\n".join([lines[0], json.dumps(other_purpose)]) + "\n")
    with inst.db.transaction() as session:
        before = session.scalar(select(func.count()).select_from(RecruitmentSignal))
    refused = runner.invoke(app, ["signals", "import", str(bad), "--organisation", PLATFORM_B], env=env)
    assert refused.exit_code != 0 and "outside this exchange's purpose" in refused.output
    with inst.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(RecruitmentSignal)) == before

    make_org(inst.db, "Border Police", "immigration_service")
    firewall = runner.invoke(app, ["signals", "import", str(out), "--organisation", "Border Police"], env=env)
    assert firewall.exit_code != 0 and "enforcement" in firewall.output
    no_key: dict[str, str | None] = {**env, signals.KEY_VARIABLE: None}  # None unsets it
    missing = runner.invoke(
        app, ["signals", "export", "--organisation", PLATFORM_A, "--out", str(out)], env=no_key
    )
    assert missing.exit_code != 0 and signals.KEY_VARIABLE in missing.output
    counted = runner.invoke(app, ["signals", "counts", "--organisation", PLATFORM_A], env=env)
    assert counted.exit_code == 0 and json.loads(counted.output)["own_active"] == 3


def test_without_an_exchange_key_nothing_is_shared_or_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(signals.KEY_VARIABLE, raising=False)
    with pytest.raises(Unavailable):
        signals.exchange_key()
    with pytest.raises(Unavailable, match="at least 32 bytes"):
        signals.exchange_key({signals.KEY_VARIABLE: "abcd"})
