"""``opennrm ads``: scan job ads for deceptive-recruitment risk; train and evaluate (GR38 §§36, 71, 73).

The commands are a thin shell over ``opennrm.recruitment``.

Scores are a triage aid for human review, never a verdict on a person (see docs/recruitment.md).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from opennrm.cli.common import Engine, database, fail, progress_enabled

ads_app = typer.Typer(
    help="Online recruitment: job ads scored with evidence, linked into actor networks (GR38 §§36, 71, 73).",
    no_args_is_help=True,
)

_SHOWN_PROBLEMS = 10


class GroupBy(StrEnum):
    COMPANY = "company"
    CITY = "city"


def register(app: typer.Typer) -> None:
    app.add_typer(ads_app, name="ads")


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[Any]:
    """A rich progress bar on stderr with one task per pipeline stage; ``None`` when not a terminal."""
    if not enabled:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield bar


def _stage_callback(bar: Any) -> Any:
    if bar is None:
        return None
    tasks: dict[str, Any] = {}
    labels = {"scan": "reading and scoring ads", "link": "linking templates and actors", "write": "writing"}

    def update(stage: str, done: int, total: int | None) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return update


def _check_input(path: Path) -> None:
    from opennrm.recruitment.reading import InputFormatError, detect_format

    if str(path) != "-" and not path.is_file():
        fail(f"no such file: {path}")
    try:
        detect_format(path)
    except InputFormatError as error:
        fail(str(error))


def _load_model(location: str | None) -> Any:
    from opennrm.recruitment.model import ModelError, load_model

    try:
        return load_model(location)
    except ModelError as error:
        fail(str(error))
    except (OSError, EOFError, ValueError) as error:
        fail(f"cannot load the model in {location}: {error}")


def _report_problems(problems: list[Any], count: int, source: Path) -> None:
    if not count:
        return
    typer.echo(f"opennrm: {count} record(s) of {source} could not be read and were skipped:", err=True)
    for problem in problems[:_SHOWN_PROBLEMS]:
        typer.echo(f"  {problem}", err=True)
    if count > _SHOWN_PROBLEMS:
        typer.echo(f"  ... and {count - _SHOWN_PROBLEMS} more", err=True)


@ads_app.command("scan")
def scan(
    source: Path = typer.Argument(..., help="Ads as JSON Lines (.jsonl) or CSV (.csv); .gz allowed."),
    out: Path = typer.Option(..., "--out", help="Where to write one JSON object per ad (JSON Lines)."),
    model: str | None = typer.Option(
        None, "--model", help="A model folder made by 'opennrm ads train' (default: the shipped model)."
    ),
    engine: Engine = typer.Option(Engine.LOCAL, "--engine", help="local (streaming) or spark."),
    workers: int = typer.Option(1, "--workers", min=1, help="Processes for the local engine."),
    partitions: int | None = typer.Option(None, "--partitions", min=1, help="Spark partitions."),
) -> None:
    """Score each ad for deceptive-recruitment risk, with evidence, and link ads into actors."""
    from opennrm.recruitment.reading import InputFormatError

    _check_input(source)
    if out.exists() and out.is_dir():
        fail(f"--out {out} is a folder; give a file name")
    risk_model = _load_model(model)
    try:
        with _progress(progress_enabled()) as bar:
            callback = _stage_callback(bar)
            if engine is Engine.SPARK:
                from opennrm.recruitment.spark_engine import scan_with_spark, spark_available

                if not spark_available():
                    fail(
                        "the Spark engine needs the spark extra (pip install 'opennrm[spark]') "
                        "and a Java runtime (java on PATH or JAVA_HOME)"
                    )
                summary = scan_with_spark(source, out, risk_model, partitions=partitions, progress=callback)
            else:
                from opennrm.recruitment.pipeline import scan_file

                summary = scan_file(source, out, risk_model, progress=callback, workers=workers)
    except InputFormatError as error:
        fail(str(error))
    except UnicodeDecodeError:
        fail(f"{source} is not UTF-8 text")
    except OSError as error:
        fail(f"{error.strerror or error}: {error.filename}" if error.filename else str(error), 1)
    _report_problems(summary.malformed, summary.malformed_count, source)
    if summary.ads == 0:
        fail(f"no readable ad in {source}")
    links = summary.links
    typer.echo(
        f"{summary.ads} ads scanned in {summary.seconds:.1f} s ({summary.engine}); "
        f"{links.get('templates', 0)} templates, "
        f"{links.get('actors_with_several_ads', 0)} actors with several ads; "
        f"written to {out}",
        err=True,
    )


def _read_all(source: Path, problem: Any = None) -> tuple[list[Any], int]:
    """Every readable ad of ``source`` and how many records were left out: unreadable records, and ads for
    which ``problem(ad)`` gives a reason, are reported with their line numbers."""
    from opennrm.recruitment.ads import JobAd, MalformedRecord
    from opennrm.recruitment.reading import InputFormatError, read_ads

    _check_input(source)
    ads: list[JobAd] = []
    problems: list[MalformedRecord] = []
    try:
        for read in read_ads(source):
            if isinstance(read, JobAd) and problem is not None and (reason := problem(read)):
                read = MalformedRecord(read.line, reason)
            if isinstance(read, MalformedRecord):
                problems.append(read)
            else:
                ads.append(read)
    except InputFormatError as error:
        fail(str(error))
    except UnicodeDecodeError:
        fail(f"{source} is not UTF-8 text")
    _report_problems(problems, len(problems), source)
    return ads, len(problems)


def _read_labelled(source: Path) -> list[Any]:
    ads, _ = _read_all(
        source, lambda ad: "no 'label' (0 or 1) for training or evaluation" if ad.label is None else None
    )
    positives = sum(int(ad.label or 0) for ad in ads)
    if not ads:
        fail(f"no labelled ad in {source}")
    if positives == 0 or positives == len(ads):
        fail(f"{source} needs ads labelled 1 and ads labelled 0 (found {positives} of {len(ads)} labelled 1)")
    return ads


def _prepare(ads: list[Any]) -> Any:
    from opennrm.recruitment.evaluation import prepare

    with _progress(progress_enabled()) as bar:
        task = bar.add_task("analysing and linking ads", total=len(ads)) if bar is not None else None
        return prepare(ads, progress=(lambda n: bar.advance(task, n)) if bar is not None else None)


@ads_app.command("train")
def train(
    source: Path = typer.Argument(..., help="Labelled ads (JSON Lines or CSV) with 'label' 1 or 0."),
    out: Path = typer.Option(..., "--out", help="Folder to save the model in."),
    seed: int = typer.Option(0, "--seed", help="Seed of the internal folds."),
    calibration: str = typer.Option("prior", "--calibration", help="prior (default), sigmoid or isotonic."),
) -> None:
    """Train a model on your own labels and save it to a folder (use it with 'scan --model')."""
    from opennrm.recruitment.evaluation import EvaluationError
    from opennrm.recruitment.evaluation import train as train_on
    from opennrm.recruitment.model import ModelError, TrainingConfig

    if out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a folder")
    if calibration not in ("prior", "sigmoid", "isotonic"):
        fail("--calibration must be prior, sigmoid or isotonic")
    ads = _read_labelled(source)
    batch = _prepare(ads)
    try:
        model = train_on(batch, TrainingConfig(seed=seed, calibration=calibration))
    except (ModelError, EvaluationError) as error:
        fail(str(error))
    model.save(out)
    typer.echo(
        f"model trained on {len(ads)} ads ({int(batch.labels.sum())} labelled 1) and saved to {out}", err=True
    )
    for flag, weight in sorted(model.flag_weights.items(), key=lambda item: -item[1]):
        typer.echo(f"  {flag:28s} {weight:+.2f}")


@ads_app.command("evaluate")
def evaluate(
    source: Path = typer.Argument(..., help="Labelled ads (JSON Lines or CSV) with 'label' 1 or 0."),
    group_by: GroupBy = typer.Option(
        ..., "--group-by", help="Keep each company (or city) on one side of every fold."
    ),
    model: str | None = typer.Option(
        None,
        "--model",
        help="A trained model folder (its settings are refitted in each fold); 'default': the shipped model.",
    ),
    folds: int = typer.Option(5, "--folds", min=2, help="Number of folds (fewer if there are fewer groups)."),
    seed: int = typer.Option(0, "--seed", help="Seed of the fold assignment."),
    baseline: bool = typer.Option(
        True, "--baseline/--no-baseline", help="Also score the char-TF-IDF + logistic-regression baseline."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Cross-validated PR-AUC, precision at k, ROC-AUC and Brier score, folds grouped by company or city."""
    from opennrm.recruitment.evaluation import (
        EvaluationError,
        baseline_cross_validate,
        cross_validate,
        evaluate_fixed,
    )
    from opennrm.recruitment.model import DEFAULT_MODEL, TrainingConfig

    config = None
    fixed = None
    if model == DEFAULT_MODEL:
        fixed = _load_model(model)
    elif model is not None:
        saved = _load_model(model)
        settings = dict(saved.info.get("config", {}))
        try:
            config = TrainingConfig(**settings)
        except TypeError:
            fail(f"{model}: its training settings are not readable by this version")
    ads = _read_labelled(source)
    batch = _prepare(ads)
    results = []
    try:
        with _progress(progress_enabled()) as bar:
            if fixed is not None:
                results.append(evaluate_fixed(batch, fixed, group_by.value))
            else:
                task = bar.add_task("cross-validating", total=None) if bar is not None else None

                def on_fold(done: int, total: int) -> None:
                    if bar is not None:
                        bar.update(task, completed=done, total=total)

                results.append(
                    cross_validate(batch, group_by.value, config, folds=folds, seed=seed, on_fold=on_fold)
                )
            if baseline:
                results.append(baseline_cross_validate(batch, group_by.value, folds=folds, seed=seed))
    except EvaluationError as error:
        fail(str(error))
    rows = [result.as_dict() for result in results]
    if as_json:
        typer.echo(json.dumps(rows if baseline else rows[0], indent=2))
        return
    first = results[0]
    grouping = (
        f"{first.folds} folds grouped by {group_by.value}"
        if first.folds
        else f"model not refitted; intervals resample {group_by.value} groups"
    )
    table = Table(
        title=(
            f"{first.ads} ads, {first.positives} labelled 1 ({first.positives / first.ads:.1%}); "
            f"{grouping} ({first.groups} groups)"
        )
    )
    for column in ("method", "PR-AUC", f"precision@{first.positives}", "ROC-AUC", "Brier"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["method"],
            _with_interval(row, "pr_auc"),
            _with_interval(row, "precision_at_k"),
            f"{row['roc_auc']:.3f}",
            f"{row['brier']:.4f}",
        )
    Console().print(table)
    typer.echo("Intervals: 95 % bootstrap over groups. Labels are a proxy (see docs/recruitment.md).")


