"""Benchmark of the job-ad review queue (issue 8, part 6) on a large scan (SQLite, PostgreSQL).

Run: ``.venv/bin/python bench/bench_ad_review.py [--quick] [--ads N] [--backend B]``.
Prints ONE JSON object on stdout; progress goes to stderr.

Data: ``--scanned`` synthetic ads (default 20,000; planted red flags, templates and shared contacts) are
scanned once with the shipped model, then stored ``--ads / --scanned`` times over as one scan of ``--ads``
ads (default 100,000), each copy with its own ad ids and actor networks, through
``opennrm.services.ad_review.store_scan`` (encrypted, audited: the import figure is real). 2 % of the ads get
a reviewer's decision. SQLite in a temporary ``OPENNRM_HOME``; PostgreSQL in a throwaway database on
``OPENNRM_BENCH_DATABASE_URL`` (as ``bench_dashboard.py``). ``ANALYZE`` (SQLite) or ``VACUUM ANALYZE``
(PostgreSQL) runs after the import, as ``PRAGMA optimize`` or autovacuum would.

Measured, through the service calls the pages make (each with its access check and audit event; one warm-up,
then ``--repeat`` runs; median and maximum): the first, a deep and the "without a decision" page of the ad
queue, the network queue, the riskiest network's page, one ad's page, and recording a decision.
In-run baseline: the queue computed without the plain sort columns — every ad of the scan decrypted and
ranked in Python (``opennrm.recruitment.review.ad_queue``), which is what encrypting everything would cost.

Goal (ours; the issue sets none): every page of the review under 200 ms at 100,000 ads on both backends.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from bench_dashboard import DEFAULT_PG_URL, log, postgresql_installation, sqlite_installation
from sqlalchemy import select, text

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.recruitment import review
from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.model import default_model
from opennrm.recruitment.pipeline import scan_ads
from opennrm.recruitment.reading import parse_record
from opennrm.recruitment.synthetic import SyntheticAds
from opennrm.services import ad_review, admin
from opennrm.services.sealing import decrypt_json
from opennrm.store.database import Database
from opennrm.store.tables import ScannedAd

GOAL_MS = 200
DECIDED_SHARE = 0.02


def scanned_ads(count: int, seed: int) -> list[tuple[JobAd, dict[str, Any]]]:
    log(f"generating and scanning {count} synthetic ads")
    parsed = [parse_record(ad.record, n) for n, ad in enumerate(SyntheticAds(seed, 0.15).ads(count), start=1)]
    ads = [ad for ad in parsed if isinstance(ad, JobAd)]
    results, _ = scan_ads(ads, default_model())
    return list(zip(ads, results, strict=True))


def copies(scanned: list[tuple[JobAd, dict[str, Any]]], total: int) -> Iterator[tuple[JobAd, dict[str, Any]]]:
    """``total`` ads: the scanned ones again and again, each copy with its own ids and networks."""
    made = 0
    copy = 0
    while made < total:
        for ad, result in scanned:
            if made == total:
                return
            suffix = f"-c{copy}"
            renamed = JobAd(**{**{f: getattr(ad, f) for f in ad.__dataclass_fields__}, "id": ad.id + suffix})
            linked = [i + suffix for i in result.get("linked_ids", ())]
            yield (
                renamed,
                {
                    **result,
                    "id": renamed.id,
                    "actor_id": f"{result['actor_id']}{suffix}",
                    "linked_ids": linked,
                },
            )
            made += 1
        copy += 1


def timed(call: Callable[[], Any], repeat: int) -> dict[str, Any]:
    samples = []
    for i in range(repeat + 1):
        started = time.perf_counter()
        call()
        if i:  # the first run warms the caches
            samples.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "max_ms": round(max(samples), 2),
        "runs": repeat,
    }


def naive_queue(db: Database, scan_id: str) -> list[review.QueuedAd]:
    """The baseline: decrypt every ad of the scan and rank in Python."""
    with db.transaction() as session:
        rows = session.execute(
            select(ScannedAd.id, ScannedAd.content_enc).where(ScannedAd.scan_id == scan_id)
        )
        records = (decrypt_json(db.keyring, "scanned_ad", i, blob)["result"] for i, blob in rows)
        return review.ad_queue(records, limit=ad_review.PAGE_SIZE)


def run(
    backend: str, scanned: list[tuple[JobAd, dict[str, Any]]], total: int, repeat: int, pg: str
) -> dict[str, Any]:
    maker = sqlite_installation() if backend == "sqlite" else postgresql_installation(pg)
    with maker as db:
        organisation = admin.add_organisation(db, "Bench Inspectorate", "labour_inspectorate")
        user = admin.add_user(db, "bench-reviewer", "Bench Inspectorate", "ad_reviewer", "bench password 1")
        reviewer = Actor(user.id, organisation, Role.AD_REVIEWER, enforcement=False)
        log(f"{backend}: storing {total} ads")
        started = time.perf_counter()
        scan_id = ad_review.store_scan(
            db,
            organisation_id=organisation,
            by=user.id,
            name="bench",
            model="default",
            scanned=copies(scanned, total),
        )
        import_seconds = time.perf_counter() - started
        # What autovacuum (PostgreSQL) or ``PRAGMA optimize`` (SQLite) would do after a bulk load.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE" if db.is_sqlite else "VACUUM ANALYZE"))
        with db.transaction() as session:
            ids = list(session.scalars(select(ScannedAd.id).where(ScannedAd.scan_id == scan_id)))
        rng = random.Random(7)
        for ad_id in rng.sample(ids, int(len(ids) * DECIDED_SHARE)):
            ad_review.record_decision(db, reviewer, ad_id, rng.choice(["deceptive", "legitimate", "unsure"]))
        log(f"{backend}: stored in {import_seconds:.1f} s; measuring")
        first = ad_review.ad_queue(db, reviewer, scan_id)
        top_network = ad_review.network_queue(db, reviewer, scan_id).networks[0].actor_key
        deep = max(1, first.pages // 2)
        pages: dict[str, Callable[[], Any]] = {
            "ad_queue_first_page": lambda: ad_review.ad_queue(db, reviewer, scan_id),
            "ad_queue_deep_page": lambda: ad_review.ad_queue(db, reviewer, scan_id, page=deep),
            "ad_queue_without_decision": lambda: ad_review.ad_queue(
                db, reviewer, scan_id, undecided_only=True
            ),
            "network_queue_first_page": lambda: ad_review.network_queue(db, reviewer, scan_id),
            "riskiest_network_page": lambda: ad_review.network_detail(db, reviewer, scan_id, top_network),
            "ad_page": lambda: ad_review.ad_detail(db, reviewer, first.ads[0].id),
            "record_decision": lambda: ad_review.record_decision(db, reviewer, first.ads[1].id, "unsure"),
        }
        results = {name: timed(call, repeat) for name, call in pages.items()}
        baseline = timed(lambda: naive_queue(db, scan_id), max(1, repeat // 3))
        same = [a.ad_id for a in naive_queue(db, scan_id)[:10]] == [a.ad_ref for a in first.ads[:10]]
        return {
            "import_seconds": round(import_seconds, 1),
            "import_ads_per_second": round(total / import_seconds),
            "pages": results,
            "baseline_decrypt_and_rank_in_python": baseline,
            "baseline_gives_the_same_top_ten": same,
            "networks": ad_review.network_queue(db, reviewer, scan_id).total,
            "all_pages_under_goal": all(r["max_ms"] < GOAL_MS for r in results.values()),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 ads from 2,500 scanned, 3 runs each.")
    parser.add_argument("--ads", type=int, default=100_000, help="Ads in the stored scan.")
    parser.add_argument("--scanned", type=int, default=20_000, help="Distinct ads generated and scanned.")
    parser.add_argument("--repeat", type=int, default=7, help="Timed runs per page (after one warm-up).")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    if args.quick:
        args.ads, args.scanned, args.repeat = 5_000, 2_500, 3
    if min(args.ads, args.scanned, args.repeat) < 1:
        parser.error("--ads, --scanned and --repeat must be positive")
    scanned = scanned_ads(min(args.scanned, args.ads), seed=38)
    pg = os.environ.get("OPENNRM_BENCH_DATABASE_URL", DEFAULT_PG_URL)
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    out: dict[str, Any] = {
        "benchmark": "ad_review",
        "ads": args.ads,
        "distinct_ads_scanned": len(scanned),
        "decided_share": DECIDED_SHARE,
        "goal_ms_per_page": GOAL_MS,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "backends": {name: run(name, scanned, args.ads, args.repeat, pg) for name in backends},
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
