"""``opennrm import cases``: batch intake from another system."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import Progress

from opennrm.cli.common import database, fail, settings
from opennrm.services import admin
from opennrm.services.cases import import_cases
from opennrm.services.errors import InvalidInput
from opennrm.services.installation import default_organisation_id

import_app = typer.Typer(help="Import records from other systems.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


@import_app.command("cases")
def cases(
    file: Path = typer.Argument(
        ..., help="JSON Lines file: one {person, case, notes, organisation, consents} object per line."
    ),
) -> None:
    """Import cases. Every line is checked; one bad line rolls back the whole import.

    Omitted fields take defaults: a new survivor code, status 'new', trafficking status 'possible_victim',
    identified today, sex and gender 'unknown', and the installation's default organisation (or the one
    named in "organisation"). "consents" lists the consents she gave in the system the case comes from, each
    shaped like the API's consent record, e.g. [{"purposes": ["statistics"], "language": "en",
    "given_on": "2026-06-01"}]."""
    if not file.is_file():
        fail(f"no such file: {file}")
    terms = settings().consent_terms
    with database() as db:
        total = sum(1 for line in file.open(encoding="utf-8") if line.strip())
        with Progress(transient=True) as bar, file.open(encoding="utf-8") as fh:
            task = bar.add_task("Importing cases", total=total)
            try:
                report = import_cases(
                    db,
                    "cli",
                    fh,
                    default_organisation_id=default_organisation_id(db),
                    organisations=admin.organisation_ids_by_name(db),
                    progress=lambda n: bar.advance(task, n),
                    consent_terms=terms,
                )
            except InvalidInput as exc:
                fail(f"{exc.message} (nothing was imported)")
    typer.echo(f"Imported {report.cases} cases for {report.persons} new persons.")
