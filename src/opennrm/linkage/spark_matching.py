"""The secretariat's matching on Apache Spark, for more records than one machine links in time.

The same steps as ``linkage.matching``, with the same band positions (drawn on the driver from the same seed),
so the candidate pairs are the local engine's:

1. each record's key in every band is computed on the executors (``flatMap`` → ``((band, key), record)``);
2. the buckets are formed by a shuffle (``groupByKey``); buckets of one record or more than ``max_bucket``
   are skipped, as locally; each bucket yields its cross-organisation pairs, made distinct (``distinct``);
3. Dice is counted on the executors, a partition at a time with ``numpy.bitwise_count`` over the packed
   encodings (broadcast: 128 bytes a record, 51 MB for 400,000 — beyond some ten million records a join on
   the record index would replace the broadcast);
4. the pairs above their threshold (few) are collected, and the driver clusters them with
   ``matching.cluster`` (no chaining, one record per organisation per person).

Tests run ``local[2]`` with the web UI off; they skip without Java or pyspark. Only encodings and record
indices enter Spark: no name, birth date or token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from opennrm.linkage import matching

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def local_session(cores: int = 2, memory: str = "1g") -> SparkSession:
    """A local Spark session (``local[cores]``, no web UI) whose workers run this Python interpreter."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("opennrm-linkage")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores)))
        .config("spark.driver.memory", memory)
        .getOrCreate()
    )


def band_positions(records: int, bits: int, blocking: matching.Blocking) -> list[np.ndarray]:
    """The bit positions of every band, drawn exactly as ``matching.candidate_pairs`` draws them."""
    rng = np.random.default_rng(blocking.seed)
    return [rng.choice(bits, size=blocking.bits_for(records), replace=False) for _ in range(blocking.bands)]


def _band_keys(
    rows: Iterable[int], encodings: np.ndarray, bands: Sequence[np.ndarray]
) -> Iterator[tuple[tuple[int, int], int]]:
    """Per partition: ``((band, key), record)`` for every record index in ``rows`` and every band."""
    index = np.fromiter(rows, dtype=np.int64)
    if not len(index):
        return
    chunk = encodings[index]
    for band, positions in enumerate(bands):
        bits = (chunk[:, positions // 8] >> (7 - positions % 8).astype(np.uint8)) & 1
        keys = (bits.astype(np.uint64) << np.arange(len(positions), dtype=np.uint64)).sum(
            axis=1, dtype=np.uint64
        )
        for record, key in zip(index.tolist(), keys.tolist(), strict=True):
            yield (band, key), record


def _bucket_pairs(
    bucket: tuple[Any, Iterable[int]], sources: np.ndarray, max_bucket: int
) -> Iterator[tuple[int, int]]:
    members = sorted(bucket[1])
    if not 2 <= len(members) <= max_bucket:
        return
    for x, a in enumerate(members):
        for b in members[x + 1 :]:
            if sources[a] != sources[b]:
                yield a, b


def _dice_partition(
    pairs: Iterable[tuple[int, int]],
    encodings: np.ndarray,
    sources: np.ndarray,
    threshold: float,
    discount: float,
    complete: np.ndarray | None,
) -> Iterator[tuple[int, int, float]]:
    found = list(pairs)
    if not found:
        return
    i = np.array([p[0] for p in found], dtype=np.int64)
    j = np.array([p[1] for p in found], dtype=np.int64)
    w = matching.words(encodings)
    counts = np.bitwise_count(w).sum(axis=1, dtype=np.int64)
    s = matching.dice(w, counts, i, j)
    keep = s >= matching.pair_thresholds(threshold, discount, complete, i, j)
    yield from zip(i[keep].tolist(), j[keep].tolist(), s[keep].tolist(), strict=True)


def candidate_pairs(
    spark: SparkSession,
    encodings: np.ndarray,
    sources: Sequence[int] | np.ndarray,
    threshold: float,
    blocking: matching.Blocking | None = None,
    *,
    complete: Sequence[bool] | np.ndarray | None = None,
    discount: float = 0.0,
    partitions: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs ``matching.candidate_pairs`` finds, found by Spark: ``(i, j, Dice)`` sorted by ``(i, j)``."""
    blocking = blocking or matching.Blocking()
    source_array = np.asarray(sources, dtype=np.int64)
    flags = None if complete is None else np.asarray(complete, dtype=bool)
    n = len(encodings)
    bands = band_positions(n, encodings.shape[1] * 8, blocking)
    context = spark.sparkContext
    shared = context.broadcast((np.ascontiguousarray(encodings), source_array, flags, bands))
    slices = partitions or max(2, context.defaultParallelism)
    max_bucket = blocking.max_bucket

    def keys(rows: Iterable[int]) -> Iterator[tuple[tuple[int, int], int]]:
        enc, _, _, positions = shared.value
        return _band_keys(rows, enc, positions)

    def pairs(bucket: tuple[Any, Iterable[int]]) -> Iterator[tuple[int, int]]:
        return _bucket_pairs(bucket, shared.value[1], max_bucket)

    def scored(part: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int, float]]:
        enc, src, done, _ = shared.value
        return _dice_partition(part, enc, src, threshold, discount, done)

    try:
        found = (
            context.parallelize(range(n), slices)
            .mapPartitions(keys)
            .groupByKey(slices)
            .flatMap(pairs)
            .distinct(slices)
            .mapPartitions(scored)
            .collect()
        )
    finally:
        shared.unpersist()
    found.sort()
    i = np.array([f[0] for f in found], dtype=np.int64)
    j = np.array([f[1] for f in found], dtype=np.int64)
    return i, j, np.array([f[2] for f in found], dtype=np.float64)


def link(
    spark: SparkSession,
    encodings: np.ndarray,
    sources: Sequence[int] | np.ndarray,
    threshold: float,
    blocking: matching.Blocking | None = None,
    *,
    complete: Sequence[bool] | np.ndarray | None = None,
    discount: float = 0.0,
) -> matching.Linked:
    """``matching.link`` with the blocking and Dice on Spark and the clustering on the driver."""
    source_array = np.asarray(sources, dtype=np.int64)
    flags = None if complete is None else np.asarray(complete, dtype=bool)
    i, j, s = candidate_pairs(
        spark, encodings, source_array, threshold, blocking, complete=flags, discount=discount
    )
    labels = matching.cluster(encodings, source_array, i, j, s, threshold, complete=flags, discount=discount)
    return matching.Linked(labels=labels, candidates=len(i), links=int(len(labels) - len(np.unique(labels))))
