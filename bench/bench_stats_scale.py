"""Speed of the statistics module on 1,000,000 synthetic case records (issue 7: all default tables in under
30 seconds on the 2-core machine).

Two pipelines, each timed end to end (wall clock and CPU time of this process):

- ``case_records``: 1,000,000 invented ``StatRecord`` cases (about 870,000 persons) → persons counted once
  (consent, merging) → categories → exact counts of every default GR38 table (``NRM_DEFAULT_TABLES`` with
  their margins) → the differentially private release of the same tables at ε = 1.
- ``ctdc_file``: a 1,000,000-row file in the CTDC format (rows drawn at random from the shared CTDC file, or
  invented when it is absent) → read → the 14 default CTDC tables released at ε = 1.

Making the records and writing the file are not timed (they stand in for the database and the disk).
Run: ``.venv/bin/python bench/bench_stats_scale.py [--quick]`` (``--quick``: 100,000 records).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from shared_data import shared_dir

from opennrm.stats import ctdc, synthetic
from opennrm.stats.dimensions import NRM_DEFAULT_TABLES, nrm_dimensions, with_margins
from opennrm.stats.records import count_persons
from opennrm.stats.release import release_tables
from opennrm.stats.tables import count_tables, frame_from_persons

LIMIT_SECONDS = 30.0


class Clock:
    def __init__(self) -> None:
        self.steps: dict[str, dict[str, float]] = {}
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def lap(self, name: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.steps[name] = {"wall_s": round(wall - self._wall, 3), "cpu_s": round(cpu - self._cpu, 3)}
        self._wall, self._cpu = wall, cpu

    def total(self) -> dict[str, float]:
        return {
            "wall_s": round(sum(s["wall_s"] for s in self.steps.values()), 3),
            "cpu_s": round(sum(s["cpu_s"] for s in self.steps.values()), 3),
        }


def case_records(n: int) -> dict[str, object]:
    started = time.perf_counter()
    records = synthetic.synthetic_records(n, seed=1)
    made = time.perf_counter() - started
    tables = with_margins(NRM_DEFAULT_TABLES)
    names = sorted({d for t in tables for d in t})
    clock = Clock()
    counted = count_persons(records)
    clock.lap("persons")
    frame = frame_from_persons(counted.persons, nrm_dimensions(synthetic.classification()), names)
    clock.lap("categories")
    exact = count_tables(frame, tables)
    clock.lap("exact_tables")
    release = release_tables(frame, tables, 1.0)
    clock.lap("dp_release")
    return {
        "cases": n,
        "persons_counted": counted.counted,
        "persons_seen": counted.persons_seen,
        "tables": len(exact),
        "released_cells": len(release.cells),
        "measured_tables": [
            {"table": "×".join(m.names), "epsilon": round(m.epsilon, 4)} for m in release.plan.measured
        ],
        "making_records_s_untimed": round(made, 1),
        "steps": clock.steps,
        "total": clock.total(),
    }


def ctdc_file(n: int, tmp: Path) -> dict[str, object]:
    source = shared_dir() / "data" / "ctdc" / "ctdc_synthetic_2025_north_america.csv"
    rng = np.random.default_rng(2)
    path = tmp / "ctdc_1m.csv"
    if source.exists():
        lines = source.read_text(encoding="utf-8").splitlines()
        header, body = lines[0], lines[1:]
        picked = rng.integers(0, len(body), n)
        path.write_text(header + "\n" + "\n".join(body[i] for i in picked) + "\n", encoding="utf-8")
        origin = "rows drawn from the shared CTDC file"
    else:
        values = rng.integers(0, 2, (n, 19))
        values[:, 0] = rng.integers(0, 10, n)
        values[:, 17] = np.where(values[:, 16] == 1, 0, values[:, 17])
        header = ",".join(
            ["Age Band", "Trafficking Duration"]
            + [f"x{i}" for i in range(8)]
            + [
                "isForcedLabour",
                "isSexualExploit",
                "r1",
                "r2",
                "r3",
                "r4",
                "Trans/NonConforming",
                "Woman",
                "Is Citizen of Country",
            ]
        )
        np.savetxt(path, values, fmt="%d", delimiter=",", header=header, comments="")
        origin = "invented rows (shared CTDC file not found)"
    clock = Clock()
    data = ctdc.read_ctdc(path)
    clock.lap("read")
    release = release_tables(data.frame, ctdc.DEFAULT_TABLES, 1.0)
    clock.lap("dp_release")
    return {
        "rows": data.rows_read,
        "origin": origin,
        "tables": len(ctdc.DEFAULT_TABLES),
        "released_cells": len(release.cells),
        "steps": clock.steps,
        "total": clock.total(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="100,000 records instead of 1,000,000")
    args = parser.parse_args()
    n = 100_000 if args.quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        result = {
            "bench": "stats_scale",
            "cores": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "limit_s": LIMIT_SECONDS,
            "case_records": case_records(n),
            "ctdc_file": ctdc_file(n, Path(tmp)),
        }
    for key in ("case_records", "ctdc_file"):
        part = result[key]
        assert isinstance(part, dict)
        part["under_limit_wall"] = part["total"]["wall_s"] < LIMIT_SECONDS
        part["under_limit_cpu"] = part["total"]["cpu_s"] < LIMIT_SECONDS
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
