"""Referrals from a case to a listed service (GR38 §40, §92–95, §114).

A referral opens its disclosure through ``opennrm.services.consent.disclose`` in the same transaction, with
the need-to-know fields of the service type: the consent check, the firewall and the audit happen there and
nowhere else. The receiving organisation reads those fields only while the referral is open; declining,
completing, revoking or expiring it closes the disclosure in the same transaction, and revoking the consent
it rests on revokes it at once (``on_consent_revoked``, called by ``consent.revoke_consent``).

Workflow (``opennrm.domain.services.STEPS``): sent → accepted or declined (with a reason) → in progress →
completed; revoked by the sender; expired. An unanswered referral escalates to the supervisors of both
organisations when its response deadline passes (``run_deadlines``, run by ``opennrm referrals escalate``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from opennrm.access.policy import (
    OUT_OF_SCOPE,
    RECEIVER_CASE_FIELDS,
    Action,
    Actor,
    case_list_scopes,
    decide,
    escalations_decision,
    visible_identity_fields,
)
from opennrm.access.roles import Role, Scope
from opennrm.domain.consent import ConsentPurpose
from opennrm.domain.services import (
    GAP_FROM_DECLINE,
    IDENTITY_FIELDS,
    NEED_TO_KNOW,
    OPEN_STATUSES,
    STEPS,
    Decline,
    DeclineReason,
    ReferralRequest,
    ReferralStatus,
    ReferralStep,
    ServiceType,
    Side,
    expiry,
    is_overdue,
    next_status,
    response_deadline,
)
from opennrm.domain.text import N_
from opennrm.identification.working_days import add_working_days_at
from opennrm.services import consent
from opennrm.services.cases import check_person_level, load_case_for, relation_of, scope_clause
from opennrm.services.clock import now
from opennrm.services.directory import record_gap
from opennrm.services.errors import Conflict, Forbidden, InvalidInput, refuse
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.tables import (
    Case,
    ConsentRecord,
    DirectoryService,
    Disclosure,
    FirstService,
    Organisation,
    Person,
    Referral,
    ReferralEscalation,
)

MAX_PAGE_SIZE = 100
# The answer for a referral outside the actor's scope, and for one that does not exist.
_OUTSIDE = OUT_OF_SCOPE
OPEN = tuple(s.value for s in OPEN_STATUSES)

# How a disclosure ends with its referral.
_DISCLOSURE_STATUS = {
    ReferralStatus.DECLINED: "closed",
    ReferralStatus.COMPLETED: "closed",
    ReferralStatus.REVOKED: "revoked",
    ReferralStatus.EXPIRED: "expired",
}


# -- sending -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralSent:
    id: str
    status: str
    consent_id: str | None
    disclosure_id: str
    overridden: bool
    fields: list[str]
    respond_by: dt.datetime


# Who at the receiving organisation is told of a new or overdue referral.
REFERRAL_HANDLERS = (Role.SERVICE_PROVIDER, Role.SUPERVISOR)


def working_days_on(db: Database) -> Callable[[dt.datetime, int], dt.datetime]:
    """Working-day arithmetic on the installation's holiday calendar (``OPENNRM_COUNTRY``)."""
    return lambda at, days: add_working_days_at(at, days, db.holidays)


