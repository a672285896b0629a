"""Recording, reading and finding cases, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from opennrm.services import cases
from opennrm.services.cases import CaseFilters
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.store import audit
from opennrm.store.tables import AuditEvent, Case, Person
from tests.conftest import Installation
from tests.support import client_for, intake, make_org, make_user


@pytest.fixture
def team(inst: Installation):  # type: ignore[no-untyped-def]
    make_org(inst.db, "Safe Harbour")
    make_org(inst.db, "Other NGO")
    make_org(inst.db, "Border Agency", "immigration_service")
    return {
        "amina": make_user(inst.db, "amina", "Safe Harbour", "caseworker"),
        "joy": make_user(inst.db, "joy", "Safe Harbour", "caseworker"),
        "li": make_user(inst.db, "li.wei", "Safe Harbour", "supervisor"),
        "other": make_user(inst.db, "other", "Other NGO", "supervisor"),
        "analyst": make_user(inst.db, "analyst", "Other NGO", "analyst"),
        "liaison": make_user(inst.db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True),
        "border_cw": make_user(inst.db, "bcw", "Border Agency", "caseworker", enforcement=True),
    }


def audit_actions(inst: Installation) -> list[tuple[str, str]]:
    with inst.db.transaction() as s:
        return [
            (e.action, e.outcome) for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()
        ]


def test_intake_then_view_decrypts_for_the_owner_and_audits_the_read(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    case_id = cases.intake(inst.db, team["amina"].actor, intake())
    view = cases.view_case(inst.db, team["amina"].actor, case_id)
    assert view.person["given_name"] == "Mariam"
    assert view.case["events"][0]["place"] == "A farm near the coast"
    assert view.notes[0]["text"] == "First meeting at the clinic."
    assert view.survivor_code.startswith("S-")
    assert ("case.create", "ok") in audit_actions(inst)
    assert audit_actions(inst)[-1] == ("case.read", "ok")


def test_caseworker_sees_own_cases_supervisor_the_organisation_others_nothing(
    inst: Installation, team
) -> None:  # type: ignore[no-untyped-def]
    mine = cases.intake(inst.db, team["amina"].actor, intake())
    cases.intake(inst.db, team["joy"].actor, intake())
    listed = lambda who: {c.id for c in cases.list_cases(inst.db, team[who].actor, CaseFilters()).items}  # noqa: E731
    assert listed("amina") == {mine}
    assert len(listed("li")) == 2
    assert listed("other") == set()
    with pytest.raises(Forbidden):
        cases.view_case(inst.db, team["joy"].actor, mine)
    with pytest.raises(Forbidden):
        cases.view_case(inst.db, team["other"].actor, mine)
    assert audit_actions(inst)[-1] == ("case.read", "denied")


@pytest.mark.parametrize("who", ["liaison", "border_cw", "analyst"])
def test_firewall_and_aggregate_roles_never_read_person_level_data(
    inst: Installation, team, who: str
) -> None:  # type: ignore[no-untyped-def]
    case_id = cases.intake(inst.db, team["amina"].actor, intake())
    with pytest.raises(Forbidden):
        cases.view_case(inst.db, team[who].actor, case_id)
    with pytest.raises(Forbidden):
        cases.list_cases(inst.db, team[who].actor, CaseFilters())
    with pytest.raises(Forbidden):
        cases.intake(inst.db, team[who].actor, intake())


def test_identity_document_number_only_for_owner_and_supervisor(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    case_id = cases.intake(inst.db, team["amina"].actor, intake(person__id_document_number="P1234567"))
    assert cases.view_case(inst.db, team["amina"].actor, case_id).person["id_document_number"] == "P1234567"
    assert cases.view_case(inst.db, team["li"].actor, case_id).person["id_document_number"] == "P1234567"


def test_exact_search_by_survivor_code_and_phone_through_blind_indexes(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    target = cases.intake(inst.db, team["li"].actor, intake())
    code = cases.view_case(inst.db, team["li"].actor, target).survivor_code
    cases.intake(inst.db, team["li"].actor, intake(person__phone="+1 555 0100"))
    supervisor = team["li"].actor
    assert [
        c.id for c in cases.list_cases(inst.db, supervisor, CaseFilters(survivor_code=code.lower())).items
    ] == [target]
    by_phone = cases.list_cases(inst.db, supervisor, CaseFilters(phone="+447700900123")).items
    assert [c.id for c in by_phone] == [target]


def test_filters_and_paging(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    sup = team["li"].actor
    for age in (15, 16, 30):
        cases.intake(inst.db, sup, intake(case__age_at_trafficking=age))
    children = cases.list_cases(inst.db, sup, CaseFilters(age_group="child"))
    assert len(children.items) == 2
    assert len(cases.list_cases(inst.db, sup, CaseFilters(exploitation="forced_labour")).items) == 3
    assert cases.list_cases(inst.db, sup, CaseFilters(exploitation="organ_removal")).items == []
    first = cases.list_cases(inst.db, sup, CaseFilters(), page=1, per_page=2)
    second = cases.list_cases(inst.db, sup, CaseFilters(), page=2, per_page=2)
    assert first.has_next and not second.has_next
    assert {c.id for c in first.items}.isdisjoint({c.id for c in second.items})


def test_a_second_case_with_the_same_survivor_code_links_to_the_same_person(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    first = cases.intake(inst.db, team["li"].actor, intake())
    code = cases.view_case(inst.db, team["li"].actor, first).survivor_code
    cases.intake(inst.db, team["li"].actor, intake(case__survivor_code=code.lower()))
    with inst.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 1
        assert s.scalar(select(func.count()).select_from(Case)) == 2


def test_notes_and_unknown_cases(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    case_id = cases.intake(inst.db, team["amina"].actor, intake())
    cases.add_note(inst.db, team["amina"].actor, case_id, "Second meeting.")
    assert [n["text"] for n in cases.view_case(inst.db, team["amina"].actor, case_id).notes][
        -1
    ] == "Second meeting."
    # an unknown case gets the answer of a case outside her scope: nobody learns what exists
    with pytest.raises(Forbidden, match="outside your scope"):
        cases.view_case(inst.db, team["amina"].actor, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(Forbidden, match="outside your scope"):
        cases.view_case(inst.db, team["amina"].actor, "not-a-uuid")


def test_the_audit_chain_verifies_after_ordinary_work(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    case_id = cases.intake(inst.db, team["amina"].actor, intake())
    cases.view_case(inst.db, team["amina"].actor, case_id)
    with inst.db.transaction() as s:
        assert audit.verify(s, inst.db.keyring).ok


def test_a_survivor_code_never_reaches_another_organisations_person(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    theirs = cases.intake(inst.db, team["li"].actor, intake(person__id_document_number="P999"))
    code = cases.view_case(inst.db, team["li"].actor, theirs).survivor_code
    with pytest.raises(InvalidInput):
        cases.intake(inst.db, team["other"].actor, intake(case__survivor_code=code))
    # and a code search finds only one's own organisation's persons
    assert cases.list_cases(inst.db, team["other"].actor, CaseFilters(survivor_code=code)).items == []


def _new_person(inst: Installation, user, **fields: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    case_id = cases.intake(inst.db, user.actor, intake(**fields))
    return case_id, cases.view_case(inst.db, user.actor, case_id).survivor_code


def test_a_survivor_code_joins_a_person_only_for_a_user_who_may_already_read_her(
    inst: Installation, team
) -> None:  # type: ignore[no-untyped-def]
    """Issue 12.1: a colleague refused her case cannot reach her identity by reusing her code, and trying
    a code tells nothing: the answer is the same whether or not anyone holds it."""
    theirs, code = _new_person(inst, team["amina"], person__id_document_number="P9")
    refusals = []
    for tried in (code.lower(), "S-NOBODY42"):
        with pytest.raises(InvalidInput) as refused:
            cases.intake(inst.db, team["joy"].actor, intake(case__survivor_code=tried))
        refusals.append((refused.value.field, refused.value.message))
    assert refusals == [("case.survivor_code", cases.CODE_REFUSED)] * 2
    with inst.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1  # nothing half-written
    assert audit_actions(inst)[-1] == ("person.link", "denied")
    # the supervisor, who may read her case, may add a second case for her
    second = cases.intake(inst.db, team["li"].actor, intake(case__survivor_code=code))
    view = cases.view_case(inst.db, team["li"].actor, second)
    assert view.person_id == cases.view_case(inst.db, team["amina"].actor, theirs).person_id


def test_the_api_refuses_a_reused_code_without_showing_anything_of_her(inst: Installation, team) -> None:  # type: ignore[no-untyped-def]
    _, code = _new_person(inst, team["amina"], person__given_name="Mariam", person__id_document_number="P9")
    client = client_for(inst.settings, team["joy"])
    answer = client.post("/api/cases", json={"case": {"survivor_code": code}})
    absent = client.post("/api/cases", json={"case": {"survivor_code": "S-NOBODY42"}})
    assert answer.status_code == absent.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json() == absent.json()  # the same answer whether or not the code is held
    assert "Mariam" not in answer.text and "P9" not in answer.text
