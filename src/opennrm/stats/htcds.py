"""One case as one row of an HTCDS v2.0 CSV file, and back (``opennrm htcds export`` / ``import``).

Field names and picklist values: "Human Trafficking Case Data Standard (HTCDS) by IOM", v2.0
(24 December 2021), CC BY 4.0 — ``HTCDS Field Standards 2.0.ods`` of UNMigration/HTCDS at commit 3c2f6537
(copy and provenance in ``shared/data/htcds/``; the picklist mapping of our codes is in
``opennrm.domain.vocabularies.HTCDS``). A test checks every column and value against that file.

Conventions of the CSV (HTCDS prescribes none): one case per row; a multiselect picklist holds its value
names separated by ``;`` (as Salesforce stores them); dates are ISO 8601 (``YYYY-MM-DD``); checkboxes are
``true``/``false``; countries are ISO 3166-1 alpha-2 and languages ISO 639-1 codes.

Columns that HTCDS lacks and GR38 §110 needs (sex, migration status, disability, ethnicity,
socio-economic markers, region) and our keys travel in ``opennrm_…`` extension columns. Where HTCDS has
one value for several of our codes (for example ``PossibleVictimOfTrafficking`` for both possible and
presumed victims), the exact code also goes in an ``opennrm_…`` column so that an export re-imports to the
same data; a file from another system without those columns imports with the first matching code.

A *record* here is a plain ``dict`` with the keys of ``FIELDS`` (absent or ``None`` or empty = not
recorded); lists hold vocabulary codes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from opennrm.domain.iso_codes import COUNTRIES, LANGUAGES
from opennrm.domain.vocabularies import (
    HTCDS,
    CaseStatus,
    Disability,
    EducationLevel,
    ExploitationType,
    Gender,
    MeansOfControl,
    MigrationStatus,
    OnlinePlatform,
    RecruiterRelationship,
    RecruitmentMethod,
    Sex,
    SocioeconomicMarker,
    TraffickingStatus,
    codes,
)

SEPARATOR = ";"
EXTENSION_PREFIX = "opennrm_"
TEXT_MAX = 1000


@dataclass(frozen=True)
class HtcdsField:
    key: str
    column: str
    kind: str  # text, date, integer, checkbox, picklist, multipicklist, countries, language
    vocabulary: type[StrEnum] | None = None

    @property
    def is_extension(self) -> bool:
        return self.column.startswith(EXTENSION_PREFIX)

    @property
    def lossy(self) -> bool:
        """HTCDS cannot tell some of our codes apart (or has no value for some)."""
        if self.vocabulary is None or self.is_extension:
            return False
        names = list(HTCDS[self.vocabulary].names.values())
        return None in names or len(set(names)) != len(names)

    @property
    def exact_column(self) -> str:
        return f"{EXTENSION_PREFIX}{self.key}"


FIELDS: tuple[HtcdsField, ...] = (
    HtcdsField("person_key", "opennrm_person_key", "text"),
    HtcdsField("case_key", "opennrm_case_key", "text"),
    HtcdsField("survivor_code", "opennrm_survivor_code", "text"),
    HtcdsField("given_name", "prs_FirstName", "text"),
    HtcdsField("middle_name", "prs_MiddleName", "text"),
    HtcdsField("family_name", "prs_SecondName", "text"),
    HtcdsField("birth_date", "prs_Birthdate", "date"),
    HtcdsField("gender", "prs_Gender", "picklist", Gender),
    HtcdsField("citizenship", "prs_Citizenship", "countries"),
    HtcdsField("primary_language", "prs_PrimaryLanguage", "language"),
    HtcdsField("secondary_language", "prs_SecondaryLanguage", "language"),
    HtcdsField("education", "prs_HighestLevelOfEducation", "picklist", EducationLevel),
    HtcdsField("trafficking_status", "vic_TraffickingStatus", "picklist", TraffickingStatus),
    HtcdsField("recruiter_relationship", "vic_RelationshipToTrafficker", "picklist", RecruiterRelationship),
    HtcdsField("age_at_trafficking", "vic_AgeWhenTrafficked", "integer"),
    HtcdsField("recruitment_platforms", "vic_RecruitmentWebsitesAndApps", "multipicklist", OnlinePlatform),
    HtcdsField("recruitment_methods", "vic_MethodOfRecruitment", "multipicklist", RecruitmentMethod),
    HtcdsField("means_of_control", "vic_MethodsOfControl", "multipicklist", MeansOfControl),
    HtcdsField("exploitation_types", "vic_TypeOfExploitation", "multipicklist", ExploitationType),
    HtcdsField("exploitation_platforms", "vic_ExploitationWebsitesAndApps", "multipicklist", OnlinePlatform),
    HtcdsField("status", "cas_Status", "picklist", CaseStatus),
    HtcdsField("consent", "con_Consent", "checkbox"),
    HtcdsField("identified_on", "opennrm_identified_on", "date"),
    HtcdsField("sex", "opennrm_sex", "picklist", Sex),
    HtcdsField("migration_status", "opennrm_migration_status", "picklist", MigrationStatus),
    HtcdsField("disability", "opennrm_disability", "multipicklist", Disability),
    HtcdsField("ethnicity", "opennrm_ethnicity", "text"),
    HtcdsField("socioeconomic", "opennrm_socioeconomic", "multipicklist", SocioeconomicMarker),
    HtcdsField("region", "opennrm_region", "text"),
    HtcdsField("consent_statistics", "opennrm_consent_statistics", "checkbox"),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}


def columns() -> list[str]:
    """The CSV header, in order: each field's column, then its exact-code column where HTCDS is lossy."""
    out: list[str] = []
    for f in FIELDS:
        out.append(f.column)
        if f.lossy:
            out.append(f.exact_column)
    return out


