"""Benchmark of the statistics page (``/statistics``) at 20,000 cases: cold, cached, and six at once.

Run: ``.venv/bin/python bench/bench_statistics_page.py [--cases N] [--concurrent K] [--repeat R]``.
Prints ONE JSON object on stdout; progress goes to stderr. SQLite in a temporary ``OPENNRM_HOME``, cases from
the demo generator (85% with consent to statistics), one enforcement liaison (protected view) and one analyst
(exact view).

Measured, all in the same run:
- **baseline**: the view computed without the cache (``statistics.make_view``: extraction, counting, the
  suppression audit and rounding), for the protected and the exact view — what every request cost before;
- **cold**: ``statistics_view`` right after the cache is cleared (computes once and stores);
- **cached**: ``statistics_view`` again on the same data version (the data-version query, the lookup and
  the audit event);
- **concurrent**: K requests at once from K threads, cache cleared first (they wait for one computation),
  against K uncached computations at once (the baseline for "six at once slow everyone").
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics as stats
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.services import installation, statistics
from opennrm.services.demo import load_demo_cases


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--concurrent", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env({"OPENNRM_HOME": home})
        made = installation.initialise(settings)
        db = installation.open_database(settings)
        print(f"loading {args.cases} cases", file=sys.stderr)
        load_demo_cases(db, args.cases, organisation_ids=[made.default_organisation_id], user_ids=[None])
        liaison = Actor("bench-liaison", "org", Role.ENFORCEMENT_LIAISON, True)
        analyst = Actor("bench-analyst", "org", Role.ANALYST, False)
        classification = statistics.classification_in_home(Path(home))

        def page(actor: Actor) -> statistics.StatisticsView:
            return statistics.statistics_view(db, actor, None, classification)

        def baseline(exact: bool) -> statistics.StatisticsView:
            return statistics.make_view(db, None, classification, exact=exact)

        print("measuring", file=sys.stderr)
        out: dict[str, object] = {"cases": args.cases, "python": platform.python_version()}
        for name, exact, actor in (("protected", False, liaison), ("exact", True, analyst)):
            base = [timed(lambda e=exact: baseline(e)) for _ in range(args.repeat)]
            cold = []
            for _ in range(args.repeat):
                statistics.VIEWS.clear()
                cold.append(timed(lambda a=actor: page(a)))
            cached = [timed(lambda a=actor: page(a)) for _ in range(args.repeat * 4)]
            out[name] = {
                "baseline_uncached_s": {"median": stats.median(base), "max": max(base)},
                "cold_s": {"median": stats.median(cold), "max": max(cold)},
                "cached_s": {"median": stats.median(cached), "max": max(cached)},
            }
        k = args.concurrent
        with ThreadPoolExecutor(k) as pool:
            start = time.perf_counter()
            list(pool.map(lambda _: baseline(False), range(k)))
            uncached_wall = time.perf_counter() - start
            statistics.VIEWS.clear()
            start = time.perf_counter()
            list(pool.map(lambda _: page(liaison), range(k)))
            cached_wall = time.perf_counter() - start
        out["concurrent"] = {
            "requests": k,
            "baseline_uncached_wall_s": uncached_wall,
            "with_cache_cold_wall_s": cached_wall,
        }
        db.dispose()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
