"""Training and evaluating on labelled ads, the way the reference note asks: grouped folds, honest metrics.

- ``prepare`` analyses and links a labelled set once (flags, structure, network features need no labels).
- ``cross_validate`` refits the model inside folds grouped by company (or city), so no employer's ads are on
  both sides of a split; metrics come from the pooled out-of-fold predictions.
- ``baseline_cross_validate`` is the reference baseline on the same folds: character 1-3-gram TF-IDF
  (``min_df=2``, sublinear tf, at most 300,000 features) of the sub-title and description, salary, benefits,
  requirements, company description and business scope, with class-weighted logistic regression (``C=4``):
  the baseline issue 18 set.
- ``transfer`` evaluates as deployment happens: train on one city (or the earlier ads), score another city
  (or the later ads), the model and the baseline on the same split.
- Metrics: PR-AUC (average precision), precision at k (k = number of positives: the review budget that
  would find them all if the ranking were perfect), ROC-AUC, Brier score; bootstrap intervals resample
  groups, not rows.
- ``pairwise_scores`` measures linking: precision and recall over pairs of ads put together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.model import ModelError, RiskModel, TrainingConfig, default_model, train_model
from opennrm.recruitment.pipeline import LinkCollector, scan_partition

GROUPINGS = ("company", "city")


class EvaluationError(ValueError):
    """A labelled set that cannot be evaluated as asked."""


@dataclass
class LabelledBatch:
    """A labelled set, analysed and linked: feature matrix (text-logit column empty), texts, groups."""

    ads: list[JobAd]
    texts: list[str]
    baseline_texts: list[str]
    features: np.ndarray
    labels: np.ndarray
    actors: np.ndarray

    def employers(self) -> np.ndarray:
        """Each ad's employer hash (``actors.stable_hash`` of its employer key; 0 = none), as the scanner
        hands them to ``RiskModel.risk``."""
        from opennrm.recruitment.actors import stable_hash

        return np.array([stable_hash(ad.employer_key) for ad in self.ads], dtype=np.uint64)

    def groups(self, by: str) -> np.ndarray:
        """Group of each ad: its employer (else its actor) for ``company``; its city for ``city``.

        ``ad`` makes every ad its own group: an ordinary random split, only for showing how much it
        overstates (the reference note asks for grouped and random numbers side by side).
        """
        if by == "company":
            return np.array(
                [ad.employer_key or f"actor:{actor}" for ad, actor in zip(self.ads, self.actors, strict=True)]
            )
        if by == "city":
            return np.array([(ad.city or "").strip().lower() or "unknown" for ad in self.ads])
        if by == "ad":
            return np.array([f"ad:{i}" for i in range(len(self.ads))])
        raise EvaluationError(f"cannot group by {by!r}; use one of {', '.join(GROUPINGS)}")


def prepare(ads: Sequence[JobAd], progress: Callable[[int], None] | None = None) -> LabelledBatch:
    """Analyse and link labelled ads (no label is used here)."""
    ads = list(ads)
    unlabelled = [ad.line for ad in ads if ad.label is None]
    if unlabelled:
        raise EvaluationError(f"{len(unlabelled)} ad(s) have no label (first at line {unlabelled[0]})")
    collector = LinkCollector()
    texts: list[str] = []
    for scanned in scan_partition(enumerate(ads), default_model(), keep_text=True):
        collector.add(scanned)
        texts.append(scanned.model_text)
        if progress is not None:
            progress(1)
    from opennrm.recruitment.actors import link

    links = link(collector.link_inputs())
    features = np.hstack([collector.ad_features(), links.network]).astype(np.float32)
    features[:, 0] = 0.0
    return LabelledBatch(
        ads=ads,
        texts=texts,
        baseline_texts=[baseline_text(ad) for ad in ads],
        features=features,
        labels=np.array([ad.label for ad in ads], dtype=np.int64),
        actors=links.actor,
    )


def baseline_text(ad: JobAd) -> str:
    """What the baseline reads: the ad's text (sub-title and description), salary, benefits, requirements,
    company description and business scope, as written."""
    parts = (ad.text, ad.salary, ad.benefits, ad.requirements, ad.company_info, ad.company_scope)
    return "\n".join(part for part in parts if part)


def train(batch: LabelledBatch, config: TrainingConfig | None = None) -> RiskModel:
    """Train on the whole labelled set, internal folds grouped by employer."""
    return train_model(batch.texts, batch.features, batch.labels, batch.groups("company"), config)


# -- metrics -----------------------------------------------------------------------------------------------


def precision_at_k(labels: np.ndarray, scores: np.ndarray, k: int | None = None) -> float:
    k = int(labels.sum()) if k is None else k
    if k <= 0:
        return float("nan")
    top = np.argsort(-scores, kind="stable")[:k]
    return float(labels[top].mean())


def risk_metrics(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    return {
        "pr_auc": float(average_precision_score(labels, scores)),
        "precision_at_k": precision_at_k(labels, scores),
        "roc_auc": float(roc_auc_score(labels, scores)),
        "brier": float(brier_score_loss(labels, np.clip(scores, 0.0, 1.0))),
    }


def group_bootstrap(
    labels: np.ndarray, scores: np.ndarray, groups: np.ndarray, reps: int = 200, seed: int = 0
) -> dict[str, tuple[float, float]]:
    """95 % intervals of PR-AUC and precision@k, resampling whole groups (companies or cities)."""
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(seed)
    names, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(names))]
    pr: list[float] = []
    pk: list[float] = []
    for _ in range(reps):
        chosen = np.concatenate([members[g] for g in rng.integers(0, len(names), len(names))])
        y, s = labels[chosen], scores[chosen]
        if 0 < y.sum() < len(y):
            pr.append(float(average_precision_score(y, s)))
            pk.append(precision_at_k(y, s))
    if not pr:
        return {}
    return {
        "pr_auc": (float(np.percentile(pr, 2.5)), float(np.percentile(pr, 97.5))),
        "precision_at_k": (float(np.percentile(pk, 2.5)), float(np.percentile(pk, 97.5))),
    }


@dataclass
class EvaluationResult:
    """Pooled out-of-fold metrics of one method."""

    method: str
    group_by: str
    folds: int
    ads: int
    positives: int
    groups: int
    metrics: dict[str, float]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    scores: np.ndarray | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "group_by": self.group_by,
            "folds": self.folds,
            "ads": self.ads,
            "positives": self.positives,
            "prevalence": round(self.positives / max(self.ads, 1), 4),
            "groups": self.groups,
            **{name: round(value, 4) for name, value in self.metrics.items()},
            **{
                f"{name}_ci95": [round(low, 4), round(high, 4)]
                for name, (low, high) in self.intervals.items()
            },
        }


def folds_for(
    batch: LabelledBatch, group_by: str, folds: int = 5, seed: int = 0
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified folds that keep every group on one side (fewer folds when there are fewer groups)."""
    from sklearn.model_selection import StratifiedGroupKFold

    groups = batch.groups(group_by)
    labels = batch.labels
    if labels.sum() == 0 or labels.sum() == len(labels):
        raise EvaluationError("the labelled set needs ads labelled 1 and ads labelled 0")
    usable = min(folds, len(np.unique(groups)), len(np.unique(groups[labels == 1])))
    if usable < 2:
        raise EvaluationError(f"grouping by {group_by} leaves fewer than 2 groups with positive ads")
    splitter = StratifiedGroupKFold(n_splits=usable, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


def _result(
    method: str, batch: LabelledBatch, group_by: str, folds: int, scores: np.ndarray, bootstrap: bool
) -> EvaluationResult:
    groups = batch.groups(group_by)
    return EvaluationResult(
        method=method,
        group_by=group_by,
        folds=folds,
        ads=len(batch.labels),
        positives=int(batch.labels.sum()),
        groups=len(np.unique(groups)),
        metrics=risk_metrics(batch.labels, scores),
        intervals=group_bootstrap(batch.labels, scores, groups) if bootstrap else {},
        scores=scores,
    )


def cross_validate(
    batch: LabelledBatch,
    group_by: str = "company",
    config: TrainingConfig | None = None,
    folds: int = 5,
    seed: int = 0,
    bootstrap: bool = True,
    on_fold: Callable[[int, int], None] | None = None,
) -> EvaluationResult:
    """Out-of-fold risk of the trainable model, refitted in each grouped fold."""
    splits = folds_for(batch, group_by, folds, seed)
    scores = np.zeros(len(batch.labels), dtype=np.float64)
    train_groups = batch.groups("company")
    for number, (train_rows, test_rows) in enumerate(splits, start=1):
        try:
            model = train_model(
                [batch.texts[i] for i in train_rows],
                batch.features[train_rows],
                batch.labels[train_rows],
                train_groups[train_rows],
                config,
            )
        except ModelError as error:
            raise EvaluationError(f"fold {number}: {error}") from error
        test_features = batch.features[test_rows].copy()
        test_features[:, 0] = model.text_logits([batch.texts[i] for i in test_rows])
        scores[test_rows] = model.risk(test_features, batch.employers()[test_rows])
        if on_fold is not None:
            on_fold(number, len(splits))
    return _result("opennrm", batch, group_by, len(splits), scores, bootstrap)


def evaluate_fixed(
    batch: LabelledBatch, model: RiskModel, group_by: str = "company", bootstrap: bool = True
) -> EvaluationResult:
    """Metrics of a model as it is, without refitting (e.g. the shipped default on a platform's labels)."""
    features = batch.features.copy()
    features[:, 0] = model.text_logits(batch.texts)
    scores = model.risk(features, batch.employers()).astype(np.float64)
    return _result(f"{model.kind} (not refitted)", batch, group_by, 0, scores, bootstrap)


def baseline_scores(
    texts: Sequence[str], labels: np.ndarray, train_rows: np.ndarray, test_rows: np.ndarray
) -> np.ndarray:
    """The baseline fitted on ``train_rows`` and scored on ``test_rows``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectoriser = TfidfVectorizer(
        analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, max_features=300_000
    )
    matrix = vectoriser.fit_transform([texts[i] for i in train_rows])
    classifier = LogisticRegression(class_weight="balanced", C=4.0, max_iter=3000)
    classifier.fit(matrix, labels[train_rows])
    return np.asarray(
        classifier.predict_proba(vectoriser.transform([texts[i] for i in test_rows]))[:, 1], dtype=np.float64
    )


def baseline_cross_validate(
    batch: LabelledBatch, group_by: str = "company", folds: int = 5, seed: int = 0, bootstrap: bool = True
) -> EvaluationResult:
    """The reference baseline on the same folds (see the module's docstring)."""
    splits = folds_for(batch, group_by, folds, seed)
    scores = np.zeros(len(batch.labels), dtype=np.float64)
    for train_rows, test_rows in splits:
        scores[test_rows] = baseline_scores(batch.baseline_texts, batch.labels, train_rows, test_rows)
    return _result("baseline char-tfidf+logreg", batch, group_by, len(splits), scores, bootstrap)


# -- transfer: train on one city or period, score another ---------------------------------------------------


def model_scores(
    batch: LabelledBatch, train_rows: np.ndarray, test_rows: np.ndarray, config: TrainingConfig | None = None
) -> np.ndarray:
    """The trained model fitted on ``train_rows`` (inner folds grouped by employer): risk of ``test_rows``."""
    return model_scores_with_and_without_memory(batch, train_rows, test_rows, config)[0]


def model_scores_with_and_without_memory(
    batch: LabelledBatch, train_rows: np.ndarray, test_rows: np.ndarray, config: TrainingConfig | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``model_scores``, and the same fitted model's scores without its employer memory."""
    model = train_model(
        [batch.texts[i] for i in train_rows],
        batch.features[train_rows],
        batch.labels[train_rows],
        batch.groups("company")[train_rows],
        config,
    )
    features = batch.features[test_rows].copy()
    features[:, 0] = model.text_logits([batch.texts[i] for i in test_rows])
    return (
        model.risk(features, batch.employers()[test_rows]).astype(np.float64),
        model.risk(features).astype(np.float64),
    )


def city_splits(batch: LabelledBatch) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``(name, train rows, test rows)``: each city with positive ads against every other city."""
    cities = batch.groups("city")
    names = [c for c in sorted(set(cities)) if batch.labels[cities == c].sum() > 0]
    if len(names) < 2:
        raise EvaluationError("city transfer needs at least two cities with ads labelled 1")
    return [
        (f"{a} -> {b}", np.flatnonzero(cities == a), np.flatnonzero(cities == b))
        for a in names
        for b in names
        if a != b
    ]


def time_split(batch: LabelledBatch, share: float = 0.6) -> tuple[str, np.ndarray, np.ndarray] | None:
    """Train on the earliest ``share`` of dated ads, test on the rest (``None`` without enough dates)."""
    dates = np.array([(ad.posted_at or "")[:10] for ad in batch.ads])
    dated = np.flatnonzero(dates != "")
    if len(dated) < 20:
        return None
    cut = np.sort(dates[dated])[int(share * len(dated))]
    train_rows = dated[dates[dated] < cut]
    test_rows = dated[dates[dated] >= cut]
    for rows in (train_rows, test_rows):
        if len(np.unique(batch.labels[rows])) < 2:
            return None
    return f"posted before {cut} -> from {cut}", train_rows, test_rows


@dataclass
class TransferResult:
    """One split of a transfer evaluation: the model, the baseline and the default model, same test ads."""

    split: str
    train_ads: int
    test_ads: int
    test_positives: int
    metrics: dict[str, dict[str, float]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "split": self.split,
            "train_ads": self.train_ads,
            "test_ads": self.test_ads,
            "test_positives": self.test_positives,
            "test_prevalence": round(self.test_positives / max(self.test_ads, 1), 4),
            **{
                method: {name: round(value, 4) for name, value in values.items()}
                for method, values in self.metrics.items()
            },
        }


def transfer(
    batch: LabelledBatch,
    split: tuple[str, np.ndarray, np.ndarray],
    config: TrainingConfig | None = None,
    baseline: bool = True,
) -> TransferResult:
    """The trained model, the baseline (same training ads) and the untrained default on one split."""
    name, train_rows, test_rows = split
    labels = batch.labels[test_rows]
    remembering, forgetting = model_scores_with_and_without_memory(batch, train_rows, test_rows, config)
    metrics = {
        "opennrm": risk_metrics(labels, remembering),
        "opennrm_without_employer_memory": risk_metrics(labels, forgetting),
    }
    if baseline:
        metrics["baseline"] = risk_metrics(
            labels, baseline_scores(batch.baseline_texts, batch.labels, train_rows, test_rows)
        )
    fixed = batch.features[test_rows].copy()
    metrics["default_untrained"] = risk_metrics(labels, default_model().risk(fixed).astype(np.float64))
    return TransferResult(name, len(train_rows), len(test_rows), int(labels.sum()), metrics)


def indicator_count_scores(batch: LabelledBatch) -> np.ndarray:
    """Baseline 1 of the reference note: the number of distinct flags, unweighted."""
    from opennrm.recruitment.features import ad_feature_names

    return batch.features[:, ad_feature_names().index("flag_count")].astype(np.float64)


# -- linking -----------------------------------------------------------------------------------------------


def _pairs(counts: np.ndarray) -> int:
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(truth: Sequence[Any], predicted: Sequence[Any]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering. ``None`` means "in no cluster" (a singleton)."""
    n = len(truth)
    if n != len(predicted):
        raise ValueError("truth and prediction differ in length")
    true_ids = _dense([t if t is not None else ("solo", i) for i, t in enumerate(truth)])
    pred_ids = _dense([p if p is not None else ("solo", i) for i, p in enumerate(predicted)])
    joint = np.unique(true_ids.astype(np.int64) * (pred_ids.max() + 1) + pred_ids, return_counts=True)[1]
    both = _pairs(joint)
    true_pairs = _pairs(np.unique(true_ids, return_counts=True)[1])
    predicted_pairs = _pairs(np.unique(pred_ids, return_counts=True)[1])
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": predicted_pairs,
    }


def _dense(values: Sequence[Any]) -> np.ndarray:
    lookup: dict[Any, int] = {}
    return np.fromiter((lookup.setdefault(v, len(lookup)) for v in values), dtype=np.int64, count=len(values))
