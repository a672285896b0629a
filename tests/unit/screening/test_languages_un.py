"""The screening form and its explanations exist in the six UN languages: Arabic, Chinese, English, French,
Russian and Spanish. Every text has a translation with the English placeholders, and the language of the words
never changes the decision."""

from __future__ import annotations

from typing import Any

import pytest

from opennrm.screening import Catalogue, Profile, default_catalogue, questionnaire, screen
from opennrm.screening.messages import placeholders

NEW_LANGUAGES = ("ar", "fr", "ru", "es")
UN_LANGUAGES = ("ar", "zh-Hans", "en", "fr", "ru", "es")

# Domestic worker, reference vignette 1: presumed victim by the ILO rule (and the Palermo route).
VIGNETTE: dict[str, Any] = {
    "age": 34,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "DR02", "EXP01", "EXP02", "CD01", "CD03"],
}
# A girl of 16, harboured and sexually exploited (vignette 3): rule for children, provisional list.
GIRL: dict[str, Any] = {
    "age": 16,
    "exploitation_form": "sexual",
    "acts": ["harbouring"],
    "purposes": ["sexual_exploitation"],
    "indicators": ["AVR11"],
}
# Weak and medium indicators only (vignette 4): not presumed, record and signpost.
NEGATIVE: dict[str, Any] = {
    "age": 34,
    "exploitation_form": "labour",
    "indicators": ["DR10", "EXP02", "EXP04"],
}
DECISION = ("presumed_victim", "child", "profile", "rule", "dimensions", "near_miss", "provisional")

# A few words that only a sentence in that language contains (script or language-specific words).
MARKERS = {
    "ar": "النتيجة",
    "fr": "Résultat",
    "ru": "Результат",
    "es": "Resultado",
}
SCRIPT = {
    "ar": lambda ch: "\u0600" <= ch <= "\u06ff",
    "ru": lambda ch: "\u0400" <= ch <= "\u04ff",
}


def _texts(catalogue: Catalogue) -> list[tuple[str, Any]]:
    """Every translatable text of the catalogue, named, with its texts keyed by language."""
    named: list[tuple[str, Any]] = [("title", catalogue.title)]
    for dimension, texts in catalogue.dimensions.items():
        named += [(f"dimensions.{dimension.value}.name", texts.name)]
        named += [(f"dimensions.{dimension.value}.intro", texts.intro)]
    for key, indicator in catalogue.indicators.items():
        named += [
            (f"indicators.{key}.text", indicator.text),
            (f"indicators.{key}.question", indicator.question),
        ]
    for profile, profile_list in catalogue.profiles.items():
        named += [(f"profiles.{profile.value}.title", profile_list.title)]
        if profile_list.provisional:
            named += [(f"profiles.{profile.value}.provisional_note", profile_list.provisional_note)]
    return named


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_every_catalogue_text_has_a_translation(catalogue: Catalogue, lang: str) -> None:
    texts = _texts(catalogue)
    assert len(texts) == 1 + 2 * 6 + 2 * 67 + 4 + 2
    missing = [name for name, by_language in texts if not by_language.get(lang, "").strip()]
    assert missing == []


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_translated_catalogue_texts_differ_from_english_and_keep_its_placeholders(
    catalogue: Catalogue, lang: str
) -> None:
    for name, by_language in _texts(catalogue):
        assert placeholders(by_language[lang]) == placeholders(by_language["en"]), name
    questions = [ind.question for ind in catalogue.indicators.values()]
    assert sum(q[lang] == q["en"] for q in questions) == 0


@pytest.mark.parametrize("lang", UN_LANGUAGES)
def test_each_un_language_has_a_complete_message_set(catalogue: Catalogue, lang: str) -> None:
    assert lang in catalogue.languages
    english = catalogue.messages["en"].sections
    sections = catalogue.messages[lang].sections
    assert set(sections) == set(english)
    for section, table in english.items():
        assert set(sections[section]) == set(table), section
        for key, text in table.items():
            translated = sections[section][key]
            if section != "list":
                assert translated.strip(), f"{section}.{key}"
            assert placeholders(translated) == placeholders(text), f"{section}.{key}"


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_new_message_sets_are_translated_not_copied(catalogue: Catalogue, lang: str) -> None:
    english = catalogue.messages["en"].sections["sentences"]
    sentences = catalogue.messages[lang].sections["sentences"]
    copied = [key for key, text in sentences.items() if text == english[key] and key != "indicator"]
    assert copied == []


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
@pytest.mark.parametrize("raw", [VIGNETTE, GIRL, NEGATIVE], ids=["adult-presumed", "girl", "negative"])
def test_screening_explains_in_the_language_with_the_english_decision(lang: str, raw: dict[str, Any]) -> None:
    english = screen(raw)
    result = screen(raw, lang=lang)
    assert result["lang"] == lang
    assert {key: result[key] for key in DECISION} == {key: english[key] for key in DECISION}
    assert len(result["explanation"]) == len(english["explanation"])
    assert not any("No explanation texts exist" in sentence for sentence in result["explanation"])
    assert not set(result["explanation"]) & set(english["explanation"])
    assert result["recommended_action"] != english["recommended_action"]
    assert MARKERS[lang] in result["explanation"][-1]
    if lang in SCRIPT:
        joined = " ".join(result["explanation"]) + result["recommended_action"]
        assert sum(map(SCRIPT[lang], joined)) > len(joined) // 3


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
def test_regional_tags_reach_the_language(lang: str) -> None:
    tag = {"ar": "ar-EG", "fr": "fr_CA", "ru": "ru-RU", "es": "es-419"}[lang]
    assert screen(VIGNETTE, lang=tag)["lang"] == lang


@pytest.mark.parametrize("lang", NEW_LANGUAGES)
@pytest.mark.parametrize("profile", list(Profile))
def test_the_form_asks_its_questions_in_the_language(lang: str, profile: Profile) -> None:
    form = questionnaire(profile, lang=lang)
    english = questionnaire(profile)
    catalogue = default_catalogue()
    assert form.language == lang
    assert form.title == catalogue.profiles[profile].title[lang]
    answers = catalogue.messages[lang].sections["answers"]
    assert {answer.value: label for answer, label in form.answer_labels.items()} == dict(answers)
    assert form.answer_labels != english.answer_labels
    for group, english_group in zip(form.groups, english.groups, strict=True):
        assert group.name == catalogue.dimensions[group.dimension].name[lang]
        assert group.intro != english_group.intro
        assert group.intro == catalogue.dimensions[group.dimension].intro[lang]
        assert [q.indicator_id for q in group.questions] == [q.indicator_id for q in english_group.questions]
        for question in group.questions:
            assert question.question == catalogue.indicators[question.indicator_id].question[lang]
            assert question.indicator == catalogue.indicators[question.indicator_id].text[lang]
            assert question.question.rstrip().endswith(("?", "؟"))
    if form.provisional:
        assert form.provisional_note == catalogue.profiles[profile].provisional_note[lang]


def test_arabic_questions_use_the_arabic_question_mark() -> None:
    form = questionnaire("adult-labour", lang="ar")
    assert all(q.question.endswith("؟") for group in form.groups for q in group.questions)
