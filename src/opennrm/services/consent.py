"""Consent records and disclosures: the single gate through which identifiable data leaves the owning
organisation (DESIGN invariant 3). Referrals and exports call ``disclose``; nothing else shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opennrm.access.policy import (
    Action,
    Actor,
    Recipient,
    consent_recipient_through_firewall,
    disclosure_decision,
    override_decision,
)
from opennrm.domain.consent import Consent, ConsentGiver, ConsentTerms
from opennrm.domain.records import PersonIdentity
from opennrm.domain.text import N_
from opennrm.services.age import presumed_child_now
from opennrm.services.cases import check_person_level, load_case_for, relation_of
from opennrm.services.clock import now
from opennrm.services.consent_gate import consent_facts
from opennrm.services.errors import InvalidInput, refuse, refuse_unknown
from opennrm.services.firewall import enforcement_types_in
from opennrm.services.parsing import invalid_from
from opennrm.services.sealing import encrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import ConsentRecord, Disclosure, Organisation

IDENTITY_FIELDS = frozenset(PersonIdentity.model_fields)


def parse_consent(raw: Any) -> Consent:
    try:
        return Consent.model_validate(raw)
    except ValidationError as exc:
        raise invalid_from(exc) from None


def record_consent(
    db: Database,
    actor: Actor,
    case_id: str,
    consent: Consent,
    *,
    terms: ConsentTerms | None = None,
    session: Session | None = None,
) -> str:
    """Record a consent. Every consent ends: without ``expires_on`` it lasts the installation's default
    (``terms``, from the settings), and one longer than the maximum is refused naming ``expires_on``.
    With ``session``, runs inside the caller's transaction (a worker's referral from an inspection, say)."""
    terms = terms or ConsentTerms()
    given_on = consent.given_on or dt.date.today()
    try:
        expires_on = terms.expiry(given_on, consent.expires_on)
    except ValueError as exc:
        raise InvalidInput(f"expires_on: {exc}", field="expires_on") from None
    with db.joining(session) as session:
        case = load_case_for(db, session, actor, case_id, Action.CONSENT_RECORD)
        if consent.given_by is ConsentGiver.BEST_INTERESTS_DETERMINATION and not presumed_child_now(
            session, db.keyring, case
        ):
            raise InvalidInput(
                N_("a best-interests determination replaces consent only for a child"), field="given_by"
            )
        enforcement = enforcement_types_in(session)
        blocked = sorted(t.value for t in consent.recipient_types if t.value in enforcement)
        if blocked:
            raise InvalidInput(
                N_("%(recipients)s can never receive person-level data (firewall)")
                % {"recipients": ", ".join(blocked)},
                field="recipient_types",
            )
        for org_id in consent.recipient_organisation_ids:
            org = session.get(Organisation, org_id)
            if org is None:
                raise InvalidInput(
                    N_("no organisation %(id)s") % {"id": org_id}, field="recipient_organisation_ids"
                )
            if org.type in enforcement and not consent_recipient_through_firewall(
                [p.value for p in consent.purposes], org.type
            ):
                raise InvalidInput(
                    N_("%(recipients)s can never receive person-level data (firewall)")
                    % {"recipients": org.name},
                    field="recipient_organisation_ids",
                )
        consent_id = new_id()
        session.add(
            ConsentRecord(
                id=consent_id,
                case_id=case_id,
                given_by=consent.given_by.value,
                purposes=[p.value for p in consent.purposes],
                recipient_organisation_ids=list(consent.recipient_organisation_ids),
                recipient_types=[t.value for t in consent.recipient_types],
                language=consent.language,
                interpreter_used=consent.interpreter_used,
                given_on=given_on,
                expires_on=expires_on,
                basis_enc=encrypt_text(db.keyring, "consent_basis", consent_id, consent.basis)
                if consent.basis
                else None,
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "consent.record", "case", case_id, detail={"consent": consent_id}),
        )
    return consent_id


def _status(row: ConsentRecord, today: dt.date) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_on is not None and row.expires_on < today:
        return "expired"
    return "active"


def list_consents(db: Database, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    today = dt.date.today()
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.CONSENT_READ)
        rows = (
            session.execute(
                select(ConsentRecord)
                .where(ConsentRecord.case_id == case_id)
                .order_by(ConsentRecord.created_at)
            )
            .scalars()
            .all()
        )
        audit.record_one(session, db.keyring, AuditEntry(actor.user_id, "consent.read", "case", case_id))
        return [
            {
                "id": r.id,
                "given_by": r.given_by,
                "purposes": r.purposes,
                "recipient_organisation_ids": r.recipient_organisation_ids,
                "recipient_types": r.recipient_types,
                "language": r.language,
                "interpreter_used": r.interpreter_used,
                "given_on": r.given_on.isoformat(),
                "expires_on": r.expires_on.isoformat() if r.expires_on else None,
                "status": _status(r, today),
            }
            for r in rows
        ]


def revoke_consent(db: Database, actor: Actor, consent_id: str) -> int:
    """Revoke at once: every open disclosure that rests on the consent closes in the same transaction, so
    the recipients lose access immediately. Returns how many disclosures were closed."""
    check_person_level(db, actor, Action.CONSENT_REVOKE, "consent", consent_id)
    with db.transaction() as session:
        row = session.get(ConsentRecord, consent_id)
        if row is None:
            refuse_unknown(db, actor, Action.CONSENT_REVOKE, "consent", consent_id)
        load_case_for(db, session, actor, row.case_id, Action.CONSENT_REVOKE)
        if row.revoked_at is not None:
            return 0
        at = now()
        row.revoked_at, row.revoked_by = at, actor.user_id
        open_ids = list(
            session.execute(
                select(Disclosure.id).where(Disclosure.consent_id == consent_id, Disclosure.status == "open")
            ).scalars()
        )
        session.execute(
            update(Disclosure).where(Disclosure.id.in_(open_ids)).values(status="revoked", closed_at=at)
        )
        closed = len(open_ids)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "consent.revoke",
                "case",
                row.case_id,
                detail={"consent": consent_id, "disclosures_closed": int(closed or 0)},
            ),
        )
        # Referrals rest on consents, so the referrals module depends on this one; a revocation reaches back
        # to the referrals resting on it, in this same transaction, by a call made here and nowhere else.
        from opennrm.services.referrals import on_consent_revoked

        on_consent_revoked(session, consent_id, at)
    return int(closed or 0)


@dataclass(frozen=True)
class DisclosureResult:
    id: str
    consent_id: str | None
    overridden: bool


def disclose(
    db: Database,
    actor: Actor,
    case_id: str,
    recipient_organisation_id: str,
    purpose: str,
    fields: frozenset[str] = IDENTITY_FIELDS,
    override_reason: str | None = None,
    session: Session | None = None,
) -> DisclosureResult:
    """Open a disclosure of the case to another organisation, under a matching consent or — for a child — a
    permitted override with its reason. Refusals raise ``Forbidden`` with the reason and are audited.
    With ``session``, runs inside the caller's transaction (a referral, say)."""
    unknown = fields - IDENTITY_FIELDS
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(sorted(unknown))}", field="fields")
    if session is None:
        with db.transaction() as own:
            return _disclose(
                db, own, actor, case_id, recipient_organisation_id, purpose, fields, override_reason
            )
    return _disclose(db, session, actor, case_id, recipient_organisation_id, purpose, fields, override_reason)


