"""A form's problems reach the reader as plain sentences in her language, never as a validator's English."""

from __future__ import annotations

import pytest

from opennrm.web import i18n
from opennrm.web.problem_text import problem_text


@pytest.mark.parametrize(
    ("message", "english"),
    [
        ("String should match pattern '^[^@\\s]+@[^@\\s]+$'", "This is not in the expected form."),
        ("Input should be less than or equal to 120", "At most 120."),
        ("Field required", "This is needed."),
        ("Input should be a valid string", "Fill this in."),
        ("Input should be 'urgent' or 'routine'", "Choose one of the options offered."),
        ("String should have at least 1 character", "This is needed."),
        ("text: String should have at least 1 character", "This is needed."),
        ("region: String should have at most 120 characters", "At most 120 characters."),
    ],
)
def test_a_validators_message_becomes_a_plain_sentence(message: str, english: str) -> None:
    with i18n.activated("en"):
        assert problem_text(message) == english
    for tag in ("ar", "zh-Hant"):
        with i18n.activated(tag):
            shown = problem_text(message)
        assert shown != english and "should" not in shown, (tag, shown)


def test_a_message_of_our_own_is_translated_when_the_catalogue_has_it_else_shown_as_written() -> None:
    with i18n.activated("fr"):
        assert problem_text("Value error, a note the catalogue never saw") == "a note the catalogue never saw"


def test_a_field_named_before_a_sentence_of_our_own_is_kept() -> None:
    with i18n.activated("en"):
        assert problem_text("callback: safe-callback details need her consent") == (
            "callback: safe-callback details need her consent"
        )
