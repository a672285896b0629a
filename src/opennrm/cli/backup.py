"""``opennrm backup``, ``opennrm restore`` and ``opennrm key rotate``."""

from __future__ import annotations

from pathlib import Path

import typer

from opennrm.cli.common import EXIT_FAILED, database, fail, handled, settings
from opennrm.services.backup import BackupError, restore_backup, write_backup
from opennrm.services.keys import rotate_key

key_app = typer.Typer(help="The data-encryption key.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
    app.add_typer(key_app, name="key")


def backup(file: Path = typer.Argument(..., help="Where to write the encrypted backup.")) -> None:
    """Write an encrypted backup of the whole database and verify it reads back."""
    with database() as db:
        try:
            summary = write_backup(db, file)
        except BackupError as exc:
            fail(str(exc), EXIT_FAILED)
    typer.echo(f"Backup written and verified: {file} ({summary.total} rows).")


def restore(
    file: Path = typer.Argument(..., help="An encrypted backup made by 'opennrm backup'."),
    yes: bool = typer.Option(False, "--yes", help="Replace the current data without asking."),
) -> None:
    """Replace the database's content with a backup (verified first; all or nothing)."""
    if not file.is_file():
        fail(f"no such file: {file}")
    if not yes:
        typer.confirm("This replaces all data in the database with the backup. Continue?", abort=True)
    with database() as db:
        try:
            summary = restore_backup(db, file)
        except BackupError as exc:
            fail(f"{exc}; nothing was changed", EXIT_FAILED)
    typer.echo(f"Restored {summary.total} rows from {file}; the audit chain verifies.")


@key_app.command("rotate")
def rotate() -> None:
    """Make a new data key, re-encrypt everything with it, and retire the old key."""
    s = settings()
    with handled():
        result = rotate_key(s)
    typer.echo(f"Rotated to key {result.new_key_id}: {result.ciphertexts} values re-encrypted.")
