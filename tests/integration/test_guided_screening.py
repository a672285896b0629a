"""The guided screening form (issue 13, item 3): one section at a time with progress, a draft saved on the
server (encrypted, one per case and user, deleted on submit) and resumed from the case page and the tasks;
what intake knows is filled in; every answer is stored with "not asked" distinct from "no"; a presumed
result moves the case to presumed victim and never down. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from opennrm.services import cases, screenings
from opennrm.services.sealing import decrypt_json
from opennrm.store.tables import Case, Screening, ScreeningDraft
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, csrf_of, intake, make_org, make_user

CANARY = "CanaryDraftQv8"


def client_for(inst: Installation, user: StaffUser) -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    body = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        body["totp"] = user.code()
    assert client.post("/api/session", json=body).status_code == 201
    return client


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def amina(inst: Installation) -> StaffUser:
    make_org(inst.db, "Safe Harbour")
    return make_user(inst.db, "amina", "Safe Harbour", "caseworker")


def post(client: TestClient, case_id: str, data: dict[str, object]) -> str:
    page = client.get(f"/cases/{case_id}/screening")
    answer = client.post(
        f"/cases/{case_id}/screening", data={"csrf": csrf_of(page.text), **data}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text[:2000]
    return str(answer.headers["location"])


def test_the_form_goes_section_by_section_saves_a_draft_resumes_and_stores_every_answer(
    inst: Installation, amina: StaffUser
) -> None:
    case_id = cases.intake(inst.db, amina.actor, intake())
    client = client_for(inst, amina)
    first = client.get(f"/cases/{case_id}/screening")
    assert first.status_code == 200
    shown = text_of(first.text)
    assert "Section 1 of 7" in shown and "Filled in from the case:" in shown
    # what intake knows is filled in: age 24, the labour list, forced labour as the purpose
    assert 'id="age" name="age" type="number" inputmode="numeric" min="0" max="130" value="24"' in first.text
    assert 'value="forced_labour" checked' in first.text
    assert 'name="profile" value="adult-labour" checked' in first.text
    assert first.text.count('type="submit" name="action"') == 2  # Continue and Save draft on section 1
    assert "<script" not in first.text

    facts = {
        "section": "1",
        "action": "continue",
        "profile": "adult-labour",
        "age": "24",
        "exploitation_form": "labour",
        "acts": ["recruitment"],
        "means": ["deception"],
        "purposes": ["forced_labour"],
    }
    assert post(client, case_id, facts).endswith("?section=2")
    second = client.get(f"/cases/{case_id}/screening?section=2")
    assert "Section 2 of 7" in text_of(second.text) and 'name="q-DR01"' in second.text
    assert 'name="q-EXP01"' not in second.text  # one dimension at a time
    assert post(client, case_id, {"section": "2", "action": "continue", "q-DR01": "yes", "q-DR02": "no"})
    # section 3: save the draft and stop
    saved = post(client, case_id, {"section": "3", "action": "save", "q-CR01": "no"})
    assert saved.endswith("section=3&done=screening-draft")
    assert "The draft was saved." in client.get(saved).text

    # later: the case page and her tasks lead back to the draft where she left it
    again = client
    hub = again.get(f"/cases/{case_id}").text
    assert "Continue the screening" in text_of(hub)
    tasks = again.get("/tasks").text
    assert f'href="/cases/{case_id}/screening"' in tasks
    resumed = again.get(f"/cases/{case_id}/screening")
    assert "Section 3 of 7" in text_of(resumed.text)
    assert 'name="q-CR01" value="no" checked' in resumed.text
    back = again.get(f"/cases/{case_id}/screening?section=2").text
    assert 'name="q-DR01" value="yes" checked' in back and 'name="q-DR02" value="no" checked' in back
    assert 'name="q-DR03" value="not_asked" checked' in back

    # the rest, to the last section's Screen button
    post(again, case_id, {"section": "3", "action": "continue"})
    post(again, case_id, {"section": "4", "action": "continue"})
    post(again, case_id, {"section": "5", "action": "continue", "q-EXP01": "yes"})
    post(again, case_id, {"section": "6", "action": "continue", "q-CD03": "yes"})
    last = again.get(f"/cases/{case_id}/screening").text
    assert "Section 7 of 7" in text_of(last) and 'value="screen"' in last
    result = post(again, case_id, {"section": "7", "action": "screen", "q-AVD01": "yes"})
    assert "Presumed victim of trafficking." in again.get(result).text

    with inst.db.transaction() as session:
        row = session.execute(select(Screening).where(Screening.case_id == case_id)).scalar_one()
        record = decrypt_json(inst.db.keyring, "screening", row.id, row.record_enc)
        case = session.get(Case, case_id)
        assert case is not None and case.trafficking_status == "presumed_victim"
        assert session.execute(select(ScreeningDraft)).first() is None  # deleted on submit
    answers = record["answers"]
    assert answers["DR01"] == "yes" and answers["DR02"] == "no" and answers["CR01"] == "no"
    assert answers["DR03"] == "not_asked"  # never asked stays "not asked", not "no" and not dropped
    assert len(answers) == 67  # every question of the adult labour list
    assert record["input"]["indicators"] == ["DR01", "EXP01", "CD03", "AVD01"]
    assert screenings.screenings_of(inst.db, amina.actor, case_id)[0].answers == answers
    assert "Continue the screening" not in text_of(again.get(f"/cases/{case_id}").text)


def test_a_wrong_age_is_shown_at_its_field_in_the_error_summary_and_the_draft_keeps_the_rest(
    inst: Installation, amina: StaffUser
) -> None:
    case_id = cases.intake(inst.db, amina.actor, intake())
    client = client_for(inst, amina)
    page = client.get(f"/cases/{case_id}/screening")
    bad = client.post(
        f"/cases/{case_id}/screening",
        data={"csrf": csrf_of(page.text), "section": "1", "action": "continue", "age": "-3"},
    )
    assert bad.status_code == 422
    assert 'class="error-summary"' in bad.text and 'href="#age"' in bad.text
    assert 'aria-invalid="true" aria-describedby="age-error"' in bad.text
    assert "Section 1 of 7" in text_of(bad.text)


def test_a_presumed_result_never_moves_a_case_down(inst: Installation, amina: StaffUser) -> None:
    case_id = cases.intake(inst.db, amina.actor, intake())
    with inst.db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.trafficking_status = "actual_victim"
    raw = {"age": 24, "exploitation_form": "labour", "indicators": ["DR01", "EXP01", "CD03", "AVD01"]}
    raw |= {"acts": ["recruitment"], "means": ["deception"], "purposes": ["forced_labour"]}
    _, result = screenings.screen_case(inst.db, amina.actor, case_id, raw)
    assert result["presumed_victim"]
    with inst.db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.trafficking_status == "actual_victim"


def test_a_draft_is_its_authors_alone(inst: Installation, amina: StaffUser) -> None:
    make_user(inst.db, "sara", "Safe Harbour", "supervisor")
    sara = make_user(inst.db, "sara2", "Safe Harbour", "supervisor")
    case_id = cases.intake(inst.db, amina.actor, intake())
    screenings.save_draft(inst.db, amina.actor, case_id, 3, {"profile": "adult-labour", "q-DR01": "yes"})
    # her supervisor may screen the case too, but starts from intake, not from amina's draft
    assert screenings.load_draft(inst.db, sara.actor, case_id) is None
    assert screenings.draft_item(inst.db, sara.actor, case_id) is None
    page = client_for(inst, sara).get(f"/cases/{case_id}/screening")
    assert "Section 1 of 7" in text_of(page.text) and "Continue the screening" not in page.text
    assert screenings.load_draft(inst.db, amina.actor, case_id) is not None
    assert screenings.discard_draft(inst.db, amina.actor, case_id)
    assert screenings.load_draft(inst.db, amina.actor, case_id) is None


def test_a_draft_is_encrypted_at_rest(inst: Installation, amina: StaffUser) -> None:
    case_id = cases.intake(inst.db, amina.actor, intake())
    screenings.save_draft(
        inst.db, amina.actor, case_id, 2, {"profile": "adult-labour", "age": CANARY, "q-DR01": "yes"}
    )
    assert screenings.load_draft(inst.db, amina.actor, case_id).values["age"] == CANARY  # type: ignore[union-attr]
    needles = [CANARY.encode(), CANARY.encode("utf-16-le"), b"q-DR01"]
    with inst.db.transaction() as session:
        stored = session.execute(text("SELECT * FROM screening_drafts")).all()
    assert len(stored) == 1
    for column in stored[0]:
        raw = column if isinstance(column, bytes | memoryview) else str(column).encode()
        assert all(n not in bytes(raw) for n in needles)
    if inst.backend == "sqlite":  # the database file, its WAL and everything else of the installation
        files = [p for p in inst.settings.home.rglob("*") if p.is_file()]
        assert any(p.suffix == ".db" or "sqlite" in p.name for p in files), files
        for path in files:
            assert all(n not in path.read_bytes() for n in needles), path
