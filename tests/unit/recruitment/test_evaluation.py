"""Evaluation: folds keep each company on one side, metrics are the usual ones, the baseline runs too."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from opennrm.recruitment.evaluation import (
    EvaluationError,
    LabelledBatch,
    baseline_cross_validate,
    cross_validate,
    evaluate_fixed,
    folds_for,
    precision_at_k,
    prepare,
    risk_metrics,
)
from opennrm.recruitment.model import default_model
from tests.unit.recruitment.helpers import ad, as_ad


@pytest.fixture(scope="module")
def batch(labelled_records: list[dict[str, Any]]) -> LabelledBatch:
    return prepare([as_ad(record, i + 1) for i, record in enumerate(labelled_records)])


def test_precision_at_k_counts_positives_among_the_top_k() -> None:
    labels = np.array([1, 0, 1, 0, 0])
    scores = np.array([0.9, 0.8, 0.1, 0.2, 0.3])
    assert precision_at_k(labels, scores) == 0.5
    metrics = risk_metrics(labels, scores)
    assert set(metrics) == {"pr_auc", "precision_at_k", "roc_auc", "brier"}


def test_grouped_folds_never_put_one_company_on_both_sides(batch: LabelledBatch) -> None:
    for group_by in ("company", "city"):
        groups = batch.groups(group_by)
        for train, test in folds_for(batch, group_by):
            assert not set(groups[train]) & set(groups[test])


def test_cross_validation_and_baseline_give_comparable_results(batch: LabelledBatch) -> None:
    ours = cross_validate(batch, "company", folds=3, bootstrap=False)
    baseline = baseline_cross_validate(batch, "company", folds=3, bootstrap=False)
    assert ours.folds == baseline.folds == 3
    assert ours.positives == baseline.positives == int(batch.labels.sum())
    for result in (ours, baseline):
        assert 0.0 <= result.metrics["pr_auc"] <= 1.0
        assert 0.0 <= result.metrics["brier"] <= 1.0
    # synthetic deceptive ads carry strong cues: both methods must find them
    assert ours.metrics["roc_auc"] > 0.9


def test_the_default_model_can_be_evaluated_as_it_is_with_group_intervals(batch: LabelledBatch) -> None:
    result = evaluate_fixed(batch, default_model(), "company")
    assert result.folds == 0
    low, high = result.intervals["pr_auc"]
    assert low <= result.metrics["pr_auc"] <= high


def test_unlabelled_ads_and_single_class_sets_are_refused() -> None:
    with pytest.raises(EvaluationError, match="no label"):
        prepare([ad("text")])
    batch = prepare([as_ad({"id": str(i), "title": "", "text": f"ad {i}", "label": 0}) for i in range(6)])
    with pytest.raises(EvaluationError):
        folds_for(batch, "company")
    with pytest.raises(EvaluationError, match="group"):
        batch.groups("colour")
