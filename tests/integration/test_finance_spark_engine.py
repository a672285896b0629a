"""The Spark engine for scoring gives the local engine's output (issue 17): the same rejected rows, the same
accepted frame, the same risk and typologies for every account, the same hits; on the synthetic generator's
planted patterns and on a slice of AMLSim (skipped when ../shared/data/amlsim is absent). One local[2]
session for both; kept on one xdist worker with the other Spark tests (``--dist loadgroup``)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opennrm.finance import jurisdiction, pipeline, synthetic
from opennrm.recruitment.spark_engine import spark_available

pytestmark = [
    pytest.mark.spark,
    pytest.mark.xdist_group("spark"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.skipif(not spark_available(), reason="pyspark or Java not available"),
]

REPO = Path(__file__).resolve().parents[2]
AMLSIM = Path(os.environ.get("OPENNRM_SHARED") or REPO.parent / "shared") / "data" / "amlsim" / "fanin200"
BAD_ROWS = (
    "bad1,not a time,A,B,1,USD\n"
    ",2025-01-01T00:00:00Z,A,B,1,USD\n"
    "bad3,2025-01-01T00:00:00Z,A,A,1,USD\n"
    "bad4,2025-01-01T00:00:00+02:00,A,B,-1,USD\n"
    "bad5,2025-01-01 00:00:00,A,B,lots,USD\n"
    "bad6,2025-01-01T00:00:00.123Z,A,B,1,XXX\n"
)


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from opennrm.finance.spark_engine import local_session

    spark = local_session()
    spark.sparkContext.setLogLevel("ERROR")
    yield spark
    spark.stop()


def _hits(scores: list[Any]) -> dict[str, list[tuple[Any, ...]]]:
    """Each account's hits, order- and pattern-number-free (the local bipartite layers come out in the
    order of a hash group-by)."""
    return {
        s.account: sorted((h.rule, h.transactions, h.accounts, h.strength, h.explanation) for h in s.evidence)
        for s in scores
    }


def _same(transactions: Path, accounts: Path | None, session: Any) -> int:
    from opennrm.finance import spark_engine

    j = jurisdiction.load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pipeline.load(transactions, accounts, j)
        local, local_report = pipeline.score(data, j)
        spark, spark_report, spark_data = spark_engine.score(transactions, accounts, j, session=session)
    assert spark_data.rejects == data.rejects
    assert spark_data.frame.equals(data.frame) and spark_data.accounts == data.accounts
    assert {s.account: (s.risk, s.typologies) for s in spark} == {
        s.account: (s.risk, s.typologies) for s in local
    }
    assert _hits(spark) == _hits(local)
    assert spark_report.skipped == local_report.skipped
    return sum(1 for s in local if s.typologies)


def test_spark_and_local_engines_give_the_same_scores_on_planted_patterns(
    tmp_path: Path, session: Any
) -> None:
    syn = synthetic.generate(500, 2_000, days=30, seed=3)
    tx = tmp_path / "transactions.csv"
    syn.transactions.write_csv(tx)
    syn.accounts.write_csv(tmp_path / "accounts.csv")
    columns = tx.read_text(encoding="utf-8").splitlines()[0].count(",") - 5
    with tx.open("a", encoding="utf-8") as out:
        out.write("".join(row.rstrip("\n") + "," * columns + "\n" for row in BAD_ROWS.splitlines()))
    flagged = _same(tx, tmp_path / "accounts.csv", session)
    assert flagged > 10  # the planted patterns are found by both


@pytest.mark.skipif(not AMLSIM.is_dir(), reason="../shared/data/amlsim not found")
def test_spark_and_local_engines_give_the_same_scores_on_amlsim(tmp_path: Path, session: Any) -> None:
    lines = (AMLSIM / "transactions.csv").read_text(encoding="utf-8").splitlines()[:15_001]
    tx = tmp_path / "transactions.csv"
    tx.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _same(tx, None, session) > 0
