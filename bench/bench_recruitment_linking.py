"""Linking synthetic ads into templates and actors at scale: time, peak memory, pairwise precision/recall.

    .venv/bin/python bench/bench_recruitment_linking.py [--quick] [--size N] [--workers 2]

Default 100,000 ads; ``--quick`` 20,000; ``--size 1000000`` is the issue's target (under 10 minutes and
under 4 GB on the 2-core machine). The synthetic file is generated first (not timed), then linked with
the same code as ``opennrm ads scan`` minus scoring (``pipeline.link_file``-style: identifiers, MinHash
signatures, banded LSH, connected components). Ground truth comes from the generator, so pairwise
precision and recall of templates and actors are measured at full size. Baseline in the same run:
exact-identifier linking alone (the reference note's baseline 3).

Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from opennrm.recruitment.actors import components, link
from opennrm.recruitment.evaluation import pairwise_scores
from opennrm.recruitment.pipeline import LinkCollector, ScanSummary, scan_ads_stream
from opennrm.recruitment.reading import read_ads
from opennrm.recruitment.synthetic import SyntheticAds
from opennrm.recruitment.templates import shared_key_edges


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def generate(path: Path, truth_path: Path, size: int, seed: int) -> float:
    started = time.perf_counter()
    with path.open("w", encoding="utf-8") as out, truth_path.open("w", encoding="utf-8") as truth:
        for item in SyntheticAds(seed=seed).ads(size):
            out.write(json.dumps(item.record, ensure_ascii=False) + "\n")
            truth.write(f"{item.actor}\t{item.template or ''}\n")
    return time.perf_counter() - started


def _truth(truth_path: Path) -> tuple[list[str], list[str | None]]:
    actors: list[str] = []
    templates: list[str | None] = []
    with truth_path.open(encoding="utf-8") as stream:
        for line in stream:
            actor, template = line.rstrip("\n").split("\t")
            actors.append(actor)
            templates.append(template or None)
    return actors, templates


def run(size: int, workers: int, seed: int, keep: Path | None) -> dict[str, Any]:
    folder = keep or Path(tempfile.mkdtemp(prefix="opennrm-bench-link-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"synthetic-{size}-{seed}.jsonl"
    truth_path = folder / f"synthetic-{size}-{seed}.truth.tsv"
    generated = 0.0
    if not (source.exists() and truth_path.exists()):
        generated = generate(source, truth_path, size, seed)

    rss_before = _peak_mb(resource.RUSAGE_SELF)
    started = time.perf_counter()
    summary = ScanSummary()
    collector = LinkCollector()
    for scanned in scan_ads_stream(read_ads(source), None, summary, workers=workers, chunk_size=1024):
        collector.add(scanned)
    extracted = time.perf_counter()
    summary.ads = len(collector)
    inputs = collector.link_inputs()
    del collector
    links = link(inputs)
    finished = time.perf_counter()
    peak_self = _peak_mb(resource.RUSAGE_SELF)
    peak_workers = _peak_mb(resource.RUSAGE_CHILDREN)

    # Baseline: exact shared identifiers only (no templates).
    left, right = shared_key_edges(inputs.identifier_key, inputs.identifier_ad)
    identifier_only = components(len(inputs.employer), left, right)
    del inputs

    actors, templates = _truth(truth_path)
    template_labels: list[int | None] = [int(t) if t >= 0 else None for t in links.template.tolist()]
    template_scores = pairwise_scores(templates, template_labels)
    actor_scores = pairwise_scores(actors, links.actor.tolist())
    baseline_scores = pairwise_scores(actors, identifier_only.tolist())
    seconds = finished - started
    result = {
        "bench": "recruitment_linking",
        "ads": summary.ads,
        "workers": workers,
        "cpu_count": os.cpu_count(),
        "seconds_generating_input_not_timed": round(generated, 1),
        "seconds_total": round(seconds, 1),
        "seconds_extracting_identifiers_and_signatures": round(extracted - started, 1),
        "seconds_lsh_and_components": round(finished - extracted, 1),
        "ads_per_second": round(summary.ads / seconds, 1),
        "peak_rss_mb_main_process": round(peak_self, 1),
        "peak_rss_mb_main_before_run": round(rss_before, 1),
        "peak_rss_mb_largest_worker": round(peak_workers, 1),
        "target": {"seconds": 600, "memory_mb": 4096},
        "within_target": seconds < 600 and peak_self + workers * peak_workers < 4096,
        "templates_found": len(np.unique(links.template[links.template >= 0])),
        "template_pairs_verified": links.template_pairs,
        "template_candidate_pairs": links.template_candidates,
        "identifier_hubs_ignored": links.hubs,
        "templates_pairwise": {
            k: round(v, 4) if isinstance(v, float) else v for k, v in template_scores.items()
        },
        "actors_pairwise": {k: round(v, 4) if isinstance(v, float) else v for k, v in actor_scores.items()},
        "baseline_identifier_only_actors_pairwise": {
            k: round(v, 4) if isinstance(v, float) else v for k, v in baseline_scores.items()
        },
        "input": str(source),
    }
    if keep is None:
        source.unlink()
        truth_path.unlink()
        folder.rmdir()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 ads")
    parser.add_argument("--size", type=int, default=None, help="number of ads (default 100,000)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--keep", type=Path, default=None, help="folder to keep (and reuse) the generated input"
    )
    args = parser.parse_args()
    size = args.size or (20_000 if args.quick else 100_000)
    result = run(size, args.workers, args.seed, args.keep)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
