"""Screening throughput: determinations per second in-process on one core (issue 4 target: >= 20,000/s).

Measures the whole call the CLI and the API make (``screen``: check input, decide, explain in a language,
build the result contract), the decision alone (``determine`` on checked input), and, as a baseline computed
in the same run, the bare composite rule of the reference note §5 written out directly (no checks, no
explanation; it must agree with the engine on every input). Rates are per CPU second of this process, pinned
to one core; wall-clock rates are printed alongside (lower on a shared machine). Prints one JSON object.

    .venv/bin/python bench/bench_screening.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from opennrm.screening import (
    Act,
    Means,
    Purpose,
    default_catalogue,
    determine,
    parse_input,
    screen,
)
from opennrm.screening.vocabulary import Dimension, Profile

TARGET_PER_SECOND = 20_000


def _pin_to_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        first = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {first})
        return f"pinned to CPU {first}"
    return "not pinned (no sched_setaffinity on this platform)"


def _inputs(count: int, seed: int = 20250401) -> list[dict[str, Any]]:
    """Varied, valid inputs: the vignettes of the reference note plus random screenings."""
    rng = random.Random(seed)
    ids = list(default_catalogue().indicators)
    vignettes: list[dict[str, Any]] = [
        {
            "age": 34,
            "exploitation_form": "labour",
            "indicators": ["DR01", "DR02", "EXP01", "EXP02", "CD01", "CD03"],
        },
        {
            "age": 16,
            "exploitation_form": "sexual",
            "acts": ["harbouring"],
            "purposes": ["sexual_exploitation"],
        },
        {"age": 40, "exploitation_form": "labour", "indicators": ["DR10", "EXP02", "EXP04"]},
        {"age": 19, "age_uncertain": True, "reasons_to_believe_minor": True, "exploitation_form": "sexual"},
    ]
    pool = list(vignettes)
    while len(pool) < count:
        raw: dict[str, Any] = {
            "exploitation_form": rng.choice(["labour", "sexual", "other"]),
            "age": rng.choice([None, rng.randint(10, 60)]),
            "age_uncertain": rng.random() < 0.2,
            "reasons_to_believe_minor": rng.random() < 0.1,
            "indicators": rng.sample(ids, rng.randint(0, 12)),
            "context": {"consented_to_work": rng.random() < 0.5},
        }
        if rng.random() < 0.5:
            raw["acts"] = rng.sample([a.value for a in Act], rng.randint(1, 2))
        if rng.random() < 0.4:
            raw["means"] = rng.sample([m.value for m in Means], rng.randint(1, 2))
        if rng.random() < 0.4:
            raw["purposes"] = rng.sample([p.value for p in Purpose], 1)
        pool.append(raw)
    return pool


def _reference_rule(
    raw: dict[str, Any], strengths: dict[Profile, dict[str, str]], dims: dict[str, str]
) -> bool:
    """Reference note §5 'determine' written out directly, with the engine's documented additions (no
    recorded age counts as uncertain; a positive recruitment dimension shows the act and its means, coercion
    at destination shows harbouring and its means; with a provisional list only the Palermo route decides).
    No checks, no words."""
    age = raw.get("age")
    child = (age is not None and age < 18) or (
        raw.get("reasons_to_believe_minor", False) and (raw.get("age_uncertain", False) or age is None)
    )
    form = "sexual" if raw["exploitation_form"] == "sexual" else "labour"
    profile = Profile(f"{'child' if child else 'adult'}-{form}")
    table = strengths[profile]
    observed: dict[str, list[str]] = {d.value: [] for d in Dimension}
    for key in raw.get("indicators", ()):
        if key in table:
            observed[dims[key]].append(table[key])
    d = {code: dimension_positive_letters(letters) for code, letters in observed.items()}
    shown = d["DR"] or d["CR"] or d["AVR"] or d["CD"]
    act = bool(raw.get("acts")) or shown
    means = bool(raw.get("means")) or shown
    purpose = bool(raw.get("purposes")) or raw.get("exploitation_intended", False) or d["EXP"]
    if child:
        return bool(act and purpose)
    ilo = form == "labour" and (d["DR"] or d["CR"] or d["AVR"]) and d["EXP"] and (d["CD"] or d["AVD"])
    palermo = act and means and purpose
    return bool(ilo or palermo)


def dimension_positive_letters(observed: Sequence[str]) -> bool:
    s, m, w = (observed.count(k) for k in "SMW")
    return s >= 2 or (s >= 1 and m + w >= 1) or m >= 3 or (m >= 2 and w >= 1)


def _rate(call: Callable[[Any], object], items: Sequence[Any], rounds: int, repeats: int) -> dict[str, float]:
    """Best-of-``repeats`` calls per second over ``rounds`` passes through ``items``: per CPU second of this
    process (robust on a shared machine) and per wall-clock second."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeats):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(rounds):
            for item in items:
                call(item)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    calls = rounds * len(items)
    return {"cpu": calls / best_cpu, "wall": calls / best_wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer inputs and rounds (a smoke run)")
    args = parser.parse_args()
    pinned = _pin_to_one_core()
    count, rounds, repeats = (200, 2, 3) if args.quick else (2_000, 5, 5)

    catalogue = default_catalogue()
    inputs = _inputs(count)
    parsed = [parse_input(raw, catalogue=catalogue) for raw in inputs]
    strengths = {p: {k: s.value for k, s in catalogue.profiles[p].strengths.items()} for p in Profile}
    dims = {k: ind.dimension.value for k, ind in catalogue.indicators.items()}

    # The baseline and the engine must agree before their speeds mean anything.
    disagreements = sum(
        screen(raw)["presumed_victim"] is not _reference_rule(raw, strengths, dims) for raw in inputs
    )

    full_en = _rate(lambda raw: screen(raw, catalogue=catalogue), inputs, rounds, repeats)
    full_zh = _rate(lambda raw: screen(raw, lang="zh-Hant", catalogue=catalogue), inputs, rounds, repeats)
    decision = _rate(lambda item: determine(item, catalogue), parsed, rounds, repeats)
    baseline = _rate(lambda raw: _reference_rule(raw, strengths, dims), inputs, rounds, repeats)
    presumed = sum(screen(raw)["presumed_victim"] for raw in inputs)

    print(
        json.dumps(
            {
                "benchmark": "screening",
                "quick": args.quick,
                "inputs": len(inputs),
                "presumed_share": round(presumed / len(inputs), 3),
                "calls_per_measure": rounds * len(inputs),
                "clock": "per CPU second of this process (wall-clock figures alongside)",
                "determinations_per_second": {
                    "screen_full_contract_en": round(full_en["cpu"]),
                    "screen_full_contract_zh_hant": round(full_zh["cpu"]),
                    "determine_only": round(decision["cpu"]),
                },
                "determinations_per_wall_second": {
                    "screen_full_contract_en": round(full_en["wall"]),
                    "screen_full_contract_zh_hant": round(full_zh["wall"]),
                    "determine_only": round(decision["wall"]),
                },
                "baseline_reference_rule_per_second": round(baseline["cpu"]),
                "full_contract_cost_vs_baseline": round(baseline["cpu"] / full_en["cpu"], 1),
                "baseline_disagreements": disagreements,
                "target_per_second": TARGET_PER_SECOND,
                "meets_target": min(full_en["cpu"], full_zh["cpu"]) >= TARGET_PER_SECOND,
                "one_core": pinned,
                "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
                "python": platform.python_version(),
                "machine": platform.machine(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