def send_referral(
    db: Database,
    actor: Actor,
    case_id: str,
    request: ReferralRequest,
    *,
    at: dt.datetime | None = None,
    session: Session | None = None,
) -> ReferralSent:
    """Refer the case to a listed service. Refused with the consent gate's reason (and audited there) when
    no consent covers the receiving organisation, or it is behind the firewall. With ``session``, runs
    inside the caller's transaction: a refusal rolls all of it back."""
    at = at or now()
    with db.joining(session) as session:
        # Whether she may share this case comes first: nothing about the case (an open referral, say) is
        # told to someone who may not (refused and audited by ``load_case_for``).
        load_case_for(db, session, actor, case_id, Action.DISCLOSE)
        service = session.get(DirectoryService, request.service_id)
        if service is None or not service.active:
            raise InvalidInput(
                N_("no active service %(id)s in the directory") % {"id": request.service_id},
                field="service_id",
            )
        duplicate = session.execute(
            select(Referral.id).where(
                Referral.case_id == case_id,
                Referral.service_id == service.id,
                Referral.status.in_(OPEN),
            )
        ).first()
        if duplicate is not None:
            raise Conflict(N_("this case already has an open referral to this service"), field="service_id")
        fields = NEED_TO_KNOW[ServiceType(service.service_type)]
        try:
            shared = consent.disclose(
                db,
                actor,
                case_id,
                service.organisation_id,
                ConsentPurpose.REFERRAL.value,
                fields,
                request.override_reason,
                session=session,
            )
        except Forbidden as exc:
            raise Forbidden(
                N_("referral refused: %(reason)s") % {"reason": exc.message}, field=exc.field
            ) from None
        referral_id = new_id()
        respond_by = response_deadline(at, request.urgency, working_days_on(db))
        session.add(
            Referral(
                id=referral_id,
                case_id=case_id,
                service_id=service.id,
                sender_organisation_id=actor.organisation_id,
                recipient_organisation_id=service.organisation_id,
                service_type=service.service_type,
                urgency=request.urgency.value,
                purpose_enc=encrypt_text(db.keyring, "referral_purpose", referral_id, request.purpose),
                consent_id=shared.consent_id,
                disclosure_id=shared.id,
                fields=sorted(fields),
                status=ReferralStatus.SENT.value,
                sent_by=actor.user_id,
                created_at=at,
                respond_by=respond_by,
                expires_at=expiry(at, request.urgency, working_days_on(db)),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "referral.send",
                "referral",
                referral_id,
                detail={
                    "case": case_id,
                    "service": service.id,
                    "recipient": service.organisation_id,
                    "disclosure": shared.id,
                    "consent": shared.consent_id,
                    "urgency": request.urgency.value,
                },
            ),
        )
        from opennrm.services import notifications

        notifications.notify_in(
            session,
            db,
            notifications.users_of(session, [service.organisation_id], REFERRAL_HANDLERS),
            notifications.REFERRAL_NEW,
            f"/referrals/{referral_id}",
        )
    return ReferralSent(
        referral_id,
        ReferralStatus.SENT.value,
        shared.consent_id,
        shared.id,
        shared.overridden,
        sorted(fields),
        respond_by,
    )


