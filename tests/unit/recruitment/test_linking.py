"""Templates and actors: near-duplicates found CJK-safe, identifiers join ads, hubs do not."""

from __future__ import annotations

import numpy as np

from opennrm.recruitment.actors import LinkInputs, actor_risk, components, link, stable_hash
from opennrm.recruitment.evaluation import pairwise_scores
from opennrm.recruitment.templates import NUM_PERM, signatures, template_edges, template_text


def _inputs(texts: list[str], identifiers: list[list[str]], employers: list[str]) -> LinkInputs:
    rows, eligible = signatures(texts)
    ad_index = [i for i, keys in enumerate(identifiers) for _ in keys]
    keys = [stable_hash(key) for keys in identifiers for key in keys]
    return LinkInputs(
        signatures=rows,
        eligible=eligible,
        identifier_ad=np.array(ad_index, dtype=np.int64),
        identifier_key=np.array(keys, dtype=np.uint64),
        employer=np.array([stable_hash(e) for e in employers], dtype=np.uint64),
        title=np.zeros(len(texts), dtype=np.uint64),
        city=np.zeros(len(texts), dtype=np.uint64),
    )


TEMPLATE = "诚聘KTV服务员，年龄{age}岁，日结{pay}元，包吃住，工作轻松，环境优雅，欢迎各位有志青年加入我们的大家庭，详情请来电咨询。"


def test_chinese_ads_that_differ_only_in_their_slots_share_a_template() -> None:
    texts = [TEMPLATE.format(age=age, pay=pay) for age, pay in [(18, 300), (20, 500), (22, 800)]]
    texts.append(
        "我们是一家软件公司，招聘后端开发工程师，要求熟悉数据库与分布式系统，有三年以上经验，薪资面议。"
    )
    rows, eligible = signatures(texts)
    assert rows.shape == (4, NUM_PERM) and eligible.all()
    edges = template_edges(rows, eligible)
    labels = components(4, edges.left, edges.right)
    assert labels[0] == labels[1] == labels[2] != labels[3]


def test_template_text_keeps_chinese_and_folds_digits_and_spaces() -> None:
    assert template_text("日结 500 元 Call ME") == "日结#元callme"


def test_too_short_texts_never_join_a_template() -> None:
    rows, eligible = signatures(["急招", "急招", "hi"])
    assert not eligible.any()
    assert len(template_edges(rows, eligible).left) == 0


def test_a_shared_phone_joins_different_texts_into_one_actor_across_employers() -> None:
    texts = [
        "Warehouse packers wanted for the night shift in Leeds, forklift licence an advantage, apply today.",
        "Receptionist for a busy dental practice in Manchester; friendly manner and diary skills needed.",
        "Gardener needed two days a week for a large private estate near York, own transport required.",
    ]
    inputs = _inputs(texts, [["phone:+441134960000"], ["phone:+441134960000"], []], ["A", "B", "C"])
    links = link(inputs)
    assert links.actor[0] == links.actor[1] != links.actor[2]
    assert list(links.shared_identifier_employers) == [2, 2, 0]
    assert list(links.template) == [-1, -1, -1]


def test_an_identifier_on_more_ads_than_the_hub_limit_links_nothing() -> None:
    texts = [
        "Warehouse packers wanted for the night shift in Leeds, forklift licence an advantage.",
        "Receptionist for a busy dental practice in Manchester; friendly manner needed.",
        "Gardener needed two days a week for a large private estate near York.",
        "Experienced bookkeeper sought by a family bakery, part time, Sage software.",
        "Swimming coach for children's lessons at the leisure centre, weekends only.",
    ]
    inputs = _inputs(texts, [["phone:+18005550100"]] * 5, ["A", "B", "C", "D", "E"])
    links = link(inputs, hub_limit=3)
    assert links.hubs == 1
    assert len(set(links.actor.tolist())) == 5


def test_network_risk_is_the_mean_of_the_three_riskiest_ads_of_the_actor() -> None:
    actor = np.array([0, 0, 0, 0, 1])
    risk = np.array([0.9, 0.1, 0.5, 0.7, 0.2], dtype=np.float32)
    assert np.allclose(actor_risk(actor, risk), [0.7, 0.7, 0.7, 0.7, 0.2])


def test_pairwise_scores_count_pairs_of_ads_put_together() -> None:
    truth = ["a", "a", "a", "b", "b", None]
    predicted = ["x", "x", "y", "z", "z", "z"]
    scores = pairwise_scores(truth, predicted)
    # true pairs: 3 (a) + 1 (b) = 4; predicted pairs: 1 (x) + 3 (z) = 4; both: (0,1) and (3,4) = 2
    assert (scores["true_pairs"], scores["predicted_pairs"]) == (4, 4)
    assert scores["precision"] == scores["recall"] == 0.5
