"""``opennrm signals``: signals about recruiters shared between platforms (GR38 §74).

Only reviewers' decisions become signals; a received signal raises a flag on matching ads for a reviewer
and does nothing else. The exchange key comes from ``OPENNRM_SIGNALS_KEY`` (hex, at least 32 bytes).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from opennrm.cli.common import database, fail, handled, settings

signals_app = typer.Typer(
    help="Signals about recruiters shared between platforms: keyed contact hashes, image hashes (GR38 §74).",
    no_args_is_help=True,
)

CLI = "cli"


def register(app: typer.Typer) -> None:
    app.add_typer(signals_app, name="signals")


def _organisation_id(name: str) -> str:
    from opennrm.services.directory import organisation_id_named
    from opennrm.services.firewall import enforcement_types
    from opennrm.store.tables import Organisation

    with database() as db:
        organisation_id = organisation_id_named(db, name)
        refused = enforcement_types(db)
        with db.transaction() as session:
            organisation = session.get(Organisation, organisation_id)
            kind = organisation.type if organisation is not None else None
    if kind in refused:
        fail(f"{name} is an enforcement organisation: it neither shares nor receives signals")
    return organisation_id


@signals_app.command("export")
def export(
    organisation: str = typer.Option(..., "--organisation", help="Whose reviewers' decisions to share."),
    out: Path = typer.Option(..., "--out", help="Where to write the exchange file (JSON Lines)."),
    pytx: Path | None = typer.Option(
        None, "--pytx", help="Also write the image (PDQ) signals as python-threatexchange 'pdq <hash>' lines."
    ),
) -> None:
    """Write the organisation's current signals (from its reviewers' decisions) and its opinions on signals it
    received; expired and withdrawn signals are left out."""
    from opennrm.recruitment.signals import read_exchange
    from opennrm.services import signals

    for path in (out, pytx):
        if path is not None and path.is_dir():
            fail(f"{path} is a folder; give a file name")
    organisation_id = _organisation_id(organisation)
    with handled():
        key = signals.exchange_key()
    with database() as db:
        lines, summary = signals.export_signals(db, organisation_id, by=CLI, key=key)
    with handled():
        partial = out.with_name(out.name + ".partial")
        partial.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        partial.replace(out)
        if pytx is not None:
            from opennrm.recruitment.signals import pytx_lines

            exchange = read_exchange(lines)
            pytx.write_text("".join(line + "\n" for line in pytx_lines(exchange.signals)), encoding="utf-8")
    typer.echo(
        f"{summary['signals']} signal(s) and {summary['feedback']} opinion(s) written to {out} "
        f"({summary['made']} new from decisions, {summary['withdrawn']} withdrawn since the last export)."
    )


@signals_app.command("import")
def import_(
    source: Path = typer.Argument(..., help="An exchange file written by 'opennrm signals export'."),
    organisation: str = typer.Option(
        ..., "--organisation", help="The organisation whose reviewers see matches."
    ),
) -> None:
    """Read another organisation's signals (its whole current set) and flag the stored ads they match, for a
    reviewer to weigh; nothing is acted on."""
    from opennrm.recruitment.signals import SignalError, read_exchange
    from opennrm.services import signals

    if not source.is_file():
        fail(f"no such file: {source}")
    organisation_id = _organisation_id(organisation)
    with handled():
        key = signals.exchange_key()
        try:
            with source.open(encoding="utf-8") as stream:
                exchange = read_exchange(stream)
        except (SignalError, UnicodeDecodeError) as error:
            fail(f"{source}: {error}")
    with database() as db:
        summary = signals.import_signals(db, organisation_id, exchange, by=CLI, key=key)
    typer.echo(
        f"{summary['signals']} signal(s) from {exchange.source}: {summary['new']} new, "
        f"{summary['withdrawn']} withdrawn, {summary['expired_ignored']} expired; "
        f"{summary['ads_matched']} stored ad(s) newly flagged for review."
    )


@signals_app.command("partner")
def partner(
    name: str = typer.Argument(..., help="The partner organisation's name, as its exchange files name it."),
    organisation: str = typer.Option(..., "--organisation", help="Your organisation that exchanges with it."),
) -> None:
    """Let a partner installation fetch and send exchange files over HTTPS (GET and POST
    /api/signals/exchange): adds it to the partners file and prints its token once. Give the token to the
    partner by a channel you trust; to revoke it, remove the partner's line from the file."""
    from opennrm.services import signals

    _organisation_id(organisation)  # refuses enforcement organisations
    path = signals.partners_path(settings().home)
    with database() as db, db.transaction() as session:
        if signals.partner_name_is_local(session, name):
            fail(f"{name} is an organisation of this installation; a partner needs a name of its own")
    with handled():
        known = signals.partners(settings().home)
        if any(p.name == name for p in known):
            fail(f"{name} is already a partner in {path}; remove its entry first to issue a new token")
        token, digest = signals.new_partner_token()
        entries = [
            {"name": p.name, "organisation": p.organisation, "token_sha256": p.token_sha256} for p in known
        ]
        entries.append({"name": name, "organisation": organisation, "token_sha256": digest})
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(json.dumps({"partners": entries}, indent=2, ensure_ascii=False) + "\n", "utf-8")
        partial.chmod(0o600)
        partial.replace(path)
    typer.echo(f"{name} added to {path}. Its token (shown once; the file keeps only its SHA-256):")
    typer.echo(token)


@signals_app.command("counts")
def counts(
    organisation: str = typer.Option(..., "--organisation", help="Whose counts."),
) -> None:
    """Transparency counts: signals shared, withdrawn (by reason), received, matched, confirmed, disputed."""
    from opennrm.services import signals

    organisation_id = _organisation_id(organisation)
    with database() as db:
        result = signals.transparency(db, organisation_id)
    typer.echo(json.dumps(result, indent=2, sort_keys=True))
