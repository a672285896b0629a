"""The screening form: the indicators of one list asked as plain questions, grouped by dimension.

Every question has three answers: yes, no and *not asked*. "Not asked" is not "no": a question skipped
because it was not safe or not the moment is shown as open, and only "yes" answers become indicators of the
screening input. A negative result built on unasked questions says nothing about them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from opennrm.screening.catalogue import Catalogue, default_catalogue, iter_indicators, pick_text
from opennrm.screening.input import ScreeningInputError
from opennrm.screening.language import resolve_language
from opennrm.screening.vocabulary import Dimension, Profile, Strength


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ASKED = "not_asked"


@dataclass(frozen=True, slots=True)
class Question:
    indicator_id: str
    dimension: Dimension
    question: str
    indicator: str
    strength: Strength


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    dimension: Dimension
    name: str
    intro: str
    questions: tuple[Question, ...]


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """The form for one list in one language (``language`` is the language of the labels actually used)."""

    profile: Profile
    language: str
    title: str
    provisional: bool
    provisional_note: str
    answer_labels: Mapping[Answer, str]
    groups: tuple[QuestionGroup, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile.value,
            "lang": self.language,
            "title": self.title,
            "provisional": self.provisional,
            "provisional_note": self.provisional_note,
            "answers": {answer.value: label for answer, label in self.answer_labels.items()},
            "groups": [
                {
                    "dimension": group.dimension.value,
                    "name": group.name,
                    "intro": group.intro,
                    "questions": [
                        {
                            "indicator": q.indicator_id,
                            "question": q.question,
                            "indicator_text": q.indicator,
                            "strength": q.strength.word,
                        }
                        for q in group.questions
                    ],
                }
                for group in self.groups
            ],
        }


def _profile(profile: Profile | str) -> Profile:
    try:
        return Profile(profile)
    except ValueError:
        allowed = ", ".join(p.value for p in Profile)
        raise ScreeningInputError("profile", f"unknown profile {profile!r}; allowed: {allowed}") from None


def questionnaire(
    profile: Profile | str, *, lang: str = "en", catalogue: Catalogue | None = None
) -> Questionnaire:
    """The questions of ``profile``'s list grouped by dimension, in ``lang`` (English where text lacks)."""
    chosen = catalogue if catalogue is not None else default_catalogue()
    the_profile = _profile(profile)
    language, _ = resolve_language(lang, chosen.languages)
    profile_list = chosen.profiles[the_profile]
    messages = chosen.messages[language]
    groups: list[QuestionGroup] = []
    for dimension in Dimension:
        questions = tuple(
            Question(
                indicator_id=indicator.id,
                dimension=dimension,
                question=pick_text(indicator.question, language),
                indicator=pick_text(indicator.text, language),
                strength=profile_list.strengths[indicator.id],
            )
            for indicator in iter_indicators(chosen, dimension)
            if indicator.id in profile_list.strengths
        )
        texts = chosen.dimensions[dimension]
        groups.append(
            QuestionGroup(
                dimension=dimension,
                name=pick_text(texts.name, language),
                intro=pick_text(texts.intro, language) if texts.intro else "",
                questions=questions,
            )
        )
    return Questionnaire(
        profile=the_profile,
        language=language,
        title=pick_text(profile_list.title, language),
        provisional=profile_list.provisional,
        provisional_note=pick_text(profile_list.provisional_note, language)
        if profile_list.provisional
        else "",
        answer_labels={answer: messages.word("answers", answer.value) for answer in Answer},
        groups=tuple(groups),
    )


def parse_answers(answers: Mapping[str, object], *, catalogue: Catalogue | None = None) -> dict[str, Answer]:
    """Check form answers (indicator id → ``yes``/``no``/``not_asked``). Missing questions are not asked."""
    chosen = catalogue if catalogue is not None else default_catalogue()
    parsed: dict[str, Answer] = {}
    for indicator_id, value in answers.items():
        pointer = f"/answers/{indicator_id}"
        if indicator_id not in chosen.indicators:
            raise ScreeningInputError("answers", f"unknown indicator id {indicator_id!r}", pointer=pointer)
        if not isinstance(value, str) or value not in {a.value for a in Answer}:
            raise ScreeningInputError(
                "answers",
                f"answer to {indicator_id} must be one of {', '.join(a.value for a in Answer)}",
                pointer=pointer,
            )
        parsed[indicator_id] = Answer(value)
    return parsed


def indicators_from_answers(
    answers: Mapping[str, object], *, catalogue: Catalogue | None = None
) -> list[str]:
    """The ``indicators`` of the screening input: the ids answered *yes*, in catalogue order."""
    chosen = catalogue if catalogue is not None else default_catalogue()
    parsed = parse_answers(answers, catalogue=chosen)
    return [key for key in chosen.indicators if parsed.get(key) is Answer.YES]


def answer_coverage(
    answers: Mapping[str, object], profile: Profile | str, *, catalogue: Catalogue | None = None
) -> dict[Dimension, dict[Answer, int]]:
    """Per dimension of ``profile``'s list: how many questions were answered yes, no, or not asked."""
    chosen = catalogue if catalogue is not None else default_catalogue()
    parsed = parse_answers(answers, catalogue=chosen)
    strengths = chosen.profiles[_profile(profile)].strengths
    coverage = {dimension: dict.fromkeys(Answer, 0) for dimension in Dimension}
    for indicator_id in strengths:
        dimension = chosen.indicators[indicator_id].dimension
        coverage[dimension][parsed.get(indicator_id, Answer.NOT_ASKED)] += 1
    return coverage
