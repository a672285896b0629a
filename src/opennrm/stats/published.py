"""Published statistics: the figures a report may show, from a DP release or (internal) exact counts.

A report never sees persons, only these figures. From a release (``release.csv`` + ``release.json``) they
are safe to publish; from exact counts they are for internal use only (small counts are still shown as
"<11", but exact counts are not protected against differencing), and the report says so on every page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opennrm.stats.dimensions import Dimension
from opennrm.stats.release import Release, read_release_csv, release_metadata
from opennrm.stats.sdg import Figure
from opennrm.stats.tables import (
    DISPLAY_THRESHOLD,
    PersonFrame,
    count_table,
    parse_cell_name,
    parse_table_name,
)


@dataclass(frozen=True)
class PublishedTable:
    names: tuple[str, ...]
    cells: tuple[tuple[Mapping[str, str], Figure], ...]


@dataclass(frozen=True)
class PublishedStatistics:
    source: str
    protection: str
    differentially_private: bool
    dimensions: Mapping[str, Dimension]
    tables: tuple[PublishedTable, ...]
    created: str
    epsilon: float | None = None
    threshold: int = DISPLAY_THRESHOLD
    notes: tuple[str, ...] = ()
    _index: dict[tuple[frozenset[str], frozenset[tuple[str, str]]], Figure] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for table in self.tables:
            for cell, figure in table.cells:
                self._index[(frozenset(table.names), frozenset(cell.items()))] = figure

    def lookup(self, cell: Mapping[str, str]) -> Figure | None:
        """The figure of a cell given as {dimension: category} (order of dimensions does not matter)."""
        return self._index.get((frozenset(cell), frozenset(cell.items())))

    def table(self, names: Sequence[str]) -> PublishedTable | None:
        wanted = set(names)
        return next((t for t in self.tables if set(t.names) == wanted), None)

    def label_of(self, dimension: str, category: str) -> str:
        dim = self.dimensions.get(dimension)
        return dim.label_of(category) if dim else category.replace("_", " ")

    def categories(self) -> dict[str, list[str]]:
        return {n: list(d.categories) for n, d in self.dimensions.items()}


def dimensions_to_json(dimensions: Mapping[str, Dimension]) -> dict[str, Any]:
    return {
        n: {"label": d.label, "categories": list(d.categories), "labels": dict(d.category_labels)}
        for n, d in dimensions.items()
    }


def dimensions_from_json(data: Mapping[str, Any]) -> dict[str, Dimension]:
    return {
        n: Dimension(n, str(d["label"]), tuple(d["categories"]), dict(d.get("labels", {})))
        for n, d in data.items()
    }


def from_release(release: Release, dimensions: Mapping[str, Dimension], source: str) -> PublishedStatistics:
    """Figures of a release just made (what ``release.csv`` says, "<11" cells without a count)."""
    grouped: dict[str, list[tuple[Mapping[str, str], Figure]]] = {}
    for c in release.cells:
        row = c.row(release.threshold)
        figure = (
            Figure(None)
            if row["count"].startswith("<")
            else Figure(int(row["count"]), int(row["ci_low"]), int(row["ci_high"]))
        )
        grouped.setdefault(c.table, []).append((parse_cell_name(c.cell), figure))
    meta = release_metadata(release)
    return _published(grouped, dimensions, source, release.epsilon, release.created, release.threshold, meta)


def read_release_dir(directory: Path) -> PublishedStatistics:
    """Figures of a release written by ``opennrm stats release`` (``release.csv`` and ``release.json``)."""
    meta_path, csv_path = directory / "release.json", directory / "release.csv"
    if not csv_path.exists() or not meta_path.exists():
        raise FileNotFoundError(f"{directory} has no release.csv and release.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if "dimensions" not in meta:
        raise ValueError(f"{meta_path}: no dimensions recorded")
    dimensions = dimensions_from_json(meta["dimensions"])
    grouped: dict[str, list[tuple[Mapping[str, str], Figure]]] = {}
    for cell in read_release_csv(csv_path):
        grouped.setdefault(cell.table, []).append(
            (parse_cell_name(cell.cell), Figure(cell.count, cell.ci_low, cell.ci_high))
        )
    return _published(
        grouped,
        dimensions,
        str(meta.get("source", directory)),
        float(meta["epsilon"]),
        str(meta.get("created", "")),
        int(meta.get("display_threshold", DISPLAY_THRESHOLD)),
        meta,
    )


def _published(
    grouped: Mapping[str, list[tuple[Mapping[str, str], Figure]]],
    dimensions: Mapping[str, Dimension],
    source: str,
    epsilon: float,
    created: str,
    threshold: int,
    meta: Mapping[str, Any],
) -> PublishedStatistics:
    tables = tuple(PublishedTable(parse_table_name(name), tuple(cells)) for name, cells in grouped.items())
    measured = ", ".join(f"{m['table']} (ε = {m['epsilon']:.3g})" for m in meta.get("measured_tables", []))
    protection = (
        f"Differential privacy: ε = {epsilon:g} for this release, one person added or removed as the unit;"
        f" discrete Laplace noise on {measured or 'the measured tables'}; counts below {threshold} shown as"
        f" <{threshold}; each count has a 95% interval."
    )
    return PublishedStatistics(
        source=source,
        protection=protection,
        differentially_private=True,
        dimensions=dict(dimensions),
        tables=tables,
        created=created,
        epsilon=epsilon,
        threshold=threshold,
    )


def from_exact(
    frame: PersonFrame,
    tables: Sequence[Sequence[str]],
    source: str,
    created: str,
    threshold: int = DISPLAY_THRESHOLD,
) -> PublishedStatistics:
    """Exact counts for internal use (total and the given tables), with the "<11" display rule."""
    out: list[PublishedTable] = []
    for names in [(), *tables]:
        table = count_table(frame, names)
        cells = []
        for cell_text, value in table.cells():
            count = int(value)
            cells.append((parse_cell_name(cell_text), Figure(None if count < threshold else count)))
        out.append(PublishedTable(tuple(names), tuple(cells)))
    return PublishedStatistics(
        source=source,
        protection=(
            "INTERNAL — exact counts, not protected by differential privacy. Counts below"
            f" {threshold} are shown as <{threshold}, but exact tables can still disclose persons by"
            " differencing: publish only figures from `opennrm stats release`."
        ),
        differentially_private=False,
        dimensions=dict(frame.dimensions),
        tables=tuple(out),
        created=created,
        threshold=threshold,
    )