def check_may_refer(db: Database, actor: Actor, case_id: str) -> None:
    """Refuse (audited) before showing the referral form to someone who may not share this case."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.DISCLOSE)


@dataclass(frozen=True)
class ReceiverPreview:
    """Exactly what the receiving organisation will read of her while the referral is open (as
    ``view_referral`` shows it to the recipient): her survivor code, the purpose and urgency the caseworker
    writes, and her need-to-know fields for this type of service (``NEED_TO_KNOW``) with their values."""

    service_name: str
    organisation_id: str
    survivor_code: str
    fields: list[str]
    values: dict[str, Any]
    case_fields: list[str] = dataclasses.field(default_factory=list)
    """What it also reads of her case record (``policy.RECEIVER_CASE_FIELDS``): age, sex, languages, where
    the case stands — never what happened to her."""


def receiver_preview(db: Database, actor: Actor, case_id: str, service_id: str) -> ReceiverPreview:
    """What a referral of this case to this service would show the service, before it is sent; audited."""
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.DISCLOSE)
        service = session.get(DirectoryService, service_id) if is_record_id(service_id) else None
        if service is None or not service.active:
            raise InvalidInput(
                N_("no active service %(id)s in the directory") % {"id": service_id}, field="service_id"
            )
        fields = sorted(NEED_TO_KNOW[ServiceType(service.service_type)] & set(IDENTITY_FIELDS))
        person = session.get(Person, case.person_id)
        assert person is not None  # noqa: S101 - foreign key
        identity = decrypt_json(db.keyring, "person", person.id, person.identity_enc)
        preview = ReceiverPreview(
            service.name,
            service.organisation_id,
            decrypt_text(db.keyring, "survivor_code", person.id, person.survivor_code_enc),
            fields,
            {name: identity.get(name) for name in fields},
            sorted(RECEIVER_CASE_FIELDS),
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "referral.preview", "case", case_id, detail={"service": service.id}),
        )
    return preview


# -- closing and settling ------------------------------------------------------------------------------


def _close(
    session: Session,
    ref: Referral,
    status: ReferralStatus,
    at: dt.datetime,
    reason: str,
    by: str | None,
    entries: list[AuditEntry],
) -> None:
    """End the referral and, in the same transaction, its disclosure: the receiver loses access at once."""
    was = ReferralStatus(ref.status)
    ref.status, ref.closed_at, ref.closed_by, ref.close_reason = status.value, at, by, reason
    disclosure = session.get(Disclosure, ref.disclosure_id)
    if disclosure is not None and disclosure.status == "open":
        disclosure.status, disclosure.closed_at = _DISCLOSURE_STATUS[status], at
        entries.append(
            AuditEntry(
                by or "system",
                "disclosure.close",
                "case",
                ref.case_id,
                detail={"disclosure": disclosure.id, "referral": ref.id},
            )
        )
    _resolve_escalations(session, ref.id, at)
    if was in (ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS):
        _free_place(session, ref.service_id)


def _resolve_escalations(session: Session, referral_id: str, at: dt.datetime) -> None:
    for row in session.execute(
        select(ReferralEscalation).where(
            ReferralEscalation.referral_id == referral_id, ReferralEscalation.resolved_at.is_(None)
        )
    ).scalars():
        row.resolved_at = at


def _free_place(session: Session, service_id: str) -> None:
    service = session.get(DirectoryService, service_id)
    if service is not None and service.available is not None:
        ceiling = service.capacity if service.capacity is not None else service.available + 1
        service.available = min(service.available + 1, ceiling)


def _take_place(session: Session, service_id: str) -> None:
    service = session.get(DirectoryService, service_id)
    if service is not None and service.available is not None and service.available > 0:
        service.available -= 1


# The one rule for an open referral gone stale, with the reason, in the order the reasons are checked: her
# consent revoked, the disclosure closed, her consent expired, or no answer before the referral expired. The
# database evaluates it: the sweeps select by it, and a single referral is settled by it before it is used.
_REVOKED_BECAUSE = frozenset({"consent_revoked", "disclosure_closed"})


def _stale_reason(at: dt.datetime) -> ColumnElement[str]:
    """Why an open referral is stale at ``at``; NULL while it is not."""
    return case(
        (ConsentRecord.revoked_at.is_not(None), "consent_revoked"),
        (or_(Disclosure.id.is_(None), Disclosure.status != "open"), "disclosure_closed"),
        (ConsentRecord.expires_on < at.date(), "consent_expired"),
        (and_(Referral.status == ReferralStatus.SENT.value, Referral.expires_at < at), "no_response"),
    )


def _stale(at: dt.datetime) -> Select[Referral, str]:
    """The open referrals gone stale at ``at``, each with its reason."""
    reason = _stale_reason(at)
    return (
        select(Referral, reason)
        .outerjoin(Disclosure, Disclosure.id == Referral.disclosure_id)
        .outerjoin(ConsentRecord, ConsentRecord.id == Referral.consent_id)
        .where(Referral.status.in_(OPEN), reason.is_not(None))
    )


def _settle(
    session: Session, ref: Referral, reason: str, at: dt.datetime, entries: list[AuditEntry]
) -> ReferralStatus:
    """Close a stale referral (``_stale``) for ``reason``: revoked when her consent or the disclosure ended,
    expired when her consent or the time ran out. Returns the new status."""
    new = ReferralStatus.REVOKED if reason in _REVOKED_BECAUSE else ReferralStatus.EXPIRED
    _close(session, ref, new, at, reason, None, entries)
    entries.append(
        AuditEntry(
            "system",
            f"referral.{'revoke' if new is ReferralStatus.REVOKED else 'expire'}",
            "referral",
            ref.id,
            detail={"case": ref.case_id, "reason": reason},
        )
    )
    return new


def _settle_one(db: Database, actor: Actor, action: str, referral_id: str, at: dt.datetime) -> None:
    """Settle the referral before it is used; an unknown id is refused like a referral outside the actor's
    scope (same answer, audited), after the check that the actor reaches person-level data at all."""
    check_person_level(db, actor, action, "referral", referral_id)
    with db.transaction() as session:
        ref = session.get(Referral, referral_id, with_for_update=True) if is_record_id(referral_id) else None
        if ref is None:
            refuse(
                db,
                actor,
                action,
                "referral",
                referral_id if is_record_id(referral_id) else None,
                Forbidden(_OUTSIDE),
            )
        stale = session.execute(_stale(at).where(Referral.id == ref.id)).first()
        if stale is not None:
            entries: list[AuditEntry] = []
            _settle(session, ref, stale[1], at, entries)
            audit.record(session, db.keyring, entries)


def on_consent_revoked(session: Session, consent_id: str, at: dt.datetime) -> None:
    """Follows a consent revocation inside its transaction: every open referral resting on the consent is
    revoked (its disclosure was closed by the revocation itself, so the receiver has lost access already).
    The revocation's own audit event names the consent and counts the disclosures closed."""
    rows = session.execute(
        select(Referral).where(Referral.consent_id == consent_id, Referral.status.in_(OPEN))
    ).scalars()
    for ref in rows:
        _close(session, ref, ReferralStatus.REVOKED, at, "consent_revoked", None, [])


