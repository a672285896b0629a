"""The differentially private release of a fixed list of tables (OpenDP, discrete Laplace).

How a release is made (``docs/statistics.md`` explains it in plain words):

1. **Plan.** The configured tables are answered from a few *measured* tables. Measuring a finer table and
   adding up its cells can be more accurate than measuring every table separately, because the budget is
   not split; the planner starts from the tables that are not margins of others and merges two of them
   whenever that lowers the expected error of the whole list (``expected_error``). The budget is split
   across the measured tables in proportion to the square root of their expected-error weight, which
   minimises that total.
2. **Measure.** Each measured table is counted over its *public* cells (every combination of the public
   categories, so no budget is spent discovering keys) with OpenDP's ``make_count_by_categories`` and
   discrete Laplace noise (``make_laplace`` on integers), counts *signed* (never clamped before
   post-processing). Each person is one row (``records.count_persons`` merges cases first, and cases of one
   national person, as record linkage found her in several organisations, are one person), so the privacy
   unit is one person: adding or removing a person changes each measured table by one in one cell. OpenDP's
   composition map certifies that the measured tables together spend no more than ε.
3. **Estimate** (post-processing, free): empirical-Bayes posterior means per cell (``estimation``), made
   consistent across measured tables on their shared margins (inverse-variance weighted), rounded to whole
   numbers that keep the total. Every published table is a sum of the same rounded cells, so totals agree.
4. **Publish**: each cell's count with a 95% interval; counts below the display threshold are written
   "<11" with no interval. The threshold is a display rule only; differential privacy is the guarantee.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from opennrm.stats.dimensions import Dimension
from opennrm.stats.estimation import (
    CellPosteriors,
    dl_variance,
    largest_remainder_round,
    posteriors,
    sum_posterior,
    unbiased,
)
from opennrm.stats.records import bulk_work
from opennrm.stats.tables import (
    DISPLAY_THRESHOLD,
    TOTAL_CELL,
    PersonFrame,
    cell_name,
    display_count,
    table_name,
)

RELEASE_COLUMNS = ("table", "cell", "count", "ci_low", "ci_high")
FORMAT = "opennrm-release/1"
MAX_MEASURED_CELLS = 1_000_000
STRATEGIES = ("auto", "per_table", "full")
ESTIMATORS = ("bayes", "linear")
ESTIMATION = {
    "bayes": "empirical-Bayes posterior means (zero-inflated power-law prior fitted to the noisy counts),"
    " made consistent across measured tables, whole numbers keeping the total",
    "linear": "the noisy counts themselves (signed, unbiased), made consistent across measured tables,"
    " whole numbers keeping the total; intervals from the exact noise distribution",
}
MIN_EPSILON, MAX_EPSILON = 0.01, 20.0


class ReleaseError(ValueError):
    """The release cannot be made as asked (bad ε, unknown dimension, too many cells)."""


@dataclass(frozen=True)
class MeasuredTable:
    names: tuple[str, ...]
    cells: int
    epsilon: float
    scale: float = math.nan


@dataclass(frozen=True)
class ReleasePlan:
    tables: tuple[tuple[str, ...], ...]
    measured: tuple[MeasuredTable, ...]
    answered_from: Mapping[tuple[str, ...], int]


def _cells(dimensions: Mapping[str, Dimension], names: Sequence[str]) -> int:
    return int(np.prod([dimensions[n].size for n in names])) if names else 1


def _assign(
    dimensions: Mapping[str, Dimension], tables: Sequence[tuple[str, ...]], measured: Sequence[frozenset[str]]
) -> dict[tuple[str, ...], int]:
    out: dict[tuple[str, ...], int] = {}
    for t in tables:
        holders = [i for i, m in enumerate(measured) if set(t) <= m]
        out[t] = min(holders, key=lambda i: _cells(dimensions, sorted(measured[i])))
    return out


def expected_error(
    dimensions: Mapping[str, Dimension], tables: Sequence[tuple[str, ...]], measured: Sequence[frozenset[str]]
) -> tuple[float, list[float]]:
    """Sum over tables of the mean noise s.d. per cell (in units of 1/ε), with the best budget split.

    A cell of table T answered from measured table M adds |M|/|T| noisy cells, so its s.d. is
    sqrt(|M|/|T|)/ε_M. Minimising Σ a_M/ε_M with Σ ε_M = ε gives ε_M ∝ sqrt(a_M) and the value
    (Σ sqrt(a_M))². Returns that value and the budget shares.
    """
    assignment = _assign(dimensions, tables, measured)
    weight = [0.0] * len(measured)
    for t, i in assignment.items():
        weight[i] += math.sqrt(_cells(dimensions, sorted(measured[i])) / _cells(dimensions, t))
    roots = [math.sqrt(w) for w in weight]
    total = sum(roots)
    shares = [r / total if total else 1.0 / len(roots) for r in roots]
    return total**2, shares


def plan_release(
    dimensions: Mapping[str, Dimension],
    tables: Sequence[Sequence[str]],
    epsilon: float,
    strategy: str = "auto",
    max_cells: int = MAX_MEASURED_CELLS,
) -> ReleasePlan:
    """Choose the measured tables and split ε across them (see the module docstring)."""
    if not (math.isfinite(epsilon) and MIN_EPSILON <= epsilon <= MAX_EPSILON):
        raise ReleaseError(f"epsilon must be between {MIN_EPSILON} and {MAX_EPSILON}, got {epsilon}")
    if strategy not in STRATEGIES:
        raise ReleaseError(f"strategy must be one of {', '.join(STRATEGIES)}")
    wanted = tuple(dict.fromkeys(tuple(t) for t in tables if t))
    if not wanted:
        raise ReleaseError("no tables to release")
    for t in wanted:
        unknown = [n for n in t if n not in dimensions]
        if unknown or len(set(t)) != len(t):
            raise ReleaseError(
                f"table {table_name(t)}: unknown or repeated dimension(s) {', '.join(unknown)}"
            )
    if strategy == "per_table":
        measured = [frozenset(t) for t in wanted]
    elif strategy == "full":
        measured = [frozenset(itertools.chain.from_iterable(wanted))]
    else:
        measured = _greedy_merge(dimensions, wanted, max_cells)
    measured = list(dict.fromkeys(measured))
    for m in measured:
        if _cells(dimensions, sorted(m)) > max_cells:
            raise ReleaseError(
                f"measured table {table_name(sorted(m))} would have more than {max_cells} cells"
            )
    _, shares = expected_error(dimensions, wanted, measured)
    assignment = _assign(dimensions, wanted, measured)
    order = {n: i for i, n in enumerate(dimensions)}
    measured_tables = tuple(
        MeasuredTable(tuple(sorted(m, key=order.__getitem__)), _cells(dimensions, sorted(m)), epsilon * share)
        for m, share in zip(measured, shares, strict=True)
    )
    return ReleasePlan(tables=wanted, measured=measured_tables, answered_from=assignment)


def _greedy_merge(
    dimensions: Mapping[str, Dimension], tables: Sequence[tuple[str, ...]], max_cells: int
) -> list[frozenset[str]]:
    sets = [frozenset(t) for t in tables]
    measured = [s for s in dict.fromkeys(sets) if not any(s < other for other in sets)]
    current, _ = expected_error(dimensions, tables, measured)
    while len(measured) > 1:
        best: tuple[float, list[frozenset[str]]] | None = None
        for a, b in itertools.combinations(measured, 2):
            union = a | b
            if _cells(dimensions, sorted(union)) > max_cells:
                continue
            candidate = [m for m in measured if not m <= union] + [union]
            value, _ = expected_error(dimensions, tables, candidate)
            if best is None or value < best[0]:
                best = (value, candidate)
        if best is None or best[0] >= current * (1 - 1e-9):
            break
        current, measured = best
    return measured


# --- measuring -----------------------------------------------------------------------------------------


def _opendp_count(cells: int, scale: float) -> Any:
    # the submodules, not opendp.prelude: the prelude also imports scikit-learn (a second of start-up)
    from opendp.domains import atom_domain, vector_domain
    from opendp.measurements import then_laplace
    from opendp.metrics import symmetric_distance
    from opendp.mod import enable_features
    from opendp.transformations import make_count_by_categories
    from opendp.typing import i64

    enable_features("contrib")
    count = make_count_by_categories(
        vector_domain(atom_domain(T=i64)),
        symmetric_distance(),
        categories=list(range(cells)),
        null_category=False,
    )
    return count >> then_laplace(scale)


def calibrate(plan: ReleasePlan) -> tuple[ReleasePlan, list[Any], float]:
    """OpenDP measurements with the noise scale for each table's ε; returns the certified total ε."""
    from opendp.combinators import make_composition

    measurements: list[Any] = []
    calibrated: list[MeasuredTable] = []
    for m in plan.measured:
        scale = 1.0 / m.epsilon
        meas = _opendp_count(m.cells, scale)
        while meas.map(1) > m.epsilon:
            scale *= 1 + 1e-9
            meas = _opendp_count(m.cells, scale)
        measurements.append(meas)
        calibrated.append(MeasuredTable(m.names, m.cells, m.epsilon, scale))
    composed: Any = make_composition(measurements)
    certified = float(composed.map(1))
    new_plan = ReleasePlan(plan.tables, tuple(calibrated), plan.answered_from)
    return new_plan, measurements, certified


