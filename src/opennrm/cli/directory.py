"""``opennrm service``, ``opennrm referrals`` and ``opennrm entitlements``: the service directory, the
referral deadlines (run ``opennrm referrals escalate`` every few minutes, from cron or a systemd timer) and
the installation's minimum reflection and recovery period."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import typer

from opennrm.cli.common import EXIT_INVALID, database, fail
from opennrm.domain.services import ServiceChange, ServiceEntry, ServiceSearch, ServiceType
from opennrm.services import directory, entitlements, referrals
from opennrm.services.parsing import parse

service_app = typer.Typer(help="The service directory of the referral network.", no_args_is_help=True)
referrals_app = typer.Typer(help="Referral deadlines: escalation and expiry.", no_args_is_help=True)
entitlements_app = typer.Typer(help="Assistance entitlements: installation settings.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(service_app, name="service")
    app.add_typer(referrals_app, name="referrals")
    app.add_typer(entitlements_app, name="entitlements")


def _codes(value: str | None) -> list[str]:
    return [c.strip() for c in (value or "").split(",") if c.strip()]


@service_app.command("add")
def service_add(
    organisation: str = typer.Argument(..., help="The organisation's name (or id)."),
    service_type: str = typer.Option(
        ...,
        "--type",
        help="Type of service: " + ", ".join(t.value for t in ServiceType) + ".",
    ),
    languages: str = typer.Option(
        ..., "--languages", help="ISO 639-1 codes separated by commas, e.g. ar,en."
    ),
    place: str = typer.Option(..., "--place", help="Town or district (never a shelter's address)."),
    name: str | None = typer.Option(
        None, "--name", help="Name of the service (default: organisation and type)."
    ),
    capacity: int | None = typer.Option(None, "--capacity", help="Places or caseload."),
    available: int | None = typer.Option(None, "--available", help="Free places now."),
    attributes: str | None = typer.Option(
        None, "--attributes", help="women_only, with_children, child_suitable, accessible (comma-separated)."
    ),
    hours: str | None = typer.Option(
        None, "--hours", help="Opening hours, e.g. 'Mon-Fri 9-17, hotline 24/7'."
    ),
    nationwide: bool = typer.Option(False, "--nationwide", help="Serves the whole country."),
    accessibility: str | None = typer.Option(None, "--accessibility", help="Accessibility details."),
) -> None:
    """List a service an organisation offers. Enforcement organisations cannot be listed (firewall)."""
    with database() as db:
        org_id = directory.organisation_id_named(db, organisation)
        raw: dict[str, Any] = {
            "name": name or f"{organisation} — {service_type.replace('_', ' ')}",
            "service_type": service_type,
            "languages": _codes(languages),
            "place": place,
            "capacity": capacity,
            "available": available,
            "attributes": _codes(attributes),
            "opening_hours": hours,
            "nationwide": nationwide,
            "accessibility": accessibility,
        }
        entry = parse(ServiceEntry, {k: v for k, v in raw.items() if v is not None})
        service_id = directory.add_service(db, entry, organisation_id=org_id)
    typer.echo(service_id)


@service_app.command("list")
def service_list(
    need: str | None = typer.Option(None, "--need", help="Type of service."),
    language: str | None = typer.Option(None, "--language", help="ISO 639-1 code."),
    place: str | None = typer.Option(None, "--place", help="Town or district."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
) -> None:
    """Search the directory by need, language and place (services with a free place first)."""
    with database() as db:
        search = parse(ServiceSearch, {"need": need, "language": language, "place": place})
        found = directory.search_services(db, search)
    for s in found:
        if as_json:
            typer.echo(json.dumps(s.__dict__, ensure_ascii=False))
        else:
            free = "?" if s.available is None else str(s.available)
            typer.echo(
                f"{s.id}  {s.service_type:26} {s.name} ({s.organisation}) · {s.place}"
                f"{' (nationwide)' if s.nationwide else ''} · {','.join(s.languages)} · free {free}"
            )
    if not found and not as_json:
        typer.echo("No service matches.", err=True)


@service_app.command("set")
def service_set(
    service_id: str = typer.Argument(..., help="The service's id."),
    available: int | None = typer.Option(None, "--available", help="Free places now."),
    capacity: int | None = typer.Option(None, "--capacity", help="Places or caseload."),
    active: bool | None = typer.Option(None, "--active/--inactive", help="Take referrals, or stop."),
) -> None:
    """Change free places, capacity, or whether a service takes referrals."""
    raw = {
        k: v
        for k, v in {"available": available, "capacity": capacity, "active": active}.items()
        if v is not None
    }
    if not raw:
        fail("nothing to change: give --available, --capacity, --active or --inactive", EXIT_INVALID)
    with database() as db:
        listing = directory.update_service(db, None, service_id, parse(ServiceChange, raw))
    typer.echo(
        f"{listing.name}: free {listing.available}, capacity {listing.capacity}, active {listing.active}"
    )


@referrals_app.command("escalate")
def escalate(
    at: str | None = typer.Option(None, "--at", help="Pretend it is this UTC time (ISO 8601), for drills."),
) -> None:
    """Escalate referrals not answered in time, expire those whose time or consent ran out, and revoke those
    whose consent was revoked. Prints what it did as JSON."""
    when = None
    if at is not None:
        try:
            when = dt.datetime.fromisoformat(at)
        except ValueError:
            fail(f"--at: {at!r} is not an ISO 8601 date and time", EXIT_INVALID)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
    with database() as db:
        report = referrals.run_deadlines(db, at=when, actor_id="cli")
    typer.echo(json.dumps(report.__dict__))


@entitlements_app.command("reflection-days")
def reflection_days(
    days: int | None = typer.Argument(None, help="New minimum in days (30 or more); omit to show it."),
) -> None:
    """Show or set the minimum reflection and recovery period every case gets (at least 30 days)."""
    with database() as db:
        if days is None:
            typer.echo(str(entitlements.minimum_reflection_days(db)))
            return
        entitlements.set_minimum_reflection_days(db, days)
    typer.echo(f"Every case now has a reflection and recovery period of at least {days} days.")
