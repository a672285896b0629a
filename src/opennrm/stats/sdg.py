"""SDG indicator 16.2.2: detected victims of trafficking per 100,000 population, by sex, age and form.

Definition (UN SDG metadata for 16.2.2, custodian UNODC, last updated 2023-03-31): "the ratio between the
total number of victims of trafficking in persons in a country and the population resident in that country,
expressed per 100,000 population". The child line is 18 years. Our counts are *detected* victims, counted
as persons (``records``). Population figures are supplied by the user, because they belong to the national
statistics office:

    year,sex,age_group,population
    2024,total,total,5400000
    2024,female,total,2750000
    2024,female,child,560000
    ...

``sex`` is ``female``, ``male`` or ``total``; ``age_group`` is ``child``, ``adult`` or ``total``. Rates are
given where both the count and the population are known; a count shown as "<11" gets no rate.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

POPULATION_COLUMNS = ("year", "sex", "age_group", "population")
POPULATION_SEXES = ("female", "male", "total")
POPULATION_AGES = ("child", "adult", "total")
PER = 100_000

#: Our sex / gender categories that correspond to a population sex.
SEX_TO_POPULATION: dict[str, str] = {"female": "female", "woman": "female", "male": "male"}


class PopulationFileError(ValueError):
    """The population file cannot be used."""


@dataclass(frozen=True)
class Population:
    figures: Mapping[tuple[int, str, str], int]

    @property
    def years(self) -> list[int]:
        return sorted({y for y, _, _ in self.figures})

    def get(self, year: int | None, sex: str = "total", age_group: str = "total") -> int | None:
        if year is None:
            if len(self.years) != 1:
                return None
            year = self.years[0]
        return self.figures.get((year, sex, age_group))


def read_population(path: Path) -> Population:
    """Read and check a population CSV (see module docstring)."""
    figures: dict[tuple[int, str, str], int] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in POPULATION_COLUMNS if c not in header]
        if missing:
            raise PopulationFileError(f"{path}: missing column(s) {', '.join(missing)}")
        for number, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            try:
                year = int(row["year"])
                population = int(row["population"])
            except ValueError:
                raise PopulationFileError(
                    f"{path}: line {number}: year and population must be whole numbers"
                ) from None
            sex, age = row["sex"].lower(), row["age_group"].lower()
            if sex not in POPULATION_SEXES or age not in POPULATION_AGES:
                raise PopulationFileError(
                    f"{path}: line {number}: sex must be one of {', '.join(POPULATION_SEXES)} and age_group"
                    f" one of {', '.join(POPULATION_AGES)}"
                )
            if population <= 0:
                raise PopulationFileError(f"{path}: line {number}: population must be positive")
            if (year, sex, age) in figures:
                raise PopulationFileError(f"{path}: line {number}: {year} {sex} {age} given twice")
            figures[(year, sex, age)] = population
    if not figures:
        raise PopulationFileError(f"{path}: no population figures")
    return Population(figures)


@dataclass(frozen=True)
class Figure:
    """A count as published: ``count`` is None when it is shown as "<11"."""

    count: int | None
    ci_low: int | None = None
    ci_high: int | None = None


#: Looks up the figure of one cell: dimension names -> categories.
CountLookup = Callable[[Mapping[str, str]], Figure | None]


@dataclass(frozen=True)
class SdgRow:
    year: str
    group: str
    victims: Figure
    population: int | None

    @property
    def rate(self) -> float | None:
        if self.victims.count is None or not self.population:
            return None
        return self.victims.count * PER / self.population

    @property
    def rate_interval(self) -> tuple[float, float] | None:
        v = self.victims
        if v.count is None or v.ci_low is None or v.ci_high is None or not self.population:
            return None
        return v.ci_low * PER / self.population, v.ci_high * PER / self.population


def sdg_16_2_2(
    lookup: CountLookup,
    categories: Mapping[str, Sequence[str]],
    population: Population | None,
    label_of: Callable[[str, str], str] = lambda _dimension, category: category.replace("_", " "),
) -> list[SdgRow]:
    """The 16.2.2 rows available from the published figures: total, by sex, age, sex × age and form,
    for each year when the source has years. ``categories`` lists the categories of each dimension the
    source has (e.g. ``{"sex": [...], "age_group": [...], "exploitation": [...], "year": [...]}``)."""
    years: list[str | None] = [y for y in categories.get("year", ()) if y not in ("unknown", "other")] or [
        None
    ]
    sexes = list(categories.get("sex", ()))
    ages = [a for a in categories.get("age_group", ()) if a in ("child", "adult")]
    forms = list(categories.get("exploitation", ()))
    rows: list[SdgRow] = []

    def pop(year: str | None, sex: str = "total", age: str = "total") -> int | None:
        if population is None:
            return None
        return population.get(None if year is None else int(year), sex, age)

    for year in years:
        base: dict[str, str] = {} if year is None else {"year": year}
        label = year or "all years"

        def add(
            group: str,
            cell: dict[str, str],
            pop_value: int | None,
            year: str = label,
            base: dict[str, str] = base,
        ) -> None:
            figure = lookup({**base, **cell})
            if figure is not None:
                rows.append(SdgRow(year, group, figure, pop_value))

        add("all victims", {}, pop(year))
        for sex in sexes:
            p = pop(year, SEX_TO_POPULATION[sex]) if sex in SEX_TO_POPULATION else None
            add(label_of("sex", sex), {"sex": sex}, p)
        for age in ages:
            add(label_of("age_group", age), {"age_group": age}, pop(year, "total", age))
        for sex in sexes:
            for age in ages:
                p = pop(year, SEX_TO_POPULATION[sex], age) if sex in SEX_TO_POPULATION else None
                add(
                    f"{label_of('sex', sex)}, {label_of('age_group', age)}", {"sex": sex, "age_group": age}, p
                )
        for form in forms:
            add(label_of("exploitation", form), {"exploitation": form}, pop(year))
    return rows
