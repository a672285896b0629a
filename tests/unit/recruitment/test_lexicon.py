"""The red-flag lexicon: data in three scripts, evidence at the right span, negations respected."""

from __future__ import annotations

import pytest

from opennrm.recruitment.lexicon import LANGUAGES, load_lexicon
from opennrm.recruitment.normalise import normalise

# flag -> one example per script: (text, expected evidence as written)
EXAMPLES: dict[str, list[tuple[str, str]]] = {
    "worker_pays": [
        ("A registration fee of $150 is due before start.", "registration fee"),
        ("入职前交纳押金五百元。", "押金"),
        ("報到前須繳仲介費。", "須繳仲介費"),
    ],
    "documents_held": [
        ("On arrival we keep your passport for safety.", "we keep your passport"),
        ("身份证由公司保管，离职时归还。", "身份证由公司保管"),
        ("護照統一保管。", "護照統一保管"),
    ],
    "pay_out_of_line": [
        ("You can earn $600 per day, no questions.", "earn $600 per day"),
        ("工资日结，多劳多得。", "工资日结"),
        ("日領現金，週週加薪。", "日領"),
    ],
    "no_skill_needed": [
        ("No experience needed, we train you.", "No experience needed"),
        ("学历不限，欢迎应届生。", "学历不限"),
        ("免經驗可，歡迎新手。", "免經驗"),
    ],
    "travel_arranged": [
        ("Free flights and a job in Dubai.", "Free flights"),
        ("公司包机票，落地即上班。", "包机票"),
        ("包機票，落地即上班。", "包機票"),
    ],
    "vague_employer": [
        ("Hiring for a confidential employer in the hotel sector.", "confidential employer"),
        ("公司名称保密，面试时告知。", "公司名称保密"),
        ("公司名稱保密，面試時告知。", "公司名稱保密"),
    ],
    "off_platform_contact": [
        ("Please contact us on WhatsApp for details.", "contact us on WhatsApp"),
        ("有意者加V详谈。", "加V"),
        ("有意者請加賴詳談。", "加賴"),
    ],
    "women_targeted": [
        ("Females only, good appearance required.", "Females only"),
        ("要求形象气质佳。", "形象气质佳"),
        ("外型佳者優先。", "外型佳"),
    ],
    "euphemistic_sector": [
        ("Now hiring VIP hostess staff.", "VIP hostess"),
        ("诚聘夜场服务人员。", "夜场"),
        ("誠徵傳播妹，待遇優。", "傳播妹"),
    ],
    "urgency": [
        ("Urgent hiring: start tomorrow.", "Urgent hiring"),
        ("名额有限，报满即止。", "名额有限"),
        ("急徵門市人員。", "急徵"),
    ],
    "task_bait": [
        ("Work from home with flexible hours.", "Work from home"),
        ("手机刷单，佣金秒结。", "刷单"),
        ("網路兼差，時間自由。", "網路兼差"),
    ],
    "debt_or_no_contract": [
        ("A salary advance covers the ticket.", "salary advance"),
        ("前三个月不签合同。", "不签合同"),
        ("可預支薪水。", "預支薪水"),
    ],
}


def test_the_lexicon_has_thirteen_flags_and_every_text_flag_speaks_three_scripts() -> None:
    lexicon = load_lexicon()
    assert [flag.number for flag in lexicon.flags] == list(range(1, 14))
    assert set(EXAMPLES) == set(lexicon.ad_flag_ids)
    for flag in lexicon.flags:
        assert len(flag.explanation) > 80, flag.id
        assert flag.basis, flag.id
        assert 0 < flag.default_weight < 3, flag.id
        if not flag.network:
            for language in LANGUAGES:
                assert flag.patterns[language], (flag.id, language)


@pytest.mark.parametrize("flag_id", sorted(EXAMPLES))
def test_each_flag_is_found_in_each_script_with_the_evidence_span_in_the_original(flag_id: str) -> None:
    lexicon = load_lexicon()
    for text, evidence in EXAMPLES[flag_id]:
        hits = [hit for hit in lexicon.search(normalise(text), "text") if hit.flag == flag_id]
        assert hits, (flag_id, text)
        hit = hits[0]
        assert hit.evidence == evidence, (flag_id, text, hit)
        assert hit.start is not None and hit.end is not None
        assert text[hit.start : hit.end] == evidence


@pytest.mark.parametrize(
    "text",
    [
        "本公司不收任何押金。",
        "无培训费，包培训。",
        "谨防押金诈骗。",
        "We do not ask for a training fee.",
        "Salary paid by direct deposit.",
    ],
)
def test_negated_or_warning_mentions_of_fees_are_not_flagged(text: str) -> None:
    hits = [hit for hit in load_lexicon().search(normalise(text), "text") if hit.flag == "worker_pays"]
    assert hits == []


def test_a_fee_after_a_clause_break_is_still_flagged_despite_an_earlier_negation() -> None:
    text = "工作不累，押金200元。"
    hits = [hit for hit in load_lexicon().search(normalise(text), "text") if hit.flag == "worker_pays"]
    assert [hit.evidence for hit in hits] == ["押金"]


def test_public_relations_jobs_are_not_read_as_hostess_work() -> None:
    hits = list(load_lexicon().search(normalise("招聘品牌公关经理一名，负责媒体关系。"), "text"))
    assert not [hit for hit in hits if hit.flag == "euphemistic_sector"]