def close_referrals_to(
    session: Session, organisation_ids: list[str], at: dt.datetime, actor_id: str, reason: str
) -> list[AuditEntry]:
    """Revoke every open referral to these organisations, with their disclosures, inside the caller's
    transaction (the firewall's list changed); returns the audit entries."""
    entries: list[AuditEntry] = []
    rows = session.execute(
        select(Referral).where(
            Referral.recipient_organisation_id.in_(organisation_ids), Referral.status.in_(OPEN)
        )
    ).scalars()
    for ref in rows.all():
        _close(session, ref, ReferralStatus.REVOKED, at, reason, None, entries)
        entries.append(
            AuditEntry(
                actor_id,
                "referral.revoke",
                "referral",
                ref.id,
                detail={"case": ref.case_id, "reason": reason},
            )
        )
    return entries


# -- responding ----------------------------------------------------------------------------------------


def _may(actor: Actor, ref: Referral, side: Side, session: Session) -> tuple[bool, str]:
    case = session.get(Case, ref.case_id)
    assert case is not None  # noqa: S101 - foreign key
    relation = relation_of(session, case)
    if actor.organisation_id not in (ref.sender_organisation_id, ref.recipient_organisation_id):
        return False, _OUTSIDE  # the answer for a referral that does not exist
    if side is Side.SENDER:
        if actor.organisation_id != ref.sender_organisation_id:
            return False, "only the organisation that sent the referral can do this"
        decision = decide(actor, Action.DISCLOSE, relation)
        return decision.allowed, decision.reason
    if side is Side.RECIPIENT:
        if actor.organisation_id != ref.recipient_organisation_id:
            return False, "only the organisation the referral was sent to can do this"
        # A closed referral no longer opens the case to the receiver; the workflow then says why not.
        closed = ref.status not in OPEN
        decision = decide(actor, Action.CASE_LIST) if closed else decide(actor, Action.CASE_READ, relation)
        return decision.allowed, decision.reason
    return False, "only the deadline sweep expires referrals"


