"""Suppression that cannot be undone: every cell of 1–10 persons is withheld, and enough others with it
that an attacker who knows every shown cell exactly (stronger than the rounded figures really shown) and
that counts are not negative cannot work out any withheld cell — not by subtracting from a row, column or
grand total, not by combining tables that share margins, and not by linear programming over the joint
table. Shown counts are rounded to multiples of 5 (issue 12, item 6)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest
from scipy.optimize import linprog

from opennrm.stats.disclosure import SUPPRESSED, ProtectedCells, protect, random_round, table_keys
from opennrm.stats.tables import DISPLAY_THRESHOLD, PersonFrame, count_table
from tests.unit.stats.conftest import small_ctdc_frame

TABLES = [("sex", "age_group"), ("exploitation", "sex"), ("citizenship", "sex")]


def draw(text: str) -> float:
    return random.Random(text).random()


def joint(frame: PersonFrame, protected: ProtectedCells) -> tuple[np.ndarray, dict[frozenset, np.ndarray]]:
    """The joint table over the tables' dimensions, and each cell key as a 0/1 vector over it (written
    here again, independently of the module under test)."""
    names = sorted({d for key in protected.keys for d, _ in key}, key=list(frame.dimensions).index)
    table = count_table(frame, names)
    cells = list(itertools.product(*(frame.dimensions[n].categories for n in names)))
    rows = {
        key: np.array([all(cell[names.index(d)] == c for d, c in key) for cell in cells], dtype=float)
        for key in protected.keys
    }
    return table.values.reshape(-1).astype(float), rows


def elimination_attack(frame: PersonFrame, protected: ProtectedCells, tables) -> dict[frozenset, int]:  # type: ignore[no-untyped-def]
    """Subtract: whenever a margin and all but one of the cells that add up to it are known, solve."""
    known = {k: protected.exact[k] for k in protected.keys if k not in protected.suppressed}
    equations = []  # (margin, parts)
    for names in tables:
        for key in table_keys(frame.dimensions, names):
            fixed = {d for d, _ in key}
            for dim in names:
                if dim in fixed:
                    continue
                parts = [key | {(dim, c)} for c in frame.dimensions[dim].categories]
                equations.append((key, parts))
    changed = True
    while changed:
        changed = False
        for margin, parts in equations:
            unknown = [p for p in [margin, *parts] if p not in known]
            if len(unknown) != 1:
                continue
            (cell,) = unknown
            if cell == margin:
                known[cell] = sum(known[p] for p in parts)
            else:
                known[cell] = known[margin] - sum(known[p] for p in parts if p != cell)
            changed = True
    return {k: v for k, v in known.items() if k in protected.suppressed}


def lp_attack(frame: PersonFrame, protected: ProtectedCells) -> dict[frozenset, tuple[float, float]]:
    counts, rows = joint(frame, protected)
    shown = [k for k in protected.keys if k not in protected.suppressed]
    a_eq = np.array([rows[k] for k in shown])
    b_eq = a_eq @ counts
    out = {}
    for key in protected.suppressed:
        low = linprog(rows[key], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-rows[key], A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        out[key] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return out


@pytest.mark.parametrize("seed", [7, 8, 9])
@pytest.mark.parametrize("n", [300, 3000])
def test_no_suppressed_cell_can_be_worked_out_from_what_is_shown(n: int, seed: int) -> None:
    frame = small_ctdc_frame(n, seed)
    protected = protect(frame, TABLES, draw)
    assert protected.primary, "the frame has small cells on purpose"
    assert protected.primary <= protected.suppressed
    for key, value in protected.exact.items():
        if 0 < value < DISPLAY_THRESHOLD:
            assert key in protected.primary
    # subtracting within and across tables finds no suppressed cell
    assert elimination_attack(frame, protected, TABLES) == {}
    # linear programming: every primary cell ranges over at least 11 values, no suppressed cell over one
    for key, (low, high) in lp_attack(frame, protected).items():
        assert low <= protected.exact[key] <= high
        needed = DISPLAY_THRESHOLD if key in protected.primary else 1
        assert high - low >= needed - 1e-6, (sorted(key), protected.exact[key], low, high)


def test_what_is_shown_is_a_multiple_of_five_or_withheld() -> None:
    frame = small_ctdc_frame(3000, 7)
    protected = protect(frame, TABLES, draw)
    for key, text in protected.shown.items():
        if key in protected.suppressed:
            assert text == SUPPRESSED
        else:
            value = int(text)
            assert value % 5 == 0 and abs(value - protected.exact[key]) < 5
    # a shared margin (the sex totals of three tables) is one cell: shown or withheld once for all
    assert len(protected.keys) == len(set(protected.keys))


def test_a_small_table_is_withheld_entirely_rather_than_disclosed() -> None:
    frame = small_ctdc_frame(12, 3)
    protected = protect(frame, [("sex", "age_group")], draw)
    assert lp_attack(frame, protected)  # something was withheld
    for key, (low, high) in lp_attack(frame, protected).items():
        needed = DISPLAY_THRESHOLD if key in protected.primary else 1
        assert high - low >= needed - 1e-6


def test_random_rounding_is_stable_for_a_value_and_unbiased() -> None:
    assert random_round(20, "cell", draw) == 20
    assert random_round(23, "cell", draw) == random_round(23, "cell", draw)
    shown = [random_round(23, f"cell{i}", draw) for i in range(4000)]
    assert set(shown) == {20, 25}
    assert abs(np.mean(shown) - 23) < 0.2
