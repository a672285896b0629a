"""Invalid input is refused with one error that names the field at fault; valid input is normalised."""

from __future__ import annotations

from typing import Any

import pytest

from opennrm.screening import ScreeningInputError, parse_input, screen
from opennrm.screening.vocabulary import Act, ExploitationForm


@pytest.mark.parametrize(
    ("raw", "field", "pointer", "words"),
    [
        (
            {"exploitation_form": "labour", "indicators": ["DR01", "XX99"]},
            "indicators",
            "/indicators/1",
            "XX99",
        ),
        (
            {"exploitation_form": "labour", "cooperates_with_police": True},
            "cooperates_with_police",
            None,
            "unknown key",
        ),
        ({"exploitation_form": "labour", "age": -3}, "age", "/age", "-3"),
        ({"exploitation_form": "labour", "age": 131}, "age", "/age", "131"),
        ({"exploitation_form": "labour", "age": "16"}, "age", "/age", "a string"),
        ({"exploitation_form": "labour", "age": 16.5}, "age", "/age", "a number"),
        ({"exploitation_form": "labour", "age": True}, "age", "/age", "a boolean"),
        (
            {"exploitation_form": "labour", "age_uncertain": "yes"},
            "age_uncertain",
            "/age_uncertain",
            "true or false",
        ),
        (
            {"exploitation_form": "labour", "exploitation_intended": 1},
            "exploitation_intended",
            None,
            "true or false",
        ),
        (
            {"exploitation_form": "labour", "reasons_to_believe_minor": None},
            "reasons_to_believe_minor",
            None,
            "null",
        ),
        ({"exploitation_form": "labour", "acts": "recruitment"}, "acts", "/acts", "array"),
        ({"exploitation_form": "labour", "acts": ["kidnap"]}, "acts", "/acts/0", "kidnap"),
        ({"exploitation_form": "labour", "means": [3]}, "means", "/means/0", "a number"),
        ({"exploitation_form": "labour", "purposes": ["begging"]}, "purposes", "/purposes/0", "begging"),
        ({"exploitation_form": "labour", "indicators": [1]}, "indicators", "/indicators/0", "a number"),
        ({"exploitation_form": "labour", "indicators": {"DR01": True}}, "indicators", None, "an object"),
        ({"exploitation_form": "labour", "context": ["x"]}, "context", "/context", "an object"),
        ({"exploitation_form": "labour", "context": {"a": float("nan")}}, "context", "/context/a", "finite"),
        ({"exploitation_form": "forced"}, "exploitation_form", None, "labour, sexual, other"),
        ({"exploitation_form": 1}, "exploitation_form", None, "a number"),
        ({"age": 20}, "exploitation_form", None, "required"),
    ],
)
def test_invalid_input_names_the_field_at_fault(
    raw: dict[str, Any], field: str, pointer: str | None, words: str
) -> None:
    with pytest.raises(ScreeningInputError) as caught:
        screen(raw)
    error = caught.value
    assert error.field == field
    if pointer is not None:
        assert error.pointer == pointer
    assert words in str(error)
    assert str(error).startswith(f"{field}: ")
    assert "\n" not in str(error)


@pytest.mark.parametrize("raw", [[], "labour", None, 3])
def test_input_that_is_not_an_object_is_refused(raw: Any) -> None:
    with pytest.raises(ScreeningInputError) as caught:
        parse_input(raw)
    assert caught.value.field is None
    assert "JSON object" in str(caught.value)


def test_the_first_unknown_key_is_named_and_allowed_keys_listed() -> None:
    with pytest.raises(ScreeningInputError) as caught:
        parse_input({"exploitation_form": "labour", "zzz": 1, "aaa": 2})
    assert caught.value.field == "aaa"
    assert "exploitation_form" in caught.value.message


def test_only_exploitation_form_is_required_and_defaults_are_empty() -> None:
    parsed = parse_input({"exploitation_form": "other"})
    assert parsed.exploitation_form is ExploitationForm.OTHER
    assert parsed.age is None and not parsed.age_uncertain and not parsed.reasons_to_believe_minor
    assert parsed.acts == parsed.means == parsed.purposes == frozenset()
    assert parsed.indicators == frozenset() and dict(parsed.context) == {}


def test_input_is_normalised_and_echoed_in_a_fixed_order() -> None:
    result = screen(
        {
            "exploitation_form": "labour",
            "acts": ["receipt", "recruitment", "receipt"],
            "indicators": ["CD01", "DR02", "DR02"],
            "context": {"note": {"nested": [1, 2.5, None]}},
        }
    )
    assert result["input"] == {
        "age": None,
        "age_uncertain": False,
        "reasons_to_believe_minor": False,
        "exploitation_form": "labour",
        "acts": ["recruitment", "receipt"],
        "means": [],
        "purposes": [],
        "exploitation_intended": False,
        "indicators": ["DR02", "CD01"],
        "context": {"note": {"nested": [1, 2.5, None]}},
    }


def test_context_is_copied_so_later_changes_to_the_caller_s_dict_do_not_leak_in() -> None:
    context: dict[str, Any] = {"consented_to_work": True}
    parsed = parse_input({"exploitation_form": "labour", "context": context})
    context["consented_to_work"] = False
    assert parsed.context["consented_to_work"] is True


def test_acts_are_parsed_to_the_vocabulary() -> None:
    assert parse_input({"exploitation_form": "labour", "acts": ["harbouring"]}).acts == {Act.HARBOURING}
