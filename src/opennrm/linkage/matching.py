"""Matching at the secretariat: LSH blocking over encodings, Dice similarity, clustering without chaining.

- **Blocking** samples ``band_bits`` bit positions per band (Hamming LSH, Indyk & Motwani 1998); two encodings
  from different organisations that agree on every sampled bit of some band become a candidate pair. Buckets
  larger than ``max_bucket`` carry no information and are skipped.
- **Similarity** is the Dice coefficient ``2|A∧B| / (|A| + |B|)``, counted with ``numpy.bitwise_count``.
- **The threshold** of a run is calibrated on it without labels (``calibrated_threshold``): up from the tuned
  one until few records have two candidates in one other organisation, which de-duplication rules out.
- **Clustering** is greedy best-first (as anonlink's greedy solver): pairs at or above ``threshold`` are taken
  in order of similarity; two clusters merge only when they hold no two records of one organisation (each
  organisation de-duplicates its own persons first) and every cross pair reaches ``threshold - slack``, so a
  chain A~B~C never joins A and C when they do not resemble each other.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

#: Dice threshold per hardening for 2,048-bit encodings, tuned with ``bench/bench_linkage.py --sweep`` on the
#: generator's regional population, seed 16 only (highest pairwise F1 less the person-count error).
DEFAULT_THRESHOLDS: dict[str, float] = {"none": 0.68, "balance": 0.96, "xor": 0.64, "rule90": 0.64}
#: Calibration of a run's threshold without labels: each organisation has de-duplicated its own persons, so a
#: record with two or more candidates in one other organisation has at least one false one. The threshold
#: rises from the tuned one in steps of ``CALIBRATION_STEP`` (at most ``CALIBRATION_RISE``) until no more than
#: ``AMBIGUITY_LIMIT`` of the records are in that case. Chosen on the tuning seed (16) of the generator's
#: regional population at 3,000 and 20,000 persons and its stress population at 3,000, where the best
#: threshold sits where that share first falls to about a tenth (docs/linkage.md, "How good it is").
AMBIGUITY_LIMIT = 0.10
CALIBRATION_STEP = 0.02
CALIBRATION_RISE = 0.16


def ambiguous_share(i: np.ndarray, j: np.ndarray, sources: np.ndarray, records: int) -> float:
    """The share of records with two or more candidates in one other organisation."""
    if not len(i) or not records:
        return 0.0
    width = int(sources.max()) + 1
    record = np.concatenate([i, j]).astype(np.int64)
    other = np.concatenate([sources[j], sources[i]]).astype(np.int64)
    keys, counts = np.unique(record * width + other, return_counts=True)
    return len(np.unique(keys[counts >= 2] // width)) / records


def calibrated_threshold(
    i: np.ndarray,
    j: np.ndarray,
    similarity: np.ndarray,
    sources: np.ndarray,
    records: int,
    floor: float,
    *,
    complete: np.ndarray | None = None,
    discount: float = 0.0,
) -> float:
    """The lowest threshold from ``floor`` up (``CALIBRATION_STEP`` at a time, at most ``CALIBRATION_RISE``
    and never above 1) at which the candidates of no more than ``AMBIGUITY_LIMIT`` of the records are
    ambiguous."""
    ceiling = min(1.0, round(floor + CALIBRATION_RISE, 4))
    threshold = floor
    while threshold < ceiling:
        keep = similarity >= pair_thresholds(threshold, discount, complete, i, j)
        if ambiguous_share(i[keep], j[keep], sources, records) <= AMBIGUITY_LIMIT:
            return threshold
        threshold = round(threshold + CALIBRATION_STEP, 4)
    return ceiling


#: How much lower the threshold is for a pair of which only one record has a birth date: her birth date's
#: bits are missing from one side, so even the same person's encodings agree less (tuned with the threshold).
PARTIAL_DISCOUNT: dict[str, float] = {"none": 0.20, "balance": 0.15, "xor": 0.15, "rule90": 0.15}


@dataclass(frozen=True)
class Blocking:
    """LSH settings. ``band_bits`` None: grows with the number of records (log2 n - 1, at least 10), so a
    bucket holds a few records whatever the scale."""

    bands: int = 100
    band_bits: int | None = None
    max_bucket: int = 64
    seed: int = 20_260_601

    def bits_for(self, records: int) -> int:
        if self.band_bits is not None:
            return self.band_bits
        return max(10, int(np.log2(max(records, 2))) - 1)


def words(encodings: np.ndarray) -> np.ndarray:
    """Packed encodings (uint8 rows) viewed as 64-bit words."""
    return np.ascontiguousarray(encodings).view(np.uint64)


def dice(w: np.ndarray, counts: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    out = np.empty(len(i), dtype=np.float64)
    step = 200_000
    for s in range(0, len(i), step):
        a, b = i[s : s + step], j[s : s + step]
        both = np.bitwise_count(w[a] & w[b]).sum(axis=1, dtype=np.int64)
        total = counts[a] + counts[b]
        out[s : s + step] = np.where(total > 0, 2.0 * both / np.maximum(total, 1), 0.0)
    return out


def _band_pairs(
    encodings: np.ndarray, sources: np.ndarray, positions: np.ndarray, max_bucket: int
) -> tuple[np.ndarray, np.ndarray]:
    bits = (encodings[:, positions // 8] >> (7 - positions % 8).astype(np.uint8)) & 1
    keys = (bits.astype(np.uint64) << np.arange(len(positions), dtype=np.uint64)).sum(axis=1, dtype=np.uint64)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    n = len(ordered)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    lengths = np.diff(np.r_[starts, n])
    run_end = np.repeat(starts + lengths, lengths)
    run_len = np.repeat(lengths, lengths)
    usable = (run_len >= 2) & (run_len <= max_bucket)
    idx = np.flatnonzero(usable)
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    d = 1
    while len(idx):
        idx = idx[idx + d < run_end[idx]]
        if not len(idx):
            break
        a, b = order[idx], order[idx + d]
        cross = sources[a] != sources[b]
        left.append(np.minimum(a, b)[cross])
        right.append(np.maximum(a, b)[cross])
        d += 1
    if not left:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(left), np.concatenate(right)


def pair_thresholds(
    threshold: float, discount: float, complete: np.ndarray | None, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Each pair's threshold: ``threshold``, less ``discount`` when one record has a birth date and the other
    has none (``complete``: the records with one; None: all of them)."""
    out = np.full(len(i), threshold)
    if complete is not None:
        out[complete[i] != complete[j]] -= discount
    return out