def act(
    db: Database,
    actor: Actor,
    referral_id: str,
    step: ReferralStep,
    decline: Decline | None = None,
    *,
    at: dt.datetime | None = None,
) -> str:
    """Take one step of the workflow; returns the new status. A decline needs its reason."""
    at = at or now()
    rule = STEPS[step]
    if rule.side is Side.SYSTEM:
        raise InvalidInput(N_("referrals expire by themselves when their time runs out"), field="step")
    if step is ReferralStep.DECLINE and decline is None:
        raise InvalidInput(N_("a referral is declined with its reason"), field="reason")
    _settle_one(db, actor, f"referral.{step}", referral_id, at)
    with db.transaction() as session:
        ref = session.get(Referral, referral_id, with_for_update=True)
        assert ref is not None  # noqa: S101 - checked by _settle_one
        allowed, reason = _may(actor, ref, rule.side, session)
        if not allowed:
            refuse(db, actor, f"referral.{step}", "referral", referral_id, Forbidden(reason))
        try:
            new = next_status(ReferralStatus(ref.status), step)
        except ValueError as exc:
            raise Conflict(str(exc), field="status") from None
        entries: list[AuditEntry] = []
        detail: dict[str, Any] = {"case": ref.case_id, "status": new.value}
        if step is ReferralStep.ACCEPT:
            ref.status, ref.responded_at, ref.responded_by = new.value, at, actor.user_id
            _resolve_escalations(session, ref.id, at)
            _take_place(session, ref.service_id)
            _first_service(session, ref, at)
        elif step is ReferralStep.START:
            ref.status, ref.started_at = new.value, at
        elif step is ReferralStep.DECLINE:
            assert decline is not None  # noqa: S101 - checked above
            ref.responded_at, ref.responded_by = at, actor.user_id
            ref.decline_reason = decline.reason.value
            if decline.note:
                ref.decline_note_enc = encrypt_text(db.keyring, "referral_decline_note", ref.id, decline.note)
            _close(session, ref, new, at, "declined", actor.user_id, entries)
            _gap_from_decline(session, ref, decline.reason)
            detail["reason"] = decline.reason.value
        elif step is ReferralStep.COMPLETE:
            _close(session, ref, new, at, "completed", actor.user_id, entries)
        elif step is ReferralStep.REVOKE:
            _close(session, ref, new, at, "revoked_by_sender", actor.user_id, entries)
        entries.insert(0, AuditEntry(actor.user_id, f"referral.{step}", "referral", ref.id, detail=detail))
        audit.record(session, db.keyring, entries)
    return new.value


def _first_service(session: Session, ref: Referral, at: dt.datetime) -> None:
    """The case's first service, for the time from identification to first service (first one wins)."""
    case = session.get(Case, ref.case_id)
    assert case is not None  # noqa: S101 - foreign key
    identified = case.identified_on or at.date()
    values = {
        "case_id": ref.case_id,
        "referral_id": ref.id,
        "identified_on": identified,
        "served_on": at.date(),
        "days": max(0, (at.date() - identified).days),
    }
    bind = session.get_bind()
    insert = pg_insert if bind.dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(FirstService).values(values).on_conflict_do_nothing(index_elements=["case_id"]))


def _gap_from_decline(session: Session, ref: Referral, reason: DeclineReason) -> None:
    gap = GAP_FROM_DECLINE.get(reason)
    if gap is None:
        return
    service = session.get(DirectoryService, ref.service_id)
    case = session.get(Case, ref.case_id)
    language = case.languages[0] if case is not None and case.languages else None
    record_gap(
        session,
        need=ref.service_type,
        place=service.place if service is not None else None,
        language=language,
        reason=gap,
        organisation_id=ref.sender_organisation_id,
    )


# -- deadlines -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    escalated: int
    expired: int
    revoked: int


def run_deadlines(db: Database, *, at: dt.datetime | None = None, actor_id: str = "system") -> SweepReport:
    """Escalate referrals not answered by their deadline, expire those whose time or consent ran out, and
    revoke those whose disclosure or consent ended. Run it often (``opennrm referrals escalate``)."""
    at = at or now()
    escalated = expired = revoked = 0
    with db.transaction() as session:
        entries: list[AuditEntry] = []
        for ref, reason in session.execute(_stale(at).with_for_update(of=Referral)).all():
            new = _settle(session, ref, reason, at, entries)
            if new is ReferralStatus.EXPIRED:
                expired += 1
            elif new is ReferralStatus.REVOKED:
                revoked += 1
        overdue = (
            select(Referral)
            .where(
                Referral.status == ReferralStatus.SENT.value,
                Referral.respond_by < at,
                Referral.escalated_at.is_(None),
            )
            .with_for_update()
        )
        for ref in session.execute(overdue).scalars().all():
            ref.escalated_at = at
            escalation_id = new_id()
            session.add(
                ReferralEscalation(
                    id=escalation_id,
                    referral_id=ref.id,
                    sender_organisation_id=ref.sender_organisation_id,
                    recipient_organisation_id=ref.recipient_organisation_id,
                    reason="no_response",
                    due_at=ref.respond_by,
                    created_at=at,
                )
            )
            entries.append(
                AuditEntry(
                    actor_id,
                    "referral.escalate",
                    "referral",
                    ref.id,
                    detail={"escalation": escalation_id, "urgency": ref.urgency},
                )
            )
            escalated += 1
        if entries:
            audit.record(session, db.keyring, entries)
    return SweepReport(escalated, expired, revoked)


