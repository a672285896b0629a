"""``opennrm finance``: follow the money — score accounts, train a ranking model, trace funds from seeds
(GR38 §72, §108, §112(e)).

A thin shell over ``opennrm.finance``. Scores are leads for a financial investigator, each with the rule and
the transactions behind it; never a finding about a person (see docs/finance.md).
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from opennrm.cli.common import Engine, fail

if TYPE_CHECKING:
    from opennrm.finance.detectors import Report
    from opennrm.finance.ranking import Score, TrainedModel

finance_app = typer.Typer(
    help="Follow the money: typology detection, account ranking and tracing (GR38 §72, §108, §112(e)).",
    no_args_is_help=True,
)

_SHOWN = 10


class Direction(StrEnum):
    FORWARD = "forward"
    BACKWARD = "backward"


def register(app: typer.Typer) -> None:
    app.add_typer(finance_app, name="finance")


def _jurisdiction(path: Path | None):  # type: ignore[no-untyped-def]
    from opennrm.finance.jurisdiction import JurisdictionError, load

    try:
        return load(path)
    except JurisdictionError as exc:
        fail(str(exc))


def _load(transactions: Path, accounts: Path | None, jurisdiction_file: Path | None, rejects: Path | None):  # type: ignore[no-untyped-def]
    from opennrm.finance.ingest import IngestError
    from opennrm.finance.pipeline import load

    jurisdiction = _jurisdiction(jurisdiction_file)
    try:
        data = load(transactions, accounts, jurisdiction)
    except IngestError as exc:
        fail(str(exc))
    _report_rejects(data, rejects)
    return data, jurisdiction


def _report_rejects(data, rejects: Path | None) -> None:  # type: ignore[no-untyped-def]
    from opennrm.finance.pipeline import write_rejects

    problems = [("transactions", r) for r in data.rejects] + [("accounts", r) for r in data.account_rejects]
    if problems:
        typer.echo(f"{len(problems)} row(s) rejected:", err=True)
        for which, r in problems[:_SHOWN]:
            typer.echo(f"  {which} line {r.line}: {r.reason}", err=True)
        if len(problems) > _SHOWN:
            typer.echo(
                f"  … and {len(problems) - _SHOWN} more" + ("" if rejects else " (see --rejects)"), err=True
            )
    if rejects is not None:
        write_rejects([r for _, r in problems], rejects)


def _writable(out: Path) -> None:
    if out.exists() and out.is_dir():
        fail(f"--out {out} is a folder; give a file name")
    if not out.parent.exists():
        fail(f"--out {out}: the folder {out.parent} does not exist")


_TX = typer.Option(..., "--transactions", help="Transactions: CSV or Parquet in the canonical form.")
_ACC = typer.Option(None, "--accounts", help="Accounts file (account, opening_balance, phone, e-mail …).")
_JUR = typer.Option(None, "--jurisdiction", help="Thresholds file (TOML; default: the shipped one).")
_REJ = typer.Option(None, "--rejects", help="Write every rejected row (line, reason) to this CSV.")


@finance_app.command("score")
def score(
    transactions: Path = _TX,
    out: Path = typer.Option(..., "--out", help="scores.csv: account,risk,typologies, highest risk first."),
    accounts: Path | None = _ACC,
    model: Path | None = typer.Option(None, "--model", help="A model folder made by 'finance train'."),
    evidence: Path | None = typer.Option(
        None, "--evidence", help="Write each flagged account's hits (JSON Lines)."
    ),
    jurisdiction: Path | None = _JUR,
    rejects: Path | None = _REJ,
    engine: Engine = typer.Option(
        Engine.LOCAL,
        "--engine",
        help="local (Polars, one machine) or spark (a local[2] Spark session): the same scores.",
    ),
) -> None:
    """Score every account seen: risk, the typologies found, and (with --evidence) the transactions and rule
    of each hit. Without --model the detectors are combined (no labels needed)."""
    from opennrm.finance.pipeline import score as run
    from opennrm.finance.pipeline import write_evidence, write_scores
    from opennrm.finance.ranking import ModelError, TrainedModel

    _writable(out)
    trained = None
    if model is not None:
        try:
            trained = TrainedModel.load(model)
        except ModelError as exc:
            fail(str(exc))
    if engine is Engine.SPARK:
        scores, report = _score_with_spark(transactions, accounts, jurisdiction, rejects, trained)
    else:
        data, j = _load(transactions, accounts, jurisdiction, rejects)
        scores, report = run(data, j, trained)
    write_scores(scores, out)
    if evidence is not None:
        write_evidence(scores, evidence)
    flagged = sum(1 for s in scores if s.typologies)
    typer.echo(f"{len(scores)} accounts scored, {flagged} with a typology hit; written to {out}", err=True)
    for rule, why in sorted(report.skipped.items()):
        typer.echo(f"  {rule}: not run ({why})", err=True)


@finance_app.command("train")
def train(
    transactions: Path = _TX,
    labels: Path = typer.Option(..., "--labels", help="account,laundering (1 or 0)."),
    out: Path = typer.Option(..., "--out", help="Folder to save the model in."),
    accounts: Path | None = _ACC,
    jurisdiction: Path | None = _JUR,
    seed: int = typer.Option(0, "--seed", help="Seed of the trees and the folds."),
) -> None:
    """Train a ranking model (graph features, gradient-boosted trees) on an investigator's labelled accounts;
    report its average precision on grouped folds (a pattern's accounts never split across folds)."""
    from opennrm.finance.detectors import detect
    from opennrm.finance.evaluation import EvaluationError, grouped_cv
    from opennrm.finance.ingest import IngestError
    from opennrm.finance.pipeline import read_labels
    from opennrm.finance.ranking import features, fit, label_vector

    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    data, j = _load(transactions, accounts, jurisdiction, None)
    try:
        known = read_labels(labels, data)
    except IngestError as exc:
        fail(str(exc))
    y = label_vector(features_table := features(data, report := detect(data, j)), known)
    if y.sum() < 2 or (len(y) - y.sum()) < 2:
        fail("the labels need at least two accounts labelled 1 and two labelled 0 among those in the data")
    try:
        cv = grouped_cv(data, features_table, y, seed=seed)
    except EvaluationError as exc:
        fail(str(exc))
    model = fit(features_table, y, seed=seed)
    model.info = {
        "accounts": len(y),
        "laundering": int(y.sum()),
        "grouped_cv": cv,
        "jurisdiction": j.name,
        "hits": len(report.hits),
    }
    model.save(out)
    typer.echo(
        f"model trained on {len(y)} accounts ({int(y.sum())} labelled 1); grouped {cv['folds']}-fold average "
        f"precision {cv['average_precision']:.3f} (prevalence {cv['prevalence']:.3f}); saved to {out}",
        err=True,
    )


@finance_app.command("trace")
def trace(
    transactions: Path = _TX,
    seed: list[str] = typer.Option(..., "--seed", help="A seed account (repeat for several)."),
    out: Path = typer.Option(..., "--out", help="trace.json: ranked destinations, both attributions, paths."),
    direction: Direction = typer.Option(Direction.FORWARD, "--direction", help="forward or backward."),
    hops: int = typer.Option(3, "--hops", min=1, max=10, help="How many payments away to follow."),
    accounts: Path | None = _ACC,
    match: bool = typer.Option(
        False,
        "--match-identifiers",
        help="Seeds are phones, e-mails or registration numbers (e.g. from job-ad networks), matched to "
        "accounts through the accounts file.",
    ),
    pack: Path | None = typer.Option(None, "--pack", help="Also write the evidence pack (CSV and PDF) here."),
    jurisdiction: Path | None = _JUR,
    rejects: Path | None = _REJ,
) -> None:
    """Trace funds from seed accounts, time-respecting, to k hops, with proportional and FIFO attribution."""
    from opennrm.finance import evidence_pack
    from opennrm.finance.seeds import SeedError, match_identifiers
    from opennrm.finance.trace import TraceError, Tracer

    _writable(out)
    if pack is not None and pack.exists() and not pack.is_dir():
        fail(f"--pack {pack} exists and is not a folder")
    data, _ = _load(transactions, accounts, jurisdiction, rejects)
    seeds = list(seed)
    if match:
        try:
            seeds = match_identifiers(data, seeds)
        except SeedError as exc:
            fail(str(exc))
        typer.echo(f"identifiers matched to {len(seeds)} account(s): {', '.join(seeds)}", err=True)
    try:
        result = Tracer(data).trace(seeds, direction.value, hops)
    except TraceError as exc:
        fail(str(exc))
    out.write_text(json.dumps(result.as_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    if pack is not None:
        pack.mkdir(parents=True, exist_ok=True)
        evidence_pack.write_csv(result, pack / "trace.csv")
        evidence_pack.write_pdf(result, pack / "trace.pdf")
    typer.echo(
        f"{len(result.destinations)} accounts reached in {hops} hop(s) {direction.value}; "
        f"{result.transactions} payments followed in {result.seconds:.2f} s; written to {out}",
        err=True,
    )


def _score_with_spark(
    transactions: Path,
    accounts: Path | None,
    jurisdiction_file: Path | None,
    rejects: Path | None,
    trained: TrainedModel | None,
) -> tuple[list[Score], Report]:
    from opennrm.finance.ingest import IngestError
    from opennrm.recruitment.spark_engine import spark_available

    if not spark_available():
        fail("--engine spark needs pyspark and a Java runtime (pip install 'opennrm[spark]')")
    from opennrm.finance import spark_engine

    j = _jurisdiction(jurisdiction_file)
    try:
        scores, report, data = spark_engine.score(transactions, accounts, j, trained)
    except (IngestError, spark_engine.SparkEngineError) as exc:
        fail(str(exc))
    _report_rejects(data, rejects)
    return scores, report
