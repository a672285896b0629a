"""Scan throughput: ads per second per core with the local engine, and with Spark local mode, same input.

    .venv/bin/python bench/bench_recruitment_throughput.py [--quick] [--size N] [--no-spark]

Default 20,000 synthetic ads without a ``lang`` field (``--quick``: 3,000). Full scans (flags,
identifiers, structure, templates, actors, risk, output written) with the shipped default model and with
a model trained on a separate synthetic labelled set (its character model adds the text-scoring cost).
Local engine with one worker process (= ads/s/core) and with two; Spark ``local[2]`` (web UI off) on the
same file and the same models, timed with the session already started (start-up reported separately).
The outputs of both engines are compared byte for byte. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from opennrm.recruitment.evaluation import prepare, train
from opennrm.recruitment.model import RiskModel, TrainingConfig, default_model
from opennrm.recruitment.pipeline import scan_file
from opennrm.recruitment.reading import parse_record
from opennrm.recruitment.synthetic import SyntheticAds, synthetic_ads


def _input(folder: Path, size: int) -> Path:
    path = folder / "ads.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for item in SyntheticAds(seed=7).ads(size):
            record = {
                key: value for key, value in item.record.items() if key != "lang"
            }  # detect it, as in a crawl
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def _trained_model() -> RiskModel:
    ads = []
    for number, item in enumerate(synthetic_ads(2000, seed=99, deceptive_share=0.2)):
        record = dict(item.record)
        record["label"] = item.label
        parsed = parse_record(record, number + 1)
        assert not isinstance(parsed, Exception)
        ads.append(parsed)
    return train(prepare(ads), TrainingConfig())  # type: ignore[arg-type]


def _local(source: Path, out: Path, model: RiskModel, workers: int) -> dict[str, Any]:
    summary = scan_file(source, out, model, workers=workers)
    return {
        "workers": workers,
        "seconds": round(summary.seconds, 2),
        "ads_per_second": round(summary.ads / summary.seconds, 1),
        "ads_per_second_per_core": round(summary.ads / summary.seconds / workers, 1),
    }


def run(size: int, spark: bool) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="opennrm-bench-scan-"))
    source = _input(folder, size)
    models = {"default": default_model(), "trained": _trained_model()}
    result: dict[str, Any] = {
        "bench": "recruitment_throughput",
        "ads": size,
        "local": {},
        "spark_local_2": {},
    }
    for name, model in models.items():
        result["local"][name] = {
            "one_worker": _local(source, folder / f"local-{name}.jsonl", model, 1),
            "two_workers": _local(source, folder / f"local2-{name}.jsonl", model, 2),
        }
    if spark:
        from opennrm.recruitment.spark_engine import local_session, scan_with_spark, spark_available

        if not spark_available():
            result["spark_local_2"] = {"skipped": "pyspark or Java not available"}
        else:
            started = time.perf_counter()
            session = local_session(cores=2, app_name="opennrm-bench")
            session.sparkContext.setLogLevel("ERROR")
            result["spark_local_2"]["session_start_seconds"] = round(time.perf_counter() - started, 1)
            try:
                for name, model in models.items():
                    out = folder / f"spark-{name}.jsonl"
                    summary = scan_with_spark(source, out, model, spark=session, partitions=4)
                    result["spark_local_2"][name] = {
                        "cores": 2,
                        "seconds": round(summary.seconds, 2),
                        "ads_per_second": round(summary.ads / summary.seconds, 1),
                        "ads_per_second_per_core": round(summary.ads / summary.seconds / 2, 1),
                        "output_identical_to_local": out.read_bytes()
                        == (folder / f"local-{name}.jsonl").read_bytes(),
                    }
            finally:
                session.stop()
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3,000 ads")
    parser.add_argument("--size", type=int, default=None, help="number of ads (default 20,000)")
    parser.add_argument("--no-spark", dest="spark", action="store_false", help="skip the Spark run")
    args = parser.parse_args()
    size = args.size or (3_000 if args.quick else 20_000)
    json.dump(run(size, args.spark), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