# -- reading -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralSummary:
    id: str
    case_id: str | None
    direction: str
    service_id: str
    service_name: str
    service_type: str
    sender_organisation: str
    recipient_organisation: str
    urgency: str
    status: str
    created_at: dt.datetime
    respond_by: dt.datetime
    overdue: bool
    escalated: bool
    decline_reason: str | None
    closed_at: dt.datetime | None


@dataclass(frozen=True)
class ReferralView:
    summary: ReferralSummary
    side: str
    purpose: str | None
    decline_note: str | None
    consent_id: str | None
    fields: list[str]
    survivor_code: str | None
    person: dict[str, Any] | None
    steps: list[str]
    close_reason: str | None
    responded_at: dt.datetime | None
    started_at: dt.datetime | None


@dataclass(frozen=True)
class ReferralPage:
    items: list[ReferralSummary]
    page: int
    per_page: int
    has_next: bool


_Sender = aliased(Organisation)
_Recipient = aliased(Organisation)


def _summary_query() -> Any:
    return (
        select(Referral, DirectoryService.name, _Sender.name, _Recipient.name)
        .join(DirectoryService, DirectoryService.id == Referral.service_id)
        .join(_Sender, _Sender.id == Referral.sender_organisation_id)
        .join(_Recipient, _Recipient.id == Referral.recipient_organisation_id)
    )


def _summary(
    ref: Referral, service: str, sender: str, recipient: str, actor: Actor, at: dt.datetime
) -> ReferralSummary:
    direction = "sent" if ref.sender_organisation_id == actor.organisation_id else "received"
    status = ReferralStatus(ref.status)
    show_case = direction == "sent" or status in OPEN_STATUSES
    return ReferralSummary(
        id=ref.id,
        case_id=ref.case_id if show_case else None,
        direction=direction,
        service_id=ref.service_id,
        service_name=service,
        service_type=ref.service_type,
        sender_organisation=sender,
        recipient_organisation=recipient,
        urgency=ref.urgency,
        status=ref.status,
        created_at=ref.created_at,
        respond_by=ref.respond_by,
        overdue=is_overdue(status, ref.respond_by, at),
        escalated=ref.escalated_at is not None,
        decline_reason=ref.decline_reason,
        closed_at=ref.closed_at,
    )


def _visible(actor: Actor, direction: str | None) -> ColumnElement[bool]:
    """Referrals the actor's organisation received (for roles that handle what it receives), and those it
    sent for cases in the actor's scope."""
    reach = case_list_scopes(actor)
    scopes = reach - {Scope.RECEIVED}
    sent = and_(
        Referral.sender_organisation_id == actor.organisation_id,
        Referral.case_id.in_(select(Case.id).where(scope_clause(actor, scopes))) if scopes else false(),
    )
    received = (
        Referral.recipient_organisation_id == actor.organisation_id if Scope.RECEIVED in reach else false()
    )
    if direction == "sent":
        return sent
    if direction == "received":
        return received
    return or_(sent, received)


def _check_person_level(db: Database, actor: Actor, action: str) -> None:
    may = decide(actor, Action.CASE_LIST)
    if not may:
        refuse(db, actor, action, "referral", None, Forbidden(may.reason))


