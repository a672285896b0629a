"""Which organisation types count as enforcement (the firewall's list), and changing it as an audited act.

Immigration services are always on the list: the firewall cannot be switched off (DESIGN invariant 2).
Any change is audited and raises a warning on every page until a system administrator acknowledges it."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from opennrm.config import DEFAULT_ENFORCEMENT_TYPES
from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.cases import now
from opennrm.services.errors import InvalidInput
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import AppMeta

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
            f"{', '.join(sorted(missing))} always counts as enforcement: the firewall cannot be switched off",
            field="types",
        )
    with db.transaction() as session:
        before = enforcement_types_in(session)
        _put(session, _TYPES, json.dumps(sorted(chosen)))
        _put(session, _PENDING, json.dumps({"at": now().isoformat(), "by": actor_id}))
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "firewall.change",
                "installation",
                None,
                detail={"before": sorted(before), "after": sorted(chosen)},
            ),
        )
    return frozenset(chosen)


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