# --- estimating ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleasedCell:
    table: str
    cell: str
    estimate: float
    count: int
    ci_low: int
    ci_high: int

    def row(self, threshold: int = DISPLAY_THRESHOLD) -> dict[str, str]:
        """The cell as written in ``release.csv``: "<11" and no interval below the threshold."""
        shown = display_count(self.count, threshold)
        if shown.startswith("<"):
            return {"table": self.table, "cell": self.cell, "count": shown, "ci_low": "", "ci_high": ""}
        return {
            "table": self.table,
            "cell": self.cell,
            "count": shown,
            "ci_low": str(self.ci_low),
            "ci_high": str(self.ci_high),
        }


@dataclass(frozen=True)
class Release:
    plan: ReleasePlan
    epsilon: float
    certified_epsilon: float
    cells: tuple[ReleasedCell, ...]
    threshold: int
    level: float
    created: str
    #: The raw noisy counts of each measured table (differentially private themselves; not written out,
    #: kept so that evaluations can compare with the unprocessed measurement).
    noisy: tuple[np.ndarray, ...] = field(default=(), repr=False)
    metadata: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> list[ReleasedCell]:
        return [c for c in self.cells if c.table == name]


def release_tables(
    frame: PersonFrame,
    tables: Sequence[Sequence[str]],
    epsilon: float,
    *,
    threshold: int = DISPLAY_THRESHOLD,
    level: float = 0.95,
    strategy: str = "auto",
    estimator: str = "bayes",
    include_total: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Release:
    """Measure with differential privacy and estimate every configured table (see module docstring)."""
    with bulk_work():
        return _release_tables(
            frame, tables, epsilon, threshold, level, strategy, estimator, include_total, progress
        )


def _release_tables(
    frame: PersonFrame,
    tables: Sequence[Sequence[str]],
    epsilon: float,
    threshold: int,
    level: float,
    strategy: str,
    estimator: str,
    include_total: bool,
    progress: Callable[[str], None] | None,
) -> Release:
    step = progress or (lambda _msg: None)
    if estimator not in ESTIMATORS:
        raise ReleaseError(f"estimator must be one of {', '.join(ESTIMATORS)}")
    plan = plan_release(frame.dimensions, tables, epsilon, strategy)
    plan, measurements, certified = calibrate(plan)
    if certified > epsilon * (1 + 1e-9):
        raise ReleaseError(f"OpenDP certifies ε = {certified}, more than the {epsilon} allowed")
    post: list[CellPosteriors] = []
    raw: list[np.ndarray] = []
    for m, meas in zip(plan.measured, measurements, strict=True):
        step(f"measuring {table_name(m.names)}")
        noisy = np.asarray(meas(frame.cell_index(m.names)), dtype=np.int64)
        raw.append(noisy)
        step(f"estimating {table_name(m.names)}")
        post.append(posteriors(noisy, m.scale) if estimator == "bayes" else unbiased(noisy, m.scale))
    shifts = _make_consistent(frame.dimensions, plan, post)
    total = round(float(post[0].mean.sum() + shifts[0].sum()))
    if estimator == "bayes":
        rounded = [
            largest_remainder_round(np.clip(p.mean + s, 0, None), total)
            for p, s in zip(post, shifts, strict=True)
        ]
    else:  # keep the signed counts: clamping would bias every sum; "<11" hides the negative ones
        rounded = [largest_remainder_round(p.mean + s, total) for p, s in zip(post, shifts, strict=True)]
    cells: list[ReleasedCell] = []
    wanted = ((), *plan.tables) if include_total else plan.tables
    for t in wanted:
        source = plan.answered_from.get(t, 0) if t else _best_source(plan)
        cells.extend(
            _answer(
                frame.dimensions,
                plan.measured[source],
                post[source],
                shifts[source],
                rounded[source],
                t,
                level,
            )
        )
    return Release(
        plan=plan,
        epsilon=epsilon,
        certified_epsilon=certified,
        cells=tuple(cells),
        threshold=threshold,
        level=level,
        created=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        noisy=tuple(raw),
        metadata={"estimator": estimator},
    )


def _best_source(plan: ReleasePlan) -> int:
    return min(
        range(len(plan.measured)), key=lambda i: plan.measured[i].cells * dl_variance(plan.measured[i].scale)
    )


def _positions(dimensions: Mapping[str, Dimension], names: Sequence[str], sub: Sequence[str]) -> np.ndarray:
    """For each cell of the table ``names`` (row-major), its cell in the margin ``sub``."""
    shape = tuple(dimensions[n].size for n in names)
    grids = np.indices(shape).reshape(len(shape), -1) if shape else np.zeros((0, 1), dtype=np.int64)
    if not sub:
        return np.zeros(grids.shape[1], dtype=np.int64)
    idx = tuple(grids[names.index(n)] for n in sub)
    return np.asarray(np.ravel_multi_index(idx, tuple(dimensions[n].size for n in sub)), dtype=np.int64)


def _answer(
    dimensions: Mapping[str, Dimension],
    measured: MeasuredTable,
    post: CellPosteriors,
    shift: np.ndarray,
    rounded: np.ndarray,
    names: tuple[str, ...],
    level: float,
) -> list[ReleasedCell]:
    target = _positions(dimensions, measured.names, names)
    n_target = _cells(dimensions, names)
    order = np.argsort(target, kind="stable")
    bounds = np.searchsorted(target[order], np.arange(n_target + 1))
    name = table_name(names)
    out: list[ReleasedCell] = []
    labels = [[(n, c) for c in dimensions[n].categories] for n in names]
    for k, combo in enumerate(itertools.product(*labels) if names else [()]):
        cells = order[bounds[k] : bounds[k + 1]]
        posterior = sum_posterior(post, cells, shift=float(shift[cells].sum()))
        low, high = posterior.interval(level)
        count = int(rounded[cells].sum())
        out.append(
            ReleasedCell(
                table=name,
                cell=cell_name(list(combo)) if names else TOTAL_CELL,
                estimate=posterior.mean,
                count=count,
                ci_low=max(0, min(low, count)),
                ci_high=max(high, count),
            )
        )
    return out


def _make_consistent(
    dimensions: Mapping[str, Dimension], plan: ReleasePlan, post: Sequence[CellPosteriors]
) -> list[np.ndarray]:
    """Shifts that make the measured tables agree on every margin two of them share (smallest first)."""
    shifts = [np.zeros_like(p.mean) for p in post]
    if len(post) < 2:
        return shifts
    sets = [frozenset(m.names) for m in plan.measured]
    shared: set[frozenset[str]] = set()
    for a, b in itertools.combinations(sets, 2):
        common = sorted(a & b)
        for k in range(len(common) + 1):
            shared.update(frozenset(c) for c in itertools.combinations(common, k))
    for subset in sorted(shared, key=lambda s: (len(s), sorted(s))):
        sub = sorted(subset)
        holders = [i for i, s in enumerate(sets) if subset <= s]
        size = _cells(dimensions, sub)
        projections, variances, maps = [], [], []
        for i in holders:
            where = _positions(dimensions, plan.measured[i].names, sub)
            maps.append(where)
            projections.append(np.bincount(where, post[i].mean + shifts[i], minlength=size))
            variances.append(np.bincount(where, post[i].var, minlength=size))
        weights = np.array([1.0 / max(float(v.mean()), 1e-12) for v in variances])
        target = sum(w * p for w, p in zip(weights, projections, strict=True)) / weights.sum()
        for i, where, proj, var in zip(holders, maps, projections, variances, strict=True):
            delta = target - proj
            cell_var = post[i].var
            share = np.where(var[where] > 0, cell_var / np.where(var[where] > 0, var[where], 1.0), 0.0)
            counts = np.bincount(where, minlength=size)
            share = np.where(var[where] > 0, share, 1.0 / counts[where])
            shifts[i] = shifts[i] + delta[where] * share
    return shifts


# --- writing -------------------------------------------------------------------------------------------


def release_rows(release: Release) -> list[dict[str, str]]:
    return [c.row(release.threshold) for c in release.cells]


def release_metadata(release: Release, **extra: Any) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "created": release.created,
        "epsilon": release.epsilon,
        "certified_epsilon": release.certified_epsilon,
        "privacy_unit": "one person (added or removed); cases are merged per person first, across "
        "organisations by the national person id where record linkage gave one",
        "mechanism": "discrete Laplace on signed counts over public keys (OpenDP make_count_by_categories"
        " >> make_laplace), basic composition across measured tables",
        "measured_tables": [
            {"table": table_name(m.names), "cells": m.cells, "epsilon": m.epsilon, "scale": m.scale}
            for m in release.plan.measured
        ],
        "tables": [table_name(t) for t in release.plan.tables],
        "estimation": ESTIMATION[release.metadata.get("estimator", "bayes")],
        "interval_level": release.level,
        "display_threshold": release.threshold,
        "display_rule": f"counts below {release.threshold} are shown as <{release.threshold}, no interval",
        **release.metadata,
        **extra,
    }


