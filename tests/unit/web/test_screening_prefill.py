"""What intake already knows fills in the guided screening form (issue 13, item 3): her age (recorded, or
from her birth date), the form of exploitation, the purposes it implies and the list that fits; the form's
sections are the facts, then one per dimension."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opennrm.screening import questionnaire
from opennrm.services.cases import CaseView
from opennrm.web.pages.screening import prefill, screening_input, sections_of


def view(case: dict[str, Any], person: dict[str, Any] | None = None) -> CaseView:
    return CaseView("c", "p", "S-1", "Org", person or {}, case, [], [], False)


def test_a_girl_trafficked_for_sexual_exploitation_gets_the_child_sexual_list() -> None:
    values = prefill(
        view({"age_at_trafficking": 16, "events": [{"exploitation_types": ["sexual_exploitation"]}]})
    )
    assert values == {
        "profile": "child-sexual",
        "exploitation_form": "sexual",
        "purposes": ["sexual_exploitation"],
        "age": "16",
    }


def test_her_age_comes_from_her_birth_date_when_no_age_was_recorded() -> None:
    today = dt.date(2026, 12, 6)
    values = prefill(view({"events": []}, {"birth_date": "2000-12-07"}), today=today)
    assert values["age"] == "25" and values["profile"] == "adult-labour"
    assert "age" not in prefill(view({"events": []}), today=today)


def test_a_case_flagged_as_a_child_gets_a_child_list_without_an_age() -> None:
    values = prefill(view({"is_child": True, "events": [{"exploitation_types": ["forced_begging"]}]}))
    assert values["profile"] == "child-labour"
    assert values["exploitation_form"] == "other" and values["purposes"] == ["forced_begging"]


def test_unanswered_questions_are_not_asked_and_only_yes_becomes_an_indicator() -> None:
    form = questionnaire("adult-labour")
    assert [s.number for s in sections_of(form)] == list(range(1, 8))
    raw, answers = screening_input(
        {"exploitation_form": "labour", "age": "30", "q-DR01": "yes", "q-DR02": "no"}, form
    )
    assert raw["indicators"] == ["DR01"] and raw["age"] == 30
    assert answers["DR01"] == "yes" and answers["DR02"] == "no" and answers["DR03"] == "not_asked"
    assert set(answers.values()) == {"yes", "no", "not_asked"} and len(answers) == 67
