"""The test vignettes of reference note §6, each as a specification of the engine's outcome."""

from __future__ import annotations

from typing import Any

import pytest

from opennrm.screening import Catalogue, parse_catalogue, screen
from tests.unit.screening.builders import adult

DOMESTIC_WORKER_INDICATORS = ["DR01", "DR02", "EXP01", "EXP02", "CD01", "CD03"]


def _decision(result: dict[str, Any]) -> dict[str, Any]:
    """The fields that carry the decision (everything but the words and the input echo)."""
    keep = ("presumed_victim", "child", "profile", "rule", "dimensions", "near_miss", "provisional")
    return {key: result[key] for key in keep}


def test_vignette_1_adult_domestic_worker_is_presumed_by_the_ilo_rule() -> None:
    result = screen(adult(indicators=DOMESTIC_WORKER_INDICATORS))

    assert result["presumed_victim"] is True
    assert result["rule"] == "ilo_adult"
    assert result["child"] is False
    assert result["profile"] == "adult-labour"
    assert result["provisional"] is False
    assert result["near_miss"] is False
    dims = result["dimensions"]
    assert dims["DR"] == {
        "positive": True,
        "met_by": "strong_plus_one",
        "indicators": [{"id": "DR01", "strength": "strong"}, {"id": "DR02", "strength": "medium"}],
    }
    assert dims["EXP"]["positive"] and dims["EXP"]["met_by"] == "strong_plus_one"
    assert dims["CD"]["positive"] and dims["CD"]["met_by"] == "two_strong"
    assert not any(dims[code]["positive"] for code in ("CR", "AVR", "AVD"))
    assert "Refer the person now to assistance" in result["recommended_action"]


WITHOUT_DESTINATION = ["DR01", "DR02", "EXP01", "EXP02"]


@pytest.mark.parametrize(
    "recorded",
    [{"acts": ["recruitment"], "means": ["deception"]}, {}],
    ids=["act and deception recorded", "shown by the deceptive-recruitment dimension alone"],
)
def test_vignette_2_without_destination_indicators_the_ilo_rule_fails_but_palermo_presumes(
    recorded: dict[str, Any],
) -> None:
    result = screen(adult(indicators=WITHOUT_DESTINATION, **recorded))

    assert result["presumed_victim"] is True
    assert result["rule"] == "palermo_adult"
    assert result["near_miss"] is False
    assert any(s.startswith("ILO rule for adults not met") for s in result["explanation"])
    assert any(s.startswith("Palermo route met") for s in result["explanation"])


@pytest.mark.parametrize(
    "recorded",
    [{}, {"acts": ["recruitment"]}],
    ids=["neither act nor means recorded", "act recorded but no means"],
)
def test_vignette_2_without_a_means_recorded_or_shown_it_is_a_near_miss_and_still_referred(
    recorded: dict[str, Any],
) -> None:
    # DR02 alone ([M]) does not make deceptive recruitment positive, so nothing shows the deception
    result = screen(adult(indicators=["DR02", "EXP01", "EXP02"], **recorded))

    assert result["presumed_victim"] is False
    assert result["rule"] == "none"
    assert result["near_miss"] is True
    assert "Refer the person to assistance now and keep screening" in result["recommended_action"]
    assert any("a means" in s for s in result["explanation"] if s.startswith("Palermo route"))


