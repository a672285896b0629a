"""The files organisations and the secretariat exchange.

An export (``opennrm linkage export``) is one JSON document::

    {"format": "opennrm-linkage-export", "version": 1, "schema": {...}, "secret_check": "…",
     "records": [{"token": "…", "source": "…", "clk": "<base64>"}, …]}

``token`` is random and new in each export; ``source`` is a random label, new in each export, for one
organisation (the secretariat keeps at most one record of an organisation in a national person);
``birth_known`` says whether a birth date went into the encoding (a pair of which only one record has one is
held to a lower threshold). Nothing else: no name, birth date, phone, survivor code, case or person id.
``secret_check`` lets the secretariat see that every export was made under the same secret without holding it.

The secretariat answers with ``persons.csv``: ``record_token,person`` (an opaque national person id).

"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from opennrm.linkage import matching
from opennrm.linkage.encoding import Encoder, Schema, from_text, secret_check, to_text
from opennrm.linkage.normalise import QuasiIdentifiers, features

FORMAT = "opennrm-linkage-export"
VERSION = 1
HEADER = ("record_token", "person")
#: A record token as ``new_token`` makes it, and a national person id as ``matching.national_ids`` makes it;
#: ``read_persons_csv`` accepts nothing else (a test keeps these in step with the functions that make them).
TOKEN_FORMAT = re.compile(r"[0-9a-f]{32}")
NATIONAL_ID_FORMAT = re.compile(r"np-[0-9a-f]{20}")


class ExchangeError(ValueError):
    """A file that is not a linkage export, or exports that cannot be linked together."""


def new_token() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class Encoded:
    tokens: list[str]
    document: dict[str, Any]


def export_document(
    groups: Sequence[Sequence[QuasiIdentifiers]],
    secret: bytes,
    schema: Schema | None = None,
    *,
    rng: random.Random | None = None,
) -> Encoded:
    """Encode each group (one organisation's persons) under ``secret``; every record gets a fresh token and
    each group a fresh source label. Tokens come back in the order of the persons, group after group; the
    document's records are shuffled (``rng``, by default the system's), so their order tells nothing of the
    order the persons were read in (identification date, organisation)."""
    encoder = Encoder(secret, schema)
    records: list[dict[str, str | bool]] = []
    tokens: list[str] = []
    for group in groups:
        source = secrets.token_hex(8)
        encodings = encoder.encode([features(p) for p in group])
        for person, row in zip(group, encodings, strict=True):
            token = new_token()
            tokens.append(token)
            records.append(
                {
                    "token": token,
                    "source": source,
                    "clk": to_text(row),
                    "birth_known": person.birth_date is not None,
                }
            )
    (rng or secrets.SystemRandom()).shuffle(records)
    document = {
        "format": FORMAT,
        "version": VERSION,
        "schema": encoder.schema.describe(),
        "secret_check": secret_check(secret),
        "records": records,
    }
    return Encoded(tokens, document)


@dataclass(frozen=True)
class Export:
    schema: Schema
    check: str
    tokens: list[str]
    sources: list[str]
    encodings: np.ndarray
    birth_known: list[bool]


def read_export(raw: str | bytes, name: str = "export") -> Export:
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ExchangeError(f"{name}: not JSON") from None
    return parse_export(doc, name)


def parse_export(doc: Any, name: str = "export") -> Export:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExchangeError(f"{name}: not an OpenNRM linkage export (format)")
    if doc.get("version") != VERSION:
        raise ExchangeError(f"{name}: version {doc.get('version')!r} is not supported (expected {VERSION})")
    try:
        schema = Schema.from_description(doc["schema"])
        width = schema.encoded_bits // 8
        records = doc["records"]
        tokens = [str(r["token"]) for r in records]
        sources = [str(r["source"]) for r in records]
        birth_known = [bool(r.get("birth_known", True)) for r in records]
        rows = [from_text(str(r["clk"]), width) for r in records]
    except (KeyError, TypeError, ValueError) as exc:
        raise ExchangeError(f"{name}: malformed export ({exc})") from None
    encodings = np.vstack(rows) if rows else np.empty((0, width), dtype=np.uint8)
    return Export(schema, str(doc.get("secret_check", "")), tokens, sources, encodings, birth_known)


class Linker(Protocol):
    """``matching.link``, or an engine's equivalent (``spark_matching.link`` bound to a session)."""

    def __call__(
        self,
        encodings: np.ndarray,
        sources: Sequence[int],
        threshold: float,
        *,
        complete: Sequence[bool],
        discount: float,
        calibrate: bool,
    ) -> matching.Linked: ...


def match_exports(
    exports: Sequence[Export], threshold: float | None = None, linker: Linker = matching.link
) -> list[tuple[str, str]]:
    """Link the records of all exports: ``(record_token, national person id)`` for every record."""
    if not exports:
        raise ExchangeError("no export to match")
    first = exports[0]
    for index, other in enumerate(exports[1:], start=2):
        if other.schema != first.schema:
            raise ExchangeError(f"export {index} was encoded with another schema than export 1")
        if other.check != first.check:
            raise ExchangeError(f"export {index} was encoded under another linkage secret than export 1")
    tokens = [t for e in exports for t in e.tokens]
    if len(set(tokens)) != len(tokens):
        raise ExchangeError("a record token appears twice: was one export given twice?")
    labels: dict[tuple[int, str], int] = {}
    sources = [labels.setdefault((i, s), len(labels)) for i, e in enumerate(exports) for s in e.sources]
    encodings = np.vstack([e.encodings for e in exports])
    hardening = first.schema.hardening
    chosen = threshold if threshold is not None else matching.DEFAULT_THRESHOLDS[hardening]
    linked = linker(
        encodings,
        sources,
        chosen,
        complete=[b for e in exports for b in e.birth_known],
        discount=matching.PARTIAL_DISCOUNT[hardening],
        calibrate=threshold is None,
    )
    return list(zip(tokens, matching.national_ids(linked.labels), strict=True))


def persons_csv(rows: Iterable[tuple[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def read_persons_csv(text: str) -> list[tuple[str, str]]:
    """The secretariat's answer, checked whole: the header, then on every line a record token and a
    national person id exactly as this software makes them, each token once. The first bad line is named
    with its field and nothing is returned (a file is used whole or not at all)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise ExchangeError("persons file: the first line must be record_token,person")
        rows: list[tuple[str, str]] = []
        seen: dict[str, int] = {}
        last = reader.line_num
        for row in reader:
            number, last = last + 1, reader.line_num  # the line the row starts on
            if not row:
                continue
            if len(row) != 2:
                raise ExchangeError(f"persons file: line {number}: expected record_token,person")
            token, person = row
            if not TOKEN_FORMAT.fullmatch(token):
                raise ExchangeError(f"persons file: line {number}: record_token is not a record token")
            if not NATIONAL_ID_FORMAT.fullmatch(person):
                raise ExchangeError(f"persons file: line {number}: person is not a national person id")
            if token in seen:
                raise ExchangeError(
                    f"persons file: line {number}: record_token appears twice (first on line {seen[token]})"
                )
            seen[token] = number
            rows.append((token, person))
    except csv.Error as exc:
        raise ExchangeError(f"persons file: line {reader.line_num}: not CSV ({exc})") from None
    return rows
