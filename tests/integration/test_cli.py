"""The `opennrm` command: help everywhere, clear one-line errors, all-or-nothing import, keys, backups."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.services.cases import CaseFilters, list_cases
from opennrm.services.firewall import ALWAYS
from opennrm.store.keys import Keyring
from opennrm.store.tables import AuditEvent, Case, Person
from tests.conftest import Installation
from tests.support import make_org, make_user


@dataclass(frozen=True)
class Outcome:
    returncode: int
    stdout: str
    stderr: str


def opennrm(
    inst: Installation, *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> Outcome:
    """Run the command in-process with its own environment (the same code path as the installed script)."""
    _register()
    environment = env or inst.env()
    cleared = {k: None for k in os.environ if k.startswith("OPENNRM_") and k not in environment}
    result = CliRunner().invoke(app, list(args), input=stdin, env={**cleared, **environment})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def test_the_installed_command_runs_as_a_process(sqlite_inst: Installation) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "opennrm", "--version"],
        env=sqlite_inst.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and out.stdout.startswith("opennrm 0.")


def all_commands() -> list[list[str]]:
    _register()
    import typer.main

    root = typer.main.get_command(app)
    paths: list[list[str]] = [[]]

    def walk(cmd, path):  # type: ignore[no-untyped-def]
        for name, sub in getattr(cmd, "commands", {}).items():
            paths.append([*path, name])
            walk(sub, [*path, name])

    walk(root, [])
    return paths


def test_every_command_has_help(sqlite_inst: Installation) -> None:
    runner = CliRunner()
    commands = all_commands()
    for required in (
        ["init"],
        ["serve"],
        ["demo"],
        ["org", "add"],
        ["user", "add"],
        ["import", "cases"],
        ["audit", "verify"],
        ["backup"],
        ["restore"],
        ["key", "rotate"],
    ):
        assert required in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage" in result.output


def test_version(sqlite_inst: Installation) -> None:
    out = opennrm(sqlite_inst, "--version")
    assert out.returncode == 0 and out.stdout.startswith("opennrm 0.")


def test_org_and_user_add_with_clear_errors(sqlite_inst: Installation) -> None:
    assert opennrm(sqlite_inst, "org", "add", "Safe Harbour", "--type", "shelter").returncode == 0
    bad = opennrm(sqlite_inst, "org", "add", "Other", "--type", "spaceship")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "spaceship" in bad.stderr
    added = opennrm(
        sqlite_inst,
        "user",
        "add",
        "amina",
        "--org",
        "Safe Harbour",
        "--role",
        "caseworker",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert added.returncode == 0 and "TOTP enrolment secret (shown once): " in added.stdout
    assert "Recovery codes (shown once" in added.stdout
    liaison = opennrm(
        sqlite_inst,
        "user",
        "add",
        "liaison",
        "--org",
        "Safe Harbour",
        "--role",
        "enforcement_liaison",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert "TOTP" not in liaison.stdout
    weak = opennrm(
        sqlite_inst,
        "user",
        "add",
        "joy",
        "--org",
        "Safe Harbour",
        "--role",
        "caseworker",
        "--password-stdin",
        stdin="short\n",
    )
    assert weak.returncode == 2 and "password" in weak.stderr
    no_org = opennrm(
        sqlite_inst,
        "user",
        "add",
        "joy",
        "--org",
        "Nowhere",
        "--role",
        "caseworker",
        "--password-stdin",
        stdin="correct horse battery\n",
    )
    assert no_org.returncode != 0 and "Nowhere" in no_org.stderr


def count(inst: Installation, table: type) -> int:
    with inst.db.transaction() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_import_applies_documented_defaults(inst: Installation, tmp_path: Path) -> None:
    source = tmp_path / "cases.jsonl"
    lines = [
        {"person": {"given_name": "Ana"}, "case": {"survivor_code": "IMP-1", "age_at_trafficking": 17}},
        {"case": {"survivor_code": "IMP-1"}, "notes": ["second case, same person"]},
        {},
    ]
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    out = opennrm(inst, "import", "cases", str(source))
    assert out.returncode == 0, out.stderr
    assert "Imported 3 cases for 2 new persons" in out.stdout
    assert count(inst, Case) == 3 and count(inst, Person) == 2
    with inst.db.transaction() as s:
        rows = s.execute(select(Case.status, Case.trafficking_status, Case.sex, Case.organisation_id)).all()
    assert {r[:3] for r in rows} == {("new", "possible_victim", "unknown")}
    assert {r[3] for r in rows} == {inst.default_org}


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"case": {"sex": "robot"}}', "line 2: case.sex"),
        ('{"person": {"birth_date": "2999-01-01"}}', "line 2: person.birth_date"),
        ('{"notes": ["' + "x" * 20_001 + '"]}', "line 2: notes.0"),
        ("{not json", "line 2: not valid JSON"),
        ('{"organisation": "Nowhere"}', "line 2: organisation"),
        ('{"case": {"survivor_code": "IMP-1"}, "extra": 1}', "line 2: extra"),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_imported(
    inst: Installation, tmp_path: Path, bad_line: str, message: str
) -> None:
    source = tmp_path / "cases.jsonl"
    source.write_text('{"person": {"given_name": "Ana"}}\n' + bad_line + "\n" + '{"case": {}}\n')
    out = opennrm(inst, "import", "cases", str(source))
    assert out.returncode == 2
    assert out.stderr.startswith(f"opennrm: {message}") and out.stderr.count("\n") == 1
    assert "nothing was imported" in out.stderr
    assert count(inst, Case) == 0 and count(inst, Person) == 0


@pytest.mark.parametrize("kind", sorted(ALWAYS))
def test_an_import_never_puts_a_case_at_an_enforcement_organisation(
    inst: Installation, tmp_path: Path, kind: str
) -> None:
    """The firewall: police, prosecution, immigration and financial intelligence hold no case, whoever runs
    the import."""
    make_org(inst.db, "Authority", kind)
    source = tmp_path / "cases.jsonl"
    source.write_text('{"person": {"given_name": "Ana"}}\n{"organisation": "Authority"}\n')
    out = opennrm(inst, "import", "cases", str(source))
    assert out.returncode == 2
    assert out.stderr.startswith(
        "opennrm: line 2: organisation: Authority is on the firewall's enforcement list"
    )
    assert count(inst, Case) == 0 and count(inst, Person) == 0


def test_missing_or_wrong_key_is_refused_clearly(inst: Installation) -> None:
    sqlite_inst = inst
    key_file = sqlite_inst.settings.key_file
    saved = key_file.read_text()
    key_file.unlink()
    missing = opennrm(sqlite_inst, "audit", "verify")
    assert (
        missing.returncode == 1
        and "no encryption key" in missing.stderr
        and "Traceback" not in missing.stderr
    )
    env = {**sqlite_inst.env(), "OPENNRM_KEY": Keyring.generate().to_json()}
    wrong = opennrm(sqlite_inst, "audit", "verify", env=env)
    assert wrong.returncode == 1 and "does not match this database" in wrong.stderr
    env["OPENNRM_KEY"] = saved
    assert opennrm(sqlite_inst, "audit", "verify", env=env).returncode == 0


def test_init_never_replaces_a_lost_key_of_a_database_with_data(sqlite_inst: Installation) -> None:
    sqlite_inst.settings.key_file.unlink()
    out = opennrm(sqlite_inst, "init")
    assert out.returncode == 1 and "restore the key file" in out.stderr
    assert not sqlite_inst.settings.key_file.exists()


def test_database_files_are_private(sqlite_inst: Installation) -> None:
    for name in ("opennrm.sqlite", "opennrm.key"):
        assert (sqlite_inst.settings.home / name).stat().st_mode & 0o777 == 0o600


def test_key_rotation_keeps_data_readable_and_retires_the_old_key(inst: Installation) -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")
    from opennrm.services.cases import intake as do_intake
    from opennrm.services.cases import view_case
    from tests.support import intake

    made = do_intake(inst.db, user.actor, intake())
    code = view_case(inst.db, user.actor, made).survivor_code
    old = inst.settings.key_file.read_text()
    out = opennrm(inst, "key", "rotate")
    assert out.returncode == 0, out.stderr
    assert oct(os.stat(inst.settings.key_file).st_mode & 0o777) == "0o600"
    from opennrm.services.installation import open_database

    db = open_database(inst.settings)
    try:
        found = list_cases(db, user.actor, CaseFilters(survivor_code=code, phone="+447700900123")).items
        assert len(found) == 1
    finally:
        db.dispose()
    stale = opennrm(inst, "audit", "verify", env={**inst.env(), "OPENNRM_KEY": old})
    assert stale.returncode == 1 and "does not match" in stale.stderr
    retired = list(inst.settings.home.glob("opennrm.key.retired-*"))
    assert len(retired) == 1 and retired[0].stat().st_mode & 0o777 == 0o600
    assert Keyring.from_json(retired[0].read_text()).current_id == Keyring.from_json(old).current_id
    assert opennrm(inst, "audit", "verify").returncode == 0


def test_backup_and_restore_round_trip_and_tampering_is_detected(inst: Installation, tmp_path: Path) -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")
    from opennrm.services.cases import intake as do_intake
    from tests.support import intake

    first = do_intake(inst.db, user.actor, intake())
    backup = tmp_path / "b.bin"
    assert opennrm(inst, "backup", str(backup)).returncode == 0
    assert backup.stat().st_mode & 0o777 == 0o600
    do_intake(inst.db, user.actor, intake())  # made after the backup: gone after restore
    out = opennrm(inst, "restore", "--yes", str(backup))
    assert out.returncode == 0, out.stderr
    assert [c.id for c in list_cases(inst.db, user.actor, CaseFilters()).items] == [first]
    assert opennrm(inst, "audit", "verify").returncode == 0
    with inst.db.transaction() as s:
        actions = [a for (a,) in s.execute(select(AuditEvent.action).order_by(AuditEvent.seq))]
    assert actions.index("backup.create") < actions.index("backup.restore")
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged = tmp_path / "damaged.bin"
    damaged.write_bytes(bytes(data))
    refused = opennrm(inst, "restore", "--yes", str(damaged))
    assert (
        refused.returncode == 1
        and "failed authentication" in refused.stderr
        and "nothing was changed" in refused.stderr
    )
    truncated = tmp_path / "truncated.bin"
    truncated.write_bytes(backup.read_bytes()[:-10])
    assert opennrm(inst, "restore", "--yes", str(truncated)).returncode == 1
    assert [c.id for c in list_cases(inst.db, user.actor, CaseFilters()).items] == [first]
