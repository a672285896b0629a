"""``opennrm firewall``: which organisation types count as enforcement."""

from __future__ import annotations

import typer

from opennrm.cli.common import database
from opennrm.services import firewall

firewall_app = typer.Typer(
    help="The firewall against immigration enforcement, criminal justice and financial intelligence.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(firewall_app, name="firewall")


@firewall_app.command("show")
def show() -> None:
    """List the organisation types that never receive person-level data."""
    with database() as db:
        types = firewall.enforcement_types(db)
        pending = firewall.unacknowledged_change(db)
    typer.echo("Enforcement types: " + ", ".join(sorted(types)))
    if pending:
        typer.echo(f"WARNING: changed at {pending.at} and not yet acknowledged.")


@firewall_app.command("set")
def set_types(
    types: list[str] = typer.Argument(
        ...,
        help="Organisation types (police, prosecution, immigration_service and financial_intelligence_unit "
        "always; e.g. add labour_inspectorate where it is tied to immigration enforcement).",
    ),
) -> None:
    """Replace the list of enforcement types. Audited; every page warns until acknowledged; every open
    disclosure and referral to an organisation of a type added or removed is closed."""
    with database() as db:
        chosen = firewall.set_enforcement_types(db, types)
    typer.echo("Enforcement types are now: " + ", ".join(sorted(chosen)))
    typer.echo("Every page shows a warning until 'opennrm firewall acknowledge' is run.")


@firewall_app.command("acknowledge")
def acknowledge() -> None:
    """Acknowledge a change of the enforcement types (ends the warning on every page)."""
    with database() as db:
        done = firewall.acknowledge(db)
    typer.echo("Acknowledged." if done else "Nothing to acknowledge.")