# Issue 14.6: a positive recruitment dimension is evidence of the act (recruitment) and of its means; coercion
# at destination is evidence of harbouring and of force or other coercion. Nothing is recorded but indicators.
@pytest.mark.parametrize(
    ("indicators", "act", "means"),
    [
        (
            ["DR01", "DR02"],
            "recruitment, shown by the positive dimension Deceptive recruitment",
            "deception, shown by the positive dimension Deceptive recruitment",
        ),
        (
            ["CR01", "CR02"],
            "recruitment, shown by the positive dimension Coercive recruitment",
            "force or other coercion, shown by the positive dimension Coercive recruitment",
        ),
        (
            ["AVR01", "AVR02", "AVR06"],
            "recruitment, shown by the positive dimension Recruitment by abuse of vulnerability",
            "abuse of a position of vulnerability, shown by the positive dimension Recruitment by abuse of"
            " vulnerability",
        ),
        (
            ["CD01", "CD03"],
            "harbouring, shown by the positive dimension Coercion at destination",
            "force or other coercion, shown by the positive dimension Coercion at destination",
        ),
    ],
    ids=[
        "deceptive recruitment",
        "coercive recruitment",
        "recruitment by abuse of vulnerability",
        "coercion at destination",
    ],
)
def test_a_positive_recruitment_or_coercion_dimension_shows_the_act_and_the_means(
    indicators: list[str], act: str, means: str
) -> None:
    result = screen(adult(indicators=[*indicators, "EXP01", "EXP02"]))

    assert result["presumed_victim"] is True
    assert result["rule"] == "palermo_adult"
    assert result["near_miss"] is False
    palermo = next(s for s in result["explanation"] if s.startswith("Palermo route"))
    assert palermo.startswith("Palermo route met")
    assert act in palermo
    assert means in palermo
    assert "Missing" not in " ".join(result["explanation"][result["explanation"].index(palermo) :])
    assert result["input"]["acts"] == [] and result["input"]["means"] == []  # shown, not recorded


def test_recorded_means_and_means_shown_by_a_dimension_are_both_cited() -> None:
    result = screen(adult(indicators=["CR01", "CR02", "EXP01", "EXP02"], means=["fraud"]))
    palermo = next(s for s in result["explanation"] if s.startswith("Palermo route met"))
    assert "a means (fraud and force or other coercion, shown by the positive dimension Coercive" in palermo


GIRL_RECRUITED_BY_BOYFRIEND = {
    "exploitation_form": "sexual",
    "acts": ["harbouring"],
    "purposes": ["sexual_exploitation"],
    "indicators": ["AVR11"],
}


def test_vignette_3_girl_of_16_harboured_and_sexually_exploited_is_presumed_by_the_child_rule() -> None:
    result = screen({"age": 16, **GIRL_RECRUITED_BY_BOYFRIEND})

    assert result["presumed_victim"] is True
    assert result["child"] is True
    assert result["rule"] == "palermo_child"
    assert result["profile"] == "child-sexual"
    assert result["provisional"] is True  # sexual-exploitation list not yet transcribed
    assert result["dimensions"]["AVR"] == {
        "positive": False,
        "met_by": None,
        "indicators": [{"id": "AVR11", "strength": "medium"}],
    }
    assert result["input"]["means"] == []  # no means were needed
    assert "child-protection services" in result["recommended_action"]


def test_vignette_4_weak_and_two_medium_indicators_are_not_enough_record_and_signpost() -> None:
    result = screen(adult(indicators=["DR10", "EXP02", "EXP04"]))

    assert result["dimensions"]["DR"]["positive"] is False  # [W]
    assert result["dimensions"]["DR"]["indicators"] == [{"id": "DR10", "strength": "weak"}]
    assert result["dimensions"]["EXP"]["positive"] is False  # [M, M]
    assert result["presumed_victim"] is False
    assert result["near_miss"] is False
    assert result["rule"] == "none"
    action = result["recommended_action"]
    assert "signpost" in action
    assert "never closes access to assistance" in action


def test_vignette_5_says_19_but_reasons_to_believe_a_minor_is_treated_as_a_child_like_vignette_3() -> None:
    says_19 = screen(
        {"age": 19, "age_uncertain": True, "reasons_to_believe_minor": True, **GIRL_RECRUITED_BY_BOYFRIEND}
    )
    is_16 = screen({"age": 16, **GIRL_RECRUITED_BY_BOYFRIEND})

    assert says_19["child"] is True
    assert _decision(says_19) == _decision(is_16)
    assert any("age presumption" in s for s in says_19["explanation"])


