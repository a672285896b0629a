"""Tables for readers who may not see exact counts: suppression that cannot be undone, and rounding.

Exact counts can be subtracted: a reader who sees a table today and tomorrow learns that one more woman of a
given year, age and nationality was identified. Readers who are not the statistics office's analysts
(``access.policy.exact_statistics_decision``) therefore see the tables this module makes:

1. **Primary suppression.** Every cell with 1 to ``threshold`` − 1 persons (margins and the grand total
   included) is suppressed.
2. **Secondary suppression.** More cells are suppressed until no suppressed cell can be worked out from
   what is shown. The attacker is given every shown cell *exactly* (stronger than what is shown, which is
   rounded) and knows that counts are not negative. For each suppressed cell the smallest and largest
   values consistent with all of that are found by linear programming over the joint table of every
   dimension shown (the standard audit of τ-Argus; shared margins and tables that overlap are all taken
   into account). A primary cell is protected when that range is at least ``threshold`` wide, a secondary
   cell when it is not a single value. Each unprotected cell gets one more suppressed partner (its own
   row or column first, the non-empty cell with the fewest persons that can hide it), and the audit runs
   again. Empty cells are shown as 0 and never chosen as partners.
3. **Rounding.** Shown counts are rounded to a multiple of ``ROUNDING_BASE`` at random, up or down with the
   probabilities that keep them unbiased. The draw is keyed by a secret and by the cell and its value, so
   the same count always shows the same way (asking again reveals nothing) while a count that changes by
   one gets a fresh draw.

Cells are named by *keys*: the set of ``(dimension, category)`` pairs they fix. The grand total is the empty
key; a margin that several tables share (the year totals of ``year×sex`` and ``year×age_group``) is one
key, so it is suppressed everywhere or nowhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from opennrm.stats.dimensions import Dimension
from opennrm.stats.tables import DISPLAY_THRESHOLD, PersonFrame, count_table, display_count

CellKey = frozenset[tuple[str, str]]
ROUNDING_BASE = 5
#: How a suppressed cell is shown (primary and secondary alike, so the two cannot be told apart).
SUPPRESSED = "x"
MAX_JOINT_CELLS = 200_000
_TOLERANCE = 1e-6


def table_keys(dimensions: Mapping[str, Dimension], names: Sequence[str]) -> list[CellKey]:
    """Every cell of the table ``names`` and of all its margins, the grand total first."""
    out: list[CellKey] = []
    for order in range(len(names) + 1):
        for sub in itertools.combinations(names, order):
            for combo in itertools.product(*(dimensions[n].categories for n in sub)):
                out.append(frozenset(zip(sub, combo, strict=True)))
    return out


def key_name(key: CellKey) -> str:
    return "|".join(f"{d}={c}" for d, c in sorted(key)) or "all"


def random_round(value: int, name: str, draw: Callable[[str], float], base: int = ROUNDING_BASE) -> int:
    """``value`` rounded to a multiple of ``base``, up with probability (remainder / base): unbiased. ``draw``
    maps a text to a number in [0, 1) that only the installation can compute (a keyed hash)."""
    rest = value % base
    if rest == 0:
        return value
    up = draw(f"{name}|{value}") < rest / base
    return value - rest + (base if up else 0)


class JointTable:
    """The exact joint table of the dimensions the keys use, and each key as a 0/1 row over its cells."""

    def __init__(self, frame: PersonFrame, keys: Sequence[CellKey]) -> None:
        used = {d for key in keys for d, _ in key}
        names = tuple(n for n in frame.dimensions if n in used)
        dims = frame.dims(names)
        size = int(np.prod([d.size for d in dims])) if dims else 1
        if size > MAX_JOINT_CELLS:
            raise ValueError(f"the joint table of {', '.join(names)} has more than {MAX_JOINT_CELLS} cells")
        self.counts = np.asarray(count_table(frame, names).values, dtype=np.float64).reshape(-1)
        grid = np.indices(tuple(d.size for d in dims)).reshape(len(dims), -1) if dims else np.zeros((0, 1))
        self.matrix = np.ones((len(keys), size), dtype=np.float64)
        for row, key in enumerate(keys):
            for dim, category in key:
                i = names.index(dim)
                self.matrix[row] *= grid[i] == dims[i].position(category)
        self.values = np.rint(self.matrix @ self.counts).astype(np.int64)


def attacker_ranges(
    matrix: np.ndarray, values: np.ndarray, shown: Iterable[int], targets: Iterable[int]
) -> dict[int, tuple[float, float]]:
    """For each target row of ``matrix``: the least and greatest value it can take over non-negative joint
    tables whose shown rows have the given values (``inf`` when unbounded)."""
    from scipy.optimize import linprog

    shown_rows = np.asarray(sorted(set(shown)), dtype=np.int64)
    a_eq = matrix[shown_rows] if len(shown_rows) else np.zeros((0, matrix.shape[1]))
    b_eq = values[shown_rows].astype(np.float64) if len(shown_rows) else np.zeros(0)
    # a shown zero fixes every joint cell under it at zero: drop those cells (the attacker can too)
    free = ~(a_eq[b_eq == 0] > 0).any(axis=0) if len(b_eq) else np.ones(matrix.shape[1], dtype=bool)
    a_eq, b_eq = a_eq[b_eq > 0][:, free], b_eq[b_eq > 0]
    out: dict[int, tuple[float, float]] = {}
    for target in targets:
        objective = matrix[target, free]
        if not objective.any():
            out[target] = (0.0, 0.0)
            continue
        bounds: list[float] = []
        for sign in (1.0, -1.0):
            found = linprog(
                sign * objective,
                A_eq=a_eq if len(b_eq) else None,
                b_eq=b_eq if len(b_eq) else None,
                bounds=(0, None),
                method="highs",
            )
            if found.status == 3:  # unbounded
                bounds.append(float("inf"))
            elif found.status == 0:
                bounds.append(sign * float(found.fun))
            else:
                raise RuntimeError(f"suppression audit failed: {found.message}")
        out[target] = (bounds[0], bounds[1])
    return out


@dataclass(frozen=True)
class ProtectedCells:
    """Cells by key: the exact count (internal), whether suppressed, and what a reader is shown."""

    keys: tuple[CellKey, ...]
    exact: Mapping[CellKey, int]
    primary: frozenset[CellKey]
    suppressed: frozenset[CellKey]
    shown: Mapping[CellKey, str]


def _protected(low: float, high: float, primary: bool, threshold: int) -> bool:
    needed = threshold if primary else 1
    return high - low >= needed - _TOLERANCE


def _partners(keys: Sequence[CellKey], target: CellKey) -> list[list[int]]:
    """Candidate partners of a cell, nearest first: its own table row or column (same dimensions, one
    category different), the cells it adds up, the margins it is part of, then any cell."""
    dims = {d for d, _ in target}
    line, inner, outer = [], [], []
    for i, key in enumerate(keys):
        if key == target:
            continue
        key_dims = {d for d, _ in key}
        if key_dims == dims and len(key - target) == 1:
            line.append(i)
        elif key_dims > dims and target < key and len(key_dims) == len(dims) + 1:
            inner.append(i)
        elif key < target and len(key) == len(target) - 1:
            outer.append(i)
    return [line, inner, outer, list(range(len(keys)))]


def protect(
    frame: PersonFrame,
    tables: Sequence[Sequence[str]],
    draw: Callable[[str], float],
    threshold: int = DISPLAY_THRESHOLD,
) -> ProtectedCells:
    """Suppress and round every cell of ``tables`` and their margins (see the module docstring)."""
    keys = list(dict.fromkeys(k for names in tables for k in table_keys(frame.dimensions, names)))
    joint = JointTable(frame, keys)
    values = joint.values
    primary = {i for i, v in enumerate(values) if 0 < v < threshold}
    suppressed = set(primary)
    failing = set(suppressed)
    while failing:
        shown = [i for i in range(len(keys)) if i not in suppressed]
        ranges = attacker_ranges(joint.matrix, values, shown, sorted(failing))
        failing = {
            i for i, (low, high) in ranges.items() if not _protected(low, high, i in primary, threshold)
        }
        added: set[int] = set()
        for i in sorted(failing):
            partner = _choose_partner(keys, values, suppressed | added, i, threshold)
            if partner is not None:
                added.add(partner)
        if not added:
            break
        suppressed |= added
        failing |= added  # a new secondary must not be derivable either
    shown_text = {
        key: SUPPRESSED if i in suppressed else str(random_round(int(values[i]), key_name(key), draw))
        for i, key in enumerate(keys)
    }
    return ProtectedCells(
        keys=tuple(keys),
        exact={key: int(values[i]) for i, key in enumerate(keys)},
        primary=frozenset(keys[i] for i in primary),
        suppressed=frozenset(keys[i] for i in suppressed),
        shown=shown_text,
    )


def _choose_partner(
    keys: Sequence[CellKey], values: np.ndarray, taken: set[int], target: int, threshold: int
) -> int | None:
    for group in _partners(keys, keys[target]):
        # an empty cell hides nothing (it cannot go below zero) and withholding it would only call for
        # partners of its own
        free = [i for i in group if i not in taken and values[i] > 0]
        if not free:
            continue
        # a partner that can hide the cell (at least ``threshold``), smallest first; else the largest one
        able = sorted((int(values[i]), i) for i in free if values[i] >= threshold)
        if able:
            return able[0][1]
        return max(free, key=lambda i: (int(values[i]), -i))
    return None


def published_breakdown(
    raw: Mapping[str, int], total: int, threshold: int = DISPLAY_THRESHOLD
) -> dict[str, str]:
    """One breakdown of a published total (categories → counts) as published text, suppressed so that no
    hidden cell can be worked out by subtracting the cells shown from the total: when the total is shown and
    a single cell is hidden (below the threshold), the smallest cell shown beside it is hidden too."""
    shown = {c: display_count(n, threshold) for c, n in raw.items()}
    hidden = [c for c, n in raw.items() if round(n) < threshold]
    visible = sorted((n, c) for c, n in raw.items() if round(n) >= threshold)
    if total >= threshold and len(hidden) == 1 and visible:
        shown[visible[0][1]] = SUPPRESSED
    return shown
