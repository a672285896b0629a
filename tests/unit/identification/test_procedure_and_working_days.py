"""The national procedure as data and working-day arithmetic: shipped procedures load, bad files are refused
with the line and key at fault, enforcement organisations can never be named on a panel, and working days
skip weekends and public holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opennrm.identification.procedure import SHIPPED, ProcedureError, parse_procedure, shipped_procedure
from opennrm.identification.working_days import (
    add_working_days,
    is_working_day,
    national_holidays,
    working_days_between,
)

ENGLAND = national_holidays("GB", "ENG")
DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_procedures_load_with_two_stages_and_the_minimum_periods(name: str) -> None:
    procedure = shipped_procedure(name)
    assert [s.kind for s in procedure.stages] == ["first", "final"]
    assert procedure.recovery_days >= 30 and procedure.move_on_days >= 30
    assert procedure.panel.minimum_organisation_types >= 2
    assert not procedure.panel.member_types & {"police", "prosecution", "immigration_service"}


def _with(old: str, new: str) -> str:
    from importlib import resources

    source = resources.files("opennrm.identification").joinpath("procedures/default.yaml").read_text("utf-8")
    assert old in source
    return source.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "key", "words"),
    [
        ("member_types: [ngo,", "member_types: [police, ngo,", "panel.member_types.0", "enforcement"),
        ("recovery_days: 30", "recovery_days: 10", "recovery_days", "minimum"),
        ("move_on_days: 45", "move_on_days: 45\nsurprise: 1", "surprise", "unknown key"),
        ("    kind: final", "    kind: first", "stages", "final"),
        (
            "deciding_roles: [caseworker, supervisor]",
            "deciding_roles: [enforcement_liaison]",
            "panel.deciding_roles.0",
            "never decides",
        ),
    ],
)
def test_a_bad_procedure_is_refused_with_its_line_and_key(old: str, new: str, key: str, words: str) -> None:
    text = _with(old, new)
    with pytest.raises(ProcedureError) as refused:
        parse_procedure(text, "national.yaml")
    assert refused.value.key == key
    assert refused.value.line is not None and refused.value.line > 1
    assert words in refused.value.message
    assert str(refused.value).startswith(f"national.yaml, line {refused.value.line}, key '{key}'")


def test_deadlines_skip_weekends_and_holidays() -> None:
    friday = dt.date(2025, 4, 25)
    assert add_working_days(friday, 1) == dt.date(2025, 4, 28)  # the Monday
    # Christmas Day and Boxing Day 2025 are a Thursday and a Friday in England
    assert add_working_days(dt.date(2025, 12, 24), 1, ENGLAND) == dt.date(2025, 12, 29)
    assert working_days_between(dt.date(2025, 12, 24), dt.date(2025, 12, 29), ENGLAND) == 1


@given(DAYS, st.integers(min_value=0, max_value=300))
def test_adding_then_counting_gives_back_the_days(start: dt.date, days: int) -> None:
    end = add_working_days(start, days, ENGLAND)
    assert working_days_between(start, end, ENGLAND) == days
    assert end >= start
    if days:
        assert is_working_day(end, ENGLAND)


@given(DAYS, DAYS)
def test_counting_is_antisymmetric_and_never_counts_weekends(a: dt.date, b: dt.date) -> None:
    assert working_days_between(a, b, ENGLAND) == -working_days_between(b, a, ENGLAND)
    calendar_days = abs((b - a).days)
    assert abs(working_days_between(a, b, ENGLAND)) <= calendar_days


@given(DAYS, st.integers(min_value=1, max_value=100))
def test_more_days_is_later(start: dt.date, days: int) -> None:
    assert add_working_days(start, days) > add_working_days(start, days - 1)
