"""`opennrm stats release`, `opennrm stats budget` and `opennrm report` from the command line."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from opennrm.cli import stats as stats_cli

from .conftest import write_ctdc


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer()

    @root.callback()
    def main() -> None:
        """test root"""

    stats_cli.register(root)
    return root


@pytest.fixture
def ctdc_csv(tmp_path: Path) -> Path:
    rows = [
        (b % 10, b % 3 == 0, b % 3 != 1, int(b % 97 == 0), int(b % 4 != 0 and b % 97 != 0), int(b % 9 == 0))
        for b in range(2000)
    ]
    return write_ctdc(tmp_path / "ctdc.csv", [tuple(int(v) for v in r) for r in rows])  # type: ignore[misc]


def run(app: typer.Typer, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_release_writes_release_csv_and_charges_the_ledger(app, ctdc_csv: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(
        app,
        "stats",
        "release",
        "--ctdc",
        str(ctdc_csv),
        "--epsilon",
        "1",
        "--out",
        str(tmp_path / "r"),
        "--home",
        str(tmp_path / "home"),
        "--controller",
        "NRM",
    )
    assert code == 0, out
    with (tmp_path / "r" / "release.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0].keys() == {"table", "cell", "count", "ci_low", "ci_high"}
    assert (tmp_path / "r" / "release.json").exists()
    code, out, _ = run(app, "stats", "budget", "--controller", "NRM", "--home", str(tmp_path / "home"))
    assert code == 0 and "spent 1" in out


def test_a_release_that_would_overspend_is_refused_and_writes_nothing(
    app: typer.Typer, ctdc_csv: Path, tmp_path: Path
) -> None:
    home = str(tmp_path / "home")
    assert (
        run(
            app,
            "stats",
            "release",
            "--ctdc",
            str(ctdc_csv),
            "--epsilon",
            "1.5",
            "--out",
            str(tmp_path / "a"),
            "--home",
            home,
        )[0]
        == 0
    )
    code, _, err = run(
        app,
        "stats",
        "release",
        "--ctdc",
        str(ctdc_csv),
        "--epsilon",
        "1",
        "--out",
        str(tmp_path / "b"),
        "--home",
        home,
    )
    assert code == stats_cli.EXIT_REFUSED
    assert "budget exceeded" in err and "Traceback" not in err
    assert not (tmp_path / "b" / "release.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["stats", "release", "--epsilon", "0", "--out", "{tmp}/x", "--ctdc", "{csv}"],
        ["stats", "release", "--epsilon", "1", "--out", "{tmp}/x", "--ctdc", "{tmp}/missing.csv"],
        ["stats", "release", "--epsilon", "1", "--out", "{tmp}/x", "--ctdc", "{csv}", "--strategy", "magic"],
        ["report", "--out", "{tmp}/rep"],
        ["report", "--out", "{tmp}/rep", "--release", "{tmp}"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(app, ctdc_csv: Path, tmp_path: Path, args: list[str]) -> None:  # type: ignore[no-untyped-def]
    filled = [a.format(tmp=tmp_path, csv=ctdc_csv) for a in args]
    code, _, err = (
        run(app, *filled, "--home", str(tmp_path / "home")) if args[0] == "stats" else run(app, *filled)
    )
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("opennrm:")


def test_report_from_a_release(app, ctdc_csv: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (
        run(
            app,
            "stats",
            "release",
            "--ctdc",
            str(ctdc_csv),
            "--epsilon",
            "1",
            "--out",
            str(tmp_path / "r"),
            "--home",
            str(tmp_path / "home"),
        )[0]
        == 0
    )
    code, out, _ = run(app, "report", "--release", str(tmp_path / "r"), "--out", str(tmp_path / "rep"))
    assert code == 0, out
    assert (tmp_path / "rep" / "report.html").exists() and (tmp_path / "rep" / "report.pdf").exists()


@pytest.mark.parametrize("command", [["stats", "release"], ["stats", "budget"], ["report"]])
def test_every_command_has_help(app, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(app, *command, "--help")
    assert code == 0 and "Usage" in out
