"""The Spark engine for scoring gives the local engine's output (issue 17): the same rejected rows, the same
accepted frame, the same risk and typologies for every account, the same hits, the graph-wide rules'
included; on the synthetic generator's planted patterns and on a slice of AMLSim (skipped when
../shared/data/amlsim is absent). The graph-wide rules collect on the driver only the rows their hits need,
not the edge list; ``opennrm finance score --engine spark`` writes the local engine's scores, evidence and
rejected rows. One local[2] session for all, and one scoring run of the planted patterns read three ways;
kept on one xdist worker with the other Spark tests (``--dist loadgroup``)."""

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


def _same(
    transactions: Path, accounts: Path | None, scored: tuple[list[Any], Any, Any], model: Any = None
) -> int:
    """The Spark engine's return ``scored`` has the local engine's rejected rows, accounts (numbered alike),
    scores and hits. Without a model only the payments of the accounts a per-account rule flagged came back to
    the driver — fewer than all of them."""
    import polars as pl

    j = jurisdiction.load()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = pipeline.load(transactions, accounts, j)
        local, local_report = pipeline.score(data, j, model)
    spark, spark_report, spark_data = scored
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


def _score_command(planted: Path, engine: str, out: Path) -> dict[str, str]:
    """The files `opennrm finance score --engine ENGINE` writes for the planted patterns."""
    from typer.testing import CliRunner

    from opennrm.cli.main import _register, app

    _register()
    names = {
        "scores": out / f"{engine}.csv",
        "evidence": out / f"{engine}.jsonl",
        "rejects": out / f"{engine}-r.csv",
    }
    args = ["finance", "score", "--engine", engine, "--transactions", str(planted / "transactions.csv")]
    args += ["--accounts", str(planted / "accounts.csv"), "--out", str(names["scores"])]
    args += ["--evidence", str(names["evidence"]), "--rejects", str(names["rejects"])]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return {k: v.read_text(encoding="utf-8") for k, v in names.items()}


def test_the_score_command_on_spark_gives_the_local_engines_output_on_planted_patterns(
    planted: Path, session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One Spark scoring run through ``opennrm finance score --engine spark`` (a run costs tens of seconds of
    job overhead on two cores, so one test reads it three ways):

    - the engine returns the local engine's rejected rows, accounts, scores and hits;
    - each graph-wide rule finds its planted pattern, and each collection to the driver is a rule's reduced
      rows, never the edge list: under half the rows each, and under half for each rule on average;
    - the command writes the local command's scores, evidence and rejected rows, byte for byte."""
    from opennrm.finance import spark_engine

    collected: list[int] = []
    scored: list[tuple[list[Any], Any, Any]] = []
    engine_score = spark_engine.score

    def counted(frame: Any) -> list[Any]:
        rows = frame.collect()
        collected.append(len(rows))
        return rows

    def kept(*args: Any, **kwargs: Any) -> tuple[list[Any], Any, Any]:
        scored.append(engine_score(*args, **kwargs))
        return scored[-1]

    monkeypatch.setattr(spark_engine, "_collect", counted)
    monkeypatch.setattr(spark_engine, "score", kept)
    monkeypatch.setattr(spark_engine, "local_session", lambda: session)
    monkeypatch.setattr(session, "stop", lambda: None)  # the module's session outlives the command
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        on_spark = _score_command(planted, "spark", tmp_path)
    (run,) = scored

    flagged = _same(planted / "transactions.csv", planted / "accounts.csv", run)
    assert flagged > 10  # the planted patterns are found by both

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        total = pipeline.load(planted / "transactions.csv", None, jurisdiction.load()).frame.height
    assert set(spark_engine.ON_SPARK) <= {h.rule for h in run[1].hits}
    assert collected and all(count < total / 2 for count in collected), (collected, total)
    assert sum(collected) < len(spark_engine.ON_SPARK) * total / 2, (collected, total)

    local = _score_command(planted, "local", tmp_path)
    assert on_spark == local
    assert local["scores"].count("\n") > 100
    assert local["rejects"].count("\n") == len(BAD_ROWS.splitlines()) + 1


def test_a_trained_model_scores_the_same_on_spark(planted: Path, session: Any) -> None:
    """With a model, every account's features are needed: all accepted rows come back, and the scores are
    the local engine's."""
    from opennrm.finance import ranking, spark_engine

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
        scored = spark_engine.score(planted / "transactions.csv", None, j, model, session=session)
    _same(planted / "transactions.csv", None, scored, model)


@pytest.mark.skipif(not AMLSIM.is_dir(), reason="../shared/data/amlsim not found")
def test_spark_and_local_engines_give_the_same_scores_on_amlsim(tmp_path: Path, session: Any) -> None:
    lines = (AMLSIM / "transactions.csv").read_text(encoding="utf-8").splitlines()[:15_001]
    tx = tmp_path / "transactions.csv"
    tx.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from opennrm.finance import spark_engine

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = spark_engine.score(tx, None, jurisdiction.load(), session=session)
    assert _same(tx, None, scored) > 0
