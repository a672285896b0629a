"""``opennrm init``, ``opennrm serve`` and ``opennrm demo``."""

from __future__ import annotations

import secrets

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.cli.common import database, handled, settings
from opennrm.services import admin, installation
from opennrm.services.demo import load_demo_cases, seed_demo_ad_scan, seed_demo_referral_network

DEMO_PASSWORD_BYTES = 12


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("demo")(demo)


def init() -> None:
    """Create the data directory, the encryption key file (mode 0600) and the database schema."""
    s = settings()
    with handled():
        result = installation.initialise(s)
    if result.key_created:
        typer.echo(f"Created the encryption key {s.key_file} (mode 0600). Back it up apart from the data:")
        typer.echo("without it nothing in the database or its backups can be read.")
    typer.echo(f"OpenNRM is ready in {s.home}.")


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Run the web application and API."""
    import uvicorn

    from opennrm.web.app import create_app

    s = settings()
    with handled():
        app = create_app(s)
    if s.hotline is None:
        typer.echo(
            "Warning: no hotline is configured (OPENNRM_HOTLINE); the leaflet says so and shows no number.",
            err=True,
        )
    typer.echo(f"Serving OpenNRM on http://{host}:{port}")
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=False,
    )


def demo(
    cases: int = typer.Option(
        200, "--cases", min=10, max=1_000_000, help="How many synthetic cases (10 to 1,000,000)."
    ),
    seed: int = typer.Option(38, help="Random seed: the same seed gives the same cases."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Load the demo data and exit without serving."),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Set up a demo installation with synthetic cases and demo accounts, then serve it."""
    s = settings()
    with handled():
        installation.initialise(s)
    with database() as db:
        orgs = admin.organisation_ids_by_name(db)
        if "Safe Harbour Women's Network" in orgs:
            typer.echo("Demo data is already loaded; serving it. (Remove OPENNRM_HOME to start afresh.)")
        else:
            password = secrets.token_urlsafe(DEMO_PASSWORD_BYTES)
            ngo = admin.add_organisation(db, "Safe Harbour Women's Network", "ngo")
            clinic = admin.add_organisation(db, "Riverside Health Centre", "health_service")
            inspectorate = admin.add_organisation(
                db, "Labour Inspectorate, Northern District", "labour_inspectorate"
            )
            admin.add_organisation(db, "National Referral Mechanism Secretariat", "nrm_secretariat")
            admin.add_organisation(db, "Border and Immigration Agency", "immigration_service")
            shelter = admin.add_organisation(db, "Rose Women's Shelter", "shelter")
            admin.add_organisation(db, "Legal Aid North", "legal_aid")
            accounts = [
                ("amina", "Safe Harbour Women's Network", "caseworker"),
                ("li.wei", "Safe Harbour Women's Network", "supervisor"),
                ("sofia", "Riverside Health Centre", "caseworker"),
                ("analyst", "National Referral Mechanism Secretariat", "analyst"),
                ("liaison", "Border and Immigration Agency", "enforcement_liaison"),
                ("rose", "Rose Women's Shelter", "service_provider"),
                ("coordinator", "National Referral Mechanism Secretariat", "nrm_coordinator"),
                ("inspector", "Labour Inspectorate, Northern District", "ad_reviewer"),
            ]
            created = [admin.add_user(db, u, o, r, password) for u, o, r in accounts]
            with _progress() as bar:
                task = bar.add_task("Generating demo cases", total=cases)
                load_demo_cases(
                    db,
                    cases,
                    organisation_ids=[ngo, ngo, clinic],
                    user_ids=[created[0].id, None, created[2].id],
                    seed=seed,
                    progress=lambda n: bar.advance(task, n),
                )
            seed_demo_referral_network(
                db,
                organisations=admin.organisation_ids_by_name(db),
                caseworker=Actor(created[0].id, ngo, Role.CASEWORKER, enforcement=False),
                provider=Actor(created[5].id, shelter, Role.SERVICE_PROVIDER, enforcement=False),
            )
            seed_demo_ad_scan(db, inspectorate)
            typer.echo("")
            typer.echo("Demo accounts (password for all: " + password + "):")
            for user, (_, org, role) in zip(created, accounts, strict=True):
                second = f"TOTP secret {user.totp_secret}" if user.totp_secret else "no second factor"
                typer.echo(f"  {user.username:10} {role:20} {org:42} {second}")
            typer.echo(
                "Add a TOTP secret to an authenticator app, or run: "
                ".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
            )
    if not no_serve:
        serve(host=host, port=port)
