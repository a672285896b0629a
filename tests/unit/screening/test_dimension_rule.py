"""The ILO/EC dimension rule (reference note §1.1): when the indicators of one dimension make it positive."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennrm.screening import Strength, dimension_combination, dimension_positive
from opennrm.screening.vocabulary import Combination

S, M, W = Strength.STRONG, Strength.MEDIUM, Strength.WEAK

# The boundary table of reference note §1.1, row by row.
BOUNDARY_CASES = [
    ([S], False),
    ([S, W], True),
    ([M, M], False),
    ([M, M, W], True),
    ([M, W, W], False),
    ([M, M, M], True),
    ([W, W, W], False),
    ([], False),
]


@pytest.mark.parametrize(("observed", "positive"), BOUNDARY_CASES, ids=lambda v: str(v))
def test_boundary_table_of_the_reference_note(observed: list[Strength], positive: bool) -> None:
    assert dimension_positive(observed) is positive


@pytest.mark.parametrize(
    ("observed", "combination"),
    [
        ([S, S], Combination.TWO_STRONG),
        ([S, M], Combination.STRONG_PLUS_ONE),
        ([W, S], Combination.STRONG_PLUS_ONE),
        ([M, M, M], Combination.THREE_MEDIUM),
        ([W, M, M], Combination.TWO_MEDIUM_ONE_WEAK),
        ([M, M], None),
    ],
)
def test_the_way_the_rule_is_met_is_named(observed: list[Strength], combination: Combination | None) -> None:
    assert dimension_combination(observed) is combination


def _reference_rule(observed: list[Strength]) -> bool:
    # Transcribed from the reference note §1.1, kept separate from the implementation on purpose.
    s, m, w = (observed.count(k) for k in (S, M, W))
    return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)


strengths = st.lists(st.sampled_from([S, M, W]), max_size=12)


@given(strengths)
def test_agrees_with_the_reference_formula_for_any_multiset(observed: list[Strength]) -> None:
    assert dimension_positive(observed) is _reference_rule(observed)


@given(st.lists(st.just(W), max_size=30))
def test_weak_indicators_alone_never_make_a_dimension_positive(observed: list[Strength]) -> None:
    assert not dimension_positive(observed)


@given(strengths, st.sampled_from([S, M, W]))
def test_one_more_indicator_never_makes_a_positive_dimension_negative(
    observed: list[Strength], extra: Strength
) -> None:
    if dimension_positive(observed):
        assert dimension_positive([*observed, extra])


@given(strengths)
def test_order_of_indicators_does_not_matter(observed: list[Strength]) -> None:
    assert dimension_positive(observed) is dimension_positive(list(reversed(observed)))
