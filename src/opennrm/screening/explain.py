"""Turning a determination into sentences and a recommended action in the requested language.

The sentences never read ``context``: the explanation depends only on what the decision depends on (and on
the recorded age, acts, means and purposes it cites). Words that do not change between screenings (dimension
names, indicator labels with their strength) are prepared once per catalogue and language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from opennrm.screening.catalogue import Catalogue, pick_text
from opennrm.screening.engine import Element, IloPart, PresumedVictimDetermination
from opennrm.screening.input import ScreeningInput
from opennrm.screening.language import resolve_language
from opennrm.screening.messages import REFERENCE_LANGUAGE, MessageSet
from opennrm.screening.vocabulary import (
    ACT_SHOWN_BY,
    DESTINATION_DIMENSIONS,
    MEANS_SHOWN_BY,
    RECRUITMENT_DIMENSIONS,
    Act,
    Dimension,
    ExploitationForm,
    Means,
    Profile,
)

_ILO_MISSING_KEYS = {
    IloPart.RECRUITMENT: "missing_recruitment",
    IloPart.EXPLOITATION: "missing_exploitation",
    IloPart.DESTINATION: "missing_destination",
}
_ELEMENT_MISSING_KEYS = {
    Element.ACT: "missing_act",
    Element.MEANS: "missing_means",
    Element.PURPOSE: "missing_purpose",
}
_OTHER_FORM = ExploitationForm.OTHER
_SHOW_RECRUITMENT = frozenset(d for d, act in ACT_SHOWN_BY.items() if act is Act.RECRUITMENT)
_SHOW_HARBOURING = frozenset(d for d, act in ACT_SHOWN_BY.items() if act is Act.HARBOURING)


def _showing(means: Means) -> frozenset[Dimension]:
    return frozenset(d for d, shown in MEANS_SHOWN_BY.items() if shown[0] is means)


# One phrase per kind of means a dimension shows ("force or other coercion" for CR and CD together).
_MEANS_SHOWN_KEYS: tuple[tuple[str, frozenset[Dimension]], ...] = (
    ("means_deception_shown", _showing(Means.DECEPTION)),
    ("means_coercion_shown", _showing(Means.FORCE)),
    ("means_vulnerability_shown", _showing(Means.ABUSE_OF_VULNERABILITY)),
)


@dataclass(frozen=True, slots=True)
class Explanation:
    language: str
    """The language the sentences are in (English when the requested one has no texts)."""
    sentences: tuple[str, ...]
    recommended_action: str


class _Writer:
    """The words of one catalogue in one language, with the fixed fragments prepared once."""

    def __init__(self, catalogue: Catalogue, messages: MessageSet) -> None:
        language = messages.language
        self.m = messages
        self.s = messages.sections["sentences"]
        self.separator = messages.sections["list"]["separator"]
        self.last_separator = messages.sections["list"]["last_separator"]
        self.dimension_names = {d: pick_text(catalogue.dimensions[d].name, language) for d in Dimension}
        self.words = messages.sections
        texts = {key: pick_text(ind.text, language) for key, ind in catalogue.indicators.items()}
        strengths = messages.sections["strengths"]
        template = self.s["indicator"]
        # "DR01 Deceived about ... (strong)": keyed by (indicator, strength letter); None = not in the list.
        self.fragments: dict[tuple[str, str | None], str] = {}
        for key, text in texts.items():
            self.fragments[key, None] = f"{key} {text}"
            for letter, word in strengths.items():
                self.fragments[key, letter] = template.format(id=key, text=text, strength=word)
        self.profile_sentences: dict[Profile, tuple[str, ...]] = {}
        catalogue_title = pick_text(catalogue.title, language)
        for profile, profile_list in catalogue.profiles.items():
            sentences = [
                self.s["profile"].format(
                    profile=pick_text(profile_list.title, language), catalogue=catalogue_title
                )
            ]
            if profile_list.provisional:
                note = pick_text(profile_list.provisional_note, language)
                sentences.append(self.s["provisional"].format(note=note))
            self.profile_sentences[profile] = tuple(sentences)

    def join(self, parts: list[str]) -> str:
        """``a``, ``a and b``, ``a, b and c`` in this language's way."""
        if len(parts) < 2:
            return parts[0] if parts else ""
        return self.separator.join(parts[:-1]) + self.last_separator + parts[-1]

    def shown_by(self, key: str, shown: tuple[Dimension, ...], which: frozenset[Dimension]) -> list[str]:
        """``key``'s sentence naming the positive dimensions in ``which`` (none: no sentence)."""
        dimensions = [self.dimension_names[d] for d in shown if d in which]
        return [self.s[key].format(dimensions=self.join(dimensions))] if dimensions else []

    def acts(self, det: PresumedVictimDetermination) -> str:
        words = self.words["acts"]
        parts = [words[act] for act in det.acts]
        if det.act_shown_by:
            parts += self.shown_by("act_from_recruitment", det.act_shown_by, _SHOW_RECRUITMENT)
            parts += self.shown_by("act_harbouring_shown", det.act_shown_by, _SHOW_HARBOURING)
        return self.join(parts)

    def purpose(self, det: PresumedVictimDetermination) -> str:
        words = self.words["purposes"]
        parts = [words[purpose] for purpose in det.purposes]
        if det.exploitation_seen:
            parts.append(self.s["purpose_exploitation_seen"])
        if det.exploitation_intended:
            parts.append(self.s["purpose_intended"])
        return self.join(parts)

    def means(self, det: PresumedVictimDetermination) -> str:
        words = self.words["means"]
        parts = [words[means] for means in det.means]
        if det.means_shown_by:
            for key, which in _MEANS_SHOWN_KEYS:
                parts += self.shown_by(key, det.means_shown_by, which)
        return self.join(parts)

    def age(self, det: PresumedVictimDetermination, screening: ScreeningInput) -> str:
        s = self.s
        if det.child:
            if det.age_presumption:
                return s["age_presumed_child"]
            return s["age_child"].format(age=screening.age)
        if screening.reasons_to_believe_minor:
            return s["age_reasons_but_certain"].format(age=screening.age)
        if screening.age is None:
            return s["age_unknown_adult"]
        if screening.age_uncertain:
            return s["age_uncertain_adult"].format(age=screening.age)
        return s["age_adult"].format(age=screening.age)

    def dimensions(self, det: PresumedVictimDetermination) -> list[str]:
        s, fragments, names = self.s, self.fragments, self.dimension_names
        combinations = self.words["combinations"]
        sentences: list[str] = []
        empty: list[str] = []
        not_in_list: list[str] = []
        short = False
        for dimension, finding in det.dimensions.items():
            if not finding.indicators:
                empty.append(names[dimension])
                continue
            counted = [fragments[f] for f in finding.indicators if f.strength is not None]
            if len(counted) != len(finding.indicators):
                not_in_list.extend(
                    s["not_in_list"].format(indicator=fragments[f.id, None])
                    for f in finding.indicators
                    if f.strength is None
                )
            if not counted:
                empty.append(names[dimension])
            elif finding.combination is not None:
                sentences.append(
                    s["dimension_positive"].format(
                        dimension=names[dimension],
                        combination=combinations[finding.combination],
                        indicators=self.join(counted),
                    )
                )
            else:
                short = True
                sentences.append(
                    s["dimension_negative"].format(dimension=names[dimension], indicators=self.join(counted))
                )
        sentences.extend(not_in_list)
        if short:
            sentences.append(s["dimension_rule"])
        if empty:
            sentences.append(s["dimensions_empty"].format(dimensions=self.join(empty)))
        return sentences

    def rules(self, det: PresumedVictimDetermination) -> list[str]:
        s = self.s
        missing = self.join([s[_ELEMENT_MISSING_KEYS[e]] for e in det.elements_missing])
        if det.child:
            sentences = [
                s["child_met"].format(acts=self.acts(det), purpose=self.purpose(det))
                if not det.elements_missing
                else s["child_not_met"].format(missing=missing)
            ]
            if (det.means or det.means_shown_by) and not det.elements_missing:
                sentences.append(s["child_means_supporting"].format(means=self.means(det)))
            return sentences
        if not det.ilo_used:
            ilo = s["ilo_not_used"]
        elif det.ilo_missing:
            ilo = s["ilo_not_met"].format(
                missing=self.join([s[_ILO_MISSING_KEYS[p]] for p in det.ilo_missing])
            )
        else:
            names = self.dimension_names
            positive = {d for d, finding in det.dimensions.items() if finding.combination is not None}
            ilo = s["ilo_met"].format(
                recruitment=self.join([names[d] for d in RECRUITMENT_DIMENSIONS if d in positive]),
                destination=self.join([names[d] for d in DESTINATION_DIMENSIONS if d in positive]),
            )
        if det.elements_missing:
            palermo = s["palermo_not_met"].format(missing=missing)
        else:
            palermo = s["palermo_met"].format(
                acts=self.acts(det), means=self.means(det), purpose=self.purpose(det)
            )
        return [ilo, palermo]

    def outcome(self, det: PresumedVictimDetermination) -> tuple[str, str]:
        s = self.s
        who = "child" if det.child else "adult"
        if det.presumed_victim:
            return s["outcome_presumed"], s[f"action_presumed_{who}"]
        if det.near_miss:
            return s["outcome_near_miss"], s[f"action_near_miss_{who}"]
        return s["outcome_negative"], s[f"action_negative_{who}"]


