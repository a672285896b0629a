"""The decision: is the person a presumed victim of trafficking, by which rule, and what is missing.

Rules (reference note §1.1, §1.2, §2, §5; explained in plain words in docs/screening.md):

* Age. A child is a person under 18 (Palermo art. 3(d)). When the age is uncertain (or not recorded) and
  there are reasons to believe the person is a child, the person is treated as a child (Directive 2011/36/EU
  art. 13(2); GR38 §96).
* Dimensions. Each of the six ILO/EC dimensions is positive or not by the dimension rule, using the strengths
  of the person's list (profile): adult/child × labour/sexual.
* Adults. Presumed by the ILO rule — a recruitment dimension (DR, CR or AVR), exploitation (EXP) and a
  destination dimension (CD or AVD) all positive — or by the Palermo route: an act, a means and a purpose of
  exploitation. The ILO rule is used only with a list that is not provisional: until the sexual-exploitation
  lists are transcribed from the ILO publication, the Palermo route alone decides for them (note §1.4).
* Children. Presumed with an act and a purpose of exploitation; no means are needed (Palermo art. 3(c)).
  This is a project rule: the ILO/EC lists give no combination rule for children.
* Elements. The act is a recorded act, or one shown by a positive dimension: recruitment by a recruitment
  dimension, harbouring by coercion at destination (``ACT_SHOWN_BY``). The means are the recorded means, or
  those the same dimensions show: deception, force or other coercion, abuse of a position of vulnerability
  (``MEANS_SHOWN_BY``). The purpose is a recorded purpose, intended exploitation, or a positive exploitation
  dimension. Consent and cooperation with the authorities are never read (``context`` is not passed here).
* Near miss. Exploitation positive but not presumed: refer to assistance and keep screening.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import NamedTuple

from opennrm.screening.catalogue import Catalogue
from opennrm.screening.dimension_rule import dimension_combination
from opennrm.screening.input import ScreeningInput
from opennrm.screening.vocabulary import (
    ACT_SHOWN_BY,
    ADULT_AGE,
    DESTINATION_DIMENSIONS,
    MEANS_SHOWN_BY,
    RECRUITMENT_DIMENSIONS,
    Act,
    Combination,
    Dimension,
    ExploitationForm,
    Means,
    Profile,
    Purpose,
    Rule,
    Strength,
)


class Element(StrEnum):
    """The elements of the Palermo art. 3 definition."""

    ACT = "act"
    MEANS = "means"
    PURPOSE = "purpose"


class IloPart(StrEnum):
    """The three parts of the ILO rule for adults."""

    RECRUITMENT = "recruitment"
    EXPLOITATION = "exploitation"
    DESTINATION = "destination"


class IndicatorFinding(NamedTuple):
    """An indicator recorded as present and its strength in the person's list (``None``: not in the list)."""

    id: str
    strength: Strength | None


class DimensionFinding(NamedTuple):
    dimension: Dimension
    indicators: tuple[IndicatorFinding, ...]
    combination: Combination | None

    @property
    def positive(self) -> bool:
        return self.combination is not None


@dataclass(frozen=True, slots=True)
class PresumedVictimDetermination:
    """The outcome of one screening, in codes (no language): what was found and why."""

    presumed_victim: bool
    child: bool
    age_presumption: bool
    """True when the person is a child only because of the age presumption."""
    profile: Profile
    rule: Rule
    rules_met: tuple[Rule, ...]
    dimensions: Mapping[Dimension, DimensionFinding]
    near_miss: bool
    acts: tuple[Act, ...]
    act_shown_by: tuple[Dimension, ...]
    """Positive dimensions that show an act: recruitment dimensions (recruitment), coercion at destination
    (harbouring)."""
    means: tuple[Means, ...]
    """The means recorded."""
    means_shown_by: tuple[Dimension, ...]
    """Positive dimensions that show a means (see ``MEANS_SHOWN_BY``)."""
    purposes: tuple[Purpose, ...]
    exploitation_seen: bool
    exploitation_intended: bool
    ilo_used: bool
    """The ILO rule is used: an adult, and a list that is not provisional."""
    ilo_missing: tuple[IloPart, ...]
    """The parts of the ILO rule that are not positive (empty when the rule is not used)."""
    elements_missing: tuple[Element, ...]
    """The Palermo elements the person's rule needs and lacks (a child's rule needs no means)."""
    provisional: bool
    catalogue_version: str

    @property
    def positive_dimensions(self) -> tuple[Dimension, ...]:
        return tuple(dimension for dimension, finding in self.dimensions.items() if finding.positive)

    @property
    def acts_shown(self) -> tuple[Act, ...]:
        """The acts the positive dimensions show, in the order of ``Act``."""
        shown = {ACT_SHOWN_BY[d] for d in self.act_shown_by}
        return tuple(a for a in _ACTS if a in shown)

    @property
    def means_shown(self) -> tuple[Means, ...]:
        """The means the positive dimensions show, in the order of ``Means``."""
        shown = {m for d in self.means_shown_by for m in MEANS_SHOWN_BY[d]}
        return tuple(m for m in _MEANS if m in shown)


def is_child(age: int | None, *, age_uncertain: bool, reasons_to_believe_minor: bool) -> tuple[bool, bool]:
    """(treated as a child, only because of the age presumption). No recorded age counts as uncertain."""
    if age is not None and age < ADULT_AGE:
        return True, False
    presumed = reasons_to_believe_minor and (age_uncertain or age is None)
    return presumed, presumed


