"""``opennrm org add|list`` and ``opennrm user add|list|reset-password|reset-second-factor``."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence

import typer

from opennrm.access.roles import Role
from opennrm.cli.common import database, fail
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services import admin
from opennrm.services.errors import InvalidInput

org_app = typer.Typer(help="Organisations of the referral network.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)

ORG_TYPES = ", ".join(t.value for t in OrganisationType)
ROLES = ", ".join(r.value for r in Role)


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org")
    app.add_typer(user_app, name="user")


@org_app.command("add")
def org_add(
    name: str = typer.Argument(..., help="The organisation's name."),
    type_: str = typer.Option(..., "--type", help=f"One of: {ORG_TYPES}."),
    country: str = typer.Option(
        "", "--country", help="ISO 3166-1 alpha-2 code of its country (required for partner_abroad)."
    ),
) -> None:
    """Add an organisation."""
    with database() as db:
        admin.add_organisation(db, name, type_, country=country or None)
    typer.echo(f"Added organisation {name!r} ({type_}).")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Columns as wide as their widest cell, a header line and a rule under it."""
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=True)]
    for line in (header, ["-" * w for w in widths], *rows):
        typer.echo("  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())


@org_app.command("list")
def org_list(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line instead of a table."),
) -> None:
    """List the organisations of the network, with their type and how many accounts each has."""
    with database() as db:
        found = admin.list_organisations(db)
    if as_json:
        for o in found:
            typer.echo(json.dumps(dataclasses.asdict(o), ensure_ascii=False))
        return
    _table(["name", "type", "users", "id"], [[o.name, o.type, str(o.users), o.id] for o in found])


@user_app.command("list")
def user_list(
    org: str | None = typer.Option(None, "--org", help="Only the accounts of this organisation (its name)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line instead of a table."),
) -> None:
    """List the user accounts: organisation, role, team, whether active, locked or with a second factor.
    No password, second-factor secret or recovery code is ever shown."""
    with database() as db:
        found = admin.list_users(db, org)
    if as_json:
        for u in found:
            typer.echo(json.dumps(dataclasses.asdict(u), ensure_ascii=False))
        return
    _table(
        ["username", "organisation", "role", "team", "state", "second factor"],
        [
            [
                u.username,
                u.organisation,
                u.role,
                u.team or "",
                "locked" if u.locked else ("active" if u.active else "inactive"),
                "yes" if u.second_factor else "no",
            ]
            for u in found
        ],
    )


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Log-in name."),
    org: str = typer.Option(..., "--org", help="Name of the user's organisation."),
    role: str = typer.Option(..., "--role", help=f"One of: {ROLES}."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input."
    ),
    team: str = typer.Option("", "--team", help="Team within the organisation (caseworkers see its cases)."),
) -> None:
    """Add a user. Prints the TOTP enrolment secret once: give it to the user over a safe channel."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with database() as db:
        try:
            user = admin.add_user(db, username, org, role, password, team=team or None)
        except InvalidInput as exc:
            fail(exc.message)
    typer.echo(f"Added user {user.username!r} ({role}, {org}).")
    _print_second_factor(user)


def _print_second_factor(user: admin.NewUser) -> None:
    if user.totp_secret:
        typer.echo(f"TOTP enrolment secret (shown once): {user.totp_secret}")
        typer.echo("Recovery codes (shown once; each works once in place of a one-time code):")
        typer.echo("  " + "  ".join(user.recovery_codes))
    else:
        typer.echo("This role never sees person-level data and needs no second factor.")


@user_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="Log-in name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the new password from stdin."),
) -> None:
    """Set a new password. The second factor is kept: a reset never bypasses it."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with database() as db:
        admin.reset_password(db, username, password)
    typer.echo(f"Password of {username!r} reset; the second factor is unchanged and sessions have ended.")


@user_app.command("reset-second-factor")
def reset_second_factor(username: str = typer.Argument(..., help="Log-in name.")) -> None:
    """Issue a new TOTP secret and recovery codes (after verifying who is asking). Audited."""
    with database() as db:
        user = admin.reset_second_factor(db, username)
    _print_second_factor(user)