def band_positions(records: int, bits: int, blocking: Blocking) -> list[np.ndarray]:
    """The sampled bit positions of every band, drawn from ``blocking.seed`` (the same for every engine)."""
    rng = np.random.default_rng(blocking.seed)
    return [rng.choice(bits, size=blocking.bits_for(records), replace=False) for _ in range(blocking.bands)]


@dataclass(frozen=True)
class Encodings:
    """Packed encodings with their 64-bit words and bit counts, computed once for every band."""

    packed: np.ndarray
    sources: np.ndarray

    @functools.cached_property
    def words(self) -> np.ndarray:
        return words(self.packed)

    @functools.cached_property
    def counts(self) -> np.ndarray:
        counts: np.ndarray = np.bitwise_count(self.words).sum(axis=1, dtype=np.int64)
        return counts


def band_matches(
    data: Encodings,
    positions: np.ndarray,
    max_bucket: int,
    threshold: float,
    discount: float = 0.0,
    complete: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One band's cross-organisation pairs whose Dice reaches their threshold: ``(i, j, Dice)``. Bands are
    independent, so an engine may run them anywhere (the Spark engine runs one task per band)."""
    i, j = _band_pairs(data.packed, data.sources, positions, max_bucket)
    if not len(i):
        return i, j, np.empty(0)
    s = dice(data.words, data.counts, i, j)
    keep = s >= pair_thresholds(threshold, discount, complete, i, j)
    return i[keep], j[keep], s[keep]


def distinct_pairs(
    found: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]], records: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The bands' matches with each pair once, sorted by ``(i, j)``."""
    parts = list(found)
    if not parts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    codes = np.concatenate([i.astype(np.int64) * records + j for i, j, _ in parts])
    codes, first = np.unique(codes, return_index=True)
    return codes // records, codes % records, np.concatenate([s for _, _, s in parts])[first]


def candidate_pairs(
    encodings: np.ndarray,
    sources: np.ndarray,
    threshold: float,
    blocking: Blocking | None = None,
    *,
    complete: np.ndarray | None = None,
    discount: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cross-organisation pairs found by blocking whose Dice similarity reaches their threshold."""
    blocking = blocking or Blocking()
    data = Encodings(encodings, sources)
    bands = band_positions(len(encodings), encodings.shape[1] * 8, blocking)
    return distinct_pairs(
        (
            band_matches(data, positions, blocking.max_bucket, threshold, discount, complete)
            for positions in bands
        ),
        len(encodings),
    )


def cluster(
    encodings: np.ndarray,
    sources: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    slack: float = 0.12,
    *,
    complete: np.ndarray | None = None,
    discount: float = 0.0,
) -> np.ndarray:
    """A cluster label per record (records not linked are their own cluster). Pairs are taken by their
    margin over their own threshold, best first."""
    n = len(encodings)
    parent = list(range(n))
    members: dict[int, list[int]] = {}
    w = words(encodings)
    counts = np.bitwise_count(w).sum(axis=1, dtype=np.int64)
    margin = similarity - pair_thresholds(threshold, discount, complete, i, j)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    order = np.argsort(-margin, kind="stable")
    for k in order:
        if margin[k] < 0:
            break
        a, b = find(int(i[k])), find(int(j[k]))
        if a == b:
            continue
        group_a, group_b = members.get(a, [a]), members.get(b, [b])
        if {int(sources[x]) for x in group_a} & {int(sources[x]) for x in group_b}:
            continue
        if len(group_a) + len(group_b) > 2:
            left = np.repeat(np.array(group_a), len(group_b))
            right = np.tile(np.array(group_b), len(group_a))
            floor = pair_thresholds(threshold - slack, discount, complete, left, right)
            if (dice(w, counts, left, right) < floor).any():
                continue
        parent[b] = a
        members[a] = group_a + group_b
        members.pop(b, None)
    return np.array([find(x) for x in range(n)], dtype=np.int64)


@dataclass(frozen=True)
class Linked:
    labels: np.ndarray
    candidates: int
    links: int
    threshold: float

    @property
    def persons(self) -> int:
        return len(np.unique(self.labels))


def decide(
    encodings: np.ndarray,
    sources: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    similarity: np.ndarray,
    threshold: float,
    *,
    complete: np.ndarray | None = None,
    discount: float = 0.0,
    calibrate: bool = False,
) -> Linked:
    """From the candidate pairs (found at ``threshold``) to persons: with ``calibrate``, the threshold first
    rises as ``calibrated_threshold`` says; then the clustering. Every engine ends here."""
    if calibrate:
        threshold = calibrated_threshold(
            i, j, similarity, sources, len(encodings), threshold, complete=complete, discount=discount
        )
        keep = similarity >= pair_thresholds(threshold, discount, complete, i, j)
        i, j, similarity = i[keep], j[keep], similarity[keep]
    labels = cluster(encodings, sources, i, j, similarity, threshold, complete=complete, discount=discount)
    return Linked(
        labels=labels,
        candidates=len(i),
        links=int(len(labels) - len(np.unique(labels))),
        threshold=threshold,
    )


def link(
    encodings: np.ndarray,
    sources: Sequence[int] | np.ndarray,
    threshold: float,
    blocking: Blocking | None = None,
    *,
    complete: Sequence[bool] | np.ndarray | None = None,
    discount: float = 0.0,
    calibrate: bool = False,
) -> Linked:
    """Link ``encodings`` (``sources``: each record's organisation; ``complete``: whether it has a birth
    date, with ``discount`` off the threshold for pairs that differ in it; ``calibrate``: ``threshold`` is
    the lowest one the run may use, see ``calibrated_threshold``)."""
    source_array = np.asarray(sources, dtype=np.int64)
    flags = None if complete is None else np.asarray(complete, dtype=bool)
    i, j, s = candidate_pairs(encodings, source_array, threshold, blocking, complete=flags, discount=discount)
    return decide(
        encodings, source_array, i, j, s, threshold, complete=flags, discount=discount, calibrate=calibrate
    )


def national_ids(labels: np.ndarray) -> list[str]:
    """An opaque, new national person id per cluster: nothing in it derives from the records."""
    names = {label: f"np-{secrets.token_hex(10)}" for label in np.unique(labels).tolist()}
    return [names[label] for label in labels.tolist()]
