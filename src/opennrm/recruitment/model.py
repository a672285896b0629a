"""The risk model: a default that needs no training data, and a trained model for a platform's own labels.

Both are built for ads from places and months they have not seen: a platform deploys the model on the
next city and the next crawl, not on the employers it was trained on (issue 18; figures in
docs/recruitment.md, "City transfer").

**Default model (shipped).** Built at first use from ``data/red_flags.yaml``: a logistic score
``sigmoid(intercept + weights of the flags present + structure priors)``. The structure priors add log-odds
for how an ad is written (a thin description, few benefits, a thin company profile, a very small employer,
pay above the usual); their direction comes from documented fraud anomalies, their size is set by hand. It
contains nothing learned from any dataset, so nothing with a research-only licence ships with OpenNRM. Its
probabilities rest on documented priors, not on measurement: treat them as a ranking until the model is
trained on your labels.

**Trained model** (``opennrm ads train``), kept to what held from one city to another on ORFD:

1. *text*: TF-IDF of the normalised ad (identifiers masked, digits folded to ``0``): character 1-3-grams
   and word 1-2-grams after Chinese segmentation with ``jieba``, and a class-weighted logistic regression,
   fitted once per internal fold (folds grouped by employer). New ads get the mean logit of the fold models.
   The employer's self-description and business scope are not read: they named employers, not deception.
2. *structure*: a strongly regularised class-weighted logistic regression on a few structural features
   (``TRANSFER_FEATURES``: pay, length of the description, benefits listed, company profile and size,
   exclamation marks). Network features (how many ads an employer posts …) and registry fields are not
   used: their meaning depends on the crawl and on the registry of each city.
3. *combination*: the two logits, each standardised on the training ads, added with a fixed text weight
   (``TrainingConfig.text_weight``), then calibrated: ``prior`` and ``sigmoid`` fit Platt scaling on the
   training ads (the text logit out of fold), ``isotonic`` an isotonic map. Without class weighting in this
   last step the risk is a probability at the training prevalence; on a platform with another prevalence
   the ranking holds and ``recalibrated`` refits the two Platt parameters on a small labelled sample.

Flag weights of a trained model are the measured log odds ratio of the label with and without each flag
(add-one-half smoothing): the "lift per platform" the reference note asks for. They are what the scan
output reports next to each flag; the trained risk does not read the flags.

Models are saved with ``joblib`` (pickle): load only model directories you made or trust.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from opennrm.recruitment.features import ad_feature_names, all_feature_names
from opennrm.recruitment.lexicon import load_lexicon

MODEL_FORMAT = 2
DEFAULT_MODEL = "default"
_MANIFEST = "model.json"
_ESTIMATORS = "estimators.joblib"

#: Structural features the trained model reads: each pointed the same way in both ORFD cities.
TRANSFER_FEATURES: tuple[str, ...] = (
    "salary_min_log",
    "salary_max_log",
    "text_len_log",
    "benefits_count",
    "company_info_len_log",
    "company_size_log",
    "exclamation_rate",
    "money_mentions",
    "flag:pay_out_of_line",
)

_DIGITS = re.compile(r"\d")


class ModelError(ValueError):
    """A model directory that cannot be used."""


@dataclass(frozen=True)
class TrainingConfig:
    """Settings of ``train``; saved with the model."""

    ngram_max: int = 3
    word_ngram_max: int = 2
    words: bool = True
    min_df: int = 2
    max_features: int = 150_000
    text_c: float = 1.0
    structure_c: float = 0.05
    text_weight: float = 0.5
    inner_folds: int = 3
    calibration: str = "prior"
    seed: int = 0
    employer_memory: float = 1.0
    """Weight of what the labels said about the ad's employer (0: not used); see ``EmployerMemory``."""
    employer_prior_ads: float = 2.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fold_digits(text: str) -> str:
    """Digits become ``0``: amounts, dates and phone fragments differ by city and month, their shape less."""
    return _DIGITS.sub("0", text)


def _fold_and_lower(text: str) -> str:
    return fold_digits(text.lower())


def segment(text: str) -> list[str]:
    """Words of a normalised ad: ``jieba`` for Chinese (its dictionary ships in the package), else the
    words it splits on spaces and punctuation; digits folded, blanks dropped."""
    import jieba

    _quiet_jieba()
    return [word for word in jieba.lcut(fold_digits(text).lower()) if word.strip()]


@lru_cache(maxsize=1)
def _quiet_jieba() -> None:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)