def list_referrals(
    db: Database,
    actor: Actor,
    *,
    status: str | None = None,
    direction: str | None = None,
    case_id: str | None = None,
    page: int = 1,
    per_page: int = 50,
    at: dt.datetime | None = None,
) -> ReferralPage:
    """Referrals sent from cases in the actor's scope and referrals her organisation received, newest first.
    ``status`` is a status or ``open``; ``direction`` is ``sent`` or ``received``."""
    if status is not None and status != "open" and status not in {s.value for s in ReferralStatus}:
        raise InvalidInput(f"status must be 'open' or one of: {', '.join(ReferralStatus)}", field="status")
    if direction not in (None, "sent", "received"):
        raise InvalidInput("direction must be 'sent' or 'received'", field="direction")
    if page < 1:
        raise InvalidInput("page must be 1 or more", field="page")
    if not 1 <= per_page <= MAX_PAGE_SIZE:
        raise InvalidInput(f"per_page must be between 1 and {MAX_PAGE_SIZE}", field="per_page")
    _check_person_level(db, actor, "referral.list")
    at = at or now()
    _settle_visible(db, actor, direction, case_id, at)
    with db.transaction() as session:
        stmt = _summary_query().where(_visible(actor, direction))
        if status == "open":
            stmt = stmt.where(Referral.status.in_(OPEN))
        elif status is not None:
            stmt = stmt.where(Referral.status == status)
        if case_id is not None:
            stmt = stmt.where(Referral.case_id == case_id)
        stmt = (
            stmt.order_by(Referral.created_at.desc(), Referral.id)
            .limit(per_page + 1)
            .offset((page - 1) * per_page)
        )
        rows = session.execute(stmt).all()
        items = [_summary(r, s, snd, rcp, actor, at) for r, s, snd, rcp in rows[:per_page]]
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id, "referral.list", "referral", None, detail={"shown": [i.id for i in items]}
            ),
        )
    return ReferralPage(items, page, per_page, len(rows) > per_page)


def _settle_visible(
    db: Database, actor: Actor, direction: str | None, case_id: str | None, at: dt.datetime
) -> None:
    """Settle the open referrals the actor is about to see whose disclosure or consent ended, or whose time
    ran out, so that a list never shows one as open when it is not."""
    with db.transaction() as session:
        stmt = _stale(at).where(_visible(actor, direction))
        if case_id is not None:
            stmt = stmt.where(Referral.case_id == case_id)
        entries: list[AuditEntry] = []
        for ref, reason in session.execute(stmt).all():
            _settle(session, ref, reason, at, entries)
        if entries:
            audit.record(session, db.keyring, entries)


