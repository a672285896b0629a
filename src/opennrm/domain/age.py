"""Who is presumed a child (GR38 §96; Palermo Protocol art. 3(d); CETS 197 art. 10(3)).

One predicate, ``presumed_child``, answers the question for every rule that protects children — a
best-interests override of consent, a guardian and a best-interests determination, decisions about
returns, and the child counts of the statistics — so that no rule can apply a narrower test than another.

A person is presumed a child on a given date when

* her age is uncertain and there are reasons to believe she is a minor (whatever else is recorded: a
  document or an estimate may be wrong), or
* what is known of her age puts her under 18 on that date: her birth date when recorded, otherwise the
  age she had when trafficked carried forward from when she was trafficked (or, failing that, from when
  she was identified, which gives the youngest she can be).

Rules that protect her *now* (overrides, guardians, returns) ask about today; the statistics ask about the
date of the trafficking, since SDG 16.2.2 counts children who were trafficked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ADULT_AGE = 18


@dataclass(frozen=True)
class AgeFacts:
    """What the record holds about a person's age."""

    birth_date: dt.date | None = None
    age_at_trafficking: int | None = None
    trafficked_on: dt.date | None = None
    """When she had ``age_at_trafficking`` (the start of the first exploitation event), if known."""
    identified_on: dt.date | None = None
    age_uncertain: bool = False
    reasons_to_believe_minor: bool = False


def completed_years(start: dt.date, end: dt.date) -> int:
    """Whole years from ``start`` to ``end`` (negative when ``end`` comes first)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def youngest_age_on(facts: AgeFacts, on: dt.date) -> int | None:
    """The youngest age the record allows her to have on ``on``, or None when nothing is known."""
    if facts.birth_date is not None:
        return completed_years(facts.birth_date, on)
    if facts.age_at_trafficking is None:
        return None
    since = facts.trafficked_on or facts.identified_on
    if since is None or since >= on:
        return facts.age_at_trafficking
    return facts.age_at_trafficking + completed_years(since, on)


def presumed_child(facts: AgeFacts, on: dt.date) -> bool:
    """Is she to be treated as a child on ``on`` by every rule that protects children? Recorded reasons to
    believe she is a minor put any stated age in doubt (GR38 §96): they make her a child whatever age was
    written down, until an age assessment clears them."""
    if facts.reasons_to_believe_minor:
        return True
    age = youngest_age_on(facts, on)
    return age is not None and age < ADULT_AGE


def child_when_trafficked(facts: AgeFacts) -> bool | None:
    """Was she a child (or presumed one) when trafficked? None when nothing at all is known of her age."""
    if facts.birth_date is None and facts.age_at_trafficking is None and not facts.reasons_to_believe_minor:
        return None
    if facts.age_at_trafficking is not None:
        return facts.age_at_trafficking < ADULT_AGE or facts.reasons_to_believe_minor
    return presumed_child(facts, facts.trafficked_on or facts.identified_on or dt.date.today())
