"""Validation of the ranking: grouped folds (the accounts of one laundering pattern stay in one fold),
across typologies (train on one data set, test on another) and the baselines the benchmarks compare with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from opennrm.finance.ingest import Transactions
from opennrm.finance.ranking import BASELINE_FEATURES, estimator, feature_names

if TYPE_CHECKING:
    import polars as pl


class EvaluationError(ValueError):
    """Too few labelled accounts to validate."""


def pattern_groups(
    data: Transactions, accounts: list[str], y: np.ndarray, buckets: int = 1000, largest: int = 30
) -> np.ndarray:
    """A group per account: laundering accounts joined by payments between them share one (a pattern), in
    breadth-first chunks of at most ``largest`` accounts (laundering accounts also pay each other in their
    ordinary business, which would chain every pattern into one group); every other account falls into one
    of ``buckets`` groups."""
    import polars as pl

    positive = sorted(a for a, v in zip(accounts, y, strict=True) if v)
    chosen = set(positive)
    edges = data.frame.filter(pl.col("source").is_in(positive) & pl.col("target").is_in(positive))
    neighbours: dict[str, set[str]] = {a: set() for a in positive}
    for s, t in edges.select("source", "target").iter_rows():
        neighbours[s].add(t)
        neighbours[t].add(s)
    component: dict[str, int] = {}
    group = 0
    for start in positive:
        if start in component:
            continue
        queue, size = [start], 0
        component[start] = group
        while queue:
            node = queue.pop(0)
            size += 1
            for other in sorted(neighbours[node]):
                if other in chosen and other not in component:
                    if size + len(queue) >= largest:
                        break
                    component[other] = group
                    queue.append(other)
        group += 1
    offset = len(component) + 1
    return np.array(
        [component[a] if a in component else offset + (i % buckets) for i, a in enumerate(accounts)],
        dtype=np.int64,
    )


def _folds(groups: np.ndarray, y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """A fold per account: whole groups dealt round-robin in random order, groups with a laundering account
    first, so each fold gets its share of positives and no group is split."""
    rng = np.random.default_rng(seed)
    positive_groups = np.unique(groups[y == 1])
    others = np.setdiff1d(np.unique(groups), positive_groups)
    assignment: dict[int, int] = {}
    for block in (rng.permutation(positive_groups), rng.permutation(others)):
        for i, g in enumerate(block):
            assignment[int(g)] = i % folds
    return np.array([assignment[int(g)] for g in groups], dtype=np.int64)


def average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import average_precision_score

    return float(average_precision_score(y, scores))


def grouped_cv(
    data: Transactions,
    table: pl.DataFrame,
    y: np.ndarray,
    folds: int = 5,
    seed: int = 0,
    names: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    positives = int(y.sum())
    folds = min(folds, positives)
    if folds < 2:
        raise EvaluationError("grouped folds need at least two accounts labelled 1")
    chosen = names or feature_names()
    accounts = table["account"].to_list()
    groups = pattern_groups(data, accounts, y)
    x = table.select(chosen).to_numpy()
    oof = np.zeros(len(y))
    fold_of = _folds(groups, y, folds, seed)
    for k in range(folds):
        train, test = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
        model = estimator(seed)
        model.fit(x[train], y[train])
        oof[test] = model.predict_proba(x[test])[:, 1]
    return {
        "folds": folds,
        "average_precision": average_precision(y, oof),
        "prevalence": float(y.mean()),
    }


def transfer(
    train_table: pl.DataFrame,
    y_train: np.ndarray,
    test_table: pl.DataFrame,
    y_test: np.ndarray,
    seed: int = 0,
) -> dict[str, float]:
    """Train on one data set, test on another: the full model and the degree/amount baseline, same run."""
    out = {}
    for name, cols in (("model", feature_names()), ("baseline", BASELINE_FEATURES)):
        m = estimator(seed)
        m.fit(train_table.select(cols).to_numpy(), y_train)
        out[name] = average_precision(y_test, m.predict_proba(test_table.select(cols).to_numpy())[:, 1])
    return out
