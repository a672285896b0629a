"""The complaint hand-over document: what she chooses to give the police or a prosecutor herself.

The firewall (DESIGN invariant 2) never opens her record to an enforcement organisation, and she is never
made to give evidence in exchange for help (GR38 §78, §98(b)). A woman who chooses to file a complaint gets,
from the organisation that holds her case or from a legal-aid organisation she shared it with, a printable
document of the fields she chooses. It is shown to print or download, and sent nowhere; preparing it is
audited with the names of the fields, never their values. Who may prepare it:
``opennrm.access.policy.handover_decision``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from opennrm.access.policy import Action, Actor, handover_decision
from opennrm.services.cases import CaseView, load_case_for, relation_of, view_case
from opennrm.services.errors import InvalidInput, refuse
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import Organisation

ACTION = "case.handover"
# What may go on the document, in its order: her identity, then the case facts a complaint needs.
PERSON_FIELDS = ("given_name", "family_name", "birth_date", "phone", "email", "address", "id_document_number")
CASE_FIELDS = ("identified_on", "age_at_trafficking", "sex", "citizenship", "languages", "events")


@dataclass(frozen=True)
class HandoverChoice:
    """The fields this actor may put on the document, with their values, for her to choose from."""

    view: CaseView
    person: dict[str, Any]
    case: dict[str, Any]

    @property
    def fields(self) -> list[str]:
        return [*self.person, *self.case]


@dataclass(frozen=True)
class HandoverDocument:
    case_id: str
    prepared_by: str
    prepared_on: dt.date
    person: dict[str, Any]
    case: dict[str, Any]


def may_prepare(db: Database, actor: Actor, case_id: str) -> bool:
    """Whether to offer the document on the case page (no audit: the case page itself is audited)."""
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.CASE_READ)
        org = session.get(Organisation, actor.organisation_id)
        return handover_decision(actor, relation_of(session, case), org.type if org else "").allowed


def _check(db: Database, actor: Actor, case_id: str) -> None:
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.CASE_READ)
        org = session.get(Organisation, actor.organisation_id)
        decision = handover_decision(actor, relation_of(session, case), org.type if org else "")
        if not decision:
            refuse(db, actor, ACTION, "case", case_id, decision.reason)


def choices(db: Database, actor: Actor, case_id: str) -> HandoverChoice:
    """What the actor may put on her document: the fields it may read of the case (a legal-aid organisation
    only those she shared with it). Reading them is audited as a case read."""
    _check(db, actor, case_id)
    view = view_case(db, actor, case_id)
    person = {k: view.person[k] for k in PERSON_FIELDS if view.person.get(k)}
    case = {k: view.case[k] for k in CASE_FIELDS if view.case.get(k) not in (None, [], "")}
    return HandoverChoice(view, person, case)


def prepare(db: Database, actor: Actor, case_id: str, chosen: Iterable[str]) -> HandoverDocument:
    """The document with the fields she chose; refused (nothing written) for a field the actor may not
    read or that is empty. Audited as ``case.handover`` with the names of the fields."""
    wanted = list(dict.fromkeys(chosen))
    if not wanted:
        raise InvalidInput("choose at least one field for the document", field="fields")
    offer = choices(db, actor, case_id)
    unknown = [f for f in wanted if f not in offer.fields]
    if unknown:
        raise InvalidInput(f"fields: not available for this document: {', '.join(unknown)}", field="fields")
    with db.transaction() as session:
        org = session.get(Organisation, actor.organisation_id)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, ACTION, "case", case_id, detail={"fields": sorted(wanted)}),
        )
    return HandoverDocument(
        case_id=case_id,
        prepared_by=org.name if org else "",
        prepared_on=dt.date.today(),
        person={k: v for k, v in offer.person.items() if k in wanted},
        case={k: v for k, v in offer.case.items() if k in wanted},
    )
