"""Ranking accounts: the default that needs no labels (the detectors combined) and a trained model
(graph features and gradient-boosted trees), each score with its evidence.

Default risk: ``1 - Π (1 - weight(rule) × strength(hit))`` over the rules an account hits, with the weights of
the jurisdiction file's ``[ranking]`` section; accounts hit by nothing keep a small tie-break from how much
they received from distinct senders in a short time (so the order below the flagged accounts still means
something). A possible-victim hit never raises an account's risk.

Trained model: ``sklearn.ensemble.HistGradientBoostingClassifier`` on the per-account features of
``features`` (degrees, amounts, windowed fan-in/out, neighbours' degrees, timing, pass-through share, and the
detector strengths). Saved with ``joblib`` (pickle): load only model directories you made or trust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from opennrm.finance.detectors import POSSIBLE_VICTIM, RULES, Hit, Report
from opennrm.finance.ingest import Transactions
from opennrm.finance.jurisdiction import Jurisdiction

if TYPE_CHECKING:
    import polars as pl

MODEL_FORMAT = "opennrm-finance-model/1"
_MANIFEST = "model.json"
_ESTIMATOR = "estimator.joblib"

BASELINE_FEATURES = (
    "in_count",
    "out_count",
    "in_degree",
    "out_degree",
    "in_sum",
    "out_sum",
    "in_mean",
    "out_mean",
)


class ModelError(ValueError):
    """A model directory is absent, unreadable or made for other features."""


@dataclass(frozen=True)
class Score:
    account: str
    risk: float
    typologies: tuple[str, ...]
    evidence: tuple[Hit, ...] = ()


def features(transactions: Transactions, report: Report) -> pl.DataFrame:
    """One row per account seen, the columns of ``feature_names()`` plus ``account``."""
    import polars as pl

    f = transactions.frame
    accounts = pl.DataFrame({"account": transactions.accounts})
    day = "1d"
    inc = _flows(f, "target", "source", "in")
    out = _flows(f, "source", "target", "out")
    win_in = (
        f.select(pl.col("target").alias("account"), "source", "ts")
        .sort("account", "ts")
        .group_by_dynamic("ts", every=day, period="7d", group_by="account")
        .agg(pl.col("source").n_unique().alias("n"))
        .group_by("account")
        .agg(pl.col("n").max().alias("max_week_in_degree"))
    )
    win_out = (
        f.select(pl.col("source").alias("account"), "target", "ts")
        .sort("account", "ts")
        .group_by_dynamic("ts", every=day, period="7d", group_by="account")
        .agg(pl.col("target").n_unique().alias("n"))
        .group_by("account")
        .agg(pl.col("n").max().alias("max_week_out_degree"))
    )
    table = (
        accounts.join(inc, on="account", how="left")
        .join(out, on="account", how="left")
        .join(win_in, on="account", how="left")
        .join(win_out, on="account", how="left")
    )
    # neighbours: the mean out-degree of those who paid the account, the mean in-degree of those it paid
    deg = table.select("account", "in_degree", "out_degree").fill_null(0)
    nb_in = (
        f.select(pl.col("target").alias("account"), pl.col("source").alias("nb"))
        .unique()
        .join(deg.rename({"account": "nb", "in_degree": "nb_in", "out_degree": "nb_out"}), on="nb")
        .group_by("account")
        .agg(
            pl.col("nb_out").mean().alias("senders_out_degree"),
            pl.col("nb_in").mean().alias("senders_in_degree"),
        )
    )
    nb_out = (
        f.select(pl.col("source").alias("account"), pl.col("target").alias("nb"))
        .unique()
        .join(deg.rename({"account": "nb", "in_degree": "nb_in", "out_degree": "nb_out"}), on="nb")
        .group_by("account")
        .agg(
            pl.col("nb_in").mean().alias("receivers_in_degree"),
            pl.col("nb_out").mean().alias("receivers_out_degree"),
        )
    )
    # reciprocity: counterparts that both paid and were paid by the account
    pairs_out = f.select(pl.col("source").alias("account"), pl.col("target").alias("nb")).unique()
    pairs_in = f.select(pl.col("target").alias("account"), pl.col("source").alias("nb")).unique()
    recip = (
        pairs_out.join(pairs_in, on=["account", "nb"]).group_by("account").agg(pl.len().alias("reciprocal"))
    )
    table = (
        table.join(nb_in, on="account", how="left")
        .join(nb_out, on="account", how="left")
        .join(recip, on="account", how="left")
        .with_columns(
            ((pl.col("last_out") - pl.col("first_in")).dt.total_seconds() / 3600.0).alias("in_to_out_hours"),
            ((pl.col("last_in") - pl.col("first_in")).dt.total_seconds() / 3600.0).alias("in_span_hours"),
            ((pl.col("last_out") - pl.col("first_out")).dt.total_seconds() / 3600.0).alias("out_span_hours"),
            (pl.col("out_sum") / pl.col("in_sum")).alias("out_in_ratio"),
        )
        .drop("first_in", "last_in", "first_out", "last_out")
    )
    if transactions.accounts_frame is not None and "opening_balance" in transactions.accounts_frame.columns:
        table = table.join(
            transactions.accounts_frame.select("account", "opening_balance"), on="account", how="left"
        )
    else:
        table = table.with_columns(pl.lit(None, dtype=pl.Float64).alias("opening_balance"))
    strengths: dict[str, dict[str, float]] = {r: {} for r in RULES}
    counts: dict[str, dict[str, int]] = {r: {} for r in RULES}
    for hit in report.hits:
        if hit.role == POSSIBLE_VICTIM:
            continue
        s = strengths[hit.rule]
        s[hit.account] = max(s.get(hit.account, 0.0), hit.strength)
        c = counts[hit.rule]
        c[hit.account] = c.get(hit.account, 0) + 1
    names = transactions.accounts
    table = table.with_columns(
        [pl.Series(f"rule_{r}", [strengths[r].get(a, 0.0) for a in names], dtype=pl.Float64) for r in RULES]
        + [
            pl.Series(f"hits_{r}", [float(counts[r].get(a, 0)) for a in names], dtype=pl.Float64)
            for r in RULES
        ]
    )
    # -1 marks "absent" (every real value is 0 or more): a column that is all missing (no accounts file)
    # would otherwise trip the trees' binning
    return table.select("account", *feature_names()).with_columns(
        [pl.col(c).cast(pl.Float64).fill_nan(None).fill_null(-1.0) for c in feature_names()]
    )


def feature_names() -> tuple[str, ...]:
    return (
        "in_count",
        "out_count",
        "in_degree",
        "out_degree",
        "in_sum",
        "out_sum",
        "in_mean",
        "out_mean",
        "in_std",
        "out_std",
        "in_max",
        "out_max",
        "in_cv",
        "out_cv",
        "max_week_in_degree",
        "max_week_out_degree",
        "senders_out_degree",
        "senders_in_degree",
        "receivers_in_degree",
        "receivers_out_degree",
        "reciprocal",
        "in_to_out_hours",
        "in_span_hours",
        "out_span_hours",
        "out_in_ratio",
        "opening_balance",
        *(f"rule_{r}" for r in RULES),
        *(f"hits_{r}" for r in RULES),
    )


def _evidence(report: Report) -> dict[str, list[Hit]]:
    return report.by_account()


def busiest_week(transactions: Transactions) -> dict[str, int]:
    """Per account, the most distinct senders in any 7-day window (a new window every day)."""
    import polars as pl

    busiest = (
        transactions.frame.select(pl.col("target").alias("account"), "source", "ts")
        .sort("account", "ts")
        .group_by_dynamic("ts", every="1d", period="7d", group_by="account")
        .agg(pl.col("source").n_unique().alias("n"))
        .group_by("account")
        .agg(pl.col("n").max())
    )
    return dict(zip(busiest["account"].to_list(), busiest["n"].to_list(), strict=True))


def default_scores(
    transactions: Transactions,
    report: Report,
    jurisdiction: Jurisdiction,
    tie: dict[str, int] | None = None,
) -> list[Score]:
    """The unsupervised ranking: detectors combined by the jurisdiction's weights. ``tie``: the busiest-week
    senders when already counted (the Spark engine counts them on Spark)."""
    evidence = _evidence(report)
    # tie-break below every flagged account: distinct senders in the busiest week, scaled into [0, 0.01)
    tie = busiest_week(transactions) if tie is None else tie
    top = max(tie.values(), default=1) or 1
    scores = []
    for account in transactions.accounts:
        hits = evidence.get(account, [])
        best: dict[str, float] = {}
        for h in hits:
            if h.role == POSSIBLE_VICTIM:
                continue
            best[h.rule] = max(best.get(h.rule, 0.0), h.strength)
        keep = 1.0
        for rule, strength in best.items():
            keep *= 1.0 - min(0.999, jurisdiction.weight(rule) * strength)
        risk = (1.0 - keep) * 0.99 + 0.01 * tie.get(account, 0) / (top + 1)
        scores.append(Score(account, float(risk), tuple(sorted({h.rule for h in hits})), tuple(hits)))
    return scores


@dataclass
class TrainedModel:
    estimator: Any
    feature_names: tuple[str, ...]
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, table: pl.DataFrame) -> np.ndarray:
        x = table.select(self.feature_names).to_numpy()
        return np.asarray(self.estimator.predict_proba(x)[:, 1], dtype=np.float64)

    def save(self, directory: Path) -> None:
        import joblib
        import sklearn

        directory.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format": MODEL_FORMAT,
            "feature_names": list(self.feature_names),
            "sklearn_version": sklearn.__version__,
            "info": self.info,
        }
        (directory / _MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        joblib.dump(self.estimator, directory / _ESTIMATOR)

    @classmethod
    def load(cls, directory: Path) -> TrainedModel:
        """A saved model. The estimator is unpickled: only load directories you trust."""
        import joblib

        path = directory / _MANIFEST
        if not path.is_file():
            raise ModelError(f"{directory}: not a finance model directory (no {_MANIFEST})")
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path}: unreadable ({exc})") from None
        if manifest.get("format") != MODEL_FORMAT:
            raise ModelError(f"{directory}: model format {manifest.get('format')!r}, expected {MODEL_FORMAT}")
        if tuple(manifest.get("feature_names", ())) != feature_names():
            raise ModelError(f"{directory}: trained with other features; train it again")
        if not (directory / _ESTIMATOR).is_file():
            raise ModelError(f"{directory}: {_ESTIMATOR} is missing")
        return cls(joblib.load(directory / _ESTIMATOR), feature_names(), dict(manifest.get("info", {})))


def estimator(seed: int = 0) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=300, learning_rate=0.05, max_leaf_nodes=31, l2_regularization=1.0, random_state=seed
    )


def fit(
    table: pl.DataFrame, labels: np.ndarray, names: tuple[str, ...] | None = None, seed: int = 0
) -> TrainedModel:
    chosen = names or feature_names()
    model = estimator(seed)
    model.fit(table.select(chosen).to_numpy(), labels)
    return TrainedModel(model, chosen)


def trained_scores(model: TrainedModel, table: pl.DataFrame, report: Report) -> list[Score]:
    evidence = _evidence(report)
    risk = model.predict(table)
    return [
        Score(a, float(r), tuple(sorted({h.rule for h in evidence.get(a, [])})), tuple(evidence.get(a, [])))
        for a, r in zip(table["account"].to_list(), risk, strict=True)
    ]


def label_vector(table: pl.DataFrame, labels: dict[str, int]) -> np.ndarray:
    return np.array([labels.get(a, 0) for a in table["account"].to_list()], dtype=np.int8)


def _flows(f: Any, account: str, counterpart: str, side: str) -> Any:
    """Per-account totals of one direction of the money (``side`` ``in``: what reaches the account)."""
    import polars as pl

    return f.group_by(pl.col(account).alias("account")).agg(
        pl.len().alias(f"{side}_count"),
        pl.col(counterpart).n_unique().alias(f"{side}_degree"),
        pl.col("amount").sum().alias(f"{side}_sum"),
        pl.col("amount").mean().alias(f"{side}_mean"),
        pl.col("amount").std().fill_null(0).alias(f"{side}_std"),
        pl.col("amount").max().alias(f"{side}_max"),
        pl.col("ts").min().alias(f"first_{side}"),
        pl.col("ts").max().alias(f"last_{side}"),
        (pl.col("amount").std().fill_null(0) / pl.col("amount").mean()).alias(f"{side}_cv"),
    )
