"""The service directory: organisations list the services they offer; caseworkers search it by need,
language and place; needs it cannot meet are recorded as gaps for the coordinator (GR38 §114)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, decide, directory_manage_decision, sees_occupancy
from opennrm.domain.services import (
    GapReason,
    ServiceChange,
    ServiceEntry,
    ServiceFacts,
    ServiceSearch,
    ServiceType,
    UnmetNeed,
    matches,
    place_key,
)
from opennrm.services.clock import now
from opennrm.services.errors import Forbidden, InvalidInput, NotFound, refuse
from opennrm.services.firewall import enforcement_types_in
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import DirectoryService, Organisation, ServiceGap

# Who may list and change an organisation's services: its administrators and supervisors; a system
# administrator for any organisation.
MAX_RESULTS = 200


@dataclass(frozen=True)
class ServiceListing:
    id: str
    organisation_id: str
    organisation: str
    name: str
    service_type: str
    attributes: list[str]
    languages: list[str]
    capacity: int | None
    available: int | None
    opening_hours: str | None
    place: str
    nationwide: bool
    accessibility: str | None
    active: bool
    organisation_country: str | None = None
    """The country of a partner organisation abroad (a cross-border referral); None at home."""

    @property
    def has_free_place(self) -> bool | None:
        return None if self.available is None else self.available > 0


def _listing(row: DirectoryService, organisation: str, country: str | None = None) -> ServiceListing:
    return ServiceListing(
        id=row.id,
        organisation_id=row.organisation_id,
        organisation=organisation,
        name=row.name,
        service_type=row.service_type,
        attributes=list(row.attributes),
        languages=list(row.languages),
        capacity=row.capacity,
        available=row.available,
        opening_hours=row.opening_hours,
        place=row.place,
        nationwide=row.nationwide,
        accessibility=row.accessibility,
        active=row.active,
        organisation_country=country,
    )


def _facts(row: DirectoryService) -> ServiceFacts:
    return ServiceFacts(
        row.service_type,
        frozenset(row.attributes),
        frozenset(row.languages),
        row.place_key,
        row.nationwide,
        row.active,
    )


def _check_manager(db: Database, actor: Actor, organisation_id: str, object_id: str | None) -> None:
    may = directory_manage_decision(actor, organisation_id)
    if not may:
        refuse(db, actor, "service.manage", "service", object_id, Forbidden(may.reason))


def _check_recipient(session: Session, org: Organisation) -> None:
    if org.type in enforcement_types_in(session):
        raise InvalidInput(
            f"{org.name} is an enforcement organisation: it never receives referrals (firewall)",
            field="organisation",
        )


def add_service(
    db: Database, entry: ServiceEntry, *, organisation_id: str, actor: Actor | None = None
) -> str:
    """List a service of ``organisation_id``. ``actor`` is ``None`` for the command line."""
    if actor is not None:
        _check_manager(db, actor, organisation_id, None)
    actor_id = actor.user_id if actor else "cli"
    with db.transaction() as session:
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise InvalidInput(f"no organisation {organisation_id}", field="organisation")
        _check_recipient(session, org)
        service_id = new_id()
        at = now()
        session.add(
            DirectoryService(
                id=service_id,
                organisation_id=org.id,
                name=entry.name,
                service_type=entry.service_type.value,
                attributes=[a.value for a in entry.attributes],
                languages=list(entry.languages),
                capacity=entry.capacity,
                available=entry.available,
                opening_hours=entry.opening_hours,
                place=entry.place,
                place_key=place_key(entry.place) or "",
                nationwide=entry.nationwide,
                accessibility=entry.accessibility,
                active=True,
                created_at=at,
                updated_at=at,
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "service.create",
                "service",
                service_id,
                detail={"organisation": org.id, "type": entry.service_type.value},
            ),
        )
    return service_id


def update_service(
    db: Database, actor: Actor | None, service_id: str, change: ServiceChange
) -> ServiceListing:
    """Change the keys given (available places, languages, hours, whether it takes referrals …)."""
    with db.transaction() as session:
        row = session.get(DirectoryService, service_id)
        if row is None:
            raise NotFound(f"no service {service_id}")
        organisation_id = row.organisation_id
    if actor is not None:
        _check_manager(db, actor, organisation_id, service_id)
    given = {k: getattr(change, k) for k in change.model_fields_set}
    with db.transaction() as session:
        row = session.get(DirectoryService, service_id)
        if row is None:
            raise NotFound(f"no service {service_id}")
        for key, value in given.items():
            if value is None and key not in ("capacity", "available", "opening_hours", "accessibility"):
                raise InvalidInput(f"{key} cannot be emptied", field=key)
            if key == "attributes":
                value = sorted({a.value for a in value})
            setattr(row, key, value)
        if "place" in given:
            row.place_key = place_key(row.place) or ""
        if row.capacity is not None and row.available is not None and row.available > row.capacity:
            raise InvalidInput("available places cannot exceed the capacity", field="available")
        row.updated_at = now()
        org = session.get(Organisation, row.organisation_id)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id if actor else "cli",
                "service.update",
                "service",
                service_id,
                detail={"changed": sorted(given)},
            ),
        )
        return _listing(row, org.name if org else "")


def for_viewer(listing: ServiceListing, viewer: Actor | None) -> ServiceListing:
    """The listing as ``viewer`` may see it: without capacity and free places for an enforcement
    organisation (``policy.sees_occupancy``). ``None`` is the command line."""
    if viewer is None or sees_occupancy(viewer):
        return listing
    return replace(listing, capacity=None, available=None)


def search_services(db: Database, search: ServiceSearch, viewer: Actor | None = None) -> list[ServiceListing]:
    """Active services that meet the search: those with a free place first, then those that do not say, then
    full ones. The directory holds no personal data; anyone logged in may search it, but an enforcement
    organisation sees no occupancy (nor an order that would give it away)."""
    stmt = (
        select(DirectoryService, Organisation.name, Organisation.country)
        .join(Organisation, Organisation.id == DirectoryService.organisation_id)
        .where(DirectoryService.active.is_(True))
    )
    if search.need is not None:
        stmt = stmt.where(DirectoryService.service_type == search.need.value)
    wanted = place_key(search.place)
    if wanted is not None:
        stmt = stmt.where(or_(DirectoryService.place_key == wanted, DirectoryService.nationwide.is_(True)))
    with db.transaction() as session:
        # An organisation whose type was added to the firewall's list later drops out of the directory.
        rows = session.execute(stmt.where(Organisation.type.not_in(enforcement_types_in(session))))
        found = [_listing(row, name, country) for row, name, country in rows if matches(_facts(row), search)]
    found = [for_viewer(listing, viewer) for listing in found]
    order = {True: 0, None: 1, False: 2}
    found.sort(key=lambda s: (order[s.has_free_place], s.name.casefold(), s.id))
    return found[:MAX_RESULTS]


def get_service(db: Database, service_id: str, viewer: Actor | None = None) -> ServiceListing:
    with db.transaction() as session:
        row = session.get(DirectoryService, service_id)
        if row is None:
            raise NotFound(f"no service {service_id}")
        org = session.get(Organisation, row.organisation_id)
        return for_viewer(_listing(row, org.name if org else "", org.country if org else None), viewer)


def services_of(db: Database, organisation_id: str) -> list[ServiceListing]:
    with db.transaction() as session:
        org = session.get(Organisation, organisation_id)
        rows = session.execute(
            select(DirectoryService)
            .where(DirectoryService.organisation_id == organisation_id)
            .order_by(DirectoryService.name)
        ).scalars()
        return [_listing(r, org.name if org else "") for r in rows]


def record_gap(
    session: Session,
    *,
    need: ServiceType | str,
    place: str | None,
    language: str | None,
    reason: GapReason,
    organisation_id: str | None,
) -> str:
    """Count a need the network could not meet, inside the caller's transaction. No case is named."""
    gap_id = new_id()
    session.add(
        ServiceGap(
            id=gap_id,
            service_type=str(need),
            place=place,
            place_key=place_key(place),
            language=language,
            reason=reason.value,
            organisation_id=organisation_id,
            recorded_at=now(),
        )
    )
    return gap_id


def record_unmet_need(db: Database, actor: Actor, need: UnmetNeed) -> str:
    """A caseworker records a need she could not meet from the directory."""
    may = decide(actor, Action.CASE_LIST)
    if not may:
        refuse(db, actor, "service_gap.record", "service_gap", None, Forbidden(may.reason))
    with db.transaction() as session:
        gap_id = record_gap(
            session,
            need=need.need.value,
            place=need.place,
            language=need.language,
            reason=need.reason,
            organisation_id=actor.organisation_id,
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id, "service_gap.record", "service_gap", gap_id, detail={"need": need.need.value}
            ),
        )
    return gap_id


def organisation_id_named(db: Database, name_or_id: str) -> str:
    with db.transaction() as session:
        found = session.execute(
            select(Organisation.id).where(or_(Organisation.name == name_or_id, Organisation.id == name_or_id))
        ).scalar_one_or_none()
    if found is None:
        raise InvalidInput(f"no organisation named {name_or_id!r}", field="organisation")
    return found
