"""``opennrm finance score|train|trace`` on planted synthetic data: the files the issue names, one-line errors
and a non-zero exit on bad input, nothing written then."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.finance import synthetic


def run(*args: str) -> tuple[int, str]:
    _register()
    result = CliRunner().invoke(app, ["finance", *args])
    return result.exit_code, result.output


def test_score_train_trace(planted_files: Path, tmp_path: Path) -> None:
    tx, acc = planted_files / "transactions.csv", planted_files / "accounts.csv"
    code, output = run(
        "score",
        "--transactions",
        str(tx),
        "--accounts",
        str(acc),
        "--out",
        str(tmp_path / "s.csv"),
        "--evidence",
        str(tmp_path / "e.jsonl"),
    )
    assert code == 0, output
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    assert list(rows[0]) == ["account", "risk", "typologies"]
    risks = [float(r["risk"]) for r in rows]
    assert risks == sorted(risks, reverse=True)
    hits = [json.loads(line) for line in (tmp_path / "e.jsonl").open()]
    assert all(
        h["hits"] and all(x["transactions"] or x["rule"] == "shared_identifiers" for x in h["hits"])
        for h in hits
    )
    # labels: the planted accounts
    syn = synthetic.generate(800, 3000, seed=5)
    planted = {a for p in syn.planted for a in p.accounts}
    labels = tmp_path / "labels.csv"
    with labels.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "laundering"])
        for account in sorted({*planted, *[r["account"] for r in rows]}):
            writer.writerow([account, int(account in planted)])
    code, output = run(
        "train", "--transactions", str(tx), "--labels", str(labels), "--out", str(tmp_path / "m")
    )
    assert code == 0, output
    assert "grouped" in output and (tmp_path / "m" / "model.json").is_file()
    code, output = run(
        "score", "--transactions", str(tx), "--model", str(tmp_path / "m"), "--out", str(tmp_path / "s2.csv")
    )
    assert code == 0, output
    seed = next(p for p in syn.planted if p.rule == "pass_through").accounts[1]
    code, output = run(
        "trace",
        "--transactions",
        str(tx),
        "--seed",
        seed,
        "--hops",
        "2",
        "--out",
        str(tmp_path / "t.json"),
        "--pack",
        str(tmp_path / "pack"),
    )
    assert code == 0, output
    traced = json.loads((tmp_path / "t.json").read_text())
    assert traced["destinations"] and {"proportional", "fifo"} <= set(traced["destinations"][0])
    assert (tmp_path / "pack" / "trace.pdf").read_bytes().startswith(b"%PDF")


def test_bad_input_is_one_line_and_non_zero(planted_files: Path, tmp_path: Path) -> None:
    tx = planted_files / "transactions.csv"
    broken = tmp_path / "broken.csv"
    broken.write_text("id,timestamp\n1,2\n", encoding="utf-8")
    code, output = run("score", "--transactions", str(broken), "--out", str(tmp_path / "s.csv"))
    assert code != 0 and "missing column" in output and not (tmp_path / "s.csv").exists()
    code, output = run(
        "trace", "--transactions", str(tx), "--seed", "NOBODY", "--out", str(tmp_path / "t.json")
    )
    assert code != 0 and "does not appear" in output and not (tmp_path / "t.json").exists()
    bad_labels = tmp_path / "l.csv"
    bad_labels.write_text("account,laundering\nX,maybe\n", encoding="utf-8")
    code, output = run(
        "train", "--transactions", str(tx), "--labels", str(bad_labels), "--out", str(tmp_path / "m")
    )
    assert code != 0 and "line 2" in output


def test_exports_hold_no_spreadsheet_formula(tmp_path: Path) -> None:
    """Account names come from the uploaded file; a name a spreadsheet would run (``=HYPERLINK(…)``,
    ``@SUM(…)``, ``+cmd|…``, ``-2+3``) reaches the scores and the trace's evidence pack as text."""
    names = ['=HYPERLINK("http://127.0.0.1/x","click")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3"]
    tx = tmp_path / "t.csv"
    with tx.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "timestamp", "source", "target", "amount", "currency"])
        for n, (a, b) in enumerate(itertools.pairwise(names)):
            writer.writerow([f"t{n}", f"2025-01-0{n + 1}T10:00:00Z", a, b, "100", "USD"])
    code, output = run("score", "--transactions", str(tx), "--out", str(tmp_path / "s.csv"))
    assert code == 0, output
    code, output = run(
        "trace",
        "--transactions",
        str(tx),
        "--seed",
        names[0],
        "--out",
        str(tmp_path / "trace.json"),
        "--pack",
        str(tmp_path / "pack"),
    )
    assert code == 0, output
    for written in (tmp_path / "s.csv", tmp_path / "pack" / "trace.csv"):
        cells = [cell for row in csv.reader(written.open()) for cell in row]
        assert any("HYPERLINK" in cell for cell in cells), written
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], written