# Enum members and class iteration are slow to reach in CPython 3.11; the hot path uses these bindings.
_DIMENSIONS: tuple[Dimension, ...] = tuple(Dimension)
_ACTS: tuple[Act, ...] = tuple(Act)
_MEANS: tuple[Means, ...] = tuple(Means)
_PURPOSES: tuple[Purpose, ...] = tuple(Purpose)
_EXPLOITATION = Dimension.EXPLOITATION
_SHOW_ACT: tuple[Dimension, ...] = tuple(d for d in _DIMENSIONS if d in ACT_SHOWN_BY)
_SHOW_MEANS: tuple[Dimension, ...] = tuple(d for d in _DIMENSIONS if d in MEANS_SHOWN_BY)
_NOTHING_SEEN: dict[Dimension, DimensionFinding] = {d: DimensionFinding(d, (), None) for d in _DIMENSIONS}
_PROFILE_FOR: dict[tuple[bool, ExploitationForm], Profile] = {
    (child, form): Profile.for_person(child=child, form=form)
    for child in (False, True)
    for form in ExploitationForm
}
_ACT, _MEANS_ELEMENT, _PURPOSE = Element.ACT, Element.MEANS, Element.PURPOSE
_RECRUITMENT, _EXPLOITATION_PART, _DESTINATION = (
    IloPart.RECRUITMENT,
    IloPart.EXPLOITATION,
    IloPart.DESTINATION,
)
_ILO_ADULT, _PALERMO_ADULT, _PALERMO_CHILD, _NO_RULE = (
    Rule.ILO_ADULT,
    Rule.PALERMO_ADULT,
    Rule.PALERMO_CHILD,
    Rule.NONE,
)


@lru_cache(maxsize=64)
def _findings(catalogue: Catalogue) -> dict[Profile, dict[str, tuple[Dimension, IndicatorFinding]]]:
    """Per profile: each indicator's dimension and its (immutable, shared) finding."""
    return {
        profile: {
            key: (indicator.dimension, IndicatorFinding(key, profile_list.strengths.get(key)))
            for key, indicator in catalogue.indicators.items()
        }
        for profile, profile_list in catalogue.profiles.items()
    }


def determine(screening: ScreeningInput, catalogue: Catalogue) -> PresumedVictimDetermination:
    """Apply the rules to checked input. Pure: the same input and catalogue always give the same result."""
    child, by_presumption = is_child(
        screening.age,
        age_uncertain=screening.age_uncertain,
        reasons_to_believe_minor=screening.reasons_to_believe_minor,
    )
    profile = _PROFILE_FOR[child, screening.exploitation_form]
    profile_list = catalogue.profiles[profile]

    dimensions: dict[Dimension, DimensionFinding] = dict(_NOTHING_SEEN)
    positive: set[Dimension] = set()
    if screening.indicators:
        findings = _findings(catalogue)[profile]
        observed: dict[Dimension, list[IndicatorFinding]] = {}
        for indicator_id in sorted(screening.indicators, key=catalogue.positions.__getitem__):
            dimension, finding = findings[indicator_id]
            observed.setdefault(dimension, []).append(finding)
        for dimension, found in observed.items():
            combination = dimension_combination([f.strength for f in found if f.strength is not None])
            dimensions[dimension] = DimensionFinding(dimension, tuple(found), combination)
            if combination is not None:
                positive.add(dimension)

    act_shown_by = tuple(d for d in _SHOW_ACT if d in positive) if positive else ()
    means_shown_by = tuple(d for d in _SHOW_MEANS if d in positive) if positive else ()
    exploitation_seen = _EXPLOITATION in positive
    act = bool(screening.acts) or bool(act_shown_by)
    means = bool(screening.means) or bool(means_shown_by)
    purpose = bool(screening.purposes) or screening.exploitation_intended or exploitation_seen
    ilo_used = not child and not profile_list.provisional

    rules_met: list[Rule] = []
    missing: list[Element] = []
    ilo: list[IloPart] = []
    if not act:
        missing.append(_ACT)
    if child:
        if not purpose:
            missing.append(_PURPOSE)
        if not missing:
            rules_met.append(_PALERMO_CHILD)
    else:
        if not means:
            missing.append(_MEANS_ELEMENT)
        if not purpose:
            missing.append(_PURPOSE)
        if ilo_used:
            if not any(d in positive for d in RECRUITMENT_DIMENSIONS):
                ilo.append(_RECRUITMENT)
            if not exploitation_seen:
                ilo.append(_EXPLOITATION_PART)
            if not any(d in positive for d in DESTINATION_DIMENSIONS):
                ilo.append(_DESTINATION)
            if not ilo:
                rules_met.append(_ILO_ADULT)
        if not missing:
            rules_met.append(_PALERMO_ADULT)

    presumed = bool(rules_met)
    return PresumedVictimDetermination(
        presumed_victim=presumed,
        child=child,
        age_presumption=by_presumption,
        profile=profile,
        rule=rules_met[0] if rules_met else _NO_RULE,
        rules_met=tuple(rules_met),
        dimensions=MappingProxyType(dimensions),
        near_miss=exploitation_seen and not presumed,
        acts=tuple(a for a in _ACTS if a in screening.acts) if screening.acts else (),
        act_shown_by=act_shown_by,
        means=tuple(m for m in _MEANS if m in screening.means) if screening.means else (),
        means_shown_by=means_shown_by,
        purposes=tuple(p for p in _PURPOSES if p in screening.purposes) if screening.purposes else (),
        exploitation_seen=exploitation_seen,
        exploitation_intended=screening.exploitation_intended,
        ilo_used=ilo_used,
        ilo_missing=tuple(ilo),
        elements_missing=tuple(missing),
        provisional=profile_list.provisional,
        catalogue_version=catalogue.catalogue_version,
    )
