"""The shipped default model needs no data; a trained model is calibrated, saved and loaded intact."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from opennrm.recruitment.evaluation import prepare, train
from opennrm.recruitment.features import all_feature_names
from opennrm.recruitment.lexicon import load_lexicon
from opennrm.recruitment.model import (
    ModelError,
    RiskModel,
    TrainingConfig,
    default_model,
    learn_flag_weights,
    load_model,
)
from opennrm.recruitment.pipeline import scan_ads
from tests.unit.recruitment.helpers import ad, as_ad


def test_the_default_model_is_built_from_the_lexicons_documented_weights() -> None:
    model = default_model()
    lexicon = load_lexicon()
    assert model.kind == "default" and model.scorer is None and model.text_model is None
    assert model.flag_weights == lexicon.default_weights
    assert model.intercept == lexicon.default_intercept
    assert model.structure_priors == {p.feature: (p.weight, p.centre) for p in lexicon.structure_priors}
    assert {"text_len_log", "salary_min_log"} <= set(model.structure_priors)


def _structure_log_odds(ad_in: Any) -> float:
    """What the default model's structure priors add for one ad (unknown features add nothing)."""
    from opennrm.recruitment.structure import structural_features

    values = structural_features(ad_in)
    return sum(
        weight * (values[name] - centre)
        for name, (weight, centre) in default_model().structure_priors.items()
        if values[name] == values[name]
    )


def test_default_risk_is_the_logistic_of_the_intercept_the_flags_present_and_the_structure_priors() -> None:
    plain = ad(
        "We are hiring a receptionist for our dental practice in Leeds. Apply with your CV.", lang="en"
    )
    risky = ad(
        "Urgent hiring! Females only for VIP hostess work in Dubai. Free flights. We keep your passport.",
        lang="en",
    )
    [plain_out, risky_out], _ = scan_ads([plain, risky], default_model())
    weights = load_lexicon().default_weights
    plain_prior = _structure_log_odds(plain)
    assert plain_out["risk"] == pytest.approx(1 / (1 + math.exp(3.9 - plain_prior)), abs=1e-4)
    flags = {f["flag"] for f in risky_out["flags"]}
    expected = 1 / (1 + math.exp(-(-3.9 + sum(weights[f] for f in flags) + _structure_log_odds(risky))))
    assert risky_out["risk"] == pytest.approx(expected, abs=1e-4)
    assert risky_out["risk"] > 0.5 > plain_out["risk"]
    assert all(f["weight"] == weights[f["flag"]] for f in risky_out["flags"])


def test_load_model_with_no_location_or_default_gives_the_shipped_model() -> None:
    assert load_model(None) is default_model()
    assert load_model("default") is default_model()


def test_flag_weights_are_measured_log_odds_ratios() -> None:
    flags = np.array([[1], [1], [0], [0], [0], [0]], dtype=np.float32)
    labels = np.array([1, 0, 0, 0, 0, 0])
    # with the flag: 1 positive, 1 negative; without: 0 positive, 4 negative (add 1/2 to each cell)
    expected = math.log((1.5 / 1.5) / (0.5 / 4.5))
    assert learn_flag_weights(flags, labels, ["x"]) == {"x": round(expected, 3)}


@pytest.fixture(scope="module")
def trained(labelled_records: list[dict[str, Any]]) -> tuple[RiskModel, Any]:
    batch = prepare([as_ad(record, i + 1) for i, record in enumerate(labelled_records)])
    return train(batch, TrainingConfig(seed=1)), batch


def test_a_trained_model_learns_its_flag_weights_from_the_labels(trained: tuple[RiskModel, Any]) -> None:
    model, batch = trained
    assert model.kind == "trained" and model.text_model is not None
    assert set(model.flag_weights) == set(load_lexicon().flag_ids)
    # synthetic deceptive actors carry debt and document cues; legitimate ones never do
    assert model.flag_weights["documents_held"] > 1.0
    assert model.info["ads"] == len(batch.labels)


def test_trained_risk_is_calibrated_to_the_training_prevalence(trained: tuple[RiskModel, Any]) -> None:
    model, batch = trained
    features = batch.features.copy()
    features[:, 0] = model.text_logits(batch.texts)
    risk = model.risk(features)
    assert risk.min() >= 0.0 and risk.max() <= 1.0
    assert abs(float(risk.mean()) - float(batch.labels.mean())) < 0.08
    assert risk[batch.labels == 1].mean() > risk[batch.labels == 0].mean() + 0.3


