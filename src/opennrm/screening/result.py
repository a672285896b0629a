"""The result contract shared by ``opennrm screen`` and ``POST /api/screenings``, and :func:`screen`.

Result keys (issue 4): ``presumed_victim``, ``child``, ``profile``, ``rule``, ``dimensions``, ``near_miss``,
``explanation``, ``recommended_action``, ``catalogue_version``, ``provisional``; and two more: ``lang`` (the
language the sentences are in) and ``input`` (the normalised input echoed back, ``context`` included, so a
stored screening carries what it was decided on).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from opennrm.screening.catalogue import Catalogue, default_catalogue
from opennrm.screening.engine import PresumedVictimDetermination, determine
from opennrm.screening.explain import explain
from opennrm.screening.input import ScreeningInput, parse_input
from opennrm.screening.vocabulary import Combination, Dimension, Profile, Rule, Strength

RESULT_KEYS: tuple[str, ...] = (
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
    "lang",
    "input",
)


# Plain strings for the JSON (enum ``.value`` is slow to reach in CPython 3.11).
_CODES: dict[StrEnum, str] = {
    member: member.value for vocabulary in (Dimension, Combination, Profile, Rule) for member in vocabulary
}
_STRENGTH_WORDS: dict[Strength, str] = {strength: strength.word for strength in Strength}


def result_contract(
    det: PresumedVictimDetermination, screening: ScreeningInput, catalogue: Catalogue, *, lang: str = "en"
) -> dict[str, Any]:
    """The JSON result for a determination (see the module docstring for the keys)."""
    explanation = explain(det, screening, catalogue, lang=lang)
    dimensions: dict[str, Any] = {}
    for dimension, finding in det.dimensions.items():
        dimensions[_CODES[dimension]] = {
            "positive": finding.combination is not None,
            "met_by": _CODES[finding.combination] if finding.combination is not None else None,
            "indicators": [
                {"id": f.id, "strength": _STRENGTH_WORDS[f.strength] if f.strength is not None else None}
                for f in finding.indicators
            ],
        }
    return {
        "presumed_victim": det.presumed_victim,
        "child": det.child,
        "profile": _CODES[det.profile],
        "rule": _CODES[det.rule],
        "dimensions": dimensions,
        "near_miss": det.near_miss,
        "explanation": list(explanation.sentences),
        "recommended_action": explanation.recommended_action,
        "catalogue_version": det.catalogue_version,
        "provisional": det.provisional,
        "lang": explanation.language,
        "input": screening.to_json(positions=catalogue.positions),
    }


def screen(raw: Mapping[str, Any], *, lang: str = "en", catalogue: Catalogue | None = None) -> dict[str, Any]:
    """Check ``raw`` input, decide and explain: the whole screening as one pure call.

    Raises :class:`~opennrm.screening.input.ScreeningInputError` (with ``.field``) for invalid input.
    """
    chosen = catalogue if catalogue is not None else default_catalogue()
    screening = parse_input(raw, catalogue=chosen)
    return result_contract(determine(screening, chosen), screening, chosen, lang=lang)