def _with_interval(row: dict[str, Any], name: str) -> str:
    interval = row.get(f"{name}_ci95")
    return f"{row[name]:.3f}" + (f" [{interval[0]:.3f}, {interval[1]:.3f}]" if interval else "")


@ads_app.command("flags")
def flags() -> None:
    """List the red flags: number, id, default weight and what each means."""
    from opennrm.recruitment.lexicon import load_lexicon

    for flag in load_lexicon().flags:
        typer.echo(f"{flag.number:2d}. {flag.id} (default weight {flag.default_weight:+.1f}): {flag.name}")
        typer.echo(f"    {flag.explanation}")


# -- the review queue in the web app ------------------------------------------------------------------------


def _organisation_id(name: str) -> str:
    from opennrm.services.directory import organisation_id_named

    with database() as db:
        return organisation_id_named(db, name)


def _read_results(scan: Path, min_risk: float) -> dict[str, dict[str, Any]]:
    from opennrm.recruitment.review import read_scan_output

    if not scan.is_file():
        fail(f"no such file: {scan}")
    results: dict[str, dict[str, Any]] = {}
    try:
        for number, record in enumerate(read_scan_output(scan), start=1):
            if not isinstance(record, dict) or "id" not in record or "risk" not in record:
                fail(f"{scan} line {number}: not a record of 'opennrm ads scan' (no id or risk)")
            try:
                risk = float(record["risk"])
            except (TypeError, ValueError):
                fail(f"{scan} line {number}: 'risk' is not a number")
            if risk >= min_risk:
                results[str(record["id"])] = record
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        fail(f"{scan} is not the JSON Lines output of 'opennrm ads scan' ({error})")
    return results