def _atomic_write(path: Path, write: Callable[[Any], None]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_release(release: Release, out_dir: Path, **extra: Any) -> tuple[Path, Path]:
    """Write ``release.csv`` (long form) and ``release.json`` (how it was made) into ``out_dir``."""
    csv_path, json_path = out_dir / "release.csv", out_dir / "release.json"

    def write_csv(fh: Any) -> None:
        writer = csv.DictWriter(fh, fieldnames=RELEASE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(release_rows(release))

    def write_json(fh: Any) -> None:
        json.dump(release_metadata(release, **extra), fh, indent=2, ensure_ascii=False)
        fh.write("\n")

    _atomic_write(csv_path, write_csv)
    _atomic_write(json_path, write_json)
    return csv_path, json_path


@dataclass(frozen=True)
class PublishedCell:
    """One row of a ``release.csv`` as read back: ``count`` is None when shown as "<11"."""

    table: str
    cell: str
    count: int | None
    ci_low: int | None
    ci_high: int | None


def read_release_csv(path: Path) -> list[PublishedCell]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != RELEASE_COLUMNS:
            raise ValueError(f"{path}: columns must be {', '.join(RELEASE_COLUMNS)}")
        out = []
        for row in reader:
            shown = row["count"]
            count = None if shown.startswith("<") else int(shown)
            out.append(
                PublishedCell(
                    row["table"],
                    row["cell"],
                    count,
                    int(row["ci_low"]) if row["ci_low"] else None,
                    int(row["ci_high"]) if row["ci_high"] else None,
                )
            )
    return out
