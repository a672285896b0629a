"""Reading ads: JSON Lines and CSV stream in file order; every unreadable record is reported by line."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from opennrm.recruitment.ads import JobAd, MalformedRecord
from opennrm.recruitment.reading import InputFormatError, ad_to_record, parse_record, read_ads


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_records_become_ads_with_optional_fields_and_lists(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ads.jsonl",
        '{"id": "a1", "title": "Cook", "text": "Kitchen job", "city": "Leeds", "phones": ["+44 113 496 0000"],'
        ' "handles": "wechat:abc; telegram:@xyz", "label": 1}\n',
    )
    [ad] = list(read_ads(path))
    assert isinstance(ad, JobAd)
    assert (ad.id, ad.title, ad.city, ad.label, ad.line) == ("a1", "Cook", "Leeds", 1, 1)
    assert ad.phones == ("+44 113 496 0000",)
    assert ad.handles == ("wechat:abc", "telegram:@xyz")
    assert {"city", "phones", "handles"} <= ad.present
    assert "company" not in ad.present


def test_malformed_jsonl_records_are_reported_with_their_line_numbers_and_skipped(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ads.jsonl",
        "\n".join(
            [
                '{"id": "ok1", "title": "", "text": "fine"}',
                "{not json",
                '["a list"]',
                '{"id": "x", "title": "t"}',
                '{"id": "y", "title": "t", "text": "t", "label": 7}',
                "",
                '{"id": 5, "title": "t", "text": "numbers are accepted as ids"}',
                '{"id": "z", "title": "t", "text": {"nested": 1}}',
            ]
        )
        + "\n",
    )
    records = list(read_ads(path))
    good = [r for r in records if isinstance(r, JobAd)]
    bad = [r for r in records if isinstance(r, MalformedRecord)]
    assert [ad.id for ad in good] == ["ok1", "5"]
    assert [problem.line for problem in bad] == [2, 3, 4, 5, 8]
    assert "not valid JSON" in bad[0].reason
    assert "text" in bad[2].reason
    assert "label" in bad[3].reason


def test_csv_line_numbers_count_quoted_newlines(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ads.csv",
        'id,title,text,company,label\n1,Cook,"first line\nsecond line",Acme,0\n2,Maid,x,,1\n3,too,many,cells,0,9\n',
    )
    records = list(read_ads(path))
    first, second, problem = records
    assert isinstance(first, JobAd) and first.text == "first line\nsecond line" and first.line == 2
    assert isinstance(second, JobAd) and second.line == 4 and second.company is None
    assert isinstance(problem, MalformedRecord) and problem.line == 5


def test_csv_without_required_columns_is_refused_as_a_whole(tmp_path: Path) -> None:
    path = _write(tmp_path / "ads.csv", "id,body\n1,x\n")
    with pytest.raises(InputFormatError, match="title"):
        list(read_ads(path))


def test_unknown_extension_is_refused_and_gzip_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError):
        list(read_ads(tmp_path / "ads.txt"))
    path = tmp_path / "ads.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write('{"id": "g", "title": "t", "text": "招聘"}\n')
    [ad] = list(read_ads(path))
    assert isinstance(ad, JobAd) and ad.text == "招聘"


def test_a_record_survives_the_round_trip_through_ad_to_record() -> None:
    record = {
        "id": "r",
        "title": "T",
        "text": "x",
        "company": "",
        "phones": ["1"],
        "label": 0,
        "salary": "5000",
    }
    ad = parse_record(record, 3)
    assert isinstance(ad, JobAd)
    assert ad_to_record(ad) == record
