"""The `opennrm` command for a newcomer (issue 13, item 10): help that lists every command without importing
them and wraps each sentence whole, `org list` and `user list` without secrets, and `demo` with its accounts
printed again from a demo's data directory only."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
import typer.rich_utils
from sqlalchemy import func, select
from typer.testing import CliRunner

from opennrm.cli import lazy, registry
from opennrm.cli.main import _register, app
from opennrm.config import Settings
from opennrm.services import installation
from opennrm.services.demo import DEMO_ACCOUNTS
from opennrm.store.tables import IdentificationDecision, Referral, Screening, User
from opennrm.store.tables import RecoveryCode as RecoveryCodeRow
from tests.conftest import Installation
from tests.integration.test_cli import all_commands, opennrm
from tests.support import make_org, make_user

REPO = Path(__file__).resolve().parents[2]


def _registered() -> dict[str, tuple[str, str]]:
    """What each command module really registers: name → (module, first paragraph of its help)."""
    found: dict[str, tuple[str, str]] = {}
    for module_name in registry.GROUPS:
        holder = typer.Typer()
        importlib.import_module(f"opennrm.cli.{module_name}").register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            found[name] = (module_name, lazy.first_paragraph(command))
    return found


def test_the_quick_command_list_says_what_the_modules_register() -> None:
    """`opennrm --help` lists commands from a table instead of importing every module: the table must name
    every command, in the module that registers it, with its own help."""
    assert _registered() == lazy.COMMANDS


def test_help_imports_no_command_module_or_database_layer() -> None:
    script = (
        "import sys\n"
        "from opennrm.cli.main import run\n"
        "sys.argv = ['opennrm', '--help']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'jsonschema', 'opennrm.services', 'opennrm.cli.install',"
        " 'opennrm.cli.stats', 'opennrm.screening', 'faker', 'pandas') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert "HEAVY []" in out.stdout, out.stdout[-500:]
    for name in lazy.COMMANDS:
        assert f" {name} " in out.stdout


def test_help_text_keeps_every_sentence_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendered wide, every paragraph of every command's help and every option's help appears on one line
    as written: no line break left over from where the source line ended."""
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 1000)
    runner = CliRunner()
    _register()
    root = typer.main.get_command(app)
    checked = 0
    for path in all_commands():
        command = root
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        result = runner.invoke(app, [*path, "--help"], terminal_width=1000)
        assert result.exit_code == 0, path
        output = " ".join(line.strip(" │") for line in result.output.splitlines())
        texts = [p for p in (lazy.tidy_help(command.help) or "").split("\n\n") if p and "\b" not in p]
        texts += [lazy.tidy_help(p.help) or "" for p in command.params if getattr(p, "help", None)]
        for text in texts:
            assert "\n" not in text
            assert text.strip() in result.output, f"{path}: {text!r} is broken in\n{output[:2000]}"
            checked += 1
    assert checked > 60


def test_a_listed_command_is_imported_when_it_is_called() -> None:
    group = lazy.LazyGroup(name="opennrm")
    ctx = typer.main.get_command(app).make_context("opennrm", ["--version"], resilient_parsing=True)
    assert group.get_command(ctx, "org") is not None and "org" in group.list_commands(ctx)
    name, command, _ = group.resolve_command(ctx, ["org"])
    assert name == "org" and command is not None and "list" in command.commands  # type: ignore[attr-defined]


