"""ORFD (58.com, research use only) read from ``<repo>/../shared``; skipped when it is not there."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.evaluation import LabelledBatch, evaluate_fixed, folds_for, prepare
from opennrm.recruitment.model import default_model
from opennrm.recruitment.orfd import read_orfd
from opennrm.recruitment.reading import parse_record
from tests.support import shared_dir

REPO = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.xdist_group("orfd")


def _orfd_file() -> Path:
    shared = shared_dir()
    path = shared / "data" / "orfd" / "orfd_bj_sh.csv"
    if not path.is_file():
        pytest.skip(f"ORFD not found at {path} (research-use data, never shipped)")
    return path


@pytest.fixture(scope="module")
def orfd_ads() -> list[JobAd]:
    ads = [parse_record(record, number + 2) for number, record in enumerate(read_orfd(_orfd_file()))]
    assert all(isinstance(ad, JobAd) for ad in ads)
    return [ad for ad in ads if isinstance(ad, JobAd)]


@pytest.fixture(scope="module")
def orfd_batch(orfd_ads: list[JobAd]) -> LabelledBatch:
    return prepare(orfd_ads)


def test_orfd_reads_into_the_contract_with_fake_and_disputed_as_positive(orfd_ads: list[JobAd]) -> None:
    assert len(orfd_ads) == 3698
    assert sum(int(ad.label or 0) for ad in orfd_ads) == 187 + 53
    assert {ad.city for ad in orfd_ads} == {"bj", "sh"}


def test_company_grouped_folds_keep_every_company_on_one_side(orfd_batch: LabelledBatch) -> None:
    groups = orfd_batch.groups("company")
    splits = folds_for(orfd_batch, "company")
    assert len(splits) == 5
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])
        assert orfd_batch.labels[test].sum() > 20


def test_flags_and_structure_are_read_from_real_chinese_ads(orfd_batch: LabelledBatch) -> None:
    from opennrm.recruitment.features import all_feature_names

    names = all_feature_names()
    column = {name: i for i, name in enumerate(names)}
    features = orfd_batch.features
    assert features[:, column["flag:no_skill_needed"]].mean() > 0.5  # 学历不限 / 经验不限 are everywhere
    assert np.isfinite(features[:, column["salary_max_log"]]).mean() > 0.9
    assert features[:, column["employer_ads_log"]].min() > 0


def test_the_default_model_runs_on_orfd_without_training(orfd_batch: LabelledBatch) -> None:
    result = evaluate_fixed(orfd_batch, default_model(), "company", bootstrap=False)
    assert 0.0 < result.metrics["pr_auc"] < 1.0
