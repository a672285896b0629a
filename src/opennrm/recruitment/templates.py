"""Near-duplicate ad templates: MinHash (``datasketch``) on character shingles, banded LSH, verified pairs.

CJK-safe by construction: shingles are runs of characters of the normalised text, so Chinese text is kept
whole (InfoShield's word 5-grams drop every non-ASCII character). Contact identifiers are masked and digits
folded to ``#`` before shingling, so ads that differ only in their phone number, salary or age range (the
"slots" of a template) still fall into the same template.

Two ads are near-duplicates when their estimated Jaccard similarity is at least ``THRESHOLD`` (0.6). Ads
are joined by single linkage (A~B and B~C put A, B, C together), so a lenient threshold lets shared
boilerplate chain unrelated templates together as a crawl grows: on 1,000,000 synthetic ads, 0.5 merged
templates into giant clusters (pairwise precision 0.88), while 0.6 kept them apart (see
``bench/bench_recruitment_linking.py`` and docs/recruitment.md).

LSH banding is done with numpy on the signature matrix rather than with ``datasketch.MinHashLSH``: the index
of a million ads then costs a few hundred megabytes instead of several gigabytes. The band layout is
``datasketch``'s own optimum for the chosen threshold.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SHINGLE_CHARS = 5
THRESHOLD = 0.6
MIN_SHINGLES = 12
_SEED = 8  # the permutations must be the same in every partition and on every worker
_FOLD = re.compile(r"\s+|[‹›]")
_DIGITS = re.compile(r"\d+")
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def template_text(normalised_masked_text: str) -> str:
    """The text a template is compared on: lower case, digits folded, no white space."""
    return _DIGITS.sub("#", _FOLD.sub("", normalised_masked_text.lower()))


def shingles(text: str, size: int = SHINGLE_CHARS) -> set[bytes]:
    if len(text) < size:
        return {text.encode("utf-8")} if text else set()
    return {text[i : i + size].encode("utf-8") for i in range(len(text) - size + 1)}


def signatures(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (``uint32``, one row per text) and whether each text is long enough to compare."""
    shingle_sets = [shingles(template_text(text)) for text in texts]
    eligible = np.array([len(s) >= MIN_SHINGLES for s in shingle_sets], dtype=bool)
    rows = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    batch = [list(s) for s, ok in zip(shingle_sets, eligible, strict=True) if ok]
    hashes = MinHash.bulk(batch, num_perm=NUM_PERM, hashfunc=_crc32, seed=_SEED) if batch else []
    position = 0
    for index, ok in enumerate(eligible):
        if ok:
            rows[index] = hashes[position].hashvalues.astype(np.uint32)
            position += 1
        else:
            rows[index] = _EMPTY
    return rows, eligible


def band_layout(threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows per band) that ``datasketch`` finds optimal for the threshold (equal weight to false
    positives and false negatives), read from an empty index through its public ``b`` and ``r``."""
    index = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=(0.5, 0.5))
    return int(index.b), int(index.r)


def band_keys(signature_rows: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """A 64-bit key per (ad, band): ads that share a key in any band are candidate near-duplicates."""
    n = signature_rows.shape[0]
    keys = np.zeros((n, bands), dtype=np.uint64)
    multipliers = (np.arange(1, rows + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)
    with np.errstate(over="ignore"):
        for band in range(bands):
            block = signature_rows[:, band * rows : (band + 1) * rows].astype(np.uint64)
            mixed = (block * multipliers).sum(axis=1, dtype=np.uint64)
            keys[:, band] = mixed ^ (np.uint64(band + 1) * np.uint64(0xC2B2AE3D27D4EB4F))
    return keys


def _runs(keys: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate edges among ``members`` sharing a key: each to the previous one and to the first one."""
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    sorted_members = members[order]
    same = sorted_keys[1:] == sorted_keys[:-1]
    if not same.any():
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    run_start = np.concatenate(([0], np.flatnonzero(~same) + 1))
    first_of = np.repeat(run_start, np.diff(np.concatenate((run_start, [len(sorted_keys)]))))
    index = np.flatnonzero(same) + 1
    previous = sorted_members[index - 1]
    first = sorted_members[first_of[index]]
    current = sorted_members[index]
    left = np.concatenate((previous, first))
    right = np.concatenate((current, current))
    keep = left != right
    return left[keep], right[keep]


def shared_key_edges(keys: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining every group of ``members`` that share a key (chain plus star inside each group)."""
    return _runs(keys, members)


def estimated_jaccard(signature_rows: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """MinHash estimate of the Jaccard similarity of each (left, right) pair, in chunks."""
    out = np.empty(len(left), dtype=np.float32)
    chunk = 200_000
    for start in range(0, len(left), chunk):
        a = signature_rows[left[start : start + chunk]]
        b = signature_rows[right[start : start + chunk]]
        out[start : start + chunk] = (a == b).mean(axis=1)
    return out


@dataclass(frozen=True, slots=True)
class TemplateEdges:
    left: np.ndarray
    right: np.ndarray
    candidates: int


def template_edges(
    signature_rows: np.ndarray, eligible: np.ndarray, threshold: float = THRESHOLD
) -> TemplateEdges:
    """Verified near-duplicate pairs: candidates from LSH bands, kept when estimated Jaccard ≥ threshold."""
    bands, rows = band_layout(threshold, signature_rows.shape[1])
    members = np.flatnonzero(eligible).astype(np.int64)
    if len(members) < 2:
        empty = np.empty(0, dtype=np.int64)
        return TemplateEdges(empty, empty, 0)
    keys = band_keys(signature_rows[members], bands, rows)
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []
    for band in range(bands):
        left, right = _runs(keys[:, band], members)
        lefts.append(left)
        rights.append(right)
    left = np.concatenate(lefts)
    right = np.concatenate(rights)
    low = np.minimum(left, right)
    high = np.maximum(left, right)
    pair = np.unique(low * np.int64(signature_rows.shape[0]) + high)
    low, high = pair // signature_rows.shape[0], pair % signature_rows.shape[0]
    similar = estimated_jaccard(signature_rows, low, high) >= threshold
    return TemplateEdges(low[similar], high[similar], len(pair))
