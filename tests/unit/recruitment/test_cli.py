"""``opennrm ads scan | train | evaluate | flags`` from the command line: results, help, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from opennrm.cli import ads as ads_cli
from tests.unit.recruitment.helpers import write_jsonl


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """test root"""

    ads_cli.register(root)
    return root


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def labelled_file(tmp_path: Path, labelled_records: list[dict[str, Any]]) -> Path:
    return write_jsonl(tmp_path / "labelled.jsonl", labelled_records[:200])


@pytest.mark.parametrize("command", [[], ["scan"], ["train"], ["evaluate"], ["flags"]])
def test_every_command_has_help(app: typer.Typer, command: list[str]) -> None:
    code, out, _ = run(app, "ads", *command, "--help")
    assert code == 0 and "Usage" in out


def test_scan_writes_the_output_and_reports_malformed_lines(app: typer.Typer, labelled_file: Path) -> None:
    with labelled_file.open("a", encoding="utf-8") as out:
        out.write("not json\n")
    destination = labelled_file.parent / "out.jsonl"
    code, _, err = run(app, "ads", "scan", str(labelled_file), "--out", str(destination))
    assert code == 0, err
    assert "line 201: not valid JSON" in err
    assert "200 ads scanned" in err
    records = [json.loads(line) for line in destination.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 200 and "risk" in records[0]


def test_train_then_scan_and_evaluate_with_the_trained_model(
    app: typer.Typer, labelled_file: Path, tmp_path: Path
) -> None:
    code, out, err = run(app, "ads", "train", str(labelled_file), "--out", str(tmp_path / "model"))
    assert code == 0, err
    assert (tmp_path / "model" / "model.json").is_file()
    assert "documents_held" in out
    code, _, err = run(
        app,
        "ads",
        "scan",
        str(labelled_file),
        "--out",
        str(tmp_path / "o.jsonl"),
        "--model",
        str(tmp_path / "model"),
    )
    assert code == 0, err
    code, out, err = run(
        app,
        "ads",
        "evaluate",
        str(labelled_file),
        "--group-by",
        "company",
        "--model",
        str(tmp_path / "model"),
        "--folds",
        "2",
        "--no-baseline",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["folds"] == 2


def test_evaluate_prints_the_four_metrics_for_the_model_and_the_baseline(
    app: typer.Typer, labelled_file: Path
) -> None:
    code, out, err = run(
        app, "ads", "evaluate", str(labelled_file), "--group-by", "company", "--folds", "3", "--json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert [row["method"] for row in rows] == ["opennrm", "baseline char-tfidf+logreg"]
    for row in rows:
        assert {"pr_auc", "precision_at_k", "roc_auc", "brier", "pr_auc_ci95"} <= set(row)
        assert row["group_by"] == "company"


def test_evaluate_the_default_model_as_it_is(app: typer.Typer, labelled_file: Path) -> None:
    code, out, err = run(
        app,
        "ads",
        "evaluate",
        str(labelled_file),
        "--group-by",
        "city",
        "--model",
        "default",
        "--no-baseline",
    )
    assert code == 0, err
    assert "default" in out and "PR-AUC" in out and "not refitted" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "missing.jsonl", "--out", "o.jsonl"], "no such file"),
        (["scan", "{src}", "--out", "o.jsonl", "--model", "{tmp}"], "not a model directory"),
        (["train", "{unlabelled}", "--out", "m"], "no labelled ad"),
        (["evaluate", "{src}", "--group-by", "colour"], "colour"),
        (["scan", "{txt}", "--out", "o.jsonl"], "cannot tell the format"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(
    app: typer.Typer, tmp_path: Path, labelled_file: Path, args: list[str], message: str
) -> None:
    unlabelled = write_jsonl(tmp_path / "unlabelled.jsonl", [{"id": "1", "title": "", "text": "x"}])
    txt = tmp_path / "ads.txt"
    txt.write_text("x", encoding="utf-8")
    values = {"src": str(labelled_file), "tmp": str(tmp_path), "unlabelled": str(unlabelled), "txt": str(txt)}
    code, _, err = run(app, "ads", *[arg.format(**values) for arg in args])
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_flags_lists_all_thirteen_flags(app: typer.Typer) -> None:
    code, out, _ = run(app, "ads", "flags")
    assert code == 0
    assert out.count("default weight") == 13