COLUMNS: tuple[str, ...] = tuple(columns())
#: The HTCDS v2.0 columns used (without our extension columns).
HTCDS_COLUMNS: tuple[str, ...] = tuple(f.column for f in FIELDS if not f.is_extension)


@dataclass(frozen=True)
class HtcdsProblem:
    """Something in a row that does not fit; the rest of the row is still read."""

    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"{self.column}={self.value!r}: {self.message}"


def _vocabulary(f: HtcdsField) -> type[StrEnum]:
    if f.vocabulary is None:
        raise TypeError(f"{f.key} has no vocabulary")
    return f.vocabulary


# --- export --------------------------------------------------------------------------------------------


def _as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v) for v in value]
    raise ValueError(f"expected a list of codes, got {type(value).__name__}")


def _in_order(vocabulary: type[StrEnum], values: list[str]) -> list[str]:
    allowed = codes(vocabulary)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"{vocabulary.__name__}: {', '.join(bad)} not one of {', '.join(allowed)}")
    return [c for c in allowed if c in set(values)]


def _htcds_name(vocabulary: type[StrEnum], code: str) -> str | None:
    if vocabulary in HTCDS:
        return HTCDS[vocabulary].names[code]
    return code  # extension picklists carry our codes


def to_htcds_row(record: Mapping[str, object]) -> dict[str, str]:
    """The CSV row of one case (every column of ``COLUMNS``; "" where nothing is recorded).

    Raises ``ValueError`` for a key or code that is not ours (a programming error, not user input)."""
    unknown = sorted(set(record) - set(FIELDS_BY_KEY))
    if unknown:
        raise ValueError(f"unknown record key(s): {', '.join(unknown)}")
    row = dict.fromkeys(COLUMNS, "")
    for f in FIELDS:
        value = record.get(f.key)
        if value is None or value == "" or value == []:
            continue
        if f.kind in ("picklist", "multipicklist"):
            chosen = _in_order(_vocabulary(f), _as_list(value))
            if f.kind == "picklist" and len(chosen) != 1:
                raise ValueError(f"{f.key}: one code expected")
            names = list(
                dict.fromkeys(n for c in chosen if (n := _htcds_name(_vocabulary(f), c)) is not None)
            )
            row[f.column] = SEPARATOR.join(names)
            if f.lossy:
                row[f.exact_column] = SEPARATOR.join(chosen)
        elif f.kind == "countries":
            row[f.column] = SEPARATOR.join(sorted({c.upper() for c in _as_list(value)}))
        elif f.kind == "date":
            row[f.column] = value.isoformat() if isinstance(value, dt.date) else str(value)
        elif f.kind == "checkbox":
            if not isinstance(value, bool):
                raise ValueError(f"{f.key}: true or false expected")
            row[f.column] = "true" if value else "false"
        elif f.kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{f.key}: a whole number expected")
            row[f.column] = str(value)
        else:
            row[f.column] = str(value)
    return row


# --- import --------------------------------------------------------------------------------------------


def _reverse(vocabulary: type[StrEnum]) -> dict[str, str]:
    """HTCDS value name -> our code: the code named like the value if there is one, else the first."""
    out: dict[str, str] = {}
    for code, name in HTCDS[vocabulary].names.items():
        if name is None:
            continue
        same = name.lower() == code.replace("_", "").lower()
        if name not in out or same:
            out[name] = code
    return out


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def from_htcds_row(row: Mapping[str, str | None]) -> tuple[dict[str, object], list[HtcdsProblem]]:
    """The record in one CSV row and the problems found. Values that do not fit are left out and reported;
    columns we do not know are ignored (see ``check_header``)."""
    record: dict[str, object] = {}
    problems: list[HtcdsProblem] = []
    for f in FIELDS:
        raw = (row.get(f.column) or "").strip()
        exact = (row.get(f.exact_column) or "").strip() if f.lossy else ""
        if not raw and not exact:
            continue
        value = _read(f, raw, exact, problems)
        if value is not None and value != []:
            record[f.key] = value
    return record, problems