def view_referral(
    db: Database, actor: Actor, referral_id: str, *, at: dt.datetime | None = None
) -> ReferralView:
    """One referral. The sending side sees all of it; the receiving side sees the purpose and the person's
    need-to-know fields only while the referral is open, and afterwards only that it existed."""
    at = at or now()
    _settle_one(db, actor, "referral.read", referral_id, at)
    with db.transaction() as session:
        row = session.execute(_summary_query().where(Referral.id == referral_id)).first()
        assert row is not None  # noqa: S101 - checked by _settle_one
        ref, service, sender, recipient = row
        side = (
            Side.SENDER
            if ref.sender_organisation_id == actor.organisation_id
            else Side.RECIPIENT
            if ref.recipient_organisation_id == actor.organisation_id
            else None
        )
        case = session.get(Case, ref.case_id)
        assert case is not None  # noqa: S101 - foreign key
        relation = relation_of(session, case)
        is_open = ref.status in OPEN
        reason = _OUTSIDE
        allowed = False
        if side is Side.SENDER:
            decision = decide(actor, Action.CASE_READ, relation)
            allowed, reason = decision.allowed, decision.reason
        elif side is Side.RECIPIENT:
            allowed = not is_open or decide(actor, Action.CASE_READ, relation).allowed
        if not allowed:
            refuse(db, actor, "referral.read", "referral", referral_id, Forbidden(reason))
        assert side is not None  # noqa: S101 - refused above otherwise
        keyring = db.keyring
        sees_person = side is Side.SENDER or is_open
        person: dict[str, Any] | None = None
        survivor_code = None
        if sees_person:
            person_row = session.get(Person, case.person_id)
            assert person_row is not None  # noqa: S101 - foreign key
            survivor_code = decrypt_text(
                keyring, "survivor_code", person_row.id, person_row.survivor_code_enc
            )
            if side is Side.RECIPIENT:
                visible = visible_identity_fields(actor, relation, IDENTITY_FIELDS) & set(ref.fields)
                identity = decrypt_json(keyring, "person", person_row.id, person_row.identity_enc)
                person = {k: v for k, v in identity.items() if k in visible}
        steps = [
            str(step)
            for step, rule in STEPS.items()
            if rule.side is side and ref.status in {s.value for s in rule.from_statuses}
        ]
        if side is Side.SENDER and not decide(actor, Action.DISCLOSE, relation):
            steps = []
        view = ReferralView(
            summary=_summary(ref, service, sender, recipient, actor, at),
            side=side.value,
            purpose=decrypt_text(keyring, "referral_purpose", ref.id, ref.purpose_enc)
            if sees_person
            else None,
            decline_note=decrypt_text(keyring, "referral_decline_note", ref.id, ref.decline_note_enc)
            if ref.decline_note_enc
            else None,
            consent_id=ref.consent_id if side is Side.SENDER else None,
            fields=list(ref.fields),
            survivor_code=survivor_code,
            person=person,
            steps=steps,
            close_reason=ref.close_reason,
            responded_at=ref.responded_at,
            started_at=ref.started_at,
        )
        audit.record_one(
            session,
            keyring,
            AuditEntry(
                actor.user_id,
                "referral.read",
                "referral",
                ref.id,
                detail={"case": ref.case_id, "person": person is not None},
            ),
        )
    return view


# -- escalations ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationItem:
    id: str
    referral_id: str
    direction: str
    service_name: str
    service_type: str
    urgency: str
    sender_organisation: str
    recipient_organisation: str
    due_at: dt.datetime
    escalated_at: dt.datetime
    resolved_at: dt.datetime | None
    status: str


def list_escalations(db: Database, actor: Actor, *, include_resolved: bool = False) -> list[EscalationItem]:
    """Escalated referrals sent or received by the supervisor's organisation (no person-level data)."""
    may = escalations_decision(actor)
    if not may:
        refuse(db, actor, "escalation.list", "referral", None, Forbidden(may.reason))
    with db.transaction() as session:
        stmt = (
            select(
                ReferralEscalation,
                Referral.service_type,
                Referral.urgency,
                Referral.status,
                DirectoryService.name,
                _Sender.name,
                _Recipient.name,
            )
            .join(Referral, Referral.id == ReferralEscalation.referral_id)
            .join(DirectoryService, DirectoryService.id == Referral.service_id)
            .join(_Sender, _Sender.id == ReferralEscalation.sender_organisation_id)
            .join(_Recipient, _Recipient.id == ReferralEscalation.recipient_organisation_id)
            .where(
                or_(
                    ReferralEscalation.sender_organisation_id == actor.organisation_id,
                    ReferralEscalation.recipient_organisation_id == actor.organisation_id,
                )
            )
            .order_by(ReferralEscalation.created_at.desc())
            .limit(500)
        )
        if not include_resolved:
            stmt = stmt.where(ReferralEscalation.resolved_at.is_(None))
        items = [
            EscalationItem(
                id=esc.id,
                referral_id=esc.referral_id,
                direction="sent" if esc.sender_organisation_id == actor.organisation_id else "received",
                service_name=service,
                service_type=service_type,
                urgency=urgency,
                sender_organisation=sender,
                recipient_organisation=recipient,
                due_at=esc.due_at,
                escalated_at=esc.created_at,
                resolved_at=esc.resolved_at,
                status=status,
            )
            for esc, service_type, urgency, status, service, sender, recipient in session.execute(stmt)
        ]
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "escalation.list", "referral", None, detail={"shown": len(items)}),
        )
    return items
