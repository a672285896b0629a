"""HTCDS v2.0 rows: an export re-imports to the same data; rows that do not fit are reported."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from opennrm.domain.vocabularies import HTCDS, codes
from opennrm.stats.htcds import (
    COLUMNS,
    FIELDS,
    HTCDS_COLUMNS,
    check_header,
    from_htcds_row,
    normalise,
    to_htcds_row,
)

FULL = {
    "person_key": "P-1",
    "case_key": "C-1",
    "survivor_code": "SV-0001",
    "given_name": "Amina",
    "family_name": "Diallo",
    "birth_date": dt.date(1999, 4, 2),
    "gender": "feminine",
    "citizenship": ["SN", "fr"],
    "primary_language": "FR",
    "education": "none",
    "trafficking_status": "presumed_victim",
    "recruiter_relationship": "intimate_partner",
    "age_at_trafficking": 17,
    "recruitment_platforms": ["job_board", "facebook"],
    "recruitment_methods": ["online_advertisement", "unknown"],
    "means_of_control": ["withholds_documents", "debt_bondage"],
    "exploitation_types": ["forced_criminality", "sexual_exploitation"],
    "exploitation_platforms": ["telegram"],
    "status": "case_plan",
    "consent": True,
    "identified_on": "2024-03-01",
    "sex": "female",
    "migration_status": "migrant_irregular",
    "disability": ["hearing", "mobility"],
    "ethnicity": "group_a",
    "socioeconomic": ["debt", "poverty"],
    "region": "north",
    "consent_statistics": False,
}


def through_csv(records: list[dict[str, object]]) -> list[dict[str, str]]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(to_htcds_row(r) for r in records)
    return list(csv.DictReader(io.StringIO(buffer.getvalue())))


def test_an_export_reimports_to_the_same_data() -> None:
    [row] = through_csv([FULL])
    record, problems = from_htcds_row(row)
    assert problems == []
    assert record == normalise(FULL)


def test_codes_htcds_cannot_tell_apart_survive_the_round_trip() -> None:
    row = to_htcds_row(FULL)
    assert row["vic_TraffickingStatus"] == "PossibleVictimOfTrafficking"  # HTCDS has no "presumed"
    assert row["vic_TypeOfExploitation"] == "SexualExploitation;Other"
    assert row["opennrm_trafficking_status"] == "presumed_victim"
    record, _ = from_htcds_row(row)
    assert record["trafficking_status"] == "presumed_victim"
    assert record["exploitation_types"] == ["sexual_exploitation", "forced_criminality"]


def test_a_file_from_another_system_imports_with_the_standard_values() -> None:
    record, problems = from_htcds_row(
        {
            "prs_Gender": "Masculine",
            "vic_TraffickingStatus": "ActualVictimOfTrafficking",
            "vic_TypeOfExploitation": "ForcedLabour;Other",
            "vic_RelationshipToTrafficker": "Acquainted",
            "cas_Status": "Active",
            "prs_Citizenship": "NP",
        }
    )
    assert problems == []
    assert record == {
        "gender": "masculine",
        "trafficking_status": "actual_victim",
        "exploitation_types": ["forced_labour", "other"],
        "recruiter_relationship": "acquainted",
        "status": "new",
        "citizenship": ["NP"],
    }


def test_values_that_do_not_fit_are_reported_and_left_out() -> None:
    record, problems = from_htcds_row(
        {
            "prs_Gender": "Female",
            "vic_TypeOfExploitation": "ForcedLabour;Slavery",
            "vic_AgeWhenTrafficked": "two",
            "prs_Birthdate": "31/12/1990",
            "prs_Citizenship": "SN;XX1",
            "con_Consent": "maybe",
            "opennrm_sex": "woman",
        }
    )
    assert {p.column for p in problems} == {
        "prs_Gender",
        "vic_TypeOfExploitation",
        "vic_AgeWhenTrafficked",
        "prs_Birthdate",
        "prs_Citizenship",
        "con_Consent",
        "opennrm_sex",
    }
    assert record == {"exploitation_types": ["forced_labour"], "citizenship": ["SN"]}


def test_an_extension_column_that_contradicts_the_standard_one_is_reported() -> None:
    record, problems = from_htcds_row(
        {
            "vic_TraffickingStatus": "ActualVictimOfTrafficking",
            "opennrm_trafficking_status": "presumed_victim",
        }
    )
    assert record["trafficking_status"] == "actual_victim"
    assert [p.column for p in problems] == ["opennrm_trafficking_status"]


def test_unknown_columns_are_reported_once_per_file() -> None:
    problems = check_header([*COLUMNS, "vic_Nickname"])
    assert [p.column for p in problems] == ["vic_Nickname"]


def test_columns_and_picklist_values_are_those_of_htcds_v2(htcds_tsv: Path) -> None:
    with htcds_tsv.open(encoding="utf-8") as fh:
        rows = {r["Field Name including Prefix"]: r for r in csv.DictReader(fh, delimiter="\t")}
    for column in HTCDS_COLUMNS:
        assert column in rows, column
    for field in FIELDS:
        if field.is_extension or field.vocabulary is None:
            continue
        allowed = {v.strip() for v in rows[field.column]["Value Names (if picklist)"].split("/")}
        for code in codes(field.vocabulary):
            name = HTCDS[field.vocabulary].names[code]
            assert name is None or name in allowed, (field.column, name)
            assert name is None or name in to_htcds_row({field.key: [code]})[field.column].split(";")


def _records() -> st.SearchStrategy[dict[str, object]]:
    parts: dict[str, st.SearchStrategy[object]] = {}
    for f in FIELDS:
        if f.kind == "picklist":
            parts[f.key] = st.sampled_from(codes(f.vocabulary))  # type: ignore[arg-type]
        elif f.kind == "multipicklist":
            parts[f.key] = st.lists(st.sampled_from(codes(f.vocabulary)), max_size=4)  # type: ignore[arg-type]
        elif f.kind == "checkbox":
            parts[f.key] = st.booleans()
        elif f.kind == "integer":
            parts[f.key] = st.integers(0, 120)
        elif f.kind == "date":
            parts[f.key] = st.dates(dt.date(1900, 1, 1), dt.date(2030, 1, 1))
        elif f.kind == "countries":
            parts[f.key] = st.lists(st.sampled_from(["SN", "NP", "GB", "MX"]), max_size=3)
        elif f.kind == "language":
            parts[f.key] = st.sampled_from(["en", "fr", "ar", "zh"])
        else:
            parts[f.key] = (
                st.text(
                    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
                    min_size=1,
                    max_size=30,
                )
                .map(str.strip)
                .filter(bool)
            )
    return st.fixed_dictionaries({}, optional=parts)


@settings(max_examples=150, deadline=None)
@given(_records())
def test_any_valid_record_survives_export_and_import(record: dict[str, object]) -> None:
    [row] = through_csv([record])
    imported, problems = from_htcds_row(row)
    assert problems == []
    assert imported == normalise(record)
