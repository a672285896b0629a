"""The words of a screening: Palermo Protocol elements, ILO/EC dimensions, strengths, profiles and rules.

Palermo Protocol (UN Trafficking in Persons Protocol, 2000) art. 3(a) names the acts, the means and the
minimum purposes of exploitation; the ILO/EC *Operational indicators of trafficking in human beings* (2009)
name the six dimensions and the three strengths. The codes are ours (snake_case, used in input and output).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Act(StrEnum):
    """Palermo art. 3(a): the action element."""

    RECRUITMENT = "recruitment"
    TRANSPORTATION = "transportation"
    TRANSFER = "transfer"
    HARBOURING = "harbouring"
    RECEIPT = "receipt"


class Means(StrEnum):
    """Palermo art. 3(a): the means element (never needed for a child, art. 3(c))."""

    THREAT = "threat"
    FORCE = "force"
    COERCION = "coercion"
    ABDUCTION = "abduction"
    FRAUD = "fraud"
    DECEPTION = "deception"
    ABUSE_OF_POWER = "abuse_of_power"
    ABUSE_OF_VULNERABILITY = "abuse_of_vulnerability"
    PAYMENTS_TO_CONTROLLER = "payments_to_controller"


class Purpose(StrEnum):
    """Palermo art. 3(a): purposes of exploitation (a minimum list; ``other`` covers the rest)."""

    SEXUAL_EXPLOITATION = "sexual_exploitation"
    FORCED_LABOUR = "forced_labour"
    SLAVERY = "slavery"
    SERVITUDE = "servitude"
    ORGAN_REMOVAL = "organ_removal"
    FORCED_MARRIAGE = "forced_marriage"
    FORCED_CRIMINALITY = "forced_criminality"
    FORCED_BEGGING = "forced_begging"
    OTHER = "other"


class ExploitationForm(StrEnum):
    """Which ILO/EC list applies: labour or sexual exploitation (``other`` uses the labour list)."""

    LABOUR = "labour"
    SEXUAL = "sexual"
    OTHER = "other"


class Dimension(StrEnum):
    """The six dimensions of every ILO/EC list, in the order the lists give them."""

    DECEPTIVE_RECRUITMENT = "DR"
    COERCIVE_RECRUITMENT = "CR"
    RECRUITMENT_BY_ABUSE_OF_VULNERABILITY = "AVR"
    EXPLOITATION = "EXP"
    COERCION_AT_DESTINATION = "CD"
    ABUSE_OF_VULNERABILITY_AT_DESTINATION = "AVD"


RECRUITMENT_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension.DECEPTIVE_RECRUITMENT,
    Dimension.COERCIVE_RECRUITMENT,
    Dimension.RECRUITMENT_BY_ABUSE_OF_VULNERABILITY,
)
DESTINATION_DIMENSIONS: tuple[Dimension, ...] = (
    Dimension.COERCION_AT_DESTINATION,
    Dimension.ABUSE_OF_VULNERABILITY_AT_DESTINATION,
)

ACT_SHOWN_BY: Mapping[Dimension, Act] = {
    Dimension.DECEPTIVE_RECRUITMENT: Act.RECRUITMENT,
    Dimension.COERCIVE_RECRUITMENT: Act.RECRUITMENT,
    Dimension.RECRUITMENT_BY_ABUSE_OF_VULNERABILITY: Act.RECRUITMENT,
    Dimension.COERCION_AT_DESTINATION: Act.HARBOURING,
}
"""The act a positive dimension is evidence of: each recruitment dimension is about how the person was
recruited; coercion at destination is about how she is held there (harbouring). Reference note §1.2, §2."""

MEANS_SHOWN_BY: Mapping[Dimension, tuple[Means, ...]] = {
    Dimension.DECEPTIVE_RECRUITMENT: (Means.DECEPTION,),
    Dimension.COERCIVE_RECRUITMENT: (Means.FORCE, Means.COERCION),
    Dimension.RECRUITMENT_BY_ABUSE_OF_VULNERABILITY: (Means.ABUSE_OF_VULNERABILITY,),
    Dimension.COERCION_AT_DESTINATION: (Means.FORCE, Means.COERCION),
}
"""The means a positive dimension is evidence of, besides the act: deceptive recruitment of deception,
coercive recruitment and coercion at destination of force or other coercion, recruitment by abuse of
vulnerability of abuse of a position of vulnerability (Palermo art. 3(a))."""


class Strength(StrEnum):
    """How strongly one indicator points to trafficking, in one list and one dimension."""

    STRONG = "S"
    MEDIUM = "M"
    WEAK = "W"

    @property
    def word(self) -> str:
        """The word used in the result contract: ``strong``, ``medium`` or ``weak``."""
        return _STRENGTH_WORDS[self]


_STRENGTH_WORDS = {Strength.STRONG: "strong", Strength.MEDIUM: "medium", Strength.WEAK: "weak"}


class Profile(StrEnum):
    """One ILO/EC list: adults or children × labour or sexual exploitation."""

    ADULT_LABOUR = "adult-labour"
    CHILD_LABOUR = "child-labour"
    ADULT_SEXUAL = "adult-sexual"
    CHILD_SEXUAL = "child-sexual"

    @classmethod
    def for_person(cls, *, child: bool, form: ExploitationForm) -> Profile:
        """The list for a person: the sexual list for sexual exploitation, else the labour list."""
        if form is ExploitationForm.SEXUAL:
            return cls.CHILD_SEXUAL if child else cls.ADULT_SEXUAL
        return cls.CHILD_LABOUR if child else cls.ADULT_LABOUR


class Rule(StrEnum):
    """The rule that made the person a presumed victim (``none`` when no rule did)."""

    ILO_ADULT = "ilo_adult"
    PALERMO_ADULT = "palermo_adult"
    PALERMO_CHILD = "palermo_child"
    NONE = "none"


class Combination(StrEnum):
    """Which of the four ways of the dimension rule (reference note §1.1) made a dimension positive."""

    TWO_STRONG = "two_strong"
    STRONG_PLUS_ONE = "strong_plus_one"
    THREE_MEDIUM = "three_medium"
    TWO_MEDIUM_ONE_WEAK = "two_medium_one_weak"


ADULT_AGE = 18
"""Palermo art. 3(d): a child is any person under eighteen years of age."""