@ads_app.command("import")
def import_scan(
    source: Path = typer.Argument(..., help="The ads, as JSON Lines (.jsonl) or CSV (.csv); .gz allowed."),
    organisation: str = typer.Option(
        ..., "--organisation", help="The organisation whose reviewers see them."
    ),
    name: str = typer.Option(..., "--name", help="A name for the scan, e.g. the platform and crawl date."),
    scan: Path | None = typer.Option(
        None,
        "--scan",
        help="The output of 'opennrm ads scan' for these ads (e.g. from a Spark run); "
        "without it the ads are scanned now, in memory.",
    ),
    model: str | None = typer.Option(
        None, "--model", help="Without --scan: a model folder made by 'opennrm ads train' (default: shipped)."
    ),
    min_risk: float = typer.Option(
        0.0, "--min-risk", min=0.0, max=1.0, help="Store only ads at or above this risk (0 to 1)."
    ),
) -> None:
    """Add scanned ads to the web app's review queue of an organisation (encrypted, audited)."""
    from opennrm.services import ad_review

    organisation_id = _organisation_id(organisation)
    results = _read_results(scan, min_risk) if scan is not None else None
    readable, left_out = _read_all(source)
    ads = [ad for ad in readable if results is None or ad.id in results]
    if results is None:
        from opennrm.recruitment.pipeline import scan_ads

        scanned, _ = scan_ads(ads, _load_model(model))
        pairs = [(ad, r) for ad, r in zip(ads, scanned, strict=True) if float(r["risk"]) >= min_risk]
    else:
        pairs = [(ad, results[ad.id]) for ad in ads]
        missing = len(results) - len({ad.id for ad in ads})
        if missing > 0:
            typer.echo(f"opennrm: {missing} result(s) of {scan} have no ad in {source}; skipped", err=True)
    if not pairs:
        fail("no ad to import (none readable, none at or above --min-risk, or none matching --scan)")
    with database() as db, _progress(progress_enabled()) as bar:
        task = bar.add_task("storing ads", total=len(pairs)) if bar is not None else None
        scan_id = ad_review.store_scan(
            db,
            organisation_id=organisation_id,
            by=ad_review.CLI,
            name=name,
            model="import" if scan is not None else ad_review.model_name(Path(model) if model else None),
            scanned=pairs,
            malformed=left_out,
            progress=(lambda n: bar.advance(task, n)) if bar is not None else None,
        )
    typer.echo(f"{len(pairs)} ads added to the review queue of {organisation} (scan {scan_id}).")