def _disclose(
    db: Database,
    session: Session,
    actor: Actor,
    case_id: str,
    recipient_organisation_id: str,
    purpose: str,
    fields: frozenset[str],
    override_reason: str | None,
) -> DisclosureResult:
    case = load_case_for(db, session, actor, case_id, Action.DISCLOSE)
    org = session.get(Organisation, recipient_organisation_id)
    if org is None:
        raise InvalidInput(
            N_("no organisation %(id)s") % {"id": recipient_organisation_id},
            field="recipient_organisation_id",
        )
    recipient = Recipient(org.id, org.type, org.type in enforcement_types_in(session))
    relation = relation_of(session, case)
    consents = session.execute(select(ConsentRecord).where(ConsentRecord.case_id == case_id)).scalars().all()
    decision, consent_id = disclosure_decision(
        actor, relation, [consent_facts(c) for c in consents], purpose, recipient, dt.date.today()
    )
    overridden = False
    if not decision and override_reason is not None:
        override = override_decision(
            actor, relation, presumed_child_now(session, db.keyring, case), recipient, override_reason
        )
        if not override:
            refuse(db, actor, Action.DISCLOSE, "case", case_id, f"override refused: {override.reason}")
        overridden = True
    elif not decision:
        refuse(db, actor, Action.DISCLOSE, "case", case_id, decision.reason)
    disclosure_id = new_id()
    session.add(
        Disclosure(
            id=disclosure_id,
            case_id=case_id,
            recipient_organisation_id=org.id,
            purpose=purpose,
            fields=sorted(fields),
            consent_id=consent_id,
            override_reason_enc=encrypt_text(db.keyring, "override_reason", disclosure_id, override_reason)
            if overridden and override_reason
            else None,
            status="open",
            created_by=actor.user_id,
            created_at=now(),
        )
    )
    audit.record_one(
        session,
        db.keyring,
        AuditEntry(
            actor.user_id,
            "consent.override" if overridden else "case.disclose",
            "case",
            case_id,
            detail={
                "disclosure": disclosure_id,
                "recipient": org.id,
                "consent": consent_id,
                "purpose": purpose,
            },
        ),
    )
    return DisclosureResult(disclosure_id, consent_id, overridden)


def expire_consents(db: Database, at: dt.datetime | None = None) -> int:
    """Close every open disclosure resting on a consent whose last day has passed (run by the worker's
    ``consent.expire`` task, so nobody has to remember it); each consent's closing audited as the system.
    The referrals resting on them close in the same sweep. Returns how many disclosures were closed."""
    at = at or now()
    with db.transaction() as session:
        rows = session.execute(
            select(Disclosure.id, Disclosure.consent_id, ConsentRecord.case_id)
            .join(ConsentRecord, ConsentRecord.id == Disclosure.consent_id)
            .where(Disclosure.status == "open", ConsentRecord.expires_on < at.date())
            .with_for_update(of=Disclosure)
        ).all()
        if not rows:
            return 0
        session.execute(
            update(Disclosure)
            .where(Disclosure.id.in_([r.id for r in rows]), Disclosure.status == "open")
            .values(status="expired", closed_at=at)
        )
        per_consent: dict[tuple[str, str], int] = {}
        for row in rows:
            key = (str(row.consent_id), str(row.case_id))
            per_consent[key] = per_consent.get(key, 0) + 1
        audit.record(
            session,
            db.keyring,
            [
                AuditEntry(
                    "system",
                    "consent.expire",
                    "case",
                    case_id,
                    detail={"consent": consent_id, "disclosures_closed": closed},
                )
                for (consent_id, case_id), closed in sorted(per_consent.items())
            ],
        )
    return len(rows)
