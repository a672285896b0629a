"""Hypothesis strategies for screening input."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from opennrm.screening import Act, Means, Purpose, default_catalogue

INDICATOR_IDS = list(default_catalogue().indicators)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
contexts = st.dictionaries(st.text(max_size=30), json_values, max_size=4) | st.fixed_dictionaries(
    {"consented_to_work": st.booleans(), "cooperating_with_authorities": st.booleans()}
)


def _codes(vocabulary: Any) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from([member.value for member in vocabulary]), unique=True)


screening_inputs = st.fixed_dictionaries(
    {"exploitation_form": st.sampled_from(["labour", "sexual", "other"])},
    optional={
        "age": st.none() | st.integers(0, 130),
        "age_uncertain": st.booleans(),
        "reasons_to_believe_minor": st.booleans(),
        "acts": _codes(Act),
        "means": _codes(Means),
        "purposes": _codes(Purpose),
        "exploitation_intended": st.booleans(),
        "indicators": st.lists(st.sampled_from(INDICATOR_IDS), unique=True, max_size=25),
        "context": contexts,
    },
)
"""Any valid screening input."""

child_inputs = screening_inputs.flatmap(
    lambda raw: st.one_of(
        st.integers(0, 17).map(lambda age: {**raw, "age": age}),
        st.just({**raw, "age": None, "reasons_to_believe_minor": True}),
        st.integers(18, 40).map(
            lambda age: {**raw, "age": age, "age_uncertain": True, "reasons_to_believe_minor": True}
        ),
    )
)
"""Valid input for a person treated as a child (by age or by the age presumption)."""
