"""The ILO/EC dimension rule: when the indicators seen in one dimension make that dimension positive.

Reference note §1.1 (ILO/EC *Operational indicators*, 2009, as summarised by a secondary crosswalk): a
dimension is positive with two strong indicators, one strong plus one medium or weak, three medium, or two
medium plus one weak. Weak indicators alone never make a dimension positive.
"""

from __future__ import annotations

from collections.abc import Iterable

from opennrm.screening.vocabulary import Combination, Strength


def dimension_combination(observed: Iterable[Strength]) -> Combination | None:
    """The first way in which ``observed`` (strengths seen in one dimension) meets the rule, else ``None``."""
    strong = medium = weak = 0
    for strength in observed:
        if strength is Strength.STRONG:
            strong += 1
        elif strength is Strength.MEDIUM:
            medium += 1
        else:
            weak += 1
    if strong >= 2:
        return Combination.TWO_STRONG
    if strong >= 1 and medium + weak >= 1:
        return Combination.STRONG_PLUS_ONE
    if medium >= 3:
        return Combination.THREE_MEDIUM
    if medium >= 2 and weak >= 1:
        return Combination.TWO_MEDIUM_ONE_WEAK
    return None


def dimension_positive(observed: Iterable[Strength]) -> bool:
    """True when the strengths seen in one dimension make it positive (reference note §1.1)."""
    return dimension_combination(observed) is not None
