"""What every command shares: settings, opening the database, and turning errors into one line."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import NoReturn

import typer
from sqlalchemy.exc import OperationalError

from opennrm.config import ConfigurationError, Settings
from opennrm.logs import configure_logging
from opennrm.services.errors import InvalidInput, ServiceError
from opennrm.services.installation import open_database
from opennrm.store.database import Database
from opennrm.store.keys import KeyUnavailable, TamperedCiphertext


class Engine(StrEnum):
    """Where a long computation runs: in this process, or on Apache Spark (the ``spark`` extra)."""

    LOCAL = "local"
    SPARK = "spark"


EXIT_INVALID = 2
EXIT_FAILED = 1


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    typer.echo(f"opennrm: {message}", err=True)
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        s = Settings.from_env()
    except ConfigurationError as exc:
        fail(str(exc))
    configure_logging(s)
    return s


@contextmanager
def handled() -> Iterator[None]:
    """Errors a user can cause become one line on stderr and a non-zero exit, never a traceback."""
    try:
        yield
    except InvalidInput as exc:
        fail(exc.message, EXIT_INVALID)
    except ServiceError as exc:
        fail(exc.message, EXIT_FAILED)
    except (KeyUnavailable, TamperedCiphertext) as exc:
        fail(str(exc), EXIT_FAILED)
    except OperationalError as exc:
        fail(f"cannot use the database: {str(exc.orig).splitlines()[0]}", EXIT_FAILED)
    except OSError as exc:
        fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), EXIT_FAILED)


@contextmanager
def database() -> Iterator[Database]:
    with handled():
        db = open_database(settings())
        try:
            yield db
        finally:
            db.dispose()


def progress_enabled() -> bool:
    return sys.stderr.isatty()
