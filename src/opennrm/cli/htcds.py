"""``opennrm htcds export`` and ``opennrm htcds import``: case records in the HTCDS v2.0 CSV format."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import typer

from opennrm.cli.common import database, fail
from opennrm.services import admin, statistics
from opennrm.services.errors import InvalidInput
from opennrm.services.installation import default_organisation_id
from opennrm.spreadsheet import spreadsheet_safe
from opennrm.stats.htcds import COLUMNS, check_header

htcds_app = typer.Typer(
    help="Exchange case records in the Human Trafficking Case Data Standard (HTCDS v2.0) CSV format.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(htcds_app, name="htcds")


@htcds_app.command("export")
def export(
    file: Path = typer.Argument(..., help="CSV file to write (mode 0600)."),
    identifying: bool = typer.Option(
        False, "--identifying", help="Also write names, birth dates and survivor codes (needs --purpose)."
    ),
    purpose: str | None = typer.Option(
        None, "--purpose", help="research or statistics: only cases whose consent covers it are written."
    ),
) -> None:
    """Write one HTCDS row per case whose valid consent covers statistics or research (or --purpose), for a
    CTDC-style collaboration: HTCDS field names and picklists, plus opennrm_ columns that keep what HTCDS
    cannot tell apart.

    De-identified by default: no names, birth dates, contacts or survivor codes, and person and case keys
    drawn at random for this export. --identifying adds names, birth dates and survivor codes, only with a
    stated --purpose; every export is audited."""
    if purpose is not None and purpose not in statistics.DATA_SHARING_PURPOSES:
        fail(f"--purpose must be one of {', '.join(statistics.DATA_SHARING_PURPOSES)}")
    if identifying and purpose is None:
        fail("--identifying needs --purpose research or --purpose statistics")
    tmp = file.with_name(file.name + ".partial")
    count = 0
    with database() as db:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
                writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
                writer.writeheader()
                for row in statistics.htcds_rows(db, identifying=identifying, purpose=purpose):
                    writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
                    count += 1
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    os.replace(tmp, file)
    kind = "with identifying fields" if identifying else "de-identified"
    typer.echo(f"Exported {count} cases ({kind}) to {file}.")


@htcds_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="An HTCDS CSV file (as written by 'opennrm htcds export')."),
    org: str = typer.Option(
        "",
        "--org",
        help="Organisation that holds the imported cases (default: the installation's default organisation).",
    ),
) -> None:
    """Import HTCDS rows. Every row is checked first; rows that do not fit are reported and nothing is
    imported."""
    if not file.is_file():
        fail(f"no such file: {file}")
    with database() as db, file.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        problems = check_header(list(reader.fieldnames or []))
        if problems:
            fail(f"{file}: {problems[0]}")
        organisation_id = default_organisation_id(db)
        if org:
            organisation_id = admin.organisation_ids_by_name(db).get(org) or fail(
                f"no organisation named {org!r}"
            )
        try:
            result = statistics.import_htcds(db, reader, organisation_id=organisation_id)
        except InvalidInput as exc:
            fail(f"{exc.message} (nothing was imported)")
    typer.echo(f"Imported {result.cases} cases from {file}.")
