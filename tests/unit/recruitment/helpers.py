"""Small helpers of the recruitment tests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.reading import parse_record


def as_ad(record: dict[str, Any], line: int = 1) -> JobAd:
    parsed = parse_record(record, line)
    assert isinstance(parsed, JobAd), parsed
    return parsed


def ad(text: str, title: str = "", **fields: Any) -> JobAd:
    return as_ad({"id": fields.pop("id", "ad-1"), "title": title, "text": text, **fields})


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