def _read(f: HtcdsField, raw: str, exact: str, problems: list[HtcdsProblem]) -> object:
    def problem(message: str, value: str = raw, column: str = f.column) -> None:
        problems.append(HtcdsProblem(column, value, message))

    if f.kind == "text":
        if len(raw) > TEXT_MAX:
            problem(f"longer than {TEXT_MAX} characters")
            return None
        return raw
    if f.kind == "date":
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            problem("not a date (YYYY-MM-DD)")
            return None
    if f.kind == "integer":
        try:
            number = int(raw)
        except ValueError:
            problem("not a whole number")
            return None
        if not 0 <= number <= 120:
            problem("outside 0–120")
            return None
        return number
    if f.kind == "checkbox":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        problem("not true or false")
        return None
    if f.kind == "countries":
        found = []
        for part in _split(raw):
            if part.upper() in COUNTRIES:
                found.append(part.upper())
            else:
                problem("not an ISO 3166-1 alpha-2 country code", part)
        return sorted(set(found))
    if f.kind == "language":
        if raw.lower() in LANGUAGES:
            return raw.lower()
        problem("not an ISO 639-1 language code")
        return None
    return _read_picklist(f, _vocabulary(f), raw, exact, problems)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(SEPARATOR) if p.strip()]


def _read_picklist(
    f: HtcdsField, vocabulary: type[StrEnum], raw: str, exact: str, problems: list[HtcdsProblem]
) -> object:
    allowed = codes(vocabulary)
    if f.is_extension:  # our own codes
        parts = _split(raw)
        bad = [p for p in parts if p not in allowed]
        for p in bad:
            problems.append(HtcdsProblem(f.column, p, f"not one of: {', '.join(allowed)}"))
        good = [c for c in allowed if c in parts]
        return _single(f, good, raw, problems)
    reverse = _reverse(vocabulary)
    names = _split(raw)
    unknown = [n for n in names if n not in reverse]
    for n in unknown:
        problems.append(HtcdsProblem(f.column, n, f"not an HTCDS value of {f.column}"))
    names = [n for n in names if n in reverse]
    chosen = [reverse[n] for n in names]
    if exact:
        exact_codes = _split(exact)
        valid = all(c in allowed for c in exact_codes)
        if valid:
            mapped = {HTCDS[vocabulary].names[c] for c in exact_codes} - {None}
            if mapped == set(names) or (not names and not unknown and not mapped):
                chosen = exact_codes
            else:
                problems.append(
                    HtcdsProblem(
                        f.exact_column, exact, f"does not match {f.column}; the HTCDS value was used"
                    )
                )
        else:
            problems.append(HtcdsProblem(f.exact_column, exact, f"not one of: {', '.join(allowed)}"))
    good = [c for c in allowed if c in set(chosen)]
    return _single(f, good, raw, problems)


def _single(f: HtcdsField, good: list[str], raw: str, problems: list[HtcdsProblem]) -> object:
    if f.kind == "multipicklist":
        return good
    if len(good) > 1:
        problems.append(HtcdsProblem(f.column, raw, "one value expected"))
        return None
    return good[0] if good else None


def check_header(header: list[str]) -> list[HtcdsProblem]:
    """Columns a file has that we do not read (reported once per file, not per row)."""
    known = set(COLUMNS)
    return [HtcdsProblem(c, "", "column not read by OpenNRM") for c in header if c not in known]


def normalise(record: Mapping[str, object]) -> dict[str, object]:
    """A record in the form ``from_htcds_row`` returns: empty values dropped, codes in vocabulary order,
    dates as ISO text. ``from_htcds_row(to_htcds_row(r))[0] == normalise(r)`` for every valid record."""
    out: dict[str, object] = {}
    for f in FIELDS:
        value = record.get(f.key)
        if value is None or value == "" or value == [] or value == ():
            continue
        if f.kind == "multipicklist":
            value = _in_order(_vocabulary(f), _as_list(value))
            if not value:
                continue
        elif f.kind == "countries":
            value = sorted({c.upper() for c in _as_list(value)})
        elif f.kind == "date" and isinstance(value, dt.date):
            value = value.isoformat()
        elif f.kind == "language" and isinstance(value, str):
            value = value.lower()
        out[f.key] = value
    return out
