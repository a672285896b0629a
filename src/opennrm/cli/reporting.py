"""``opennrm reports``: the anonymous reporting channel (receiving organisation, retention purge), and
``opennrm hotline``: contacts of the 24/7 hotline as CSV (import, export)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from opennrm.cli.common import database, fail
from opennrm.services.errors import ServiceError

reports_app = typer.Typer(
    help="The anonymous reporting channel: who receives reports, and deleting closed ones (GR38 §100).",
    no_args_is_help=True,
)
hotline_app = typer.Typer(
    help="Contacts of the 24/7 hotline as CSV: import and export (GR38 §99).", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(reports_app, name="reports")
    app.add_typer(hotline_app, name="hotline")


@reports_app.command("receiver")
def receiver(
    organisation: str = typer.Argument(..., help="Name of the organisation (never enforcement)."),
) -> None:
    """Set the organisation that receives new anonymous reports (the NRM secretariat or a hotline NGO). An
    enforcement organisation is refused."""
    from opennrm.services import reporting

    with database() as db:
        try:
            reporting.set_receiving_organisation(db, organisation)
        except ServiceError as exc:
            fail(exc.message)
    typer.echo(f"New anonymous reports go to {organisation}.")


@reports_app.command("purge")
def purge(
    at: str = typer.Option("", "--at", help="Purge as of this ISO date-time (default: now)."),
) -> None:
    """Delete every closed report whose retention period has ended, with its messages and files."""
    from opennrm.services import reporting

    when = None
    if at:
        try:
            when = dt.datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at: {at!r} is not an ISO date-time")
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    with database() as db:
        count = reporting.purge_expired_reports(db, when)
    typer.echo(f"Deleted {count} closed reports past their retention period.")


@hotline_app.command("export")
def export(
    organisation: str = typer.Option(..., "--organisation", help="Whose contacts (its name)."),
    output: Path = typer.Option(Path("-"), "--output", "-o", help="CSV file to write (default: stdout)."),
) -> None:
    """Write the organisation's hotline contacts as CSV: structured fields only, no notes, no callback
    details, no phone numbers (docs/reporting.md)."""
    from opennrm.services import hotline

    with database() as db:
        try:
            text = hotline.export_csv(db, organisation)
        except ServiceError as exc:
            fail(exc.message)
    if str(output) == "-":
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Wrote {output}.")


@hotline_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="CSV in the format `export` writes (docs/reporting.md)."),
    organisation: str = typer.Option(..., "--organisation", help="Whose contacts (its name)."),
) -> None:
    """Import hotline contacts from another system. Every row is checked first: one bad row is reported with
    its line number and nothing is imported."""
    from opennrm.services import hotline

    if not file.is_file():
        fail(f"no such file: {file}")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    with database() as db:
        try:
            count = hotline.import_csv(db, organisation, text)
        except ServiceError as exc:
            fail(f"{file}: {exc.message} (nothing was imported)")
    typer.echo(f"Imported {count} hotline contacts from {file}.")
