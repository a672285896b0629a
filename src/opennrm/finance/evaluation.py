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


def pattern_groups(data: Transactions, accounts: list[str], y: np.ndarray, buckets: int = 1000) -> np.ndarray:
    """A group per account: laundering accounts joined by a payment between them share one (a pattern);
    every other account is its own small group."""
    import polars as pl
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    positive = sorted(a for a, v in zip(accounts, y, strict=True) if v)
    number = {a: i for i, a in enumerate(positive)}
    edges = data.frame.filter(pl.col("source").is_in(positive) & pl.col("target").is_in(positive))
    rows = [number[a] for a in edges["source"].to_list()]
    cols = [number[a] for a in edges["target"].to_list()]
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(positive), len(positive)))
    _, labels = connected_components(graph, directed=False)
    component = {a: int(labels[i]) for i, a in enumerate(positive)}
    offset = len(component) + 1
    return np.array(
        [component[a] if a in component else offset + (i % buckets) for i, a in enumerate(accounts)],
        dtype=np.int64,
    )


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
    from sklearn.model_selection import StratifiedGroupKFold

    positives = int(y.sum())
    folds = min(folds, positives)
    if folds < 2:
        raise EvaluationError("grouped folds need at least two accounts labelled 1")
    chosen = names or feature_names()
    accounts = table["account"].to_list()
    groups = pattern_groups(data, accounts, y)
    x = table.select(chosen).to_numpy()
    oof = np.zeros(len(y))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y, groups):
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