@lru_cache(maxsize=64)
def _writer(catalogue: Catalogue, language: str) -> _Writer:
    return _Writer(catalogue, catalogue.messages[language])


@lru_cache(maxsize=256)
def _language(requested: str, available: tuple[str, ...]) -> tuple[str, bool]:
    return resolve_language(requested, available)


def explain(
    det: PresumedVictimDetermination, screening: ScreeningInput, catalogue: Catalogue, *, lang: str = "en"
) -> Explanation:
    """Sentences that say what was found and why, and the recommended action, in ``lang`` if possible."""
    language, fell_back = _language(lang, catalogue.languages)
    writer = _writer(catalogue, language)
    s = writer.s
    sentences: list[str] = []
    if fell_back:
        sentences.append(catalogue.messages[REFERENCE_LANGUAGE].sentence("fallback", requested=lang))
    sentences.append(writer.age(det, screening))
    sentences.extend(writer.profile_sentences[det.profile])
    if screening.exploitation_form is _OTHER_FORM:
        sentences.append(s["profile_other_form"])
    sentences.extend(writer.dimensions(det))
    sentences.extend(writer.rules(det))
    sentences.append(s["consent"])
    outcome, action = writer.outcome(det)
    sentences.append(outcome)
    return Explanation(language=language, sentences=tuple(sentences), recommended_action=action)
