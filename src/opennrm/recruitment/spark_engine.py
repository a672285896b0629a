"""The Spark engine: the same per-partition functions as the local engine, run by Apache Spark.

Step 1 (``scan_partition``) runs on the executors, partition by partition. The compact per-ad arrays of
step 2 (a few hundred bytes per ad: signature, hashed identifiers, features) are streamed to the driver,
which links and scores them exactly as the local engine does, then broadcasts the result; step 3
(``Finalisation.annotate``) runs on the executors again and the driver streams the records into the
output file in input order. Output is identical to the local engine's.

JSON Lines input is read by Spark in parallel (``textFile``); CSV input (quoted fields may span lines) is
read by the driver and then distributed. Tests use ``local[2]`` with the web UI off.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opennrm.recruitment.ads import JobAd, MalformedRecord
from opennrm.recruitment.model import RiskModel
from opennrm.recruitment.pipeline import LinkCollector, Progress, ScannedAd, ScanSummary, scan_partition
from opennrm.recruitment.reading import detect_format, parse_json_line, read_ads

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def local_session(cores: int = 2, app_name: str = "opennrm-ads") -> SparkSession:
    """A local Spark session (``local[cores]``, no web UI) whose workers run this Python interpreter."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores)))
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


def parse_lines(lines: Iterable[tuple[str, int]]) -> Iterator[tuple[int, JobAd | MalformedRecord]]:
    """Per partition: ``(line text, zero-based line index)`` → ``(line number, ad or problem)``."""
    for text, index in lines:
        parsed = parse_json_line(text, index + 1)
        if parsed is not None:
            yield index + 1, parsed


def _scan(items: Iterable[tuple[JobAd, int]], model: RiskModel) -> Iterator[ScannedAd]:
    """One partition of step 1, on one thread (Spark already runs one task per core)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield from scan_partition(((position, ad) for ad, position in items), model)


def _is_problem(item: tuple[int, JobAd | MalformedRecord]) -> bool:
    return isinstance(item[1], MalformedRecord)


def _is_ad(item: tuple[int, JobAd | MalformedRecord]) -> bool:
    return isinstance(item[1], JobAd)


def _second(item: tuple[int, Any]) -> Any:
    return item[1]


def _compact(scanned: ScannedAd) -> ScannedAd:
    """What the driver needs for linking: the record is reduced to the ad's id."""
    return dataclasses.replace(scanned, output={"id": scanned.output["id"]})


def scan_with_spark(
    source: Path,
    destination: Path,
    model: RiskModel,
    spark: SparkSession | None = None,
    partitions: int | None = None,
    progress: Progress | None = None,
) -> ScanSummary:
    """Scan ``source`` into ``destination`` with Spark (a local session is started if none is given)."""
    from pyspark import StorageLevel

    started = time.perf_counter()
    own_session = spark is None
    session = spark if spark is not None else local_session()
    context = session.sparkContext
    summary = ScanSummary(engine="spark")
    ads: Any
    try:
        if detect_format(source) == "jsonl":
            lines = context.textFile(str(source), minPartitions=partitions or context.defaultParallelism)
            parsed = lines.zipWithIndex().mapPartitions(parse_lines).persist(StorageLevel.MEMORY_AND_DISK)
            for problem in parsed.filter(_is_problem).map(_second).collect():
                summary.note_malformed(problem)
            ads = parsed.filter(_is_ad).map(_second)
        else:
            local: list[JobAd] = []
            for item in read_ads(source):
                if isinstance(item, MalformedRecord):
                    summary.note_malformed(item)
                else:
                    local.append(item)
            ads = context.parallelize(local, partitions or context.defaultParallelism)
        model_broadcast = context.broadcast(model)
        scanned = (
            ads.zipWithIndex()
            .mapPartitions(lambda items: _scan(items, model_broadcast.value))
            .persist(StorageLevel.MEMORY_AND_DISK)
        )
        collector = LinkCollector()
        for compact in scanned.map(_compact).toLocalIterator():
            collector.add(compact)
            if progress is not None and len(collector) % 1024 == 0:
                progress("scan", len(collector), None)
        summary.ads = len(collector)
        if progress is not None:
            progress("scan", summary.ads, summary.ads)
        finalisation = collector.finish(model)
        del collector
        summary.links = finalisation.summary
        final_broadcast = context.broadcast(finalisation)
        records = scanned.map(lambda s: final_broadcast.value.annotate(s.position, s.output))
        with destination.open("w", encoding="utf-8") as out:
            for written, record in enumerate(records.toLocalIterator(), start=1):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if progress is not None and written % 1024 == 0:
                    progress("write", written, summary.ads)
        if progress is not None:
            progress("write", summary.ads, summary.ads)
        scanned.unpersist()
        model_broadcast.destroy()
        final_broadcast.destroy()
    finally:
        if own_session:
            session.stop()
    summary.seconds = time.perf_counter() - started
    return summary


def spark_available() -> bool:
    """Whether pyspark imports and a Java runtime is on the path (for skipping tests politely)."""
    import shutil

    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


__all__ = ["local_session", "parse_lines", "scan_with_spark", "spark_available"]
