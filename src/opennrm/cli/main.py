"""The ``opennrm`` command. Each command group lives in its own module and is registered here."""

from __future__ import annotations

import typer

from opennrm import __version__
from opennrm.cli.lazy import LazyGroup

app = typer.Typer(
    cls=LazyGroup,
    name="opennrm",
    help="OpenNRM: identify, protect and refer victims of trafficking; safe statistics; ad scanning.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"opennrm {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """OpenNRM command line. OPENNRM_HOME picks the data directory."""


def _register() -> None:
    # Command groups: each module exposes `register(app)`. Keep this list sorted.
    from opennrm.cli import registry

    for register in registry.all_groups():
        register(app)


def run() -> None:
    # A command's module is imported when it runs (opennrm.cli.lazy), so `opennrm --help` is quick.
    app()
