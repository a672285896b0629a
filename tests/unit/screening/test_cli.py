"""``opennrm screen``: the library's result; bad input gives one clear line on stderr and exit code 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from opennrm.cli.screen import register
from opennrm.screening import screen

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """Test root."""

    register(app)
    return app


APP = _app()
DOMESTIC_WORKER = {
    "age": 34,
    "exploitation_form": "labour",
    "indicators": ["DR01", "DR02", "EXP01", "EXP02", "CD01", "CD03"],
    "context": {"consented_to_work": True},
}


def _write(tmp_path: Path, content: Any, name: str = "input.json") -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_json_output_is_the_library_result(tmp_path: Path) -> None:
    result = runner.invoke(APP, ["screen", _write(tmp_path, DOMESTIC_WORKER)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == screen(DOMESTIC_WORKER)


def test_standard_input_is_read_with_a_dash() -> None:
    result = runner.invoke(APP, ["screen", "-", "--lang", "zh-Hant"], input=json.dumps(DOMESTIC_WORKER))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["lang"] == "zh-Hant"


def test_text_output_in_traditional_chinese(tmp_path: Path) -> None:
    result = runner.invoke(
        APP, ["screen", _write(tmp_path, DOMESTIC_WORKER), "--format", "text", "--lang", "zh-Hant"]
    )
    assert result.exit_code == 0, result.stderr
    assert "推定受害者: 是" in result.stdout
    assert "DR  欺騙性招募: 成立: DR01 (強), DR02 (中等)" in result.stdout
    assert "ilo-ec-2009@1.1.0" in result.stdout


def test_text_output_in_english_marks_a_provisional_list(tmp_path: Path) -> None:
    raw = {"age": 15, "exploitation_form": "sexual", "acts": ["receipt"], "purposes": ["sexual_exploitation"]}
    result = runner.invoke(APP, ["screen", _write(tmp_path, raw), "--format", "text"])
    assert result.exit_code == 0, result.stderr
    assert "Presumed victim: yes (Rule: rule for children" in result.stdout
    assert "[Provisional]" in result.stdout


def test_an_unsupported_language_falls_back_to_english_with_a_note(tmp_path: Path) -> None:
    result = runner.invoke(APP, ["screen", _write(tmp_path, DOMESTIC_WORKER), "--lang", "de"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["explanation"][0].startswith("No explanation texts exist in “de”")


def test_a_national_catalogue_is_loaded_with_catalogue(tmp_path: Path) -> None:
    national = _write(
        tmp_path,
        'schema: opennrm.screening.catalogue/1\nid: xk\nversion: "2"\nextends: ilo-ec-2009\n'
        "profiles:\n  adult-labour:\n    strengths:\n      CD: {CD01: M, CD03: M}\n",
        "xk.yaml",
    )
    result = runner.invoke(APP, ["screen", _write(tmp_path, DOMESTIC_WORKER), "--catalogue", national])
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["catalogue_version"] == "xk@2+ilo-ec-2009@1.1.0"
    assert output["dimensions"]["CD"]["positive"] is False  # the stricter national list: CD is [M, M]
    assert output["rule"] == "palermo_adult"  # no ILO rule; deceptive recruitment shows act and means


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {**DOMESTIC_WORKER, "indicators": ["DR01", "ZZ42"]},
            "invalid input: indicators: unknown indicator id 'ZZ42'",
        ),
        ({**DOMESTIC_WORKER, "police": True}, "invalid input: police: unknown key"),
        ({**DOMESTIC_WORKER, "age": -3}, "invalid input: age: must be between 0 and 130 years, not -3"),
        (
            {**DOMESTIC_WORKER, "age": "34"},
            "invalid input: age: must be a whole number of years or null, not a string",
        ),
        (
            {**DOMESTIC_WORKER, "acts": "recruitment"},
            "invalid input: acts: must be an array of codes, not a string",
        ),
        ({**DOMESTIC_WORKER, "age_uncertain": "no"}, "invalid input: age_uncertain: must be true or false"),
        ([1, 2], "invalid input: the input must be a JSON object, not an array"),
        ('{"age": 3,', "line 1, column 11: not valid JSON"),
        ('{"exploitation_form": "labour", "age": 3, "age": 4}', "not valid JSON: duplicate key 'age'"),
    ],
    ids=[
        "unknown indicator",
        "unknown key",
        "age -3",
        "age as text",
        "acts as text",
        "boolean as text",
        "not an object",
        "broken JSON",
        "duplicate key",
    ],
)
def test_invalid_input_gives_one_clear_line_and_exit_code_2(tmp_path: Path, raw: Any, message: str) -> None:
    result = runner.invoke(APP, ["screen", _write(tmp_path, raw)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("opennrm screen: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "--format must be json or text"),
        (["--lang", "not a language"], "--lang must be a language code"),
        (
            ["--catalogue", "/nonexistent/x.yaml"],
            "invalid catalogue: /nonexistent/x.yaml: cannot read the file",
        ),
    ],
)
def test_invalid_options_give_one_clear_line_and_exit_code_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(APP, ["screen", _write(tmp_path, DOMESTIC_WORKER), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"opennrm screen: {message}")


def test_a_malformed_catalogue_is_reported_with_its_line_and_key(tmp_path: Path) -> None:
    bad = _write(
        tmp_path,
        'schema: opennrm.screening.catalogue/1\nid: xk\nversion: "1"\nextends: ilo-ec-2009\n'
        "profiles:\n  adult-labour:\n    strengths:\n      DR: {DR01: strong}\n",
        "bad.yaml",
    )
    result = runner.invoke(APP, ["screen", _write(tmp_path, DOMESTIC_WORKER), "--catalogue", bad])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert f"invalid catalogue: {bad}, line 8, key 'profiles.adult-labour.strengths.DR.DR01'" in line


def test_a_missing_input_file_is_exit_code_2(tmp_path: Path) -> None:
    result = runner.invoke(APP, ["screen", str(tmp_path / "absent.json")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_help_describes_the_command() -> None:
    result = runner.invoke(APP, ["screen", "--help"])
    assert result.exit_code == 0
    for option in ("--format", "--lang", "--catalogue", "INPUT.json"):
        assert option in result.stdout


def test_the_real_opennrm_command_has_screen_registered(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _write(tmp_path, {**DOMESTIC_WORKER, "age": -3})
    run = subprocess.run(
        [sys.executable, "-c", "from opennrm.cli.main import run; run()", "screen", path],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip() == "opennrm screen: invalid input: age: must be between 0 and 130 years, not -3"
    assert run.stdout == ""
