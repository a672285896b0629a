"""The tasks home (issue 13, item 5): referrals waiting for an answer, reflection periods and consents that end
soon, unfinished screenings, escalations, each a link to where the work is done; a caseworker and a
supervisor land on it; and only tasks on cases the actor may read appear (a colleague's do not). On SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from opennrm.domain.services import ReferralRequest, ServiceEntry
from opennrm.services import cases, consent, directory, referrals, screenings, tasks
from opennrm.services.parsing import parse
from opennrm.store.tables import Case
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user


def today() -> dt.date:
    """Today, read when a test runs (a date taken at import goes stale if the run crosses midnight)."""
    return dt.date.today()


@pytest.fixture(autouse=True)
def _hooks() -> Iterator[None]:
    yield


@dataclass
class Office:
    inst: Installation
    amina: StaffUser
    bilal: StaffUser
    sara: StaffUser
    rose: StaffUser
    shelter: str
    service: str

    def busy_case(self, who: StaffUser) -> str:
        """A case with every kind of task: a draft, a consent ending in 10 days, a reflection period ending
        in 3 days and a referral waiting for the shelter's answer."""
        db = self.inst.db
        identified = (today() - dt.timedelta(days=27)).isoformat()  # a 30-day period: 3 days left
        case_id = cases.intake(
            db, who.actor, intake(case__identified_on=identified, case__age_at_trafficking=24)
        )
        screenings.save_draft(db, who.actor, case_id, 2, {"profile": "adult-labour"})
        raw = {
            "purposes": ["referral"],
            "recipient_organisation_ids": [self.shelter],
            "language": "ar",
            "expires_on": (today() + dt.timedelta(days=10)).isoformat(),
        }
        consent.record_consent(db, who.actor, case_id, consent.parse_consent(raw))
        request = parse(ReferralRequest, {"service_id": self.service, "purpose": "A safe bed"})
        referrals.send_referral(db, who.actor, case_id, request)
        return case_id


@pytest.fixture
def office(inst: Installation) -> Office:
    db = inst.db
    make_org(db, "Safe Harbour")
    shelter = make_org(db, "Rose Shelter", "shelter")
    service = directory.add_service(
        db,
        parse(
            ServiceEntry, {"name": "Rose beds", "service_type": "shelter", "languages": ["ar"], "place": "N"}
        ),
        organisation_id=shelter,
    )
    return Office(
        inst,
        make_user(db, "amina", "Safe Harbour", "caseworker"),
        make_user(db, "bilal", "Safe Harbour", "caseworker"),
        make_user(db, "sara", "Safe Harbour", "supervisor"),
        make_user(db, "rose", "Rose Shelter", "service_provider"),
        shelter,
        service,
    )


def kinds(found: list[tasks.Task], case_id: str) -> set[str]:
    return {t.label for t in found if t.case_id == case_id}


def test_each_kind_of_task_appears_with_a_link_to_its_work(office: Office) -> None:
    case_id = office.busy_case(office.amina)
    found = tasks.tasks_for(office.inst.db, office.amina.actor, settings=office.inst.settings)
    assert kinds(found, case_id) == {
        "screening_draft",
        "consent_ending",
        "reflection_ending",
        "referral_waiting",
    }
    links = {t.label: t.href for t in found}
    assert links["screening_draft"] == f"/cases/{case_id}/screening"
    assert links["consent_ending"] == f"/cases/{case_id}/consents"
    assert links["reflection_ending"] == f"/cases/{case_id}/entitlements"
    assert links["referral_waiting"].startswith("/referrals/")
    reflection = next(t for t in found if t.label == "reflection_ending")
    assert reflection.params == {"date": reflection.due} and reflection.survivor_code
    assert reflection.due is not None and (reflection.due - today()).days == 3
    # the shelter is asked to answer; it sees its task, on the case it received, and nothing else of hers
    received = tasks.tasks_for(office.inst.db, office.rose.actor)
    assert [t.label for t in received] == ["referral_to_answer"]


def test_a_colleagues_tasks_never_appear(office: Office) -> None:
    mine = office.busy_case(office.amina)
    theirs = office.busy_case(office.bilal)
    db = office.inst.db
    amina = tasks.tasks_for(db, office.amina.actor)
    bilal = tasks.tasks_for(db, office.bilal.actor)
    assert {t.case_id for t in amina if t.case_id} == {mine}
    assert {t.case_id for t in bilal if t.case_id} == {theirs}
    assert not any(theirs in t.href for t in amina)
    # their supervisor reads both cases: she sees their periods and consents, but not their drafts
    sara = tasks.tasks_for(db, office.sara.actor)
    assert (
        kinds(sara, mine)
        == kinds(sara, theirs)
        == {"consent_ending", "reflection_ending", "referral_waiting"}
    )


def test_a_task_on_a_case_the_policy_refuses_is_dropped(office: Office) -> None:
    """Even a source that reached too far gives nothing on a case the actor may not read."""
    theirs = office.busy_case(office.bilal)

    def leaky(ctx: tasks.TaskContext) -> list[tasks.Task]:
        return [tasks.Task("leak", "screening_draft", f"/cases/{theirs}/screening", theirs)]

    assert tasks.tasks_for(office.inst.db, office.amina.actor, sources=[leaky]) == []
    assert tasks.tasks_for(office.inst.db, office.bilal.actor, sources=[leaky])


def client_for(inst: Installation, user: StaffUser) -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    body = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        body["totp"] = user.code()
    assert client.post("/api/session", json=body).status_code == 201
    return client


def test_caseworkers_and_supervisors_land_on_their_tasks(office: Office) -> None:
    case_id = office.busy_case(office.amina)
    other = office.busy_case(office.bilal)
    for user in (office.amina, office.sara):
        client = client_for(office.inst, user)
        assert client.get("/", follow_redirects=False).headers["location"] == "/tasks"
        page = client.get("/tasks")
        assert page.status_code == 200
        assert '<a href="/tasks" aria-current="page">Tasks</a>' in page.text
        assert f"/cases/{case_id}/entitlements" in page.text
        assert "Her reflection and recovery period ends on " in page.text
        # each deadline also in working days, the unit deadlines are counted in
        assert "Working days left: " in page.text or "due today" in page.text
        assert (f"/cases/{case_id}/screening" in page.text) == (user is office.amina)
        assert (f"/cases/{other}/" in page.text) == (user is office.sara)


def test_move_on_periods_and_escalations_are_tasks(office: Office) -> None:
    db = office.inst.db
    case_id = office.busy_case(office.amina)
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.move_on_until = today() + dt.timedelta(days=5)
    sent = referrals.list_referrals(db, office.amina.actor, case_id=case_id).items[0]
    referrals.run_deadlines(db, at=sent.respond_by + dt.timedelta(hours=1))  # no answer in time: escalated
    amina = tasks.tasks_for(db, office.amina.actor)
    assert "move_on_ending" in kinds(amina, case_id) and "escalation" not in {t.label for t in amina}
    sara = tasks.tasks_for(db, office.sara.actor)
    escalated = [t for t in sara if t.label == "escalation"]
    assert len(escalated) == 1 and escalated[0].urgent and escalated[0].href == f"/referrals/{sent.id}"
    assert sara[0].urgent  # urgent tasks come first
