"""The secretariat's matching on Apache Spark, for more records than one machine links in time.

The local engine's steps (``linkage.matching``), with its code: the bands of the LSH blocking are independent,
so Spark runs **one task per band** (100 by default), each with ``matching.band_matches`` — the band's bit
positions (drawn on the driver from the blocking's seed, as locally), its buckets, their cross-organisation
pairs and their Dice similarity, vectorised with numpy — over the encodings, broadcast to the executors
(256 bytes a record at 2,048 bits: 100 MB for 400,000 records; beyond some ten million records a join on the
record index would replace the broadcast). The pairs reaching their threshold (few) come back to the
driver, which makes them distinct and clusters them with ``matching.cluster`` (no chaining, one record per
organisation per person). So the Spark engine finds **the same pairs, similarities and persons** as the local
one by construction; the work spreads over as many cores as there are bands.

Tests run ``local[2]`` with the web UI off; they skip without Java or pyspark. Only encodings and record
indices enter Spark: no name, birth date or token.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

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


def candidate_pairs(
    spark: SparkSession,
    encodings: np.ndarray,
    sources: Sequence[int] | np.ndarray,
    threshold: float,
    blocking: matching.Blocking | None = None,
    *,
    complete: Sequence[bool] | np.ndarray | None = None,
    discount: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pairs ``matching.candidate_pairs`` finds, found by Spark: ``(i, j, Dice)`` sorted by ``(i, j)``."""
    blocking = blocking or matching.Blocking()
    source_array = np.asarray(sources, dtype=np.int64)
    flags = None if complete is None else np.asarray(complete, dtype=bool)
    bands = matching.band_positions(len(encodings), encodings.shape[1] * 8, blocking)
    context = spark.sparkContext
    shared = context.broadcast((np.ascontiguousarray(encodings), source_array, flags))
    max_bucket = blocking.max_bucket

    def run(chosen: Iterable[int]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        packed, src, done = shared.value
        data = matching.Encodings(packed, src)
        for band in chosen:
            yield matching.band_matches(data, bands[band], max_bucket, threshold, discount, done)

    try:
        found = context.parallelize(range(len(bands)), len(bands)).mapPartitions(run).collect()
    finally:
        shared.unpersist()
    return matching.distinct_pairs(found, len(encodings))


def link(
    spark: SparkSession,
    encodings: np.ndarray,
    sources: Sequence[int] | np.ndarray,
    threshold: float,
    blocking: matching.Blocking | None = None,
    *,
    complete: Sequence[bool] | np.ndarray | None = None,
    discount: float = 0.0,
    calibrate: bool = False,
) -> matching.Linked:
    """``matching.link`` with the blocking and Dice on Spark, the calibration and clustering on the driver."""
    source_array = np.asarray(sources, dtype=np.int64)
    flags = None if complete is None else np.asarray(complete, dtype=bool)
    i, j, s = candidate_pairs(
        spark, encodings, source_array, threshold, blocking, complete=flags, discount=discount
    )
    return matching.decide(
        encodings, source_array, i, j, s, threshold, complete=flags, discount=discount, calibrate=calibrate
    )
