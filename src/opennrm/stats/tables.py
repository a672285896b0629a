"""Exact contingency tables of persons, their margins, and the display rule.

A ``PersonFrame`` holds one row per counted person as integer category codes, one column per dimension.
Tables are dense ``numpy`` arrays over the public categories, so a cell that nobody falls in is a real 0
and every table of the same dimensions has the same cells whatever the data.

Names used in files: a table is its dimension names joined by ``×`` (``sex×age_group``), a cell is
``dim=value`` joined by ``|`` (``sex=woman|age_group=child``); the grand total is table ``total``, cell
``all``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from opennrm.stats.dimensions import CATEGORISERS, Dimension, attribute_codes, category_codes
from opennrm.stats.records import StatRecord, bulk_work

#: Counts below this are shown as "<11" (CTDC's k = 11 rule). A display rule; the guarantee is DP.
DISPLAY_THRESHOLD = 11
TOTAL_TABLE = "total"
TOTAL_CELL = "all"


def table_name(names: Sequence[str]) -> str:
    return "×".join(names) if names else TOTAL_TABLE


def parse_table_name(name: str) -> tuple[str, ...]:
    return () if name == TOTAL_TABLE else tuple(name.split("×"))


def cell_name(pairs: Sequence[tuple[str, str]]) -> str:
    return "|".join(f"{d}={v}" for d, v in pairs) if pairs else TOTAL_CELL


def parse_cell_name(name: str) -> dict[str, str]:
    if name == TOTAL_CELL:
        return {}
    out: dict[str, str] = {}
    for part in name.split("|"):
        dim, sep, value = part.partition("=")
        if not sep:
            raise ValueError(f"cell {name!r}: {part!r} is not dim=value")
        out[dim] = value
    return out


def display_count(value: float, threshold: int = DISPLAY_THRESHOLD) -> str:
    """The published text of a count: the rounded number, or "<11" when it is below the threshold."""
    if not math.isfinite(value):
        raise ValueError("count is not a finite number")
    rounded = round(value)
    return f"<{threshold}" if rounded < threshold else str(rounded)


@dataclass(frozen=True)
class PersonFrame:
    """One row per counted person: integer category codes per dimension."""

    dimensions: Mapping[str, Dimension]
    codes: Mapping[str, np.ndarray]
    size: int

    def dims(self, names: Sequence[str]) -> tuple[Dimension, ...]:
        missing = [n for n in names if n not in self.dimensions]
        if missing:
            raise KeyError(f"unknown dimension(s): {', '.join(missing)}; known: {', '.join(self.dimensions)}")
        return tuple(self.dimensions[n] for n in names)

    def cell_index(self, names: Sequence[str]) -> np.ndarray:
        """Each person's cell in the table of ``names`` (row-major position)."""
        dims = self.dims(names)
        if not dims:
            return np.zeros(self.size, dtype=np.int64)
        return np.ravel_multi_index(
            tuple(np.asarray(self.codes[d.name], dtype=np.int64) for d in dims), tuple(d.size for d in dims)
        ).astype(np.int64)


def frame_from_persons(
    persons: Sequence[StatRecord], dimensions: Mapping[str, Dimension], names: Iterable[str] | None = None
) -> PersonFrame:
    """Categorise persons (already merged and filtered, see ``records.count_persons``) on the dimensions
    ``names`` (default: all of ``dimensions``)."""
    wanted = {n: dimensions[n] for n in (dimensions if names is None else dict.fromkeys(names))}
    by_attribute: dict[str, tuple[np.ndarray, Sequence[object]]] = {}
    codes = {}
    with bulk_work():
        for name, dim in wanted.items():
            attribute = CATEGORISERS[name][0]
            if attribute not in by_attribute:
                by_attribute[attribute] = attribute_codes(persons, attribute)
            codes[name] = category_codes(persons, dim, by_attribute[attribute])
    return PersonFrame(dimensions=wanted, codes=codes, size=len(persons))


@dataclass(frozen=True)
class Table:
    """Counts (exact or estimated) over the public categories of some dimensions."""

    dimensions: tuple[Dimension, ...]
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.values.shape != tuple(d.size for d in self.dimensions):
            raise ValueError("table values do not match its dimensions")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    @property
    def name(self) -> str:
        return table_name(self.names)

    @property
    def total(self) -> float:
        return float(self.values.sum())

    def margin(self, names: Sequence[str]) -> Table:
        """The table summed over every dimension not in ``names`` (kept in the order given)."""
        own = self.names
        missing = [n for n in names if n not in own]
        if missing:
            raise KeyError(f"{self.name} has no dimension {', '.join(missing)}")
        drop = tuple(i for i, n in enumerate(own) if n not in names)
        summed = self.values.sum(axis=drop) if drop else self.values
        kept = [n for n in own if n in names]
        order = [kept.index(n) for n in names]
        return Table(tuple(self.dimensions[own.index(n)] for n in names), np.transpose(summed, order))

    def cells(self) -> Iterator[tuple[str, float]]:
        """``(cell name, value)`` in row-major order."""
        if not self.dimensions:
            yield TOTAL_CELL, float(self.values)
            return
        for position in np.ndindex(*self.values.shape):
            pairs = [(d.name, d.categories[i]) for d, i in zip(self.dimensions, position, strict=True)]
            yield cell_name(pairs), float(self.values[position])

    def value(self, **categories: str) -> float:
        position = tuple(d.position(categories[d.name]) for d in self.dimensions)
        return float(self.values[position])


def count_table(frame: PersonFrame, names: Sequence[str]) -> Table:
    """Exact count of persons in every cell of the table of ``names``."""
    dims = frame.dims(names)
    size = int(np.prod([d.size for d in dims])) if dims else 1
    counts = np.bincount(frame.cell_index(names), minlength=size)
    return Table(dims, counts.reshape(tuple(d.size for d in dims)))


def count_tables(frame: PersonFrame, tables: Sequence[Sequence[str]]) -> dict[str, Table]:
    """Exact counts of several tables, keyed by table name."""
    out: dict[str, Table] = {}
    for names in tables:
        out[table_name(names)] = count_table(frame, names)
    return out
