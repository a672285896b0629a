"""The Spark engine for scoring gives the local engine's output (issue 17): the same rejected rows, the same
accepted frame, the same risk and typologies for every account, the same hits, the graph-wide rules'
included; on the synthetic generator's planted patterns and on a slice of AMLSim (skipped when
../shared/data/amlsim is absent). The graph-wide rules collect on the driver only the rows their hits need,
not the edge list; ``opennrm finance score --engine spark`` writes the local engine's scores. One local[2]
session for all; kept on one xdist worker with the other Spark tests (``--dist loadgroup``)."""

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


def _same(transactions: Path, accounts: Path | None, session: Any, model: Any = None) -> int:
    """The same rejected rows, accounts (numbered alike), scores and hits. Without a model only the payments
    of the accounts a per-account rule flagged come back to the driver — fewer than all of them."""
    import polars as pl

    from opennrm.finance import spark_engine

    j = jurisdiction.load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pipeline.load(transactions, accounts, j)
        local, local_report = pipeline.score(data, j, model)
        spark, spark_report, spark_data = spark_engine.score(
            transactions, accounts, j, model, session=session
        )
    assert spark_data.rejects == data.rejects and spark_data.accounts == data.accounts
    part = data.frame.filter(pl.col("id").is_in(spark_data.frame["id"].implode()))
    assert spark_data.frame.equals(part)
    if model is None:
        assert spark_data.frame.height < data.frame.height
    else:
        assert spark_data.frame.height == data.frame.height
    assert {s.account: (s.risk, s.typologies) for s in spark} == {
        s.account: (s.risk, s.typologies) for s in local
    }
    assert _hits(spark) == _hits(local)
    assert spark_report.skipped == local_report.skipped
    return sum(1 for s in local if s.typologies)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The planted patterns in a background of irrelevant payments, with bad rows added."""
    folder = tmp_path_factory.mktemp("planted")
    syn = synthetic.generate(500, 2_000, days=30, seed=3)
    tx = folder / "transactions.csv"
    syn.transactions.write_csv(tx)
    syn.accounts.write_csv(folder / "accounts.csv")
    columns = tx.read_text(encoding="utf-8").splitlines()[0].count(",") - 5
    with tx.open("a", encoding="utf-8") as out:
        out.write("".join(row.rstrip("\n") + "," * columns + "\n" for row in BAD_ROWS.splitlines()))
    return folder


def test_spark_and_local_engines_give_the_same_scores_on_planted_patterns(
    planted: Path, session: Any
) -> None:
    flagged = _same(planted / "transactions.csv", planted / "accounts.csv", session)
    assert flagged > 10  # the planted patterns are found by both


def test_a_trained_model_scores_the_same_on_spark(planted: Path, session: Any) -> None:
    """With a model, every account's features are needed: all accepted rows come back, and the scores are
    the local engine's."""
    from opennrm.finance import ranking

    j = jurisdiction.load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pipeline.load(planted / "transactions.csv", None, j)
        _, report = pipeline.score(data, j)
        table = ranking.features(data, report)
    planted_accounts = {
        a for p in synthetic.generate(500, 2_000, days=30, seed=3).planted for a in p.accounts
    }
    model = ranking.fit(table, ranking.label_vector(table, dict.fromkeys(planted_accounts, 1)))
    _same(planted / "transactions.csv", None, session, model)


def test_the_graph_wide_rules_collect_only_what_their_hits_need(
    planted: Path, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opennrm.finance import detectors, spark_engine

    collected: list[int] = []

    def counted(frame: Any) -> list[Any]:
        rows = frame.collect()
        collected.append(len(rows))
        return rows

    monkeypatch.setattr(spark_engine, "_collect", counted)
    j = jurisdiction.load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        good, _, _ = spark_engine.read_transactions(session, planted / "transactions.csv", j)
        data = pipeline.load(planted / "transactions.csv", None, j)
    total = good.count()
    graph = spark_engine.graph_wide(good, j, list(spark_engine.ON_SPARK))
    for rule in spark_engine.ON_SPARK:
        local = detectors.Detectors(data, j).run([rule]).hits
        assert graph[rule] and sorted(map(repr, graph[rule])) == sorted(map(repr, local)), rule
    # each collection is a rule's reduced rows, never the edge list: under half the rows each, and under half
    # for each of the rules on average
    assert collected and all(count < total / 2 for count in collected), (collected, total)
    assert sum(collected) < len(spark_engine.ON_SPARK) * total / 2, (collected, total)


def test_the_score_command_on_spark_writes_the_local_scores(
    planted: Path, session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from opennrm.cli.main import _register, app
    from opennrm.finance import spark_engine

    monkeypatch.setattr(spark_engine, "local_session", lambda: session)
    monkeypatch.setattr(session, "stop", lambda: None)  # the module's session outlives the command
    _register()
    outputs = {}
    for engine in ("local", "spark"):
        out = tmp_path / f"{engine}.csv"
        args = ["score", "--engine", engine, "--transactions", str(planted / "transactions.csv")]
        result = CliRunner().invoke(app, ["finance", *args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        outputs[engine] = out.read_text(encoding="utf-8")
    assert outputs["spark"] == outputs["local"]
    assert outputs["local"].count("\n") > 100


@pytest.mark.skipif(not AMLSIM.is_dir(), reason="../shared/data/amlsim not found")
def test_spark_and_local_engines_give_the_same_scores_on_amlsim(tmp_path: Path, session: Any) -> None:
    lines = (AMLSIM / "transactions.csv").read_text(encoding="utf-8").splitlines()[:15_001]
    tx = tmp_path / "transactions.csv"
    tx.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _same(tx, None, session) > 0