def test_org_list_and_user_list_show_no_secrets(inst: Installation) -> None:
    make_org(inst.db, "Safe Harbour", "shelter")
    worker = make_user(inst.db, "amina", "Safe Harbour", "caseworker", team="north")
    make_user(inst.db, "liaison.one", "Safe Harbour", "analyst")
    with inst.db.transaction() as session:
        hashes = list(session.execute(select(User.password_hash)).scalars())
    secrets_ = [worker.totp_secret or "", *hashes]

    orgs = opennrm(inst, "org", "list")
    assert orgs.returncode == 0 and "Safe Harbour" in orgs.stdout and "shelter" in orgs.stdout
    assert orgs.stdout.splitlines()[0].split() == ["name", "type", "users", "id"]
    rows = [json.loads(line) for line in opennrm(inst, "org", "list", "--json").stdout.splitlines()]
    assert {r["name"]: r["users"] for r in rows}["Safe Harbour"] == 2

    users = opennrm(inst, "user", "list")
    assert users.returncode == 0 and "amina" in users.stdout and "caseworker" in users.stdout
    listed = [json.loads(line) for line in opennrm(inst, "user", "list", "--json").stdout.splitlines()]
    amina = next(u for u in listed if u["username"] == "amina")
    assert amina == {
        "username": "amina",
        "organisation": "Safe Harbour",
        "role": "caseworker",
        "team": "north",
        "active": True,
        "second_factor": True,
        "locked": False,
        "created_at": amina["created_at"],
    }
    one_org = opennrm(inst, "user", "list", "--org", "Safe Harbour", "--json").stdout
    assert {json.loads(line)["username"] for line in one_org.splitlines()} == {"amina", "liaison.one"}
    for output in (orgs.stdout, users.stdout, json.dumps(listed), one_org):
        for secret in secrets_:
            assert secret and secret not in output
        assert "argon2" not in output

    missing = opennrm(inst, "user", "list", "--org", "Nowhere")
    assert missing.returncode != 0 and missing.stderr.count("\n") == 1 and "Nowhere" in missing.stderr


def test_the_demo_loads_a_journey_and_prints_its_accounts_again(
    sqlite_inst: Installation, tmp_path: Path
) -> None:
    home = tmp_path / "demo"
    env = {"OPENNRM_HOME": str(home)}
    first = opennrm(sqlite_inst, "demo", "--no-serve", "--cases", "45", env=env)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("[") and "Setting up the OpenNRM demo" in lines[0]
    assert sum(line.startswith("[") for line in lines) >= 6  # a progress line per step
    password = next(line for line in lines if "password for all" in line).split(": ")[1].rstrip("):")
    secrets_ = [
        line.split("TOTP secret ")[1] for line in lines if line.startswith("  ") and "TOTP secret " in line
    ]
    # every demo account but the enforcement liaison's (which reaches no person-level data) has a second factor
    assert len(secrets_) == len(DEMO_ACCOUNTS) - 1 == 10
    assert (home / "demo-accounts.json").stat().st_mode & 0o777 == 0o600

    again = opennrm(sqlite_inst, "demo", "--accounts", env=env)
    assert again.returncode == 0 and f"password for all: {password})" in again.stdout
    assert all(secret in again.stdout for secret in secrets_)
    rerun = opennrm(sqlite_inst, "demo", "--no-serve", env=env)
    assert "already loaded" in rerun.stdout and password in rerun.stdout

    db = installation.open_database(Settings.from_env(env))
    try:
        with db.transaction() as session:
            statuses = dict(
                session.execute(select(Referral.status, func.count()).group_by(Referral.status)).all()
            )
            waits = [
                (r.responded_at - r.created_at).total_seconds() / 3600
                for r in session.execute(select(Referral).where(Referral.responded_at.is_not(None))).scalars()
            ]
            assert session.execute(select(func.count()).select_from(Screening)).scalar_one() > 0
            assert session.execute(select(func.count()).select_from(IdentificationDecision)).scalar_one() >= 1
            assert session.execute(select(func.count()).select_from(RecoveryCodeRow)).scalar_one() == 0
    finally:
        db.dispose()
    assert statuses.get("completed", 0) >= 1 and statuses.get("declined", 0) >= 1
    assert set(statuses) & {"sent", "escalated"}
    assert waits and all(1 <= hours <= 48 for hours in waits)  # answered after hours, not at once

    refused = opennrm(sqlite_inst, "demo", "--accounts")
    assert refused.returncode == 2 and "never printed" in refused.stderr
    assert "TOTP" not in refused.stdout + refused.stderr
