"""Structural features: pay on a monthly scale, waived requirements, employer data only when supplied."""

from __future__ import annotations

import math

import pytest

from opennrm.recruitment.structure import employer_gaps, money_amounts, structural_features
from tests.unit.recruitment.helpers import ad


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8000-12000元/月", [(8000.0, 12000.0)]),
        ("月薪1万", [(10000.0, 10000.0)]),
        ("日薪300", [(6600.0, 6600.0)]),
        ("1.5万-2万元/月", [(15000.0, 20000.0)]),
        ("$15 per hour", [(2640.0, 2640.0)]),
        ("年龄20-35周岁", []),
        ("公司成立于2019年", []),
        ("面议", []),
    ],
)
def test_pay_is_read_and_put_on_a_monthly_scale(text: str, expected: list[tuple[float, float]]) -> None:
    assert [(round(low, 1), round(high, 1)) for low, high in money_amounts(text)] == expected


def test_salary_field_wins_over_amounts_in_the_text_and_their_ratio_is_a_feature() -> None:
    features = structural_features(ad("底薪3000，月入过万不是梦，月收入30000元", salary="3000-5000元/月"))
    assert features["salary_max_log"] == pytest.approx(math.log1p(5000))
    assert features["text_money_ratio_log"] == pytest.approx(math.log(30000 / 5000))


def test_fields_the_platform_does_not_publish_are_unknown_not_missing() -> None:
    features = structural_features(ad("Plain text ad"))
    for name in (
        "company_missing",
        "company_id_missing",
        "company_info_len_log",
        "company_reg_missing",
        "benefits_count",
    ):
        assert math.isnan(features[name]), name
    assert employer_gaps(ad("Plain text ad")) == []


def test_supplied_but_empty_employer_fields_are_flag_six_evidence() -> None:
    gaps = employer_gaps(ad("x", company="", company_info="", company_reg="", company_status="吊销"))
    assert [(gap.flag, gap.field) for gap in gaps] == [
        ("vague_employer", "company"),
        ("vague_employer", "company_info"),
        ("vague_employer", "company_reg"),
        ("vague_employer", "company_status"),
    ]
    assert all(gap.start is None and gap.end is None for gap in gaps)
    assert employer_gaps(ad("x", company="Acme", company_status="存续（在营、开业、在册）")) == []
