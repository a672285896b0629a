"""The facts a consent-gated record's policy decides on, read in one place: for non-punishment matters
(``opennrm.services.non_punishment``) and remedy claims (``opennrm.services.remedies``), whose rules are
``opennrm.access.policy.non_punishment_decision`` and ``remedy_decision`` (both
``legal_aid_under_consent``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, CaseRelation, ConsentFacts, Decision
from opennrm.services.cases import check_person_level, relation_of
from opennrm.services.errors import refuse, refuse_unknown
from opennrm.services.firewall import enforcement_types_in
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id
from opennrm.store.tables import Base, Case, ConsentRecord, Disclosure, Organisation

Row = TypeVar("Row", bound=Base)


class ConsentGatedRule(Protocol):
    def __call__(
        self,
        actor: Actor,
        action: Action,
        case: CaseRelation,
        *,
        organisation_type: str,
        disclosed_under: Iterable[ConsentFacts],
        today: dt.date,
    ) -> Decision: ...


def consent_facts(row: ConsentRecord) -> ConsentFacts:
    return ConsentFacts(
        row.id,
        frozenset(row.purposes),
        frozenset(row.recipient_organisation_ids),
        frozenset(row.recipient_types),
        row.given_on,
        row.expires_on,
        row.revoked_at is not None,
    )


def decision(
    session: Session, actor: Actor, case: Case, action: Action, rule: ConsentGatedRule
) -> tuple[Decision, Actor]:
    """The rule's answer, with the facts it needs read here. The actor counts as enforcement when her
    organisation's type is on the firewall's list now (not only when she logged in)."""
    org = session.get(Organisation, actor.organisation_id)
    org_type = org.type if org is not None else ""
    if org_type in enforcement_types_in(session):
        actor = dataclasses.replace(actor, enforcement=True)
    consents = session.execute(
        select(ConsentRecord)
        .join(Disclosure, Disclosure.consent_id == ConsentRecord.id)
        .where(
            Disclosure.case_id == case.id,
            Disclosure.recipient_organisation_id == actor.organisation_id,
            Disclosure.status == "open",
        )
    ).scalars()
    answer = rule(
        actor,
        action,
        relation_of(session, case),
        organisation_type=org_type,
        disclosed_under=[consent_facts(c) for c in consents],
        today=dt.date.today(),
    )
    return answer, actor


def decide(
    db: Database, session: Session, actor: Actor, case: Case, action: Action, rule: ConsentGatedRule
) -> None:
    """Ask the rule; a refusal is audited (in its own transaction) and raised as ``Forbidden``."""
    answer, actor = decision(session, actor, case, action, rule)
    if not answer:
        case_id = case.id  # read before the rollback expires the row
        refuse(db, actor, action, "case", case_id, answer.reason)


def allowed(session: Session, actor: Actor, case: Case, action: Action, rule: ConsentGatedRule) -> bool:
    """The rule's answer without auditing a refusal (to offer or hide a form or a link)."""
    return decision(session, actor, case, action, rule)[0].allowed


def load(
    db: Database,
    session: Session,
    actor: Actor,
    action: Action,
    model: type[Row],
    object_type: str,
    record_id: str,
) -> Row:
    """The record of ``model`` with this id. A role or organisation that reaches no person-level data (the
    firewall's enforcement organisations first) is refused before any lookup, the same way whatever the id;
    a record that does not exist is refused like one the actor may not reach (403, audited), so that trying
    ids tells nobody whether a case, claim or matter exists."""
    check_person_level(db, actor, action, object_type, record_id)
    row = session.get(model, record_id) if is_record_id(record_id) else None
    if row is None:
        refuse_unknown(db, actor, action, object_type, record_id)
    return row