def test_vignette_5_with_no_recorded_age_the_presumption_applies_too() -> None:
    result = screen({"reasons_to_believe_minor": True, **GIRL_RECRUITED_BY_BOYFRIEND})

    assert result["child"] is True
    assert result["rule"] == "palermo_child"


def test_vignette_5_an_age_marked_certain_keeps_the_adult_rules_and_says_how_to_record_doubt() -> None:
    result = screen({"age": 19, "reasons_to_believe_minor": True, **GIRL_RECRUITED_BY_BOYFRIEND})

    assert result["child"] is False
    assert any("mark it as uncertain" in s for s in result["explanation"])


VIGNETTE_6_INDICATORS = ["CD02", "CD05", "AVR02", "AVR06", "AVR11", "EXP02", "EXP03", "EXP04"]


@pytest.mark.parametrize("consented", [True, False])
def test_vignette_6_adult_who_consented_to_sex_work_is_presumed_consent_ignored(consented: bool) -> None:
    result = screen(
        adult(
            exploitation_form="sexual",
            indicators=VIGNETTE_6_INDICATORS,
            context={"consented_to_work": consented},
        )
    )

    dims = result["dimensions"]
    assert dims["CD"]["positive"] and dims["CD"]["met_by"] == "strong_plus_one"
    assert dims["AVR"]["positive"] and dims["AVR"]["met_by"] == "three_medium"
    assert dims["EXP"]["positive"] and dims["EXP"]["met_by"] == "three_medium"
    assert result["presumed_victim"] is True
    # the sexual-exploitation list is provisional, so the Palermo route decides (reference note §1.4):
    # recruitment by abuse of vulnerability and coercion at destination show the act and the means
    assert result["rule"] == "palermo_adult"
    assert result["profile"] == "adult-sexual"
    assert result["provisional"] is True
    assert any("provisional" in s for s in result["explanation"])


# Reference note §1.4: until the ILO/EC sexual-exploitation lists are transcribed, the Palermo route decides,
# on the crosswalk strengths: "forced tasks or clients" strong; no strong exploitation indicator for adults.
SEXUAL_EXPLOITATION = ["CD07", "CD05", "EXP01", "EXP02", "EXP04", "DR01", "DR02"]


def test_sexual_exploitation_is_decided_by_the_palermo_route_with_the_crosswalk_strengths() -> None:
    result = screen(adult(exploitation_form="sexual", indicators=SEXUAL_EXPLOITATION))

    dims = result["dimensions"]
    assert dims["CD"] == {
        "positive": True,
        "met_by": "strong_plus_one",
        "indicators": [{"id": "CD05", "strength": "medium"}, {"id": "CD07", "strength": "strong"}],
    }
    assert dims["EXP"]["met_by"] == "three_medium"
    assert {"id": "EXP01", "strength": "medium"} in dims["EXP"]["indicators"]
    assert result["presumed_victim"] is True
    assert result["rule"] == "palermo_adult"
    assert result["profile"] == "adult-sexual" and result["provisional"] is True
    explanation = result["explanation"]
    assert (
        "ILO rule for adults not used: this indicator list is provisional, so the Palermo route alone decides."
        in explanation
    )
    assert not any(s.startswith("ILO rule for adults met") for s in explanation)
    # the same facts as labour exploitation: CD07 is medium there, and the ILO rule is used
    labour = screen(adult(indicators=SEXUAL_EXPLOITATION))
    assert labour["dimensions"]["CD"]["positive"] is False and labour["rule"] == "palermo_adult"


def test_sexual_exploitation_two_medium_exploitation_indicators_with_excessive_hours_are_not_enough() -> None:
    # EXP01 is strong in the labour list but medium in the adult sexual list: [M, M] is not positive
    result = screen(
        adult(
            exploitation_form="sexual", indicators=["EXP01", "EXP02"], acts=["harbouring"], means=["threat"]
        )
    )
    assert result["dimensions"]["EXP"]["positive"] is False
    assert result["presumed_victim"] is False and result["near_miss"] is False
    assert screen(adult(indicators=["EXP01", "EXP02"]))["dimensions"]["EXP"]["positive"] is True


