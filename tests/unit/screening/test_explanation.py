"""Every outcome explains itself, in the requested language (English with a note when there is none)."""

from __future__ import annotations

import pytest

from opennrm.screening import resolve_language, screen
from tests.unit.screening.builders import adult, child

DOMESTIC_WORKER = adult(indicators=["DR01", "DR02", "EXP01", "EXP02", "CD01", "CD03"])


def test_the_explanation_names_the_rule_the_indicators_and_their_strengths() -> None:
    text = " ".join(screen(DOMESTIC_WORKER)["explanation"])
    assert "ILO rule for adults met" in text
    assert "DR01 Deceived about the nature of the job, the place or the employer (strong)" in text
    assert "CD03 Isolated, confined or watched (strong)" in text
    assert "Adults, labour exploitation" in text


def test_the_explanation_says_consent_and_cooperation_play_no_part() -> None:
    for raw in (DOMESTIC_WORKER, adult(), child(acts=["receipt"], purposes=["forced_begging"])):
        assert any("Consent to the exploitation" in s for s in screen(raw)["explanation"])


def test_a_negative_dimension_says_why_it_is_not_enough() -> None:
    explanation = screen(adult(indicators=["EXP02", "EXP04"]))["explanation"]
    assert (
        "Exploitation: not positive with EXP02 Low pay or no pay (medium)"
        " and EXP04 Bad living conditions (medium)."
    ) in explanation
    assert any(s.startswith("A dimension is positive with two strong indicators") for s in explanation)


def test_an_indicator_outside_the_child_list_is_shown_as_not_counted() -> None:
    result = screen(child(indicators=["EXP08"]))
    assert result["dimensions"]["EXP"]["indicators"] == [{"id": "EXP08", "strength": None}]
    assert any("EXP08" in s and "not in this list" in s for s in result["explanation"])


def test_a_child_rule_explanation_says_no_means_are_needed_and_that_it_is_a_project_rule() -> None:
    text = " ".join(
        screen(child(acts=["transfer"], exploitation_intended=True, means=["fraud"]))["explanation"]
    )
    assert "A child needs no means" in text
    assert "project rule" in text
    assert "exploitation is intended" in text
    assert "The means recorded (fraud) support the finding" in text


def test_a_positive_recruitment_dimension_shows_the_act_of_recruitment() -> None:
    result = screen(child(indicators=["DR01", "DR02"], purposes=["forced_labour"]))
    assert result["rule"] == "palermo_child"
    assert any("shown by the positive dimension Deceptive recruitment" in s for s in result["explanation"])


def test_other_forms_of_exploitation_use_the_labour_list_and_say_so() -> None:
    result = screen(adult(exploitation_form="other"))
    assert result["profile"] == "adult-labour"
    assert any("for other forms of exploitation the labour list is used" in s for s in result["explanation"])


@pytest.mark.parametrize(
    ("lang", "expected", "marker"),
    [
        ("zh-Hant", "zh-Hant", "符合國際勞工組織的成人規則"),
        ("zh-TW", "zh-Hant", "符合國際勞工組織的成人規則"),
        ("zh_HK", "zh-Hant", "符合國際勞工組織的成人規則"),
        ("zh-Hans", "zh-Hans", "符合国际劳工组织的成人规则"),
        ("zh-CN", "zh-Hans", "符合国际劳工组织的成人规则"),
        ("zh", "zh-Hans", "符合国际劳工组织的成人规则"),
        ("en-GB", "en", "ILO rule for adults met"),
    ],
)
def test_sentences_and_action_come_in_the_requested_language(lang: str, expected: str, marker: str) -> None:
    result = screen(DOMESTIC_WORKER, lang=lang)
    assert result["lang"] == expected
    assert any(marker in s for s in result["explanation"])
    if expected.startswith("zh"):
        assert (
            "30" in result["recommended_action"]
        )  # the 30-day reflection period, in Chinese words around it
        assert "Refer" not in result["recommended_action"]
        assert "DR01" in " ".join(result["explanation"])


@pytest.mark.parametrize("lang", ["de", "sw", "pt-BR", "tr"])
def test_other_languages_fall_back_to_english_with_a_note(lang: str) -> None:
    result = screen(DOMESTIC_WORKER, lang=lang)
    assert result["lang"] == "en"
    assert (
        result["explanation"][0] == f"No explanation texts exist in “{lang}”, so they are shown in English."
    )
    assert result["explanation"][1:] == screen(DOMESTIC_WORKER)["explanation"]


def test_the_decision_is_the_same_in_every_language() -> None:
    fields = ("presumed_victim", "child", "profile", "rule", "dimensions", "near_miss", "provisional")
    english = screen(DOMESTIC_WORKER)
    for lang in ("zh-Hant", "zh-Hans", "fr"):
        other = screen(DOMESTIC_WORKER, lang=lang)
        assert {k: other[k] for k in fields} == {k: english[k] for k in fields}


def test_resolve_language_prefers_exact_then_script_then_primary_then_english() -> None:
    available = ("en", "zh-Hant", "zh-Hans")
    assert resolve_language("ZH-hant", available) == ("zh-Hant", False)
    assert resolve_language("zh-Hant-TW", available) == ("zh-Hant", False)
    assert resolve_language("zh-Hans-HK", available) == ("zh-Hans", False)
    assert resolve_language("en-US", available) == ("en", False)
    assert resolve_language("fr", available) == ("en", True)


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (DOMESTIC_WORKER, "Refer the person now to assistance"),
        (child(acts=["receipt"], purposes=["forced_labour"]), "Refer the child at once to child-protection"),
        (adult(indicators=["EXP01", "EXP02"]), "Refer the person to assistance now and keep screening"),
        (
            child(indicators=["EXP01", "EXP02"]),
            "Refer the child to child-protection services and to assistance",
        ),
        (adult(), "Record the screening and tell the person where to find help"),
        (child(), "Record the screening, inform child-protection services"),
    ],
    ids=[
        "presumed adult",
        "presumed child",
        "near-miss adult",
        "near-miss child",
        "negative adult",
        "negative child",
    ],
)
def test_recommended_action_fits_the_outcome_and_the_age(raw: dict[str, object], start: str) -> None:
    assert screen(raw)["recommended_action"].startswith(start)


def test_near_miss_child_with_exploitation_but_no_act_is_referred() -> None:
    result = screen(child(indicators=["EXP01", "EXP02"]))
    # exploitation shows the purpose, but no act is recorded or shown by a recruitment dimension
    assert result["near_miss"] is True
    assert result["presumed_victim"] is False
    assert any("Missing: an act" in s for s in result["explanation"])


def test_means_are_cited_as_support_only_when_the_child_rule_is_met() -> None:
    not_met = screen(child(means=["deception"]))["explanation"]
    assert not any("support the finding" in s for s in not_met)
