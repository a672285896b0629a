"""``opennrm init``, ``opennrm serve`` and ``opennrm demo``.

Imports of the database layer and the services happen inside the commands, so that ``opennrm demo`` says
what it is doing from its first second and ``opennrm --help`` stays quick."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from opennrm.config import Settings
    from opennrm.services.demo import DemoAccount

DEMO_PASSWORD_BYTES = 12


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)
    app.command("demo")(demo)


def init() -> None:
    """Create the data directory, the encryption key file (mode 0600) and the database schema."""
    from opennrm.cli.common import handled, settings
    from opennrm.services import installation

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
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=64,
        help="Server processes (one per core); their metrics are counted together.",
    ),
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Do not run the background worker here (run 'opennrm worker' instead)."
    ),
) -> None:
    """Run the web application and API."""
    import uvicorn

    from opennrm.cli.common import handled, settings

    s = settings()
    if workers > 1:
        # Before anything imports prometheus_client: the server processes inherit the variable and count
        # in files of this folder, which a scrape of any of them sums (web/operations.py).
        with handled():
            folder = _empty_metrics_folder(s, port)
        os.environ[MULTIPROCESS_ENV] = str(folder)
    from opennrm.web.app import create_app

    with handled():
        # Built here also when the processes build their own: a configuration error is one line, and the
        # files every process needs (the reporting pepper) exist before they race to create them.
        app = create_app(s)
    if not no_worker:
        _start_worker(s)
    if s.hotline is None:
        typer.echo(
            "Warning: no hotline is configured (OPENNRM_HOTLINE); the leaflet says so and shows no number.",
            err=True,
        )
    typer.echo(f"Serving OpenNRM on http://{host}:{port}")
    if workers == 1:
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
        return
    app.state.db.dispose()
    uvicorn.run(
        "opennrm.web.app:app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        access_log=False,
        log_level="warning",
    )


#: prometheus_client's multiprocess folder variable (also ``opennrm.web.operations.MULTIPROCESS_ENV``,
#: not imported from there: that module imports prometheus_client, which must see the variable first).
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _empty_metrics_folder(s: Settings, port: int) -> Path:
    """``$OPENNRM_HOME/metrics/<port>``, mode 0700, without the files of an earlier run (a server on
    another port of the same installation keeps its own folder)."""
    folder = s.metrics_dir / str(port)
    for part in (s.metrics_dir, folder):
        if part.is_symlink():  # its files are deleted: only ever inside the installation's own folder
            raise OSError(f"{part} is a symbolic link; remove it")
    s.metrics_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.mkdir(mode=0o700, exist_ok=True)
    for part in (s.metrics_dir, folder):
        part.chmod(0o700)
    for stale in folder.glob("*.db"):
        if stale.is_file() and not stale.is_symlink():
            stale.unlink()
    return folder


def _start_worker(s: Settings) -> None:
    """The background worker in a thread beside the web server, on its own connections."""
    from opennrm.services.installation import open_database
    from opennrm.services.scheduled import build_registry
    from opennrm.services.worker import start_in_thread
    from opennrm.web.mail import compose

    start_in_thread(s, open_database(s), build_registry(s, compose))


def _stepper() -> Callable[[str], None]:
    """Print one progress line per step, with the seconds since the command started."""
    started = time.monotonic()

    def step(message: str) -> None:
        typer.echo(f"[{time.monotonic() - started:5.1f} s] {message}")

    return step


def demo(
    cases: int = typer.Option(
        200, "--cases", min=10, max=1_000_000, help="How many synthetic cases (10 to 1,000,000)."
    ),
    seed: int = typer.Option(38, help="Random seed: the same seed gives the same cases."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Load the demo data and exit without serving."),
    accounts: bool = typer.Option(
        False,
        "--accounts",
        help="Print the demo accounts (password and TOTP secrets) again and exit. Only in a demo's data "
        "directory: a real installation's accounts are never printed.",
    ),
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
) -> None:
    """Set up a demo installation with synthetic cases and demo accounts, then serve it."""
    if accounts:
        _print_saved_accounts()
        return
    step = _stepper()
    step("Setting up the OpenNRM demo (synthetic data only, never real people)…")
    from opennrm.cli.common import database, fail, handled, settings
    from opennrm.services import admin, installation
    from opennrm.services import demo as demo_data

    s = settings()
    step(f"Data directory {s.home}: creating the key and the database…")
    with handled():
        installation.initialise(s)
    with database() as db:
        if demo_data.DEMO_ORGANISATION in admin.organisation_ids_by_name(db):
            saved = demo_data.read_demo_accounts(s.home)
            if saved is None:
                fail(
                    f"{s.home} holds demo organisations but no {demo_data.ACCOUNTS_FILE}; "
                    "remove the data directory to start afresh"
                )
            step("Demo data is already loaded. (Remove the data directory to start afresh.)")
            _print_accounts(*saved)
        else:
            step("Organisations and demo accounts…")
            network = demo_data.create_demo_network(db, secrets.token_urlsafe(DEMO_PASSWORD_BYTES))
            demo_data.save_demo_accounts(s.home, network)
            step(f"Generating and encrypting {cases:,} synthetic cases…")
            orgs = network.organisations
            users = {a.username: a.user_id for a in network.accounts}
            ngo, clinic = orgs["Safe Harbour Women's Network"], orgs["Riverside Health Centre"]
            done = 0

            def loaded(n: int) -> None:
                nonlocal done
                done += n
                if done < cases:
                    step(f"  cases {done:,}/{cases:,}")

            demo_data.load_demo_cases(
                db,
                cases,
                organisation_ids=[ngo, ngo, clinic],
                user_ids=[users["amina"], None, users["sofia"]],
                seed=seed,
                progress=loaded,
            )
            step(f"  {cases:,} cases loaded.")
            step("Screenings, consents and referrals with their answers…")
            from opennrm.services.identification import national_procedure

            made = demo_data.seed_demo_journeys(db, network, procedure=national_procedure(s))
            step(
                f"  {made['screenings']} screenings, {made['consents']} consents, "
                f"{made['referrals']} referrals ({made['served']} served, {made['declined']} declined, "
                f"{made['waiting']} awaiting an answer), {made['identification_decisions']} identification "
                "decisions."
            )
            step("Synthetic job ads for the review queue…")
            # the registry first, so that the scan flags the ads naming its revoked and suspended agencies
            demo_data.seed_demo_labour(db, network)
            demo_data.seed_demo_ad_scan(db, orgs["Labour Inspectorate, Northern District"], agency_ads=True)
            step("Anonymous reports and hotline contacts…")
            demo_data.seed_demo_reach(db, network, s.reporting_pepper_file)
            step("A financial investigation with synthetic transactions…")
            demo_data.seed_demo_finance(db, network)
            step("Demo data loaded.")
            _print_accounts(network.password, network.accounts)
    if not no_serve:
        serve(host=host, port=port)


def _print_saved_accounts() -> None:
    from opennrm.cli.common import fail, settings
    from opennrm.services import demo as demo_data

    s = settings()
    saved = demo_data.read_demo_accounts(s.home)
    if saved is None:
        fail(
            f"{s.home} is not a demo's data directory (no {demo_data.ACCOUNTS_FILE}); "
            "the accounts of a real installation are never printed"
        )
    _print_accounts(*saved)


def _print_accounts(password: str, accounts: Sequence[DemoAccount]) -> None:
    typer.echo("")
    typer.echo(f"Demo accounts (password for all: {password}):")
    for a in accounts:
        second = f"TOTP secret {a.totp_secret}" if a.totp_secret else "no second factor"
        typer.echo(f"  {a.username:12} {a.role:22} {a.organisation:42} {second}")
    typer.echo(
        "Add a TOTP secret to an authenticator app, or run: "
        ".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
    )
    typer.echo("Print these again with: opennrm demo --accounts")
