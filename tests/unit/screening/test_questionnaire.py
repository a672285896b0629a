"""The screening form: questions grouped by dimension for a list and a language; "not asked" is not "no"."""

from __future__ import annotations

import pytest

from opennrm.screening import (
    Answer,
    Dimension,
    Profile,
    ScreeningInputError,
    answer_coverage,
    indicators_from_answers,
    questionnaire,
    screen,
)


def test_questions_are_grouped_by_the_six_dimensions_in_order() -> None:
    form = questionnaire(Profile.ADULT_LABOUR)
    assert [group.dimension for group in form.groups] == list(Dimension)
    assert [len(group.questions) for group in form.groups] == [10, 10, 16, 9, 15, 7]
    first = form.groups[0].questions[0]
    assert first.indicator_id == "DR01"
    assert first.question.endswith("?")
    assert first.strength.word == "strong"


def test_the_child_form_leaves_out_indicators_not_in_the_child_list() -> None:
    ids = {q.indicator_id for g in questionnaire("child-labour").groups for q in g.questions}
    assert len(ids) == 65
    assert "AVR08" not in ids and "EXP08" not in ids


def test_the_form_comes_in_traditional_chinese_with_three_answers() -> None:
    form = questionnaire("adult-sexual", lang="zh-TW")
    assert form.language == "zh-Hant"
    assert form.groups[0].name == "欺騙性招募"
    assert form.groups[0].questions[0].question.endswith("？")
    assert form.answer_labels == {Answer.YES: "是", Answer.NO: "否", Answer.NOT_ASKED: "未詢問"}
    assert form.provisional is True and form.provisional_note


def test_the_form_serialises_for_the_web_layer() -> None:
    data = questionnaire("child-sexual", lang="en").to_json()
    assert data["answers"] == {"yes": "Yes", "no": "No", "not_asked": "Not asked"}
    assert data["groups"][3]["dimension"] == "EXP"
    assert {"indicator", "question", "indicator_text", "strength"} <= set(data["groups"][0]["questions"][0])


def test_only_yes_answers_become_indicators_and_not_asked_differs_from_no() -> None:
    answers = {"DR01": "yes", "DR02": "no", "CD01": "not_asked", "EXP01": "yes"}
    assert indicators_from_answers(answers) == ["DR01", "EXP01"]
    coverage = answer_coverage(answers, "adult-labour")
    assert coverage[Dimension.DECEPTIVE_RECRUITMENT] == {Answer.YES: 1, Answer.NO: 1, Answer.NOT_ASKED: 8}
    assert coverage[Dimension.COERCION_AT_DESTINATION] == {Answer.YES: 0, Answer.NO: 0, Answer.NOT_ASKED: 15}


def test_form_answers_feed_the_screening_input() -> None:
    answers = {key: "yes" for key in ("DR01", "DR02", "EXP01", "EXP02", "CD01", "CD03")}
    result = screen(
        {"age": 40, "exploitation_form": "labour", "indicators": indicators_from_answers(answers)}
    )
    assert result["presumed_victim"] is True


@pytest.mark.parametrize(
    ("answers", "words"),
    [
        ({"XX01": "yes"}, "unknown indicator"),
        ({"DR01": "maybe"}, "yes, no, not_asked"),
        ({"DR01": True}, "yes, no"),
    ],
)
def test_invalid_answers_name_the_field(answers: dict[str, object], words: str) -> None:
    with pytest.raises(ScreeningInputError) as caught:
        indicators_from_answers(answers)
    assert caught.value.field == "answers"
    assert words in str(caught.value)


def test_an_unknown_profile_is_refused() -> None:
    with pytest.raises(ScreeningInputError, match="unknown profile"):
        questionnaire("teen-labour")
