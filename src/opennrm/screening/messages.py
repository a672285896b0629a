"""The words of an explanation in one language, and which words every language must have.

The texts live in ``catalogues/explanations.yaml`` (and may be added to by a national catalogue); this module
only names the sections and keys the engine uses and gives typed access to them.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opennrm.screening.vocabulary import Act, Combination, ExploitationForm, Means, Purpose, Rule, Strength

_NONE: frozenset[str] = frozenset()

SENTENCE_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "fallback": frozenset({"requested"}),
    "age_child": frozenset({"age"}),
    "age_presumed_child": _NONE,
    "age_adult": frozenset({"age"}),
    "age_uncertain_adult": frozenset({"age"}),
    "age_unknown_adult": _NONE,
    "age_reasons_but_certain": frozenset({"age"}),
    "profile": frozenset({"catalogue", "profile"}),
    "profile_other_form": _NONE,
    "provisional": frozenset({"note"}),
    "dimension_positive": frozenset({"combination", "dimension", "indicators"}),
    "dimension_negative": frozenset({"dimension", "indicators"}),
    "dimension_rule": _NONE,
    "dimensions_empty": frozenset({"dimensions"}),
    "not_in_list": frozenset({"indicator"}),
    "indicator": frozenset({"id", "strength", "text"}),
    "ilo_met": frozenset({"destination", "recruitment"}),
    "ilo_not_met": frozenset({"missing"}),
    "ilo_not_used": _NONE,
    "missing_recruitment": _NONE,
    "missing_exploitation": _NONE,
    "missing_destination": _NONE,
    "palermo_met": frozenset({"acts", "means", "purpose"}),
    "palermo_not_met": frozenset({"missing"}),
    "missing_act": _NONE,
    "missing_means": _NONE,
    "missing_purpose": _NONE,
    "child_met": frozenset({"acts", "purpose"}),
    "child_not_met": frozenset({"missing"}),
    "child_means_supporting": frozenset({"means"}),
    "act_from_recruitment": frozenset({"dimensions"}),
    "act_harbouring_shown": frozenset({"dimensions"}),
    "means_deception_shown": frozenset({"dimensions"}),
    "means_coercion_shown": frozenset({"dimensions"}),
    "means_vulnerability_shown": frozenset({"dimensions"}),
    "purpose_exploitation_seen": _NONE,
    "purpose_intended": _NONE,
    "consent": _NONE,
    "outcome_presumed": _NONE,
    "outcome_near_miss": _NONE,
    "outcome_negative": _NONE,
    "action_presumed_adult": _NONE,
    "action_presumed_child": _NONE,
    "action_near_miss_adult": _NONE,
    "action_near_miss_child": _NONE,
    "action_negative_adult": _NONE,
    "action_negative_child": _NONE,
}
"""Every sentence the engine writes and the ``{placeholders}`` it fills in (the same in every language)."""

SENTENCE_KEYS: tuple[str, ...] = tuple(SENTENCE_PLACEHOLDERS)

LABEL_KEYS: tuple[str, ...] = (
    "presumed_victim",
    "child",
    "profile",
    "rule",
    "near_miss",
    "dimensions",
    "explanation",
    "recommended_action",
    "catalogue",
    "provisional",
    "yes",
    "no",
    "positive",
    "negative",
)

REQUIRED_KEYS: Mapping[str, tuple[str, ...]] = {
    "list": ("separator", "last_separator"),
    "strengths": tuple(s.value for s in Strength),
    "combinations": tuple(c.value for c in Combination),
    "acts": tuple(a.value for a in Act),
    "means": tuple(m.value for m in Means),
    "purposes": tuple(p.value for p in Purpose),
    "forms": tuple(f.value for f in ExploitationForm),
    "rules": tuple(r.value for r in Rule),
    "answers": ("yes", "no", "not_asked"),
    "labels": LABEL_KEYS,
    "sentences": SENTENCE_KEYS,
}
"""Every section of a message set and the keys it must hold."""

REFERENCE_LANGUAGE = "en"


def placeholders(template: str) -> frozenset[str]:
    """The ``{names}`` a template uses; ``ValueError`` for a malformed template (a lone brace)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


@dataclass(frozen=True, eq=False, slots=True)
class MessageSet:
    """All words of one language. Build it only from a checked catalogue (every key present)."""

    language: str
    sections: Mapping[str, Mapping[str, str]]

    def sentence(self, key: str, /, **values: object) -> str:
        return self.sections["sentences"][key].format(**values)

    def word(self, section: str, key: str) -> str:
        return self.sections[section][key]

    def label(self, key: str) -> str:
        return self.sections["labels"][key]

    def join(self, items: Iterable[str]) -> str:
        """``a``, ``a and b``, ``a, b and c`` in this language's way."""
        parts = list(items)
        if len(parts) <= 1:
            return "".join(parts)
        separators = self.sections["list"]
        return separators["separator"].join(parts[:-1]) + separators["last_separator"] + parts[-1]
