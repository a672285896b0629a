"""Signals about recruiters (issue 18): normal forms, keyed hashes that resist enumeration, the exchange file,
matching, PDQ image hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
from typing import Any

import numpy as np
import pytest

from opennrm.recruitment.signals import (
    CATEGORY,
    FORMAT,
    Feedback,
    KeyedHasher,
    Signal,
    SignalError,
    SignalIndex,
    ad_contacts,
    canonical,
    keyed_hash,
    parse_key,
    plain_contacts,
    pytx_lines,
    read_exchange,
    write_exchange,
)

KEY = bytes.fromhex("11" * 32)
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


def test_contacts_are_normalised_before_hashing() -> None:
    assert (
        canonical("phone", "138 0013 8000", "CN") == canonical("phone", "+86 13800138000") == "+8613800138000"
    )
    assert canonical("phone", "12") is None
    assert canonical("email", " Jobs@Fast-Hire.Example.COM ") == "jobs@fast-hire.example.com"
    assert canonical("url", "https://www.Fast-Hire.example.com/apply/?ref=1") == "fast-hire.example.com/apply"
    assert canonical("domain", "WWW.fast-hire.example.com") == "fast-hire.example.com"
    assert canonical("handle", "WeChat:@Boss_88") == "wechat:boss_88"
    assert canonical("company_reg", "91310 000-MA1K") == "91310000MA1K"
    assert canonical("pdq", "AB" * 32) == "ab" * 32 and canonical("pdq", "xyz") is None
    with pytest.raises(SignalError):
        canonical("passport", "X123")


def test_unkeyed_sha256_of_a_phone_number_is_reversed_by_enumeration_and_the_keyed_hash_is_not() -> None:
    """A block of 200,000 Chinese mobile numbers (+86 138 0013 xxxx … one prefix of a national plan of about
    1.8 billion numbers) is enumerated here in about a second; the whole plan takes a laptop an hour."""
    secret = "+8613800138000"
    leaked_plain = hashlib.sha256(secret.encode()).hexdigest()
    leaked_keyed = keyed_hash(KEY, "phone", secret)

    def enumerate_block(hash_of: object) -> str | None:
        for n in range(138_0000_0000 + 13_0000, 138_0000_0000 + 33_0000):
            candidate = f"+86{n}"
            if hash_of(candidate) in targets:  # type: ignore[operator]
                return candidate
        return None

    targets = {leaked_plain, leaked_keyed}
    assert enumerate_block(lambda c: hashlib.sha256(c.encode()).hexdigest()) == secret
    # the attacker without the key: unkeyed guesses, or guesses under a key of her own, find nothing
    wrong_key = bytes.fromhex("22" * 32)
    targets = {leaked_keyed}
    assert enumerate_block(lambda c: keyed_hash(wrong_key, "phone", c)) is None
    assert enumerate_block(lambda c: hashlib.sha256(c.encode()).hexdigest()) is None
    # holders of the exchange key match it (that is the point of sharing it)
    assert keyed_hash(KEY, "phone", canonical("phone", "138-0013-8000", "CN") or "") == leaked_keyed


def test_the_exchange_key_must_be_long_hex() -> None:
    assert parse_key("ab" * 32) == bytes.fromhex("ab" * 32)
    for bad in ("ab" * 8, "not hex at all", ""):
        with pytest.raises(SignalError):
            parse_key(bad)


def _signal(kind: str = "phone", value: str | None = None, **extra: object) -> Signal:
    return Signal(
        id=extra.pop("id", "s1"),  # type: ignore[arg-type]
        kind=kind,
        value=value or keyed_hash(KEY, kind, "+8613800138000"),
        source="Platform A",
        created=NOW,
        expires=NOW + dt.timedelta(days=180),
    )


def test_an_exchange_file_reads_back_and_carries_feedback() -> None:
    lines = list(
        write_exchange(
            "Platform A", NOW, [_signal()], [Feedback("x9", "Platform B", "disputed", "Platform A")]
        )
    )
    assert json.loads(lines[0])["format"] == FORMAT
    read = read_exchange(lines)
    assert read.source == "Platform A" and read.signals == [_signal()]
    assert read.feedback == [Feedback("x9", "Platform B", "disputed", "Platform A")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "spam"}, "outside this exchange's purpose"),
        ({"source": "Platform C"}, "only its sender's own signals"),
        ({"value": "+8613800138000"}, "64 hexadecimal"),
        ({"kind": "passport"}, "kind must be one of"),
        ({"confidence": 3}, "confidence"),
        ({"expires": "soon"}, "not a date"),
    ],
)
def test_a_bad_line_refuses_the_whole_file_naming_the_line(change: dict[str, object], message: str) -> None:
    header, line = list(write_exchange("Platform A", NOW, [_signal()], []))
    broken = json.dumps(json.loads(line) | change)
    with pytest.raises(SignalError, match=message) as raised:
        read_exchange([header, line, broken])
    assert "line 3" in str(raised.value)


def test_files_that_are_not_exchanges_are_refused() -> None:
    for lines in ([], ["{not json"], [json.dumps({"format": "other"})], [json.dumps([1])]):
        with pytest.raises(SignalError):
            read_exchange(lines)


def test_an_ads_recruiter_contacts_are_collected_but_not_the_platforms_own_address() -> None:
    ad = {
        "title": "Hostess",
        "text": "Apply at https://www.fast-hire.example.com/jobs or write to boss@gmail.com",
        "url": "https://jobs.platform.example/ad/1",
        "company_reg": "91310000MA1K",
        "image_pdq": ["ab" * 32],
    }
    result = {
        "identifiers": [
            {"kind": "phone", "value": "+8613800138000"},
            {"kind": "email", "value": "boss@gmail.com"},
            {"kind": "wechat", "value": "boss_88"},
        ]
    }
    found = ad_contacts(ad, result)
    assert ("url", "fast-hire.example.com/jobs") in found and ("domain", "fast-hire.example.com") in found
    assert ("handle", "wechat:boss_88") in found and ("company_reg", "91310000MA1K") in found
    assert ("pdq", "ab" * 32) in found and ("phone", "+8613800138000") in found
    assert ("domain", "gmail.com") not in found  # a mail provider says nothing about the sender
    assert not any("platform.example" in normal for _, normal in found)


def test_the_index_matches_keyed_hashes_exactly_and_pdq_within_distance_31() -> None:
    base = np.random.default_rng(1).integers(0, 256, 32, dtype=np.uint8)
    near = base.copy()
    near[:3] ^= 0xFF  # 24 bits apart
    far = base.copy()
    far[:4] ^= 0xFF  # 32 bits apart
    index = SignalIndex(
        [
            ("s-phone", "phone", keyed_hash(KEY, "phone", "+8613800138000")),
            ("s-image", "pdq", base.tobytes().hex()),
        ]
    )
    assert len(index) == 2
    assert index.match(KEY, [("phone", "+8613800138000"), ("email", "a@b.cn")]) == ["s-phone"]
    assert index.match(bytes.fromhex("22" * 32), [("phone", "+8613800138000")]) == []
    assert index.match(KEY, [("pdq", near.tobytes().hex())]) == ["s-image"]
    assert index.match(KEY, [("pdq", far.tobytes().hex())]) == []


def test_pytx_lines_carry_only_image_hashes() -> None:
    signals = [_signal(), _signal("pdq", "cd" * 32, id="s2")]
    assert list(pytx_lines(signals)) == ["pdq " + "cd" * 32]
    assert CATEGORY == "deceptive_recruitment"


def test_pdq_hashes_of_a_resized_and_recompressed_image_stay_within_the_match_distance() -> None:
    pytest.importorskip("pdqhash")
    from PIL import Image, ImageDraw

    from opennrm.recruitment.signals import PDQ_MATCH_DISTANCE, pdq_of_image

    def picture(seed: int) -> Image.Image:
        rng = np.random.default_rng(seed)
        image = Image.new("RGB", (320, 240), tuple(int(v) for v in rng.integers(0, 255, 3)))
        draw = ImageDraw.Draw(image)
        for _ in range(12):
            x, y = (int(v) for v in rng.integers(0, 300, 2))
            draw.rectangle(
                (x, y % 220, x + 60, y % 220 + 40), fill=tuple(int(v) for v in rng.integers(0, 255, 3))
            )
        return image

    def encoded(image: Image.Image, kind: str = "PNG", **options: object) -> bytes:
        out = io.BytesIO()
        image.save(out, kind, **options)
        return out.getvalue()

    def distance(a: str, b: str) -> int:
        return int(
            np.unpackbits(
                np.frombuffer(bytes.fromhex(a), np.uint8) ^ np.frombuffer(bytes.fromhex(b), np.uint8)
            ).sum()
        )

    original, quality = pdq_of_image(encoded(picture(3)))
    assert quality >= 50
    resized, _ = pdq_of_image(encoded(picture(3).resize((160, 120)), "JPEG", quality=60))
    other, _ = pdq_of_image(encoded(picture(4)))
    assert distance(original, resized) <= PDQ_MATCH_DISTANCE < distance(original, other)
    with pytest.raises(SignalError):
        pdq_of_image(b"not an image")


# -- the fast matching path gives what the plain definition gives ------------------------------------------


def _reference_match(signals: list[tuple[str, str, str]], contacts: list[tuple[str, str]]) -> list[str]:
    """Every contact hashed with the one-shot HMAC, each hash looked up."""
    by_value: dict[str, list[str]] = {}
    for reference, _, value in signals:
        by_value.setdefault(value, []).append(reference)
    found = [r for kind, normal in contacts for r in by_value.get(keyed_hash(KEY, kind, normal), ())]
    return list(dict.fromkeys(found))


EDGE_CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {
            "title": "Jobs at http://www.Fast-Hire.example.com/apply.",
            "text": "",
            "company_reg": "91-31 0000 1234",
        },
        {
            "identifiers": [
                {"kind": "phone", "value": " +8613800138000 "},
                {"kind": "phone", "value": "138 0013 8000"},
                {"kind": "phone", "value": "+86 138-0013-8001"},
                {"kind": "phone", "value": ""},
                {"kind": "email", "value": " Jobs@Fast-Hire.Example.COM "},
                {"kind": "email", "value": "hr@gmail.com"},
                {"kind": "email", "value": "ops@bücher.example"},
                {"kind": "telegram", "value": "@HR_Team"},
                {"kind": "wechat", "value": "abc:def"},
            ]
        },
    ),
    (
        {
            "title": None,
            "text": "see www.a.example and https://b.example/x, www",
            "image_pdq": ["AB" * 32, "x"],
        },
        {},
    ),
    ({"title": "HTTPS://UPPER.EXAMPLE/JOBS", "text": "WWW.UPPER.EXAMPLE"}, {}),
    ({"title": "http", "text": None, "company_reg": 0}, {"identifiers": None}),
    ({"title": "", "text": "", "company_reg": "12"}, {"identifiers": [{"kind": "line", "value": " "}]}),
]


def test_the_fast_matching_path_finds_exactly_what_the_plain_definition_finds(
    planted: list[Any], planted_scan: list[dict[str, Any]]
) -> None:
    """Issue 18's throughput work changed how contacts are collected and hashed, not what matches: on the
    1,500 planted ads (as scanned), synthetic recruiters like the bench's and edge cases, the contacts, the
    keyed hashes and the matched signals are those of the previous code."""
    pairs = [(item.record, result) for item, result in zip(planted, planted_scan, strict=True)]
    rng = np.random.default_rng(3)
    for i in range(300):
        handle = int(rng.integers(0, 10**9))
        identifiers = [
            {"kind": "phone", "value": f"+86{int(rng.integers(13_000_000_000, 13_999_999_999))}"},
            {"kind": "wechat", "value": f"hr{handle}"},
        ]
        if i % 3 == 0:
            identifiers.append({"kind": "email", "value": f"hr{handle}@corp{i % 997}.example.cn"})
        pairs.append(
            ({"title": "", "text": "", "company_reg": f"9131{i:012d}"}, {"identifiers": identifiers})
        )
    pairs += EDGE_CASES
    contacts = [plain_contacts(ad, result) for ad, result in pairs]
    assert sum(len(c) for c in contacts) > 2500 and {k for c in contacts for k, _ in c} >= {
        "phone",
        "email",
        "handle",
        "domain",
        "url",
        "company_reg",
        "pdq",
    }
    # every third ad's contacts become signals
    signals = [
        (f"s{i}-{j}", kind, normal if kind == "pdq" else keyed_hash(KEY, kind, normal))
        for i, found in enumerate(contacts[::3])
        for j, (kind, normal) in enumerate(found)
    ]
    index = SignalIndex(signals)
    hasher = KeyedHasher(KEY)
    matched = 0
    for (ad, result), expected in zip(pairs, contacts, strict=True):
        assert ad_contacts(ad, result) == expected
        for kind, normal in expected:
            assert hasher(kind, normal) == keyed_hash(KEY, kind, normal)
        found = index.match_ad(KEY, ad, result)
        assert found == index.match(KEY, expected) == _reference_match(signals, expected)
        matched += bool(found)
    assert matched >= len(pairs) // 3


def test_the_keyed_hasher_is_hmac_sha256_for_keys_of_any_length() -> None:
    for key in (KEY, b"k" * 64, b"long" * 40):
        assert (
            KeyedHasher(key)("phone", "+8613800138000")
            == hmac.new(key, b"phone\x00+8613800138000", "sha256").hexdigest()
        )
