"""Contact identifiers: phones normalised to E.164 however they are written, e-mails, chat handles."""

from __future__ import annotations

from opennrm.recruitment.analysis import analyse_ad
from opennrm.recruitment.identifiers import find_identifiers, given_identifiers, mask_identifiers
from opennrm.recruitment.normalise import normalise
from tests.unit.recruitment.helpers import ad


def _keys(text: str, region: str | None = "CN") -> set[str]:
    return {identifier.key for identifier in find_identifiers(normalise(text), "text", region)}


def test_one_phone_number_written_five_ways_is_one_key() -> None:
    for written in (
        "13800138000",
        "138 0013 8000",
        "１３８００１３８０００",
        "+86 138-0013-8000",
        "幺三八零零幺三八零零零",
    ):
        assert _keys(f"电话：{written}。") == {"phone:+8613800138000"}, written


def test_numbers_without_country_code_are_read_in_the_region_of_the_ads_language() -> None:
    assert _keys("Call 0912 345 678", "TW") == {"phone:+886912345678"}
    assert _keys("Call +971 50 123 4567", "US") == {"phone:+971501234567"}
    assert _keys("Salary 8000-12000 per month, posted 2019-04-13", "CN") == set()


def test_emails_including_spelled_out_at_and_dot() -> None:
    assert _keys("邮箱abc.d@qq.com或jobs at gmail dot com") == {"email:abc.d@qq.com", "email:jobs@gmail.com"}


def test_chat_handles_after_obfuscated_app_names() -> None:
    keys = _keys("加Ｖ：ｋｔｖ８８８，QQ:12345678，Telegram @hotjobs_dxb，t.me/jobsdxb，LINE ID：girl99")
    assert keys == {"wechat:ktv888", "qq:12345678", "telegram:hotjobs_dxb", "telegram:jobsdxb", "line:girl99"}


def test_identifier_spans_point_into_the_original_text() -> None:
    text = "薇信：Abc_123，电话１３８ ００１３ ８０００"
    for identifier in find_identifiers(normalise(text), "text", "CN"):
        assert identifier.start is not None and identifier.end is not None
        written = text[identifier.start : identifier.end]
        assert written in ("Abc_123", "１３８ ００１３ ８０００"), identifier


def test_identifiers_given_by_the_platform_are_normalised_too() -> None:
    found = given_identifiers(
        ["+86 138 0013 8000"], ["HR@Example.com"], ["wechat:@Boss1", "plainhandle"], "CN"
    )
    assert {i.key for i in found} == {
        "phone:+8613800138000",
        "email:hr@example.com",
        "wechat:boss1",
        "handle:plainhandle",
    }


def test_masking_replaces_identifiers_by_their_kind() -> None:
    assert mask_identifiers("call 123 now", [(5, 8, "phone")]) == "call  ‹phone›  now"


def test_a_cue_inside_a_handle_is_not_reported_as_evidence() -> None:
    analysis = analyse_ad(ad("加微信：ktv888 了解详情", lang="zh-Hans"))
    assert "euphemistic_sector" not in analysis.flag_ids
    assert "off_platform_contact" in analysis.flag_ids