def test_a_saved_model_loads_and_scores_the_same(trained: tuple[RiskModel, Any], tmp_path: Path) -> None:
    model, batch = trained
    model.save(tmp_path / "model")
    loaded = load_model(tmp_path / "model")
    features = batch.features[:50].copy()
    features[:, 0] = model.text_logits(batch.texts[:50])
    assert np.allclose(loaded.text_logits(batch.texts[:50]), features[:, 0])
    assert np.allclose(loaded.risk(features), model.risk(features))
    employers = batch.employers()[:50]
    assert np.allclose(loaded.risk(features, employers), model.risk(features, employers))
    assert loaded.flag_weights == model.flag_weights


def test_the_employer_memory_moves_only_ads_of_employers_labelled_in_training(
    trained: tuple[RiskModel, Any],
) -> None:
    """Issue 18, time split: what the labels said about an employer raises (or lowers) the risk of its later
    ads; an employer never labelled, or an ad without one, is scored as before."""
    from opennrm.recruitment.actors import stable_hash

    model, batch = trained
    assert model.memory is not None and model.info["employers_remembered"] == len(model.memory.counts)
    features = batch.features.copy()
    features[:, 0] = model.text_logits(batch.texts)
    plain = model.risk(features)
    employers = batch.employers()
    remembered = model.risk(features, employers)
    groups = batch.groups("company")
    positive_employers = {g for g, label in zip(groups, batch.labels, strict=True) if label == 1}
    all_positive = np.array(
        [g in positive_employers and not (batch.labels[groups == g] == 0).any() for g in groups]
    )
    all_negative = np.array([g not in positive_employers for g in groups])
    known = employers != 0
    assert (remembered[all_positive & known] > plain[all_positive & known]).all()
    assert (remembered[all_negative & known] < plain[all_negative & known]).all()
    unseen = np.full(len(employers), stable_hash("id:never-labelled"), dtype=np.uint64)
    assert np.array_equal(model.risk(features, unseen), plain)
    assert np.array_equal(model.risk(features, np.zeros(len(employers), dtype=np.uint64)), plain)
    off = train(batch, TrainingConfig(seed=1, employer_memory=0.0))
    assert off.memory is None and np.array_equal(off.risk(features, employers), off.risk(features))


def test_folders_that_are_not_models_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model directory"):
        load_model(tmp_path)
    (tmp_path / "model.json").write_text(
        json.dumps({"format": 1, "kind": "trained", "flag_weights": {}, "feature_names": ["x"]}),
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match="model format 1, expected 2"):  # the trees of issue 8: train again
        load_model(tmp_path)
    (tmp_path / "model.json").write_text(
        json.dumps({"format": 2, "kind": "trained", "flag_weights": {}, "feature_names": ["x"]}),
        encoding="utf-8",
    )
    with pytest.raises(ModelError, match="different features"):
        load_model(tmp_path)


def test_training_needs_both_labels(labelled_records: list[dict[str, Any]]) -> None:
    ads = [as_ad({**record, "label": 0}) for record in labelled_records[:50]]
    batch = prepare(ads)
    with pytest.raises(ModelError):
        train(batch)


def test_feature_matrix_width_is_checked() -> None:
    with pytest.raises(ModelError):
        default_model().risk(np.zeros((2, len(all_feature_names()) - 1), dtype=np.float32))


def test_recalibration_on_another_platforms_sample_moves_probabilities_not_the_ranking(
    trained: tuple[RiskModel, Any],
) -> None:
    model, batch = trained
    features = batch.features.copy()
    features[:, 0] = model.text_logits(batch.texts)
    before = model.risk(features)
    # a platform where deceptive ads are rarer: keep every negative and a quarter of the positives
    positives = np.flatnonzero(batch.labels == 1)
    keep = np.concatenate([np.flatnonzero(batch.labels == 0), positives[: max(2, len(positives) // 4)]])
    moved = model.recalibrated(features[keep], batch.labels[keep])
    after = moved.risk(features)
    assert after.mean() < before.mean()
    order = np.argsort(before, kind="stable")
    assert np.all(np.diff(after[order].astype(np.float64)) >= -1e-6)  # a monotone map: the same ranking
    assert moved.info["recalibrated_on"] == len(keep)
    with pytest.raises(ModelError):
        default_model().recalibrated(features, batch.labels)


def test_the_trained_model_reads_no_network_or_registry_feature(trained: tuple[RiskModel, Any]) -> None:
    from opennrm.recruitment.features import NETWORK_FEATURES
    from opennrm.recruitment.model import TRANSFER_FEATURES

    model, batch = trained
    assert not set(TRANSFER_FEATURES) & {*NETWORK_FEATURES, "company_reg_missing", "company_status_abnormal"}
    features = batch.features.copy()
    features[:, 0] = model.text_logits(batch.texts)
    changed = features.copy()
    network = [all_feature_names().index(name) for name in NETWORK_FEATURES]
    changed[:, network] = 99.0
    assert np.allclose(model.risk(changed), model.risk(features))