@ads_app.command("purge")
def purge(
    older_than: int = typer.Option(
        ..., "--older-than", min=1, help="Delete scans made more than this many days ago."
    ),
    organisation: str | None = typer.Option(
        None, "--organisation", help="Only this organisation's scans (default: every organisation's)."
    ),
) -> None:
    """Delete old scans with their ads, networks and decisions (run it on a timer; export labels first)."""
    import datetime as dt

    from opennrm.services import ad_review

    organisation_id = _organisation_id(organisation) if organisation else None
    with database() as db:
        deleted = ad_review.purge_scans(db, dt.timedelta(days=older_than), organisation_id)
    ads = sum(n for _, n in deleted)
    typer.echo(f"{len(deleted)} scan(s) made more than {older_than} days ago deleted, with {ads} ads.")


@ads_app.command("labels")
def labels(
    organisation: str = typer.Option(..., "--organisation", help="Whose reviewers' decisions to export."),
    out: Path = typer.Option(..., "--out", help="Where to write the labelled ads (JSON Lines)."),
) -> None:
    """Export reviewers' decisions as labelled ads for 'opennrm ads train' (deceptive 1, legitimate 0)."""
    from opennrm.recruitment.review import write_labels
    from opennrm.services import ad_review

    if out.exists() and out.is_dir():
        fail(f"--out {out} is a folder; give a file name")
    organisation_id = _organisation_id(organisation)
    with database() as db:
        records = ad_review.export_labels(db, organisation_id, by=ad_review.CLI)
    if not records:
        fail(f"{organisation} has no ad decided as deceptive or legitimate yet")
    count = write_labels(records, out)
    positives = sum(r["label"] for r in records)
    typer.echo(
        f"{count} labelled ads ({positives} deceptive, {count - positives} legitimate) written to {out}"
    )


__all__ = ["register"]
