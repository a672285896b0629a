"""``opennrm audit verify``."""

from __future__ import annotations

import typer

from opennrm.cli.common import EXIT_FAILED, database
from opennrm.store import audit

audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def verify() -> None:
    """Check the whole audit chain; print OK or the first broken event, and exit non-zero if broken."""
    with database() as db, db.transaction() as session:
        result = audit.verify(session, db.keyring)
    typer.echo(str(result))
    if not result.ok:
        raise typer.Exit(EXIT_FAILED)
