"""``opennrm linkage``: count each person once nationally without her name leaving the organisation
(privacy-preserving record linkage; docs/linkage.md)."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import tempfile
from pathlib import Path

import typer

from opennrm.cli.common import Engine, database, fail, handled, settings
from opennrm.linkage import exchange
from opennrm.linkage.encoding import LinkageSecretError, new_secret, secret_from_text, secret_to_text

linkage_app = typer.Typer(
    help="Count each person once nationally: privacy-preserving record linkage between organisations.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    app.add_typer(linkage_app, name="linkage")


def _write_private(path: Path, text: str, *, replace: bool = True) -> None:
    """Write ``text`` to ``path`` readable by its owner only, whole or not at all.

    The text goes to a new temporary file beside ``path`` (``mkstemp``: created exclusively, mode 0600, so
    no file or symbolic link already there is reused or followed), is flushed to disk, then renamed over
    ``path`` — a symbolic link at ``path`` is replaced, never followed. With ``replace=False`` an existing
    ``path`` (or a link there) is never replaced: ``FileExistsError``."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path, follow_symlinks=False)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)  # renamed away already, unless it failed or was linked


def _read_secret(path: Path) -> bytes:
    if not path.is_file():
        fail(f"--secret: no such file: {path}")
    try:
        return secret_from_text(path.read_text(encoding="utf-8"))
    except (LinkageSecretError, UnicodeDecodeError) as exc:
        fail(f"--secret: {exc}")


@linkage_app.command("secret")
def secret(
    out: Path = typer.Option(..., "--out", help="File to write the new secret to (mode 0600)."),
) -> None:
    """Make a new random linkage secret for the participating organisations (never for the secretariat).

    Share it between the organisations by a channel the secretariat does not see; make a new one for each
    linkage run."""
    exists = f"--out: {out} exists; a secret is never overwritten (remove it first)"
    if os.path.lexists(out):
        fail(exists)
    with handled():
        try:
            _write_private(out, secret_to_text(new_secret()) + "\n", replace=False)
        except FileExistsError:
            fail(exists)
    typer.echo(f"Wrote a new linkage secret to {out}. Give it to the participating organisations only.")


@linkage_app.command("export")
def export(
    secret: Path = typer.Option(..., "--secret", help="The linkage secret file."),
    out: Path = typer.Option(..., "--out", help="File to write the encodings to (JSON)."),
    organisation: str | None = typer.Option(
        None, "--organisation", help="Export this organisation's persons only (default: every organisation)."
    ),
) -> None:
    """Write the encodings and record tokens of the persons whose consent covers statistics: no name, birth
    date, phone, survivor code or id. The tokens are new in each export (kept here for ``resolve``)."""
    from opennrm.services import linkage as service

    key = _read_secret(secret)
    legal_basis = settings().linkage_legal_basis
    with database() as db:
        report = service.export(db, key, organisation=organisation, legal_basis=legal_basis)
        _write_private(out, json.dumps(report.document, separators=(",", ":")))
    typer.echo(
        f"Exported {report.persons} persons of {report.organisations} organisations to {out}; "
        f"{report.left_out} left out (no consent to statistics)."
    )


@linkage_app.command("match")
def match(
    files: list[Path] = typer.Argument(..., help="Exports of the participating organisations."),
    out: Path = typer.Option(..., "--out", help="File to write record_token,person to (CSV)."),
    engine: Engine = typer.Option(
        Engine.LOCAL,
        "--engine",
        help="local (numpy, one machine) or spark (a task per LSH band, on Spark): the same persons.",
    ),
) -> None:
    """Link the exports (run by the secretariat; needs no secret): one opaque national person id per record,
    at most one record of an organisation per person."""
    exports = []
    for path in files:
        if not path.is_file():
            fail(f"no such file: {path}")
        try:
            exports.append(exchange.read_export(path.read_bytes(), str(path)))
        except exchange.ExchangeError as exc:
            fail(str(exc))
    try:
        rows = _match_with_spark(exports) if engine is Engine.SPARK else exchange.match_exports(exports)
    except exchange.ExchangeError as exc:
        fail(str(exc))
    with handled():
        _write_private(out, exchange.persons_csv(rows))
    persons = len({person for _, person in rows})
    typer.echo(f"Linked {len(rows)} records into {persons} national persons; wrote {out}.")


def _match_with_spark(exports: list[exchange.Export]) -> list[tuple[str, str]]:
    from opennrm.recruitment.spark_engine import spark_available

    if not spark_available():
        fail("--engine spark needs pyspark and a Java runtime (pip install 'opennrm[spark]')")
    from opennrm.linkage import spark_matching

    session = spark_matching.local_session()
    try:
        return exchange.match_exports(exports, linker=functools.partial(spark_matching.link, session))
    finally:
        session.stop()


@linkage_app.command("resolve")
def resolve(
    persons: Path = typer.Argument(..., help="The secretariat's record_token,person file."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Also write survivor_code,person of one organisation's persons, for its own use (mode 0600); "
        "needs --organisation.",
    ),
    organisation: str | None = typer.Option(
        None,
        "--organisation",
        help="With --out: the organisation whose persons are written (never another's).",
    ),
) -> None:
    """Store the national person ids of this installation's persons, so its statistics count each person
    once. The answer replaces the national ids of the organisations whose tokens it carries; a file with any
    bad line, or one putting two persons of one organisation into one national person, is refused whole."""
    from opennrm.services import linkage as service

    if out is not None and organisation is None:
        fail("--out needs --organisation NAME: the file holds one organisation's persons only")
    if organisation is not None and out is None:
        fail("--organisation is used with --out only")
    if not persons.is_file():
        fail(f"no such file: {persons}")
    try:
        rows = exchange.read_persons_csv(persons.read_text(encoding="utf-8"))
    except (exchange.ExchangeError, UnicodeDecodeError) as exc:
        fail(str(exc))
    with database() as db:
        if organisation is not None:
            service.participant(db, organisation)  # refused before anything is stored
        report = service.resolve(db, rows)
        if out is not None and organisation is not None:
            codes = service.survivor_codes(db, organisation)
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(("survivor_code", "person"))
            writer.writerows(codes)
            _write_private(out, text.getvalue())
    typer.echo(
        f"Resolved {report.resolved} persons into {report.national_persons} national persons "
        f"({report.unknown_tokens} tokens of other organisations ignored; "
        f"{report.cleared} earlier national ids cleared)."
    )


@linkage_app.command("within")
def within() -> None:
    """Link the persons of this installation's organisations with each other (a secret made for the run and
    forgotten); only counts are shown."""
    from opennrm.services import linkage as service

    legal_basis = settings().linkage_legal_basis
    with database() as db:
        report = service.link_within(db, legal_basis=legal_basis)
    typer.echo(
        f"Linked {report.records} persons of {report.organisations} organisations into "
        f"{report.national_persons} national persons."
    )