def test_a_girl_in_hazardous_sexual_exploitation_the_child_sexual_list_counts_hazardous_work_strong() -> None:
    result = screen(
        {"age": 15, "exploitation_form": "sexual", "indicators": ["EXP06", "EXP04", "CD07", "CD11"]}
    )

    assert result["profile"] == "child-sexual"
    assert result["dimensions"]["EXP"]["met_by"] == "strong_plus_one"
    assert result["dimensions"]["CD"]["met_by"] == "strong_plus_one"
    assert (
        result["presumed_victim"] is True
    )  # coercion at destination shows harbouring; exploitation the purpose
    assert result["rule"] == "palermo_child"


def test_vignette_7_refusing_to_talk_to_police_changes_nothing_but_the_echo() -> None:
    talks = screen(
        adult(indicators=DOMESTIC_WORKER_INDICATORS, context={"cooperating_with_authorities": True})
    )
    refuses = screen(
        adult(indicators=DOMESTIC_WORKER_INDICATORS, context={"cooperating_with_authorities": False})
    )

    assert {k: v for k, v in talks.items() if k != "input"} == {
        k: v for k, v in refuses.items() if k != "input"
    }
    assert refuses["input"]["context"] == {"cooperating_with_authorities": False}
    assert refuses["presumed_victim"] is True


# Vignette 8: the §1.1 boundaries, through the whole engine. The packaged adult-labour list has no dimension
# with three weak indicators, so a national file adds test indicators to DR (which is also how a country
# extends the catalogue).
BOUNDARY_OVERLAY = """
schema: opennrm.screening.catalogue/1
id: boundary-test
version: "1"
extends: ilo-ec-2009
indicators:
  TS1: {dimension: DR, text: {en: strong one}, question: {en: "?"}}
  TS2: {dimension: DR, text: {en: strong two}, question: {en: "?"}}
  TM1: {dimension: DR, text: {en: medium one}, question: {en: "?"}}
  TM2: {dimension: DR, text: {en: medium two}, question: {en: "?"}}
  TM3: {dimension: DR, text: {en: medium three}, question: {en: "?"}}
  TW1: {dimension: DR, text: {en: weak one}, question: {en: "?"}}
  TW2: {dimension: DR, text: {en: weak two}, question: {en: "?"}}
  TW3: {dimension: DR, text: {en: weak three}, question: {en: "?"}}
profiles:
  adult-labour:
    strengths:
      DR: {TS1: S, TS2: S, TM1: M, TM2: M, TM3: M, TW1: W, TW2: W, TW3: W}
"""


@pytest.fixture(scope="module")
def boundary_catalogue() -> Catalogue:
    return parse_catalogue(BOUNDARY_OVERLAY, "boundary-test.yaml")


@pytest.mark.parametrize(
    ("indicators", "positive"),
    [
        (["TS1"], False),
        (["TS1", "TW1"], True),
        (["TM1", "TM2"], False),
        (["TM1", "TM2", "TW1"], True),
        (["TM1", "TW1", "TW2"], False),
        (["TM1", "TM2", "TM3"], True),
        (["TW1", "TW2", "TW3"], False),
        ([], False),
    ],
    ids=["[S]", "[S,W]", "[M,M]", "[M,M,W]", "[M,W,W]", "[M,M,M]", "[W,W,W]", "[]"],
)
def test_vignette_8_boundary_cases_through_the_engine(
    boundary_catalogue: Catalogue, indicators: list[str], positive: bool
) -> None:
    result = screen(adult(indicators=indicators), catalogue=boundary_catalogue)

    assert result["dimensions"]["DR"]["positive"] is positive
