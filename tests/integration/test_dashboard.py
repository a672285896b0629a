"""The NRM coordinator's dashboard counts the referral network's work — open referrals by status and
organisation, overdue answers, time from identification to first service, needs not met by place and
language — and shows no case, person or referral content; only the coordinator reads it (issue 5, §114)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from fastapi.testclient import TestClient

from opennrm.domain.services import Decline, DeclineReason, ReferralRequest, ReferralStep, UnmetNeed
from opennrm.services import cases, consent, dashboard, directory, referrals
from opennrm.services.errors import Forbidden
from opennrm.services.parsing import parse
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, intake, make_org, make_user


def _service(inst: Installation, org: str, name: str, kind: str, place: str, languages: list[str]) -> str:
    entry = parse(
        directory.ServiceEntry, {"name": name, "service_type": kind, "languages": languages, "place": place}
    )
    return directory.add_service(inst.db, entry, organisation_id=org)


@pytest.fixture
def world(inst: Installation) -> dict[str, object]:
    db = inst.db
    make_org(db, "Safe Harbour")
    shelter_org = make_org(db, "Rose Shelter", "shelter")
    clinic_org = make_org(db, "Riverside Clinic", "health_service")
    make_org(db, "NRM Secretariat", "nrm_secretariat")
    make_org(db, "Border Agency", "immigration_service")
    amina = make_user(db, "amina", "Safe Harbour", "caseworker")
    rose = make_user(db, "rose", "Rose Shelter", "service_provider")
    doctor = make_user(db, "doctor", "Riverside Clinic", "service_provider")
    coordinator = make_user(db, "coord", "NRM Secretariat", "nrm_coordinator")
    others = {
        "analyst": make_user(db, "analyst", "NRM Secretariat", "analyst"),
        "liaison": make_user(db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True),
        "caseworker": amina,
        "provider": rose,
    }
    shelter = _service(inst, shelter_org, "Rose shelter", "shelter", "Northtown", ["en", "ar"])
    clinic = _service(inst, clinic_org, "Riverside clinic", "medical", "Northtown", ["en"])
    today = dt.date.today()
    sent: list[str] = []
    for i, identified_days_ago in enumerate([0, 3, 10, 40]):
        identified = (today - dt.timedelta(days=identified_days_ago)).isoformat()
        case_id = cases.intake(
            db,
            amina.actor,
            intake(case__identified_on=identified, case__languages=["ar"], person__given_name=f"P{i}"),
        )
        consent.record_consent(
            db,
            amina.actor,
            case_id,
            consent.parse_consent(
                {
                    "purposes": ["referral"],
                    "recipient_organisation_ids": [shelter_org, clinic_org],
                    "language": "ar",
                }
            ),
        )
        for service in (shelter, clinic):
            request = ReferralRequest.model_validate(
                {"service_id": service, "purpose": "Help", "urgency": "emergency" if i == 3 else "routine"}
            )
            sent.append(referrals.send_referral(db, amina.actor, case_id, request).id)
    # shelter accepts cases 0-2 (case 3 left waiting), the clinic declines case 0 for language
    for referral_id in sent[0:6:2]:
        referrals.act(db, rose.actor, referral_id, ReferralStep.ACCEPT)
    referrals.act(db, rose.actor, sent[2], ReferralStep.START)
    referrals.act(
        db, doctor.actor, sent[1], ReferralStep.DECLINE, Decline(reason=DeclineReason.LANGUAGE_NOT_AVAILABLE)
    )
    directory.record_unmet_need(
        db,
        amina.actor,
        UnmetNeed.model_validate({"need": "legal_aid", "place": "Northtown", "language": "ar"}),
    )
    directory.record_unmet_need(
        db,
        amina.actor,
        UnmetNeed.model_validate({"need": "legal_aid", "place": "northtown ", "language": "ar"}),
    )
    return {"coordinator": coordinator, "others": others, "sent": sent}


def test_the_dashboard_counts_the_network_and_nothing_personal(inst: Installation, world: dict) -> None:  # type: ignore[type-arg]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)  # the emergency referral is overdue by then
    board = dashboard.coordinator_dashboard(inst.db, world["coordinator"].actor, at=later)
    pivot = {(c.organisation, c.status): c.count for c in board.open_by_status}
    assert pivot == {
        ("Rose Shelter", "accepted"): 2,
        ("Rose Shelter", "in_progress"): 1,
        ("Rose Shelter", "sent"): 1,
        ("Riverside Clinic", "sent"): 3,
    }
    assert [(c.organisation, c.count) for c in board.overdue] == [
        ("Riverside Clinic", 1),
        ("Rose Shelter", 1),
    ]
    first = board.first_service
    assert (first.cases, first.served, first.waiting) == (4, 3, 1)
    assert (first.median_days, first.p90_days) == (3.0, 10.0)
    assert dict(first.buckets)["same day"] == 1 and dict(first.buckets)["8–30 days"] == 1
    # needs by place and language follow the statistics rule: fewer than 11 at a place in a language are
    # added up per kind without naming the place or language, and no exact small count is shown
    gaps = [(g.service_type, g.place, g.language, g.count, g.combined) for g in board.gaps]
    assert gaps == [("legal_aid", None, None, "<11", True), ("medical", None, None, "<11", True)]
    assert [(d.reason, d.count) for d in board.declines] == [("language_not_available", 1)]
    text = repr(dataclasses.asdict(board))
    for referral_id in world["sent"]:
        assert referral_id not in text
    assert "P0" not in text and "Help" not in text


def test_only_the_coordinator_reads_the_dashboard(inst: Installation, world: dict) -> None:  # type: ignore[type-arg]
    for user in world["others"].values():
        with pytest.raises(Forbidden, match="coordinator"):
            dashboard.coordinator_dashboard(inst.db, user.actor)
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    coordinator = world["coordinator"]
    login = {"username": "coord", "password": PASSWORD, "totp": coordinator.code()}
    assert client.post("/api/session", json=login).status_code == 201
    api = client.get("/api/dashboard")
    assert api.status_code == 200 and api.json()["first_service"]["served"] == 3
    page = client.get("/dashboard")
    assert page.status_code == 200 and "Rose Shelter" in page.text and "legal aid" in page.text
    assert client.get("/api/referrals").status_code == 403  # no person-level lists for the coordinator
    assert client.get(f"/api/referrals/{world['sent'][0]}").status_code == 403


def test_a_need_is_named_by_place_and_language_only_from_11_and_never_exactly() -> None:
    import random

    gaps = [
        ("legal_aid", "Northtown", "ar", 23),
        ("legal_aid", "Isle of Mull", "ar", 1),
        ("medical", "X", "en", 12),
    ]
    shown = dashboard.protected_gaps(gaps, lambda text: random.Random(text).random())
    named = {(g.service_type, g.place, g.language): g.count for g in shown if not g.combined}
    assert set(named) == {("legal_aid", "Northtown", "ar"), ("medical", "X", "en")}
    assert named[("legal_aid", "Northtown", "ar")] in {"20", "25"} and named[("medical", "X", "en")] in {
        "10",
        "15",
    }
    assert [(g.service_type, g.count) for g in shown if g.combined] == [("legal_aid", "<11")]
    assert "Isle of Mull" not in repr(shown)