class TextModel:
    """TF-IDF of character and word n-grams with a class-weighted logistic regression (stage 1)."""

    def __init__(self, config: TrainingConfig) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion

        parts: list[tuple[str, Any]] = [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char",
                    ngram_range=(1, config.ngram_max),
                    min_df=config.min_df,
                    max_features=config.max_features,
                    sublinear_tf=True,
                    preprocessor=_fold_and_lower,
                    dtype=np.float32,
                ),
            )
        ]
        if config.words:
            parts.append(
                (
                    "words",
                    TfidfVectorizer(
                        tokenizer=segment,
                        token_pattern=None,
                        lowercase=False,
                        ngram_range=(1, config.word_ngram_max),
                        min_df=config.min_df,
                        max_features=config.max_features,
                        sublinear_tf=True,
                        dtype=np.float32,
                    ),
                )
            )
        self.vectoriser = FeatureUnion(parts)
        self.classifier = LogisticRegression(class_weight="balanced", C=config.text_c, max_iter=3000)

    def fit(self, texts: Sequence[str], labels: np.ndarray) -> TextModel:
        self.classifier.fit(self.vectoriser.fit_transform(list(texts)), labels)
        return self

    def logit(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.empty(0, dtype=np.float32)
        return np.asarray(
            self.classifier.decision_function(self.vectoriser.transform(list(texts))), dtype=np.float32
        )


class TransferScorer:
    """Stages 2 and 3: structure logit + weighted text logit, both standardised, then calibrated.

    ``predict_proba`` reads the full feature matrix (``all_feature_names`` order; column 0 is the text
    logit), so the scanner uses it like any scikit-learn classifier.
    """

    def __init__(self, config: TrainingConfig) -> None:
        self.config = config
        self.columns: list[int] = []
        self.structure: Any = None
        self.scale: tuple[float, float, float, float] = (0.0, 1.0, 0.0, 1.0)
        self.calibrator: Any = None

    def _structure(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(self.structure.decision_function(features[:, self.columns]), dtype=np.float64)

    def combined(self, features: np.ndarray) -> np.ndarray:
        """The uncalibrated score: standardised structure logit + text weight × standardised text logit."""
        s_mean, s_sd, t_mean, t_sd = self.scale
        structure = (self._structure(features) - s_mean) / s_sd
        text = (features[:, 0].astype(np.float64) - t_mean) / t_sd
        return structure + self.config.text_weight * text

    def fit(self, features: np.ndarray, labels: np.ndarray) -> TransferScorer:
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        names = all_feature_names()
        self.columns = [names.index(name) for name in TRANSFER_FEATURES]
        self.structure = make_pipeline(
            SimpleImputer(strategy="median", keep_empty_features=True),
            StandardScaler(),
            LogisticRegression(class_weight="balanced", C=self.config.structure_c, max_iter=2000),
        ).fit(features[:, self.columns], labels)
        structure = self._structure(features)
        text = features[:, 0].astype(np.float64)
        self.scale = (
            float(structure.mean()),
            float(structure.std()) or 1.0,
            float(text.mean()),
            float(text.std()) or 1.0,
        )
        self.calibrator = _calibrator(self.config.calibration).fit(self.combined(features), labels)
        return self

    def recalibrate(self, features: np.ndarray, labels: np.ndarray) -> None:
        """Refit only the calibration on another platform's labelled sample (the ranking is unchanged)."""
        self.calibrator = _calibrator(self.config.calibration).fit(self.combined(features), labels)

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        positive = np.clip(self.calibrator.predict(self.combined(features)), 0.0, 1.0)
        return np.column_stack([1 - positive, positive])


class _Platt:
    """Platt scaling without class weights: probabilities at the prevalence of the ads it is fitted on."""

    def fit(self, score: np.ndarray, labels: np.ndarray) -> _Platt:
        from sklearn.linear_model import LogisticRegression

        self.model = LogisticRegression(C=100.0, max_iter=1000).fit(score[:, None], labels)
        return self

    def predict(self, score: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_proba(score[:, None])[:, 1], dtype=np.float64)


class _Isotonic:
    def fit(self, score: np.ndarray, labels: np.ndarray) -> _Isotonic:
        from sklearn.isotonic import IsotonicRegression

        self.model = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(score, labels)
        return self

    def predict(self, score: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict(score), dtype=np.float64)


def _calibrator(method: str) -> _Platt | _Isotonic:
    if method in ("prior", "sigmoid"):
        return _Platt()
    if method == "isotonic":
        return _Isotonic()
    raise ModelError(f"unknown calibration {method!r}; use prior, sigmoid or isotonic")


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
class EmployerMemory:
    """What the training labels said about each employer, for ads of the same employers later.

    An ad whose employer (company id, else company name) had labelled ads in training has its log-odds
    moved by ``weight × (logit(smoothed rate of that employer) − logit(training prevalence))``, the rate
    smoothed towards the prevalence with ``prior_ads`` pseudo-ads; an employer never seen moves nothing. It
    does on purpose what the character TF-IDF baseline does by accident (recognise employers it was
    trained on), only for employers it knows, so a model trained in one city is unchanged in another.
    Employers are kept as 64-bit hashes of their key (``actors.stable_hash``), not in clear; a hash of a
    company id can still be enumerated, so the model folder stays as confidential as the labels."""

    counts: dict[int, tuple[int, int]]
    """employer hash → (ads labelled 1, ads labelled)"""
    prevalence: float
    weight: float = 1.0
    prior_ads: float = 2.0

    def shift(self, employers: np.ndarray) -> np.ndarray:
        """Log-odds shift of each ad (``employers``: uint64 hashes, 0 = unknown)."""
        prior = min(max(self.prevalence, 1e-6), 1 - 1e-6)
        base = math.log(prior / (1 - prior))
        out = np.zeros(len(employers), dtype=np.float64)
        for row, employer in enumerate(employers.tolist()):
            found = self.counts.get(int(employer)) if employer else None
            if found is not None:
                rate = (found[0] + prior * self.prior_ads) / (found[1] + self.prior_ads)
                out[row] = math.log(rate / (1 - rate)) - base
        return self.weight * out


def employer_memory(groups: np.ndarray, labels: np.ndarray, config: TrainingConfig) -> EmployerMemory | None:
    """The memory of ``train_model``: employer groups only (an ``actor:`` group is a link within one batch,
    not an employer another crawl will name)."""
    from opennrm.recruitment.actors import stable_hash

    if config.employer_memory <= 0:
        return None
    counts: dict[int, tuple[int, int]] = {}
    for group, label in zip(groups.tolist(), labels.tolist(), strict=True):
        key = str(group)
        if not key or key.startswith("actor:"):
            continue
        hashed = stable_hash(key)
        positives, ads = counts.get(hashed, (0, 0))
        counts[hashed] = (positives + int(label), ads + 1)
    return EmployerMemory(counts, float(labels.mean()), config.employer_memory, config.employer_prior_ads)


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
    """Features that were unknown for every training ad: read as 0."""
    structure_priors: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Default model: ``feature → (weight, centre)`` log-odds added for how the ad is written."""
    memory: EmployerMemory | None = None
    """Trained model: what its labels said about employers (``EmployerMemory``)."""

    def text_logits(self, texts: Sequence[str]) -> np.ndarray:
        if self.text_model is None:
            return np.zeros(len(texts), dtype=np.float32)
        return self.text_model.logit(texts)

    def risk(self, features: np.ndarray, employers: np.ndarray | None = None) -> np.ndarray:
        """Calibrated risk in [0, 1] for each row of the full feature matrix (``all_feature_names`` order).
        ``employers``: the ads' employer hashes (``actors.stable_hash`` of ``JobAd.employer_key``), for a
        trained model's ``EmployerMemory``; without them, or for an unseen employer, it adds nothing."""
        if features.shape[0] == 0:
            return np.empty(0, dtype=np.float32)
        if features.shape[1] != len(self.feature_names):
            raise ModelError(f"expected {len(self.feature_names)} features, got {features.shape[1]}")
        if self.scorer is not None:
            if self.empty_columns:
                features = features.copy()
                features[:, list(self.empty_columns)] = 0.0
            risk = np.asarray(self.scorer.predict_proba(features)[:, 1], dtype=np.float64)
            if self.memory is not None and employers is not None:
                shift = self.memory.shift(np.asarray(employers, dtype=np.uint64))
                if shift.any():
                    clipped = np.clip(risk, 1e-6, 1 - 1e-6)
                    risk = 1.0 / (1.0 + np.exp(-(np.log(clipped / (1 - clipped)) + shift)))
            return risk.astype(np.float32)
        return _prior_risk(
            features, self.feature_names, self.flag_weights, self.intercept, self.structure_priors
        )

    def recalibrated(self, features: np.ndarray, labels: np.ndarray) -> RiskModel:
        """A copy whose probabilities are refitted to a platform's labelled sample (full feature matrix with
        the text logits in column 0); the ranking is unchanged. Only for trained models."""
        import copy

        if not isinstance(self.scorer, TransferScorer):
            raise ModelError("only a trained model can be recalibrated")
        labels = np.asarray(labels, dtype=np.int64)
        if set(np.unique(labels)) != {0, 1}:
            raise ModelError("recalibration needs both labels, 0 and 1")
        scorer = copy.deepcopy(self.scorer)
        scorer.recalibrate(features, labels)
        return RiskModel(
            kind=self.kind,
            flag_weights=dict(self.flag_weights),
            intercept=self.intercept,
            text_model=self.text_model,
            scorer=scorer,
            feature_names=self.feature_names,
            info={**self.info, "recalibrated_on": len(labels)},
            empty_columns=self.empty_columns,
            memory=self.memory,
        )

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
            "structure_priors": {k: list(v) for k, v in self.structure_priors.items()},
            "feature_names": list(self.feature_names),
            "sklearn_version": sklearn.__version__,
            "info": self.info,
        }
        (directory / _MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        if self.scorer is not None:
            joblib.dump(
                {"text_model": self.text_model, "scorer": self.scorer, "memory": self.memory},
                directory / _ESTIMATORS,
            )

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
            structure_priors={
                str(k): (float(v[0]), float(v[1])) for k, v in manifest.get("structure_priors", {}).items()
            },
            text_model=estimators.get("text_model"),
            scorer=estimators.get("scorer"),
            memory=estimators.get("memory"),  # absent in folders saved before it existed: no memory
            feature_names=tuple(manifest["feature_names"]),
            info=dict(manifest.get("info", {})),
        )


def _prior_risk(
    features: np.ndarray,
    names: tuple[str, ...],
    weights: Mapping[str, float],
    intercept: float,
    priors: Mapping[str, tuple[float, float]] | None = None,
) -> np.ndarray:
    """``sigmoid(intercept + Σ weight × flag present + Σ prior weight × (feature − centre))``; flag 13 comes
    from the network features; an unknown structural feature adds nothing."""
    index = {name: i for i, name in enumerate(names)}
    score = np.full(features.shape[0], intercept, dtype=np.float64)
    for name, (weight, centre) in (priors or {}).items():
        values = features[:, index[name]].astype(np.float64)
        score += np.where(np.isnan(values), 0.0, weight * (values - centre))
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
        structure_priors={p.feature: (p.weight, p.centre) for p in lexicon.structure_priors},
        info={
            "source": "flag weights, structure priors and intercept of recruitment/data/red_flags.yaml "
            "(expert priors)",
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
    """Fit the model. ``features`` is the full matrix with a placeholder text-logit column.

    ``groups`` (employer or actor of each ad) keeps every group on one side of each internal split, so the
    text logit the combination is fitted on is what the text model says about employers it has not seen.
    """
    config = config or TrainingConfig()
    labels = np.asarray(labels, dtype=np.int64)
    if set(np.unique(labels)) != {0, 1}:
        raise ModelError("training needs both labels, 0 and 1")
    if labels.sum() < 4:
        raise ModelError("training needs at least 4 ads labelled 1")
    if features.shape[1] != len(all_feature_names()):
        raise ModelError("feature matrix has the wrong width")
    _calibrator(config.calibration)  # an unknown method is refused before any fitting
    splits = _grouped_splits(labels, groups, config.inner_folds, config.seed)
    out_of_fold = np.zeros(len(labels), dtype=np.float32)
    members: list[TextModel] = []
    for train, test in splits:
        if len(np.unique(labels[train])) < 2:
            continue
        part = TextModel(config).fit([texts[i] for i in train], labels[train])
        out_of_fold[test] = part.logit([texts[i] for i in test])
        members.append(part)
    # The fold models themselves score new ads (their mean logit): the combination then sees logits of the
    # same kind it was fitted on, and no extra model is fitted on all the data.
    text_model = CrossFittedTextModel(members)
    matrix = features.copy()
    matrix[:, 0] = out_of_fold
    empty_columns = tuple(int(i) for i in np.flatnonzero(np.isnan(matrix).all(axis=0)))
    matrix[:, list(empty_columns)] = 0.0
    scorer = TransferScorer(config).fit(matrix, labels)
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
    memory = employer_memory(groups, labels, config)
    return RiskModel(
        kind="trained",
        flag_weights=weights,
        text_model=text_model,
        scorer=scorer,
        empty_columns=empty_columns,
        memory=memory,
        info={
            "ads": len(labels),
            "positives": int(labels.sum()),
            "groups": len(np.unique(groups)),
            "config": config.as_dict(),
            "structure_features": list(TRANSFER_FEATURES),
            "employers_remembered": len(memory.counts) if memory is not None else 0,
            "not_used": "network features, registry fields, company description and business scope",
        },
    )
