"""Normalisation keeps every character's way back to the original, and never strips text or digits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from opennrm.recruitment.normalise import detect_language, normalise, to_simplified


def test_full_width_forms_become_ascii_and_spans_point_into_the_original() -> None:
    original = "加Ｖ：ｋｔｖ８８８，电话１３８ ００１３ ８０００"
    result = normalise(original)
    assert "ktv888" in result.text
    assert "13800138000" in result.text
    start = result.text.index("13800138000")
    o_start, o_end = result.original_span(start, start + len("13800138000"))
    assert original[o_start:o_end] == "１３８ ００１３ ８０００"


def test_traditional_chinese_is_converted_to_simplified_like_opencc() -> None:
    import opencc

    text = "招聘女公關，日領現金，免經驗。這是一個可以幫您改變命運的平台，乾坤一擲"
    assert to_simplified(text) == opencc.OpenCC("t2s").convert(text)
    assert normalise(text).text.startswith("招聘女公关,日领现金,免经验")


def test_obfuscated_contact_spellings_are_rewritten_and_map_back() -> None:
    for spelling, canonical in [
        ("加V", "加微信"),
        ("薇信", "微信"),
        ("VX", "微信"),
        ("扣扣", "QQ"),
        ("whats app", "WhatsApp"),
    ]:
        original = f"请{spelling}：abc123"
        result = normalise(original)
        assert canonical in result.text, (spelling, result.text)
        start = result.text.index(canonical)
        o_start, o_end = result.original_span(start, start + len(canonical))
        assert spelling in original[o_start:o_end]


def test_email_domains_and_salary_ranges_are_left_alone() -> None:
    assert "abc@qq.com" in normalise("邮箱abc@qq.com").text
    assert "8000-12000" in normalise("月薪8000-12000元").text
    assert "2019-04-13" in normalise("发布于2019-04-13").text


def test_phone_numbers_in_chinese_numerals_and_spaced_digits_become_digits() -> None:
    assert "13800138000" in normalise("电话幺三八零零幺三八零零零").text
    assert "13912345678" in normalise("call 1 3 9 1 2 3 4 5 6 7 8 now").text


def test_language_detection_tells_the_chinese_scripts_apart() -> None:
    assert detect_language("诚聘销售代表，工作地点在北京，待遇从优，欢迎投递简历") == "zh-Hans"
    assert detect_language("誠聘銷售代表，工作地點在台北，待遇從優，歡迎投遞履歷") == "zh-Hant"
    assert detect_language("We are hiring a friendly receptionist for our busy office in Leeds.") == "en"
    assert detect_language("12345 !!!") == "und"


@given(st.text(alphabet=st.sampled_from(list("招聘公關ＡＢ１２ 3加V薇信é́ﬁ，。abc-0123456789")), max_size=60))
def test_every_normalised_span_maps_inside_the_original(text: str) -> None:
    result = normalise(text)
    for start in range(len(result.text)):
        for end in range(start + 1, min(len(result.text), start + 4) + 1):
            o_start, o_end = result.original_span(start, end)
            assert 0 <= o_start < o_end <= len(text)


@given(st.text(alphabet=st.sampled_from(list("招聘公關員工作地點台北上海0123456789abcXYZ")), max_size=80))
def test_no_chinese_character_or_digit_is_lost(text: str) -> None:
    def count(value: str) -> int:
        return sum(1 for ch in value if ch.isdigit() or "\u4e00" <= ch <= "\u9fff")

    assert count(normalise(text).text) == count(text)
