"""Counting right: persons not cases, consent, which case wins, GR38 §110 categories, child line at 18."""

from __future__ import annotations

import numpy as np
import pytest

from opennrm.stats.dimensions import (
    NationalClassification,
    all_combinations,
    category_codes,
    exploitation_form,
    nrm_dimensions,
    with_margins,
)
from opennrm.stats.records import StatRecord, count_persons, merge_person
from opennrm.stats.tables import count_table, frame_from_persons

DIMS = nrm_dimensions(
    NationalClassification(years=(2023, 2024), regions=("north", "south"), ethnicities=("a",))
)


def case(person: str, case_key: str, year: int | None = 2024, **kw: object) -> StatRecord:
    kw.setdefault("consent_statistics", True)
    return StatRecord(person_key=person, case_key=case_key, year=year, **kw)  # type: ignore[arg-type]


def test_a_person_with_several_cases_is_counted_once() -> None:
    records = [
        case("p1", "c1", sex="female"),
        case("p1", "c2", sex="female"),
        case("p1", "c3", sex="female"),
        case("p2", "c4", sex="male"),
    ]
    counted = count_persons(records)
    assert counted.cases_read == 4
    assert counted.counted == 2
    frame = frame_from_persons(counted.persons, DIMS, ["sex"])
    table = count_table(frame, ["sex"])
    assert table.value(sex="female") == 1
    assert table.value(sex="male") == 1
    assert table.total == 2


def test_person_counted_in_the_year_of_her_first_case_only() -> None:
    counted = count_persons([case("p1", "b", year=2024), case("p1", "a", year=2023)])
    frame = frame_from_persons(counted.persons, DIMS, ["year"])
    table = count_table(frame, ["year"])
    assert table.value(year="2023") == 1
    assert table.value(year="2024") == 0


def test_refusal_of_consent_on_any_case_removes_the_person() -> None:
    records = [
        case("p1", "c1"),
        case("p1", "c2", consent_statistics=False),
        case("p2", "c3"),
        StatRecord("p3", "c4", 2024),  # consent not recorded: not counted
    ]
    counted = count_persons(records)
    assert [p.person_key for p in counted.persons] == ["p2"]
    assert counted.left_out_no_consent == 2


def test_persons_found_not_to_be_victims_are_not_counted() -> None:
    counted = count_persons(
        [
            case("p1", "c1", trafficking_status="not_a_victim"),
            case("p2", "c2", trafficking_status="not_a_victim"),
            case("p2", "c3", trafficking_status="presumed_victim"),
        ]
    )
    assert [p.person_key for p in counted.persons] == ["p2"]
    assert counted.persons[0].trafficking_status == "presumed_victim"
    assert counted.left_out_not_victim == 1


def test_first_case_wins_and_unknowns_are_filled_from_later_cases() -> None:
    merged = merge_person(
        [
            case("p", "c2", year=2024, sex="male", age_at_trafficking=30, region="south"),
            case("p", "c1", year=2023, sex="female", age_at_trafficking=None, region=None),
        ]
    )
    assert merged.case_key == "c1"
    assert merged.year == 2023
    assert merged.sex == "female"  # the first case's known value wins
    assert merged.age_at_trafficking == 30  # unknown on the first case, taken from the next
    assert merged.region == "south"


def test_forms_of_exploitation_and_disabilities_are_the_union_over_cases() -> None:
    merged = merge_person(
        [
            case(
                "p",
                "c1",
                exploitation_types=frozenset({"sexual_exploitation"}),
                disability=frozenset({"none"}),
            ),
            case(
                "p", "c2", exploitation_types=frozenset({"forced_labour"}), disability=frozenset({"hearing"})
            ),
        ]
    )
    assert merged.exploitation_types == {"sexual_exploitation", "forced_labour"}
    assert merged.disability == {"hearing"}
    assert exploitation_form(merged.exploitation_types) == "sexual_and_labour"


def test_child_adult_line_is_18() -> None:
    persons = [case(f"p{a}", "c", age_at_trafficking=a) for a in (0, 17, 18, 65)] + [case("px", "c")]
    codes = category_codes(persons, DIMS["age_group"])
    assert [DIMS["age_group"].categories[c] for c in codes] == ["child", "child", "adult", "adult", "unknown"]


def test_age_bands_follow_ctdc() -> None:
    persons = [case(f"p{a}", "c", age_at_trafficking=a) for a in (8, 9, 17, 18, 47, 48)]
    codes = category_codes(persons, DIMS["age_band"])
    assert [DIMS["age_band"].categories[c] for c in codes] == ["0-8", "9-17", "9-17", "18-20", "39-47", "48+"]


def test_values_outside_public_lists_become_other_and_missing_become_unknown() -> None:
    persons = [case("a", "c", region="north"), case("b", "c", region="atlantis"), case("c", "c", region=None)]
    codes = category_codes(persons, DIMS["region"])
    assert [DIMS["region"].categories[c] for c in codes] == ["north", "other", "unknown"]


@pytest.mark.parametrize(
    ("types", "form"),
    [
        (set(), "unknown"),
        ({"sexual_exploitation"}, "sexual"),
        ({"forced_labour", "servitude"}, "labour"),
        ({"child_labour", "sexual_exploitation"}, "sexual_and_labour"),
        ({"forced_marriage"}, "other"),
    ],
)
def test_form_of_exploitation(types: set[str], form: str) -> None:
    assert exploitation_form(frozenset(types)) == form


def test_every_gr38_dimension_is_available_by_year() -> None:
    gr38 = {"sex", "age_group", "disability", "ethnicity", "nationality", "migration_status", "region"}
    assert gr38 | {"socioeconomic", "exploitation", "year"} <= set(DIMS)


def test_invalid_codes_are_refused() -> None:
    with pytest.raises(ValueError, match="sex"):
        StatRecord("p", "c", 2024, sex="woman")
    with pytest.raises(ValueError, match="exploitation_types"):
        StatRecord("p", "c", 2024, exploitation_types=frozenset({"trafficking"}))


def test_margins_of_a_table_add_up() -> None:
    rng = np.random.default_rng(1)
    persons = [
        case(
            f"p{i}", "c", sex=str(rng.choice(["female", "male"])), age_at_trafficking=int(rng.integers(0, 60))
        )
        for i in range(300)
    ]
    frame = frame_from_persons(persons, DIMS, ["sex", "age_group"])
    full = count_table(frame, ["sex", "age_group"])
    assert np.array_equal(full.margin(["sex"]).values, count_table(frame, ["sex"]).values)
    assert np.array_equal(full.margin(["age_group", "sex"]).values, full.values.T)


def test_table_lists() -> None:
    assert len(all_combinations(["a", "b", "c", "d"], 3)) == 14
    assert with_margins([("a", "b")]) == [("a",), ("b",), ("a", "b")]
