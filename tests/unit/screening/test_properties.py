"""Properties that hold for every input (issue 4 acceptance) — checked on generated inputs."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.screening import Act, Means, Purpose, screen
from tests.unit.screening.strategies import INDICATOR_IDS, child_inputs, contexts, screening_inputs

SETTINGS = settings(max_examples=300, deadline=None)


def _without_echo(result: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in result.items() if key != "input"}


@SETTINGS
@given(screening_inputs, st.sampled_from(INDICATOR_IDS))
def test_adding_an_indicator_never_turns_a_presumed_victim_into_a_non_victim(
    raw: dict[str, Any], extra: str
) -> None:
    before = screen(raw)
    after = screen({**raw, "indicators": [*raw.get("indicators", []), extra]})
    if before["presumed_victim"]:
        assert after["presumed_victim"]
    for code, finding in before["dimensions"].items():
        if finding["positive"]:
            assert after["dimensions"][code]["positive"]


@SETTINGS
@given(
    screening_inputs,
    st.sampled_from(
        [("acts", a.value) for a in Act]
        + [("means", m.value) for m in Means]
        + [("purposes", p.value) for p in Purpose]
    ),
)
def test_recording_one_more_act_means_or_purpose_never_undoes_a_presumption(
    raw: dict[str, Any], extra: tuple[str, str]
) -> None:
    key, code = extra
    after = {**raw, key: sorted({*raw.get(key, []), code})}
    if screen(raw)["presumed_victim"]:
        assert screen(after)["presumed_victim"]


@SETTINGS
@given(screening_inputs, contexts, contexts)
def test_no_value_of_context_changes_anything_but_its_echo(
    raw: dict[str, Any], first: dict[str, Any], second: dict[str, Any]
) -> None:
    one = screen({**raw, "context": first})
    two = screen({**raw, "context": second})
    assert _without_echo(one) == _without_echo(two)
    assert {k: v for k, v in one["input"].items() if k != "context"} == {
        k: v for k, v in two["input"].items() if k != "context"
    }
    assert one["input"]["context"] == first


@SETTINGS
@given(child_inputs, st.lists(st.sampled_from([m.value for m in Means]), unique=True))
def test_a_child_never_needs_means(raw: dict[str, Any], means: list[str]) -> None:
    without = screen({**raw, "means": []})
    with_means = screen({**raw, "means": means})
    assert without["child"] and with_means["child"]
    for key in ("presumed_victim", "rule", "near_miss", "dimensions", "profile"):
        assert without[key] == with_means[key]
    # act + purpose is enough for a child
    enough = screen({**raw, "means": [], "acts": ["receipt"], "purposes": ["forced_labour"]})
    assert enough["presumed_victim"] and enough["rule"] == "palermo_child"


@SETTINGS
@given(screening_inputs)
def test_presumed_or_near_miss_always_refers_to_assistance_and_negative_never_closes_it(
    raw: dict[str, Any],
) -> None:
    result = screen(raw)
    action = result["recommended_action"]
    if result["presumed_victim"] or result["near_miss"]:
        assert action.startswith("Refer")
        assert "assistance" in action
    else:
        assert "never closes access to assistance" in action
    if result["near_miss"]:
        assert not result["presumed_victim"] and result["dimensions"]["EXP"]["positive"]
    assert (result["rule"] == "none") is (not result["presumed_victim"])


@SETTINGS
@given(screening_inputs, st.randoms(use_true_random=False))
def test_order_and_repetition_of_listed_codes_do_not_matter(raw: dict[str, Any], rng: Any) -> None:
    shuffled = dict(raw)
    for key in ("acts", "means", "purposes", "indicators"):
        if key in raw:
            items = list(raw[key]) * 2
            rng.shuffle(items)
            shuffled[key] = items
    assert screen(shuffled) == screen(raw)


@SETTINGS
@given(screening_inputs, st.sampled_from(["en", "zh-Hant", "zh-Hans", "fr"]))
def test_every_result_is_plain_json_with_the_contract_keys(raw: dict[str, Any], lang: str) -> None:
    result = screen(raw, lang=lang)
    assert json.loads(json.dumps(result)) == result
    assert set(result) >= {
        "presumed_victim",
        "child",
        "profile",
        "rule",
        "dimensions",
        "near_miss",
        "explanation",
        "recommended_action",
        "catalogue_version",
        "provisional",
    }
    assert list(result["dimensions"]) == ["DR", "CR", "AVR", "EXP", "CD", "AVD"]
    assert all(isinstance(sentence, str) and sentence for sentence in result["explanation"])
