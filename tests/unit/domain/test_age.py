"""The one child predicate (GR38 §96): who is presumed a child, on which date."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennrm.domain.age import AgeFacts, child_when_trafficked, completed_years, presumed_child

TODAY = dt.date(2026, 12, 6)


@pytest.mark.parametrize(
    ("facts", "child_today", "child_then"),
    [
        # nothing known: not presumed, and unknown for the statistics
        (AgeFacts(), False, None),
        # nothing known but reasons to believe she is a minor: a child (§96)
        (AgeFacts(reasons_to_believe_minor=True), True, True),
        # an age on record that is uncertain, with reasons to believe she is younger: still a child
        (AgeFacts(age_at_trafficking=19, age_uncertain=True, reasons_to_believe_minor=True), True, True),
        # born in 1999, trafficked at 16: a child victim, but an adult who decides for herself today
        (AgeFacts(birth_date=dt.date(1999, 3, 2), age_at_trafficking=16), False, True),
        # 16 when trafficked a year ago, no birth date: at least 17 now, still a child
        (AgeFacts(age_at_trafficking=16, trafficked_on=dt.date(2025, 11, 1)), True, True),
        # 16 when trafficked three years ago: at least 19 now
        (AgeFacts(age_at_trafficking=16, trafficked_on=dt.date(2023, 11, 1)), False, True),
        # only the identification date: she was at least 16 then, so at least 18 two years on
        (AgeFacts(age_at_trafficking=16, identified_on=dt.date(2024, 12, 6)), False, True),
        # a birth date that makes her 17 today
        (AgeFacts(birth_date=dt.date(2009, 12, 7)), True, True),
        (AgeFacts(birth_date=dt.date(2008, 12, 6)), False, False),
    ],
)
def test_presumed_child(facts: AgeFacts, child_today: bool, child_then: bool | None) -> None:
    assert presumed_child(facts, TODAY) is child_today
    assert child_when_trafficked(facts) is child_then


def test_reasons_to_believe_she_is_a_minor_put_a_stated_adult_age_in_doubt() -> None:
    """A girl who says she is 19, with reasons to believe she is younger, is a child for every protective
    rule: the reasons make the stated age uncertain (GR38 §96), whether or not the box was ticked."""
    assert presumed_child(AgeFacts(age_at_trafficking=19, reasons_to_believe_minor=True), TODAY)
    assert child_when_trafficked(AgeFacts(age_at_trafficking=19, reasons_to_believe_minor=True))
    assert not presumed_child(AgeFacts(age_at_trafficking=19), TODAY)


@given(
    born=st.dates(dt.date(1950, 1, 1), dt.date(2026, 1, 1)),
    on=st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1)),
)
def test_a_birth_date_decides_by_completed_years(born: dt.date, on: dt.date) -> None:
    facts = AgeFacts(birth_date=born)
    assert presumed_child(facts, on) == (completed_years(born, on) < 18)


@given(st.booleans(), st.booleans(), st.none() | st.integers(0, 80))
def test_uncertain_age_with_reasons_is_always_a_child(
    uncertain: bool, reasons: bool, age: int | None
) -> None:
    facts = AgeFacts(age_at_trafficking=age, age_uncertain=uncertain, reasons_to_believe_minor=reasons)
    if reasons and (uncertain or age is None):
        assert presumed_child(facts, TODAY)
