"""Financial flows benchmark (issue 17): ranking quality on AMLSim data the model has not seen, scoring
throughput and k-hop trace time, each beside a same-run baseline. Prints JSON.

    python bench/bench_finance.py                    # AMLSim transfer + grouped folds, 1M-row scale run
    python bench/bench_finance.py --scale 5000000    # the issue's full size (5M transactions)
    python bench/bench_finance.py --skip-amlsim --scale 200000
    python bench/bench_finance.py --skip-amlsim --scale 200000 --engine spark   # the Spark engine beside

Quality: train on fanin200 → test on cycle200 and the reverse (other typologies, other accounts), and grouped
5-fold cross-validation on each (a pattern's accounts stay in one fold); the trained model (graph features and
detector strengths, gradient-boosted trees) against a gradient-boosted baseline on simple per-account degree
and amount features, trained on the same data in the same run; the default (unsupervised) ranking against
ranking by in-degree. Scale: synthetic transactions from ``opennrm.finance.synthetic`` written to CSV, then
read, detected and scored (wall time, peak RSS); a 3-hop forward trace from 20 seeds. With ``--engine spark``
the same file scored by the Spark engine (local[2], session start excluded) beside the local figure, whether
the scores are the same, and the graph-wide rules alone on each engine with the rows the Spark engine's
collect for them. The machine is shared: timings are pessimistic.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from opennrm.finance import detectors, evaluation, jurisdiction, pipeline, ranking, synthetic
from opennrm.finance.ingest import Transactions
from opennrm.finance.ranking import Score
from opennrm.finance.trace import Tracer

warnings.filterwarnings("ignore")


def shared() -> Path:
    repo = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("OPENNRM_SHARED") or repo.parent / "shared")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def amlsim(out: dict) -> None:
    j = jurisdiction.load()
    sets = {}
    for name in ("fanin200", "cycle200"):
        base = shared() / "data" / "amlsim" / name
        data = pipeline.load(base / "transactions.csv", base / "accounts.csv", j)
        report = detectors.detect(data, j)
        table = ranking.features(data, report)
        y = ranking.label_vector(table, pipeline.read_labels(base / "labels.csv", data))
        default = ranking.default_scores(data, report, j)
        risk = dict((s.account, s.risk) for s in default)
        indeg = dict(data.frame.group_by("target").len().iter_rows())
        accounts = table["account"].to_list()
        out[f"{name}_default_ap"] = evaluation.average_precision(y, np.array([risk[a] for a in accounts]))
        out[f"{name}_indegree_ap"] = evaluation.average_precision(
            y, np.array([indeg.get(a, 0) for a in accounts])
        )
        out[f"{name}_grouped_cv_model"] = evaluation.grouped_cv(data, table, y)["average_precision"]
        out[f"{name}_grouped_cv_baseline"] = evaluation.grouped_cv(
            data, table, y, names=ranking.BASELINE_FEATURES
        )["average_precision"]
        out[f"{name}_prevalence"] = float(y.mean())
        sets[name] = (table, y)
        print(json.dumps(out), file=sys.stderr, flush=True)
    for a, b in (("fanin200", "cycle200"), ("cycle200", "fanin200")):
        result = evaluation.transfer(sets[a][0], sets[a][1], sets[b][0], sets[b][1])
        out[f"train_{a}_test_{b}_model_ap"] = result["model"]
        out[f"train_{a}_test_{b}_baseline_ap"] = result["baseline"]


def scale(out: dict, n: int, engine: str) -> None:
    j = jurisdiction.load()
    accounts = max(1000, n // 10)
    started = time.perf_counter()
    syn = synthetic.generate(accounts, n, days=365, seed=7, copies=3)
    folder = Path(tempfile.mkdtemp())
    path = folder / "transactions.csv"
    syn.transactions.write_csv(path)
    out["scale_transactions"] = syn.transactions.height
    out["scale_generate_s"] = time.perf_counter() - started
    del syn
    started = time.perf_counter()
    data = pipeline.load(path, None, j)
    out["scale_read_s"] = time.perf_counter() - started
    started = time.perf_counter()
    scores, _ = pipeline.score(data, j)
    out["scale_detect_and_score_s"] = time.perf_counter() - started
    out["scale_total_s"] = out["scale_read_s"] + out["scale_detect_and_score_s"]
    out["scale_peak_rss_mb"] = peak_mb()
    out["scale_flagged_accounts"] = sum(1 for s in scores if s.typologies)
    # baseline for the same run: in-degree per account (one group-by)
    started = time.perf_counter()
    data.frame.group_by("target").len()
    out["scale_indegree_baseline_s"] = time.perf_counter() - started
    started = time.perf_counter()
    tracer = Tracer(data)
    out["trace_index_build_s"] = time.perf_counter() - started
    rng = np.random.default_rng(1)
    times = []
    for seed in rng.choice(len(data.accounts), 20, replace=False):
        t0 = time.perf_counter()
        tracer.trace([data.accounts[int(seed)]], "forward", 3)
        times.append(time.perf_counter() - t0)
    out["trace_3hop_median_s"] = float(np.median(times))
    out["trace_3hop_max_s"] = float(np.max(times))
    if engine == "spark":
        spark_scale(out, path, data, scores)
    path.unlink()


def spark_scale(out: dict, path: Path, data: Transactions, local: list[Score]) -> None:
    from opennrm.finance import spark_engine

    j = jurisdiction.load()
    session = spark_engine.local_session()
    try:
        started = time.perf_counter()
        scores, _, _ = spark_engine.score(path, None, j, session=session)
        out["scale_spark_total_s"] = time.perf_counter() - started
        out["scale_spark_same_scores"] = [(s.account, s.risk, s.typologies) for s in scores] == [
            (s.account, s.risk, s.typologies) for s in local
        ]
        good, _, _ = spark_engine.read_transactions(session, path, j)
        out["scale_spark_accepted_rows"] = good.count()
        collected: list[int] = []
        original = spark_engine._collect

        def counted(frame: Any) -> list[Any]:
            rows = original(frame)
            collected.append(len(rows))
            return rows

        spark_engine._collect = counted
        started = time.perf_counter()
        spark_engine.graph_wide(good, j, spark_engine.ON_SPARK)
        out["scale_spark_graph_wide_s"] = time.perf_counter() - started
        out["scale_spark_graph_wide_rows_collected"] = sum(collected)
        spark_engine._collect = original
    finally:
        session.stop()
    started = time.perf_counter()
    detectors.detect(data, j, spark_engine.ON_SPARK)
    out["scale_local_graph_wide_s"] = time.perf_counter() - started
    out["load_average_after"] = os.getloadavg()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=int, default=1_000_000)
    parser.add_argument("--skip-amlsim", action="store_true")
    parser.add_argument("--engine", choices=("local", "spark"), default="local")
    args = parser.parse_args()
    out: dict = {"cores": os.cpu_count(), "load_average": os.getloadavg()[0]}
    if not args.skip_amlsim:
        if (shared() / "data" / "amlsim" / "fanin200").is_dir():
            amlsim(out)
        else:
            out["amlsim"] = "skipped: shared/data/amlsim not found"
    if args.scale:
        scale(out, args.scale, args.engine)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
