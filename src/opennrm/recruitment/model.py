"""The risk model: a default that needs no training data, and a trained model for a platform's own labels.

**Default model (shipped).** Built at first use from the flag weights in ``data/red_flags.yaml``: a
logistic score ``sigmoid(intercept + sum of the weights of the flags present)``. It contains nothing learned
from any dataset, so nothing with a research-only licence ships with OpenNRM. Its probabilities rest on
documented priors (about 2 % for an ad with no flag), not on measurement: treat them as a ranking until the
model is trained on your labels.

**Trained model** (``opennrm ads train``), two stages, both scikit-learn:

1. *text*: character 1-3-gram TF-IDF of the normalised ad (identifiers masked) and a class-weighted
   logistic regression, fitted once per internal fold (folds grouped by employer). Each fold model's logit
   on the ads it did not see is one feature of stage 2; new ads get the mean logit of the fold models.
2. *scorer*: small gradient-boosted trees (60 trees of 7 leaves, class-weighted; more overfit on a few
   hundred positive ads from a few dozen employers) on the text logit, flags, structural features (pay,
   requirements, employer data) and network features (how many ads, titles, cities and employers an
   employer or actor has).
3. *calibration*: class weighting multiplies the odds of the positive class by ``n_negative/n_positive``;
   the default calibration (``prior``) divides that factor back out, so the risk is a probability at the
   training prevalence. It has no fitted parameter, so it adds no noise; on ORFD (grouped folds) its Brier
   score equals that of Platt scaling fitted on out-of-fold predictions, and unlike Platt scaling it keeps
   the trees' ranking; it under-estimates on unseen employers (expected calibration error 0.028 against
   0.014 for Platt scaling, which in turn ranked worse). ``sigmoid`` and ``isotonic`` (scikit-learn
   ``CalibratedClassifierCV`` on out-of-fold predictions grouped by employer) are available in
   ``TrainingConfig`` and ``opennrm ads train --calibration``.

Flag weights of a trained model are the measured log odds ratio of the label with and without each flag
(add-one-half smoothing): the "lift per platform" the reference note asks for. They are what the scan
output reports next to each flag.

Models are saved with ``joblib`` (pickle): load only model directories you made or trust.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from opennrm.recruitment.features import NETWORK_FEATURES, ad_feature_names, all_feature_names
from opennrm.recruitment.lexicon import load_lexicon

MODEL_FORMAT = 1
DEFAULT_MODEL = "default"
_MANIFEST = "model.json"
_ESTIMATORS = "estimators.joblib"


class ModelError(ValueError):
    """A model directory that cannot be used."""


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of ``train``; saved with the model."""

    ngram_max: int = 3
    min_df: int = 2
    max_features: int = 150_000
    text_c: float = 1.0
    inner_folds: int = 3
    trees: int = 60
    learning_rate: float = 0.05
    max_leaf_nodes: int = 7
    min_samples_leaf: int = 20
    l2_regularization: float = 1.0
    calibration: str = "prior"
    seed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class TextModel:
    """Character n-gram TF-IDF and class-weighted logistic regression (stage 1 of the trained model)."""

    def __init__(self, config: TrainingConfig) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectoriser = TfidfVectorizer(
            analyzer="char",
            ngram_range=(1, config.ngram_max),
            min_df=config.min_df,
            max_features=config.max_features,
            sublinear_tf=True,
            dtype=np.float32,
        )
        self.classifier = LogisticRegression(class_weight="balanced", C=config.text_c, max_iter=2000)

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> TextModel:
        self.classifier.fit(self.vectoriser.fit_transform(texts), labels)
        return self

    def logit(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty(0, dtype=np.float32)
        return np.asarray(
            self.classifier.decision_function(self.vectoriser.transform(texts)), dtype=np.float32
        )


class PriorCorrectedClassifier:
    """A class-weighted classifier whose probabilities are moved back to the training prevalence.

    With balanced class weights the fitted odds are the true odds times ``n_negative / n_positive``;
    ``predict_proba`` multiplies them by ``n_positive / n_negative`` (a shift of the logit).
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator
        self.logit_shift = 0.0

    def fit(self, features: np.ndarray, labels: np.ndarray) -> PriorCorrectedClassifier:
        positives = float(np.sum(labels == 1))
        negatives = float(np.sum(labels == 0))
        self.estimator.fit(features, labels)
        self.logit_shift = math.log(positives / negatives)
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        weighted = np.clip(self.estimator.predict_proba(features)[:, 1], 1e-7, 1 - 1e-7)
        logit = np.log(weighted / (1 - weighted)) + self.logit_shift
        positive = 1.0 / (1.0 + np.exp(-logit))
        return np.column_stack([1 - positive, positive])


class CrossFittedTextModel:
    """The text models of the internal folds; a new ad's logit is their mean."""

    def __init__(self, members: Sequence[TextModel]) -> None:
        if not members:
            raise ModelError("no fold had both labels; the text model cannot be trained")
        self.members = list(members)

    def logit(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty(0, dtype=np.float32)
        return np.asarray(np.mean([member.logit(texts) for member in self.members], axis=0), dtype=np.float32)


@dataclass
class RiskModel:
    """A model the scanner can use: ``text_logits`` per ad, then ``risk`` from the full feature matrix."""

    kind: str
    flag_weights: dict[str, float]
    intercept: float = 0.0
    text_model: CrossFittedTextModel | None = None
    scorer: Any = None
    feature_names: tuple[str, ...] = field(default_factory=all_feature_names)
    info: dict[str, Any] = field(default_factory=dict)
    empty_columns: tuple[int, ...] = ()
    """Features that were unknown for every training ad: read as 0 (the trees cannot bin an empty column)."""

    def text_logits(self, texts: Sequence[str]) -> np.ndarray:
        if self.text_model is None:
            return np.zeros(len(texts), dtype=np.float32)
        return self.text_model.logit(texts)

    def risk(self, features: np.ndarray) -> np.ndarray:
        """Calibrated risk in [0, 1] for each row of the full feature matrix (``all_feature_names`` order)."""
        if features.shape[0] == 0:
            return np.empty(0, dtype=np.float32)
        if features.shape[1] != len(self.feature_names):
            raise ModelError(f"expected {len(self.feature_names)} features, got {features.shape[1]}")
        if self.scorer is not None:
            if self.empty_columns:
                features = features.copy()
                features[:, list(self.empty_columns)] = 0.0
            return np.asarray(self.scorer.predict_proba(features)[:, 1], dtype=np.float32)
        return _prior_risk(features, self.feature_names, self.flag_weights, self.intercept)

    def save(self, directory: Path) -> None:
        import joblib
        import sklearn

        directory.mkdir(parents=True, exist_ok=True)
        manifest = {
            "format": MODEL_FORMAT,
            "kind": self.kind,
            "flag_weights": self.flag_weights,
            "intercept": self.intercept,
            "empty_columns": list(self.empty_columns),
            "feature_names": list(self.feature_names),
            "sklearn_version": sklearn.__version__,
            "info": self.info,
        }
        (directory / _MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        if self.scorer is not None:
            joblib.dump({"text_model": self.text_model, "scorer": self.scorer}, directory / _ESTIMATORS)

    @classmethod
    def load(cls, directory: Path) -> RiskModel:
        """A saved model. Estimators are unpickled: only load directories you trust."""
        import joblib

        manifest_path = directory / _MANIFEST
        if not manifest_path.is_file():
            raise ModelError(f"{directory}: not a model directory (no {_MANIFEST})")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ModelError(f"{manifest_path}: unreadable ({error.msg})") from error
        if manifest.get("format") != MODEL_FORMAT:
            raise ModelError(f"{directory}: model format {manifest.get('format')!r}, expected {MODEL_FORMAT}")
        if tuple(manifest["feature_names"]) != all_feature_names():
            raise ModelError(f"{directory}: trained with different features; train it again")
        estimators: dict[str, Any] = {}
        if manifest["kind"] != DEFAULT_MODEL:
            path = directory / _ESTIMATORS
            if not path.is_file():
                raise ModelError(f"{directory}: {_ESTIMATORS} is missing")
            estimators = joblib.load(path)
        return cls(
            kind=manifest["kind"],
            flag_weights={str(k): float(v) for k, v in manifest["flag_weights"].items()},
            intercept=float(manifest.get("intercept", 0.0)),
            empty_columns=tuple(int(i) for i in manifest.get("empty_columns", ())),
            text_model=estimators.get("text_model"),
            scorer=estimators.get("scorer"),
            feature_names=tuple(manifest["feature_names"]),
            info=dict(manifest.get("info", {})),
        )


def _prior_risk(
    features: np.ndarray, names: tuple[str, ...], weights: Mapping[str, float], intercept: float
) -> np.ndarray:
    """``sigmoid(intercept + Σ weight × flag present)``; flag 13 comes from the network features."""
    index = {name: i for i, name in enumerate(names)}
    score = np.full(features.shape[0], intercept, dtype=np.float64)
    for flag_id, weight in weights.items():
        column = index.get(f"flag:{flag_id}")
        if column is not None:
            score += weight * (np.nan_to_num(features[:, column]) > 0)
    network_flag = network_flag_present(features, index)
    score += weights.get("shared_across_employers", 0.0) * network_flag
    return (1.0 / (1.0 + np.exp(-score))).astype(np.float32)


def network_flag_present(features: np.ndarray, index: Mapping[str, int]) -> np.ndarray:
    """Flag 13: a contact shared with another employer, or a template used by two or more employers."""
    shared = np.nan_to_num(features[:, index["identifier_shared_across_employers"]]) > 0
    template = np.nan_to_num(features[:, index["template_employers"]]) >= 2
    return np.asarray(shared | template, dtype=bool)


@lru_cache(maxsize=1)
def default_model() -> RiskModel:
    """The shipped model, built from the lexicon's documented flag weights (no data involved)."""
    lexicon = load_lexicon()
    return RiskModel(
        kind=DEFAULT_MODEL,
        flag_weights=lexicon.default_weights,
        intercept=lexicon.default_intercept,
        info={
            "source": "flag weights and intercept of recruitment/data/red_flags.yaml (expert priors)",
            "calibration": "none: probabilities follow the documented priors; train on your labels",
        },
    )


def load_model(location: str | Path | None) -> RiskModel:
    """``None`` or ``"default"`` is the shipped model; anything else a saved model directory."""
    if location is None or str(location) == DEFAULT_MODEL:
        return default_model()
    return RiskModel.load(Path(location))


def learn_flag_weights(
    flag_matrix: np.ndarray, labels: np.ndarray, flag_ids: Sequence[str]
) -> dict[str, float]:
    """Measured lift of each flag: log odds ratio of the label with vs without it (add-½ smoothing)."""
    weights: dict[str, float] = {}
    positive = labels == 1
    for column, flag_id in enumerate(flag_ids):
        present = flag_matrix[:, column] > 0
        a = float((present & positive).sum()) + 0.5
        b = float((present & ~positive).sum()) + 0.5
        c = float((~present & positive).sum()) + 0.5
        d = float((~present & ~positive).sum()) + 0.5
        weights[flag_id] = round(math.log((a / b) / (c / d)), 3)
    return weights


def _grouped_splits(
    labels: np.ndarray, groups: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedGroupKFold

    n_groups = len(np.unique(groups))
    positives_groups = len(np.unique(groups[labels == 1]))
    folds = max(2, min(folds, n_groups, positives_groups))
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels, groups))


def train_model(
    texts: Sequence[str],
    features: np.ndarray,
    labels: np.ndarray,
    groups: np.ndarray,
    config: TrainingConfig | None = None,
) -> RiskModel:
    """Fit the two-stage model. ``features`` is the full matrix with a placeholder text-logit column.

    ``groups`` (employer or actor of each ad) keeps every group on one side of each internal split, so the
    text logit that stage 2 learns from is what the text model says about employers it has not seen.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier

    config = config or TrainingConfig()
    labels = np.asarray(labels, dtype=np.int64)
    if set(np.unique(labels)) != {0, 1}:
        raise ModelError("training needs both labels, 0 and 1")
    if labels.sum() < 4:
        raise ModelError("training needs at least 4 ads labelled 1")
    if features.shape[1] != len(all_feature_names()):
        raise ModelError("feature matrix has the wrong width")
    splits = _grouped_splits(labels, groups, config.inner_folds, config.seed)
    out_of_fold = np.zeros(len(labels), dtype=np.float32)
    members: list[TextModel] = []
    for train, test in splits:
        if len(np.unique(labels[train])) < 2:
            continue
        part = TextModel(config).fit([texts[i] for i in train], labels[train])
        out_of_fold[test] = part.logit([texts[i] for i in test])
        members.append(part)
    # The fold models themselves score new ads (their mean logit): the scorer then sees logits of the
    # same kind it was trained on, and no extra model is fitted on all the data.
    text_model = CrossFittedTextModel(members)
    matrix = features.copy()
    matrix[:, 0] = out_of_fold
    empty_columns = tuple(int(i) for i in np.flatnonzero(np.isnan(matrix).all(axis=0)))
    matrix[:, list(empty_columns)] = 0.0
    trees = HistGradientBoostingClassifier(
        learning_rate=config.learning_rate,
        max_iter=config.trees,
        max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf,
        l2_regularization=config.l2_regularization,
        class_weight="balanced",
        early_stopping=False,
        random_state=config.seed,
    )
    scorer: Any
    if config.calibration == "prior":
        scorer = PriorCorrectedClassifier(trees).fit(matrix, labels)
    elif config.calibration in ("sigmoid", "isotonic"):
        scorer = CalibratedClassifierCV(trees, method=config.calibration, cv=splits, ensemble=False)
        scorer.fit(matrix, labels)
    else:
        raise ModelError(f"unknown calibration {config.calibration!r}; use prior, sigmoid or isotonic")
    flag_ids = load_lexicon().ad_flag_ids
    names = ad_feature_names()
    flag_columns = [names.index(f"flag:{f}") for f in flag_ids]
    weights = learn_flag_weights(features[:, flag_columns], labels, flag_ids)
    index = {name: i for i, name in enumerate(all_feature_names())}
    weights.update(
        learn_flag_weights(
            network_flag_present(features, index)[:, None].astype(np.float32),
            labels,
            ["shared_across_employers"],
        )
    )
    return RiskModel(
        kind="trained",
        flag_weights=weights,
        text_model=text_model,
        scorer=scorer,
        empty_columns=empty_columns,
        info={
            "ads": len(labels),
            "positives": int(labels.sum()),
            "groups": len(np.unique(groups)),
            "config": config.as_dict(),
            "network_features": list(NETWORK_FEATURES),
        },
    )
