"""A form's problems reach the reader as plain sentences in her language, never as a validator's English."""

from __future__ import annotations

import pytest

from opennrm.web import i18n
from opennrm.web.problem_text import detail_text, problem_text


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


@pytest.mark.parametrize(
    ("message", "tag", "shown"),
    [
        ("date 2999-01-01 is in the future", "ar", "التاريخ 2999-01-01 في المستقبل"),
        ("date 2999-01-01 is in the future", "zh-Hant", "日期 2999-01-01 尚未到來"),
        (
            "'ZZ' is not an ISO 3166-1 alpha-2 country code",
            "zh-Hant",
            "'ZZ' 不是 ISO 3166-1 二位字母國家代碼",
        ),
        (
            "Value error, end_date is before start_date",
            "ar",
            "تاريخ النهاية (end_date) يسبق تاريخ البداية (start_date)",
        ),
        (
            "a consent may last 24 months at most (until 2027-01-01); ask her again after that",
            "zh-Hant",
            "同意最長有效 24 個月（至 2027-01-01）；之後請再次徵求她的同意",
        ),
    ],
)
def test_a_service_message_with_values_is_translated_with_the_same_values(
    message: str, tag: str, shown: str
) -> None:
    """Messages marked ``N_("… %(date)s …") % {…}`` where they are raised are matched back to their
    catalogue sentence, whose translation is filled with the values the English carried."""
    with i18n.activated(tag):
        assert problem_text(message) == shown
    with i18n.activated("en"):
        assert problem_text(message) == message.removeprefix("Value error, ")


def test_a_detail_keeps_the_field_it_names_and_translates_the_rest() -> None:
    with i18n.activated("ar"):
        assert detail_text("file: the file is empty", "file") == "file: الملف فارغ"
        assert detail_text("no message the catalogue knows", None) == "no message the catalogue knows"
