"""Reading ads from JSON Lines or CSV, streaming, with every unreadable record reported by line number.

``parse_record`` and ``parse_json_line`` are pure, so the Spark engine parses partitions with them too.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from opennrm.recruitment.ads import IDENTIFIER_LIST_FIELDS, OPTIONAL_STRING_FIELDS, JobAd, MalformedRecord

_LIST_SEPARATORS = re.compile(r"[;|\n]+")
_MAX_FIELD_CHARS = 200_000


class InputFormatError(ValueError):
    """The input as a whole cannot be read (unknown format, missing CSV columns)."""


def _as_text(value: Any, name: str) -> str:
    if isinstance(value, str):
        if len(value) > _MAX_FIELD_CHARS:
            raise ValueError(f"field {name!r} is longer than {_MAX_FIELD_CHARS} characters")
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    raise ValueError(f"field {name!r} must be text, not {type(value).__name__}")


def _as_list(value: Any, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip())
    if isinstance(value, list):
        return tuple(_as_text(item, name).strip() for item in value if item not in (None, ""))
    raise ValueError(f"field {name!r} must be a list of strings or a ';'-separated string")


def _as_label(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("field 'label' must be 0 or 1")
    if isinstance(value, int | float) and value in (0, 1):
        return int(value)
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    raise ValueError(f"field 'label' must be 0 or 1, not {value!r}")


def parse_record(record: Mapping[str, Any], line: int) -> JobAd | MalformedRecord:
    """Turn one decoded record into a ``JobAd``, or say why it cannot be one."""
    try:
        missing = [name for name in ("id", "title", "text") if name not in record or record[name] is None]
        missing += [name for name in ("id", "text") if name not in missing and record[name] == ""]
        if missing:
            raise ValueError("missing required field(s): " + ", ".join(missing))
        ad_id = _as_text(record["id"], "id").strip()
        if not ad_id:
            raise ValueError("field 'id' is blank")
        values: dict[str, Any] = {
            "id": ad_id,
            "title": _as_text(record["title"], "title"),
            "text": _as_text(record["text"], "text"),
        }
        present = set()
        for name in OPTIONAL_STRING_FIELDS:
            if name in record:
                present.add(name)
                raw = record[name]
                values[name] = None if raw is None else _as_text(raw, name)
        for name in IDENTIFIER_LIST_FIELDS:
            if name in record:
                present.add(name)
                values[name] = _as_list(record[name], name)
        values["label"] = _as_label(record.get("label"))
    except ValueError as error:
        return MalformedRecord(line, str(error))
    return JobAd(**values, line=line, present=frozenset(present))


def parse_json_line(text: str, line: int) -> JobAd | MalformedRecord | None:
    """One line of JSON Lines; ``None`` for a blank line."""
    if not text.strip():
        return None
    try:
        decoded = json.loads(text)
    except json.JSONDecodeError as error:
        return MalformedRecord(line, f"not valid JSON ({error.msg} at column {error.colno})")
    if not isinstance(decoded, dict):
        return MalformedRecord(line, "a record must be a JSON object")
    return parse_record(decoded, line)


def detect_format(path: Path) -> str:
    """``jsonl`` or ``csv`` from the file name (``.gz`` allowed); ``-`` is JSON Lines on stdin."""
    name = path.name.lower().removesuffix(".gz")
    if str(path) == "-" or name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith(".csv"):
        return "csv"
    raise InputFormatError(f"{path}: cannot tell the format; name the file .jsonl or .csv")


def _open_text(path: Path) -> TextIO:
    if str(path) == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def _iter_jsonl(stream: TextIO) -> Iterator[JobAd | MalformedRecord]:
    for number, text in enumerate(stream, start=1):
        parsed = parse_json_line(text, number)
        if parsed is not None:
            yield parsed


def _iter_csv(stream: TextIO, path: Path) -> Iterator[JobAd | MalformedRecord]:
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    header = [name.strip() for name in header]
    for required in ("id", "title", "text"):
        if required not in header:
            raise InputFormatError(f"{path}: the CSV header has no {required!r} column")
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield MalformedRecord(start, f"bad CSV ({error})")
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield MalformedRecord(start, f"expected {len(header)} columns, found {len(row)}")
            continue
        record = {
            name: value
            for name, value in zip(header, row, strict=True)
            if value != "" or name in ("id", "title", "text")
        }
        yield parse_record(record, start)


def read_ads(path: Path) -> Iterator[JobAd | MalformedRecord]:
    """Stream the ads of a JSON Lines or CSV file, in file order, one record in memory at a time."""
    kind = detect_format(path)
    with _open_text(path) as stream:
        if kind == "jsonl":
            yield from _iter_jsonl(stream)
        else:
            yield from _iter_csv(stream, path)


def read_ads_text(text: str, name: str) -> Iterator[JobAd | MalformedRecord]:
    """The ads of an uploaded file's text; ``name`` (the file's name) tells JSON Lines from CSV."""
    kind = detect_format(Path(name))
    stream = io.StringIO(text.removeprefix("\ufeff"), newline="")
    if kind == "jsonl":
        yield from _iter_jsonl(stream)
    else:
        yield from _iter_csv(stream, Path(name))


def ad_to_record(ad: JobAd) -> dict[str, Any]:
    """The contract record of an ad (the inverse of ``parse_record``), for writing labelled files."""
    record: dict[str, Any] = {"id": ad.id, "title": ad.title, "text": ad.text}
    for name in OPTIONAL_STRING_FIELDS:
        value = getattr(ad, name)
        if value is not None:
            record[name] = value
    for name in IDENTIFIER_LIST_FIELDS:
        value = getattr(ad, name)
        if value:
            record[name] = list(value)
    if ad.label is not None:
        record["label"] = ad.label
    return record
