"""Disaggregation dimensions (GR38 §110, SDG 16.2.2) with public category lists.

Every dimension has a fixed list of categories decided *before* looking at the data: the vocabularies of
``opennrm.domain.vocabularies`` or a list the statistics office supplies (years, regions, ethnic groups,
nationalities). Differential privacy needs these public keys: a category that exists only because a person
has it would itself disclose that person. Values outside a supplied list fall into ``other``; missing values
into ``unknown``.

Single-valued categories are derived from multi-valued attributes so that each person falls in exactly one
cell of every table (one contribution per person):

- ``exploitation``: ``sexual``, ``labour``, ``sexual_and_labour``, ``other``, ``unknown``. Labour means
  forced labour, child labour or servitude (``LABOUR_FORMS``); any other recorded form without these and
  without sexual exploitation is ``other``.
- ``disability``: ``with_disability`` (any Washington Group domain), ``without_disability`` (assessed,
  none), ``unknown``.
- ``socioeconomic``: ``with_risk_markers``, ``no_risk_markers`` (assessed, none), ``unknown``.
- ``age_group``: ``child`` when trafficked under 18 or presumed a child (GR38 §96), ``adult``, ``unknown``;
  ``age_band`` uses the CTDC bands (0–8, 9–17, 18–20, 21–23, 24–26, 27–29, 30–38, 39–47, 48+) so figures
  compare with CTDC.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opennrm.domain.vocabularies import (
    Disability,
    ExploitationType,
    Gender,
    MigrationStatus,
    Sex,
    TraffickingStatus,
    codes,
)
from opennrm.stats.records import VICTIM_STATUSES, StatRecord

UNKNOWN = "unknown"
OTHER = "other"

#: CTDC ``ageBroad`` bands (CTDC codebook v2, Feb 2024): (label, lowest age, highest age).
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-8", 0, 8),
    ("9-17", 9, 17),
    ("18-20", 18, 20),
    ("21-23", 21, 23),
    ("24-26", 24, 26),
    ("27-29", 27, 29),
    ("30-38", 30, 38),
    ("39-47", 39, 47),
    ("48+", 48, 200),
)

LABOUR_FORMS = frozenset(
    {
        ExploitationType.FORCED_LABOUR.value,
        ExploitationType.CHILD_LABOUR.value,
        ExploitationType.SERVITUDE.value,
    }
)
SEXUAL_FORMS = frozenset({ExploitationType.SEXUAL_EXPLOITATION.value})


@dataclass(frozen=True)
class Dimension:
    """A disaggregation variable and its public categories, in display order."""

    name: str
    label: str
    categories: tuple[str, ...]
    category_labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.categories)) != len(self.categories):
            raise ValueError(f"dimension {self.name} has repeated categories")
        if not self.categories:
            raise ValueError(f"dimension {self.name} has no categories")
        bad = [c for c in self.categories if "|" in c or "=" in c or "×" in c]
        if bad or any(ch in self.name for ch in "|=×"):
            raise ValueError(f"dimension {self.name}: names and categories may not contain | = ×")

    @property
    def size(self) -> int:
        return len(self.categories)

    def position(self, category: str) -> int:
        return self.categories.index(category)

    def label_of(self, category: str) -> str:
        return self.category_labels.get(category, category.replace("_", " "))


def _labels(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    return dict(pairs)


AGE_GROUP = Dimension(
    "age_group",
    "Age group",
    ("child", "adult", UNKNOWN),
    _labels([("child", "child (under 18)"), ("adult", "adult (18 and over)")]),
)
AGE_BAND = Dimension("age_band", "Age band", (*[b[0] for b in AGE_BANDS], UNKNOWN))
EXPLOITATION = Dimension(
    "exploitation",
    "Form of exploitation",
    ("sexual", "labour", "sexual_and_labour", OTHER, UNKNOWN),
    _labels(
        [
            ("sexual", "sexual exploitation"),
            ("labour", "forced labour"),
            ("sexual_and_labour", "sexual exploitation and forced labour"),
            (OTHER, "other forms"),
        ]
    ),
)


@dataclass(frozen=True)
class NationalClassification:
    """The lists a statistics office fixes before a release: years and national code lists."""

    years: tuple[int, ...]
    regions: tuple[str, ...] = ()
    ethnicities: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()


#: How many calendar years (ending with the current one) the default classification lists.
DEFAULT_YEARS = 10
CLASSIFICATION_LISTS = ("regions", "ethnicities", "nationalities")


def default_classification(today: dt.date) -> NationalClassification:
    """The classification used when the statistics office has written none: the ten calendar years ending
    with the current one, and no regions, ethnic groups or nationalities (every value is ``other`` or
    ``unknown`` until they are listed)."""
    return NationalClassification(years=tuple(range(today.year - DEFAULT_YEARS + 1, today.year + 1)))


def read_classification(path: Path, today: dt.date) -> NationalClassification:
    """The classification in a TOML file (``years = [2021, 2022]``, ``regions = ["North", "South"]``,
    ``ethnicities``, ``nationalities``); a list left out takes its default; no file: the defaults.

    Categories come from this file, never from the data: a category that exists because one person has it
    would itself disclose her. Raises ``ValueError`` naming the file and the list that does not fit."""
    import tomllib

    default = default_classification(today)
    if not path.exists():
        return default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a TOML file ({exc})") from None
    unknown = sorted(set(data) - {"years", *CLASSIFICATION_LISTS})
    if unknown:
        raise ValueError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    years = data.get("years", list(default.years))
    if (
        not isinstance(years, list)
        or not years
        or not all(isinstance(y, int) and not isinstance(y, bool) and 1900 <= y <= 2200 for y in years)
    ):
        raise ValueError(f"{path}: years must be a non-empty list of years (1900–2200)")
    lists: dict[str, tuple[str, ...]] = {}
    for name in CLASSIFICATION_LISTS:
        values = data.get(name, [])
        if not isinstance(values, list) or not all(
            isinstance(v, str) and v.strip() and not set(v) & set("|=×") and v not in (OTHER, UNKNOWN)
            for v in values
        ):
            raise ValueError(f"{path}: {name} must be a list of names (without | = ×, not other or unknown)")
        lists[name] = tuple(dict.fromkeys(v.strip() for v in values))
    return NationalClassification(years=tuple(sorted(set(years))), **lists)


def nrm_dimensions(classification: NationalClassification) -> dict[str, Dimension]:
    """All dimensions available for case records, keyed by name."""

    def open_list(name: str, label: str, values: Sequence[str]) -> Dimension:
        return Dimension(name, label, (*dict.fromkeys(values), OTHER, UNKNOWN))

    dims = [
        Dimension("year", "Year first identified", (*(str(y) for y in classification.years), UNKNOWN)),
        Dimension("sex", "Sex", tuple(codes(Sex))),
        Dimension("gender", "Gender", tuple(codes(Gender))),
        AGE_GROUP,
        AGE_BAND,
        EXPLOITATION,
        Dimension("citizenship", "Citizenship", ("national", "foreign", UNKNOWN)),
        open_list("nationality", "Nationality", classification.nationalities),
        Dimension("migration_status", "Migration status", tuple(codes(MigrationStatus))),
        Dimension("disability", "Disability", ("with_disability", "without_disability", UNKNOWN)),
        open_list("ethnicity", "Ethnicity", classification.ethnicities),
        Dimension("socioeconomic", "Socio-economic risk", ("with_risk_markers", "no_risk_markers", UNKNOWN)),
        open_list("region", "Region", classification.regions),
        Dimension(
            "trafficking_status",
            "Status",
            tuple(s for s in codes(TraffickingStatus) if s in VICTIM_STATUSES),
        ),
    ]
    return {d.name: d for d in dims}


#: GR38 §110 tables by year (each also releases its margins, see ``with_margins``).
NRM_DEFAULT_TABLES: tuple[tuple[str, ...], ...] = (
    ("year", "sex", "age_group"),
    ("year", "sex", "exploitation"),
    ("year", "sex", "citizenship"),
    ("year", "sex", "migration_status"),
    ("year", "sex", "region"),
    ("year", "sex", "disability"),
    ("year", "sex", "ethnicity"),
    ("year", "sex", "socioeconomic"),
    ("year", "age_group", "exploitation"),
    ("year", "age_band"),
)


def with_margins(tables: Iterable[Sequence[str]]) -> list[tuple[str, ...]]:
    """The tables and all their lower-order margins (no empty table), without repeats, in order."""
    seen: dict[tuple[str, ...], None] = {}
    for table in tables:
        for order in range(1, len(table) + 1):
            for sub in itertools.combinations(table, order):
                seen.setdefault(tuple(sub), None)
    return sorted(seen, key=lambda t: (len(t), t))


def all_combinations(names: Sequence[str], max_order: int) -> list[tuple[str, ...]]:
    """Every 1-, 2-, … ``max_order``-way combination of the dimensions, in order."""
    return [c for k in range(1, max_order + 1) for c in itertools.combinations(names, k)]


# --- persons -> category codes -------------------------------------------------------------------------


def _age_group(child: bool | None) -> str:
    if child is None:
        return UNKNOWN
    return "child" if child else "adult"


def _age_band(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return UNKNOWN


def exploitation_form(types: frozenset[str]) -> str:
    if not types:
        return UNKNOWN
    sexual = bool(types & SEXUAL_FORMS)
    labour = bool(types & LABOUR_FORMS)
    if sexual and labour:
        return "sexual_and_labour"
    if sexual:
        return "sexual"
    if labour:
        return "labour"
    return OTHER


def _disability(values: frozenset[str]) -> str:
    if values - {Disability.NONE.value, Disability.UNKNOWN.value}:
        return "with_disability"
    if Disability.NONE.value in values:
        return "without_disability"
    return UNKNOWN


def _socioeconomic(values: frozenset[str] | None) -> str:
    if values is None:
        return UNKNOWN
    return "with_risk_markers" if values else "no_risk_markers"


def _citizenship(national: bool | None) -> str:
    if national is None:
        return UNKNOWN
    return "national" if national else "foreign"


def _in_list(value: str | None, dim: Dimension) -> str:
    if value is None or value == "":
        return UNKNOWN
    return value if value in dim.categories else OTHER


def _nationality(citizenship: frozenset[str], dim: Dimension) -> str:
    if not citizenship:
        return UNKNOWN
    listed = sorted(c for c in citizenship if c in dim.categories)
    return listed[0] if listed else OTHER


#: For each dimension: the ``StatRecord`` attribute it reads and how a value becomes a category.
CATEGORISERS: dict[str, tuple[str, Callable[[Any, Dimension], str]]] = {
    "year": ("year", lambda v, d: _in_list(None if v is None else str(v), d)),
    "sex": ("sex", lambda v, d: v),
    "gender": ("gender", lambda v, d: v),
    "age_group": ("child", lambda v, d: _age_group(v)),
    "age_band": ("age_at_trafficking", lambda v, d: _age_band(v)),
    "exploitation": ("exploitation_types", lambda v, d: exploitation_form(v)),
    "citizenship": ("national", lambda v, d: _citizenship(v)),
    "nationality": ("citizenship", lambda v, d: _nationality(v, d)),
    "migration_status": ("migration_status", lambda v, d: v),
    "disability": ("disability", lambda v, d: _disability(v)),
    "ethnicity": ("ethnicity", lambda v, d: _in_list(v, d)),
    "socioeconomic": ("socioeconomic", lambda v, d: _socioeconomic(v)),
    "region": ("region", lambda v, d: _in_list(v, d)),
    "trafficking_status": ("trafficking_status", lambda v, d: v),
}


def attribute_codes(persons: Sequence[StatRecord], attribute: str) -> tuple[np.ndarray, Sequence[Any]]:
    """Each person's value of ``attribute`` as (position in the distinct values, distinct values)."""
    values = np.empty(len(persons), dtype=object)
    values[:] = list(map(operator.attrgetter(attribute), persons))
    seen, distinct = pd.factorize(values, use_na_sentinel=False)
    return seen, list(distinct)


def category_codes(
    persons: Sequence[StatRecord],
    dim: Dimension,
    factorised: tuple[np.ndarray, Sequence[Any]] | None = None,
) -> np.ndarray:
    """The position of each person's category in ``dim.categories`` (``other``/``unknown`` if listed).
    ``factorised`` is ``attribute_codes`` of the dimension's attribute, when already computed."""
    attribute, categorise = CATEGORISERS[dim.name]
    position = {c: i for i, c in enumerate(dim.categories)}
    fallback = position.get(OTHER, position.get(UNKNOWN))
    seen, distinct = factorised or attribute_codes(persons, attribute)
    lookup = np.empty(len(distinct), dtype=np.int32)
    for i, value in enumerate(distinct):
        category = categorise(None if _missing(value) else value, dim)
        found = position.get(category, fallback)
        if found is None:
            raise ValueError(f"{dim.name}: category {category!r} is not in the public list")
        lookup[i] = found
    return lookup[seen] if len(persons) else np.zeros(0, dtype=np.int32)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
