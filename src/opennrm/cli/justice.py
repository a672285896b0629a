"""``opennrm justice import`` and ``opennrm justice list``: counts of perpetrators investigated, prosecuted
and convicted (GR38 §110), never linked to a victim. The CSV columns are described in docs/statistics.md."""

from __future__ import annotations

from pathlib import Path

import typer

from opennrm.cli.common import database, fail
from opennrm.services.errors import InvalidInput

justice_app = typer.Typer(
    help="Justice aggregates: perpetrators investigated, prosecuted and convicted per year (GR38 §110).",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(justice_app, name="justice")


@justice_app.command("import")
def import_(
    file: Path = typer.Argument(
        ..., help="CSV with year,stage,exploitation,sex,age_group,nationality,count (docs/statistics.md)."
    ),
) -> None:
    """Import counts of perpetrators per year, stage (investigation, prosecution, conviction), form of
    exploitation, sex, age group and nationality. Every row is checked first: one bad row is reported with
    its line number and nothing is imported. A cell already held is replaced by the file's count."""
    from opennrm.services import justice

    if not file.is_file():
        fail(f"no such file: {file}")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    with database() as db:
        try:
            count = justice.import_csv(db, text, actor_id="cli")
        except InvalidInput as exc:
            fail(f"{file}: {exc.message} (nothing was imported)")
    typer.echo(f"Imported {count} justice aggregate rows from {file}.")


@justice_app.command("list")
def list_() -> None:
    """Print every justice aggregate row as CSV (the format `import` reads)."""
    from opennrm.services import justice

    with database() as db:
        rows = justice.aggregates(db)
    typer.echo(justice.rows_as_csv(rows), nl=False)
