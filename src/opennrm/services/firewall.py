"""Which organisation types count as enforcement (the firewall's list), and changing it as an audited act.

Immigration services, police, prosecution and financial intelligence units are always on the list
(``config.DEFAULT_ENFORCEMENT_TYPES``): the firewall cannot be switched off (DESIGN invariant 2; GR38 §83 puts
the criminal-justice system beside immigration enforcement). An administrator may add types (a labour
inspectorate tied to immigration enforcement, say). Any change is audited, raises a warning on every page
until a system administrator acknowledges it, and closes — audited — every open disclosure and referral to an
organisation of a type added or removed, so that toggling a type never revives an old disclosure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennrm.config import DEFAULT_ENFORCEMENT_TYPES
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import AppMeta, Disclosure, Organisation

ALWAYS = frozenset(t.value for t in DEFAULT_ENFORCEMENT_TYPES)
_TYPES = "enforcement_types"
_PENDING = "enforcement_types_unacknowledged"


def enforcement_types(db: Database) -> frozenset[str]:
    with db.transaction() as session:
        return enforcement_types_in(session)


def set_enforcement_types(db: Database, types: list[str], *, actor_id: str = "cli") -> frozenset[str]:
    chosen: set[str] = set()
    for code in types:
        try:
            chosen.add(OrganisationType(code).value)
        except ValueError:
            allowed = ", ".join(t.value for t in OrganisationType)
            raise InvalidInput(f"type {code!r} is not one of: {allowed}", field="types") from None
    missing = ALWAYS - chosen
    if missing:
        raise InvalidInput(
            f"{', '.join(sorted(missing))} always count as enforcement: the firewall cannot be switched off",
            field="types",
        )
    with db.transaction() as session:
        before = enforcement_types_in(session)
        after = frozenset(chosen) | ALWAYS
        at = now()
        _put(session, _TYPES, json.dumps(sorted(chosen)))
        _put(session, _PENDING, json.dumps({"at": at.isoformat(), "by": actor_id}))
        entries = [
            AuditEntry(
                actor_id,
                "firewall.change",
                "installation",
                None,
                detail={"before": sorted(before), "after": sorted(after)},
            )
        ]
        entries += close_disclosures_to_types(session, before ^ after, actor_id)
        audit.record(session, db.keyring, entries)
    return frozenset(chosen)


def close_disclosures_to_types(session: Session, types: frozenset[str], actor_id: str) -> list[AuditEntry]:
    """Close every open referral and disclosure to an organisation of one of ``types`` (in the caller's
    transaction); returns the audit entries. A type leaving the list does not bring old sharing back: she is
    asked again."""
    if not types:
        return []
    # late import: referrals → consent → firewall
    from opennrm.services import referrals

    at = now()
    organisations = list(
        session.execute(select(Organisation.id).where(Organisation.type.in_(sorted(types)))).scalars()
    )
    if not organisations:
        return []
    entries = referrals.close_referrals_to(session, organisations, at, actor_id, "firewall_change")
    for row in session.execute(
        select(Disclosure).where(
            Disclosure.recipient_organisation_id.in_(organisations), Disclosure.status == "open"
        )
    ).scalars():
        row.status, row.closed_at = "closed", at
        entries.append(
            AuditEntry(
                actor_id,
                "disclosure.close",
                "case",
                row.case_id,
                detail={"disclosure": row.id, "reason": "firewall_change"},
            )
        )
    return entries


def enforcement_types_in(session: Session) -> frozenset[str]:
    row = session.get(AppMeta, _TYPES)
    return ALWAYS if row is None else frozenset(json.loads(row.value)) | ALWAYS


@dataclass(frozen=True)
class PendingChange:
    at: str
    by: str


def unacknowledged_change(db: Database) -> PendingChange | None:
    with db.transaction() as session:
        row = session.get(AppMeta, _PENDING)
    if row is None:
        return None
    data = json.loads(row.value)
    return PendingChange(str(data["at"]), str(data["by"]))


def acknowledge(db: Database, *, actor_id: str = "cli") -> bool:
    with db.transaction() as session:
        row = session.get(AppMeta, _PENDING)
        if row is None:
            return False
        session.delete(row)
        audit.record_one(
            session, db.keyring, AuditEntry(actor_id, "firewall.acknowledge", "installation", None)
        )
    return True


def _put(session: Session, key: str, value: str) -> None:
    row = session.get(AppMeta, key)
    if row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value
