"""Screening: an explainable presumed-victim determination (CEDAW GR38 §38, §77–78, §87(d), §96).

Pure: imports nothing else of OpenNRM. The web layer and the CLI call :func:`screen` (input → result
contract), :func:`parse_input` (raises :class:`ScreeningInputError` naming the field), and
:func:`questionnaire` (the form's questions grouped by dimension). See docs/screening.md.
"""

from __future__ import annotations

from opennrm.screening.catalogue import (
    Catalogue,
    default_catalogue,
    load_catalogue,
    parse_catalogue,
)
from opennrm.screening.catalogue_file import CatalogueError
from opennrm.screening.dimension_rule import dimension_combination, dimension_positive
from opennrm.screening.engine import PresumedVictimDetermination, determine, is_child
from opennrm.screening.explain import Explanation, explain
from opennrm.screening.input import INPUT_KEYS, ScreeningInput, ScreeningInputError, parse_input
from opennrm.screening.language import resolve_language
from opennrm.screening.questionnaire import (
    Answer,
    Questionnaire,
    answer_coverage,
    indicators_from_answers,
    parse_answers,
    questionnaire,
)
from opennrm.screening.result import RESULT_KEYS, result_contract, screen
from opennrm.screening.vocabulary import (
    Act,
    Dimension,
    ExploitationForm,
    Means,
    Profile,
    Purpose,
    Rule,
    Strength,
)

__all__ = [
    "INPUT_KEYS",
    "RESULT_KEYS",
    "Act",
    "Answer",
    "Catalogue",
    "CatalogueError",
    "Dimension",
    "Explanation",
    "ExploitationForm",
    "Means",
    "PresumedVictimDetermination",
    "Profile",
    "Purpose",
    "Questionnaire",
    "Rule",
    "ScreeningInput",
    "ScreeningInputError",
    "Strength",
    "answer_coverage",
    "default_catalogue",
    "determine",
    "dimension_combination",
    "dimension_positive",
    "explain",
    "indicators_from_answers",
    "is_child",
    "load_catalogue",
    "parse_answers",
    "parse_catalogue",
    "parse_input",
    "questionnaire",
    "resolve_language",
    "result_contract",
    "screen",
]
