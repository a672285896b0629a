"""What a consent form may offer: the organisations and types of organisation a survivor's data may go to.

Never an enforcement organisation or type (DESIGN invariant 2): the firewall's list
(``opennrm.services.firewall.enforcement_types_in``) is read here, so a form cannot even offer what
``opennrm.services.consent.record_consent`` would refuse. Organisation names are no personal data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from opennrm.domain.vocabularies import OrganisationType
from opennrm.services.firewall import enforcement_types_in
from opennrm.store.database import Database
from opennrm.store.tables import Organisation


@dataclass(frozen=True)
class RecipientChoice:
    id: str
    name: str
    type: str


@dataclass(frozen=True)
class ConsentChoices:
    organisations: list[RecipientChoice]
    types: list[str]


def consent_choices(db: Database, *, exclude_organisation_id: str | None = None) -> ConsentChoices:
    """The organisations (by name) and types a consent may name: every one outside the firewall's list,
    the recording organisation itself left out (it already holds the case)."""
    with db.transaction() as session:
        enforcement = enforcement_types_in(session)
        rows = session.execute(
            select(Organisation.id, Organisation.name, Organisation.type)
            .where(Organisation.type.not_in(enforcement))
            .order_by(Organisation.name)
        ).all()
    organisations = [
        RecipientChoice(org_id, name, kind)
        for org_id, name, kind in rows
        if org_id != exclude_organisation_id
    ]
    types = [t.value for t in OrganisationType if t.value not in enforcement]
    return ConsentChoices(organisations, types)


def organisation_names(db: Database, ids: Iterable[str]) -> dict[str, str]:
    """The names of the organisations ``ids`` (unknown ids are left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    with db.transaction() as session:
        rows = session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
        ).all()
    return {org_id: name for org_id, name in rows}
