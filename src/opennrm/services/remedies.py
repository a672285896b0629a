"""Remedies (CEDAW GR38 §101, §108): her compensation and back-wage claims, the awards, the payments she
received, and confiscated proceeds allocated to her.

Who may do what is decided by ``opennrm.access.policy.remedy_decision``: the owning side, and a legal-aid
organisation holding the case under a disclosure whose consent covers ``remedies``; never an enforcement
organisation (the firewall's list comes from ``opennrm.services.firewall``). Every use case runs in one
transaction and leaves an audit event with identifiers only. Her notes and the source of allocated proceeds
are encrypted. No claim depends on assets being confiscated (``opennrm.domain.remedies``): an allocation is
shown beside a claim and changes nothing about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, remedy_decision
from opennrm.domain.remedies import (
    AllocationIn,
    AwardIn,
    ClaimStatus,
    PaymentIn,
    RemedyClaimIn,
    RemedyRuleError,
    StatusIn,
    award_minor,
    check_allocation,
    check_award,
    check_payment,
    check_status_change,
    format_minor,
    payment_minor,
    status_after_payment,
)
from opennrm.domain.text import N_
from opennrm.services import consent_gate
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, NotFound
from opennrm.services.sealing import decrypt_text, encrypt_text
from opennrm.stats.remedies import ClaimFacts, RemedyCounts, count_remedies
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import Case, Person, ProceedsAllocation, RemedyClaim, RemedyPayment

_NOTES = "remedy_claim"
_SOURCE = "proceeds_allocation"


# -- views --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentView:
    id: str
    amount_minor: int
    amount: str
    payer: str
    paid_on: dt.date


@dataclass(frozen=True)
class AllocationView:
    id: str
    amount_minor: int
    amount: str
    currency: str
    source: str
    allocated_on: dt.date


@dataclass(frozen=True)
class ClaimView:
    id: str
    route: str
    kind: str
    payer: str
    status: str
    currency: str
    claimed_minor: int
    claimed: str
    awarded_minor: int | None
    awarded: str | None
    paid_minor: int
    paid: str
    filed_on: dt.date | None
    awarded_on: dt.date | None
    closed_on: dt.date | None
    notes: str | None
    payments: list[PaymentView]
    allocations: list[AllocationView]
    recorded_at: dt.datetime

    @property
    def open(self) -> bool:
        return self.status not in (ClaimStatus.PAID, ClaimStatus.WITHDRAWN)


@dataclass(frozen=True)
class RemediesView:
    """The claims of one case, for a reader the policy allows."""

    case_id: str
    survivor_code: str
    claims: list[ClaimView]
    may_add: bool
    may_update: bool

    def claim(self, claim_id: str) -> ClaimView | None:
        return next((c for c in self.claims if c.id == claim_id), None)


# -- access -------------------------------------------------------------------------------------------


def _decide(db: Database, session: Session, actor: Actor, case: Case, action: Action) -> None:
    consent_gate.decide(db, session, actor, case, action, remedy_decision)


def _allowed(session: Session, actor: Actor, case: Case, action: Action) -> bool:
    return consent_gate.allowed(session, actor, case, action, remedy_decision)


def _case(db: Database, session: Session, actor: Actor, case_id: str, action: Action) -> Case:
    """The case, if ``action`` on it is allowed; refused alike (403, audited) when there is no such case."""
    case = consent_gate.load(db, session, actor, action, Case, "case", case_id)
    _decide(db, session, actor, case, action)
    return case


def _claim(
    db: Database, session: Session, actor: Actor, claim_id: str, action: Action
) -> tuple[RemedyClaim, Case]:
    """The claim and its case, if ``action`` on the case is allowed; refused alike when there is none."""
    claim = consent_gate.load(db, session, actor, action, RemedyClaim, "claim", claim_id)
    return claim, _case(db, session, actor, claim.case_id, action)


def _invalid(exc: RemedyRuleError) -> InvalidInput:
    return InvalidInput(f"{exc.field}: {exc}", field=exc.field)


def _audit(session: Session, db: Database, actor_id: str, action: str, case_id: str, **detail: str) -> None:
    audit.record_one(session, db.keyring, AuditEntry(actor_id, action, "case", case_id, detail=dict(detail)))


# -- use cases ----------------------------------------------------------------------------------------


def record_claim(db: Database, actor: Actor, case_id: str, data: RemedyClaimIn) -> str:
    """Record a claim of hers (planned or filed); returns its id."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.REMEDY_ADD)
        claim_id = new_id()
        at = now()
        session.add(
            RemedyClaim(
                id=claim_id,
                case_id=case.id,
                route=data.route.value,
                kind=data.kind.value,
                payer=data.payer.value,
                status=data.status.value,
                currency=data.currency,
                claimed_minor=data.claimed_minor,
                awarded_minor=None,
                filed_on=data.filed_on,
                notes_enc=encrypt_text(db.keyring, _NOTES, claim_id, data.notes) if data.notes else None,
                recorded_by=actor.user_id,
                created_at=at,
                updated_at=at,
            )
        )
        _audit(session, db, actor.user_id, "remedy.add", case.id, claim=claim_id)
    return claim_id


def record_award(db: Database, actor: Actor, claim_id: str, data: AwardIn) -> str:
    """What was awarded to her and when (again after an appeal: the new award replaces the old); returns the
    case id."""
    with db.transaction() as session:
        claim, case = _claim(db, session, actor, claim_id, Action.REMEDY_UPDATE)
        try:
            check_award(claim.status)
            minor = award_minor(data, claim.currency)
        except RemedyRuleError as exc:
            raise _invalid(exc) from None
        claim.awarded_minor, claim.awarded_on = minor, data.awarded_on
        if data.payer is not None:
            claim.payer = data.payer.value
        paid = _paid(session, claim.id)
        claim.status = (status_after_payment(minor, paid) if paid else ClaimStatus.AWARDED).value
        claim.closed_on = _last_paid_on(session, claim.id) if claim.status == ClaimStatus.PAID else None
        claim.updated_at = now()
        _audit(session, db, actor.user_id, "remedy.award", case.id, claim=claim.id)
    return case.id


@dataclass(frozen=True)
class PaymentRecorded:
    id: str
    case_id: str


def record_payment(db: Database, actor: Actor, claim_id: str, data: PaymentIn) -> PaymentRecorded:
    """A payment she received on an awarded claim; the claim becomes paid in part, or paid when what she
    received reaches the award."""
    with db.transaction() as session:
        claim, case = _claim(db, session, actor, claim_id, Action.REMEDY_UPDATE)
        try:
            check_payment(claim.status, claim.awarded_minor)
            minor = payment_minor(data, claim.currency)
        except RemedyRuleError as exc:
            raise _invalid(exc) from None
        if claim.awarded_on is not None and data.paid_on < claim.awarded_on:
            raise InvalidInput("paid_on: " + N_("the payment is dated before the award"), field="paid_on")
        payment_id = new_id()
        session.add(
            RemedyPayment(
                id=payment_id,
                claim_id=claim.id,
                amount_minor=minor,
                payer=data.payer.value,
                paid_on=data.paid_on,
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        session.flush()
        assert claim.awarded_minor is not None  # noqa: S101 - checked by check_payment
        status = status_after_payment(claim.awarded_minor, _paid(session, claim.id))
        claim.status = status.value
        claim.closed_on = _last_paid_on(session, claim.id) if status is ClaimStatus.PAID else None
        claim.updated_at = now()
        _audit(session, db, actor.user_id, "remedy.payment", case.id, claim=claim.id, payment=payment_id)
    return PaymentRecorded(payment_id, case.id)


def update_status(db: Database, actor: Actor, claim_id: str, data: StatusIn) -> str:
    """Planned, filed, refused, appealed or withdrawn (withdrawn closes it: the pages ask first); returns the
    case id."""
    with db.transaction() as session:
        claim, case = _claim(db, session, actor, claim_id, Action.REMEDY_UPDATE)
        try:
            check_status_change(claim.status, data.status)
        except RemedyRuleError as exc:
            raise _invalid(exc) from None
        if data.status is ClaimStatus.FILED:
            claim.filed_on = data.on or claim.filed_on or dt.date.today()
        claim.status = data.status.value
        claim.closed_on = (data.on or dt.date.today()) if data.status is ClaimStatus.WITHDRAWN else None
        if data.notes:
            claim.notes_enc = encrypt_text(db.keyring, _NOTES, claim.id, data.notes)
        claim.updated_at = now()
        _audit(session, db, actor.user_id, "remedy.status", case.id, claim=claim.id, status=data.status.value)
    return case.id


def record_allocation(db: Database, actor: Actor, claim_id: str, data: AllocationIn) -> str:
    """Confiscated proceeds allocated to her (GR38 §108), shown on her claim. Only the finance module's
    restitution ledger calls this (``services.finance.allocate``), so every allocation has its ledger line.
    Refused on a withdrawn claim, in another currency, or beyond what she claimed or was awarded
    (``domain.remedies.check_allocation``); the claim's status and amounts do not change (no claim depends on
    confiscation). Returns the allocation's id."""
    with db.transaction() as session:
        claim, case = _claim(db, session, actor, claim_id, Action.REMEDY_UPDATE)
        session.refresh(claim, with_for_update=True)  # two allocations to one claim wait for each other
        try:
            check_allocation(
                claim.status,
                claim.currency,
                data.currency,
                _allocated(session, claim.id),
                data.minor,
                claim.awarded_minor if claim.awarded_minor is not None else claim.claimed_minor,
            )
        except RemedyRuleError as exc:
            raise _invalid(exc) from None
        allocation_id = new_id()
        session.add(
            ProceedsAllocation(
                id=allocation_id,
                claim_id=claim.id,
                amount_minor=data.minor,
                currency=data.currency,
                source_enc=encrypt_text(db.keyring, _SOURCE, allocation_id, data.source),
                allocated_on=data.allocated_on,
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(
            session, db, actor.user_id, "remedy.allocation", case.id, claim=claim.id, allocation=allocation_id
        )
    return allocation_id


def _allocated(session: Session, claim_id: str) -> int:
    total = session.execute(
        select(func.coalesce(func.sum(ProceedsAllocation.amount_minor), 0)).where(
            ProceedsAllocation.claim_id == claim_id
        )
    ).scalar_one()
    return int(total)


def _paid(session: Session, claim_id: str) -> int:
    total = session.execute(
        select(func.coalesce(func.sum(RemedyPayment.amount_minor), 0)).where(
            RemedyPayment.claim_id == claim_id
        )
    ).scalar_one()
    return int(total)


def _last_paid_on(session: Session, claim_id: str) -> dt.date | None:
    day: dt.date | None = session.execute(
        select(func.max(RemedyPayment.paid_on)).where(RemedyPayment.claim_id == claim_id)
    ).scalar_one()
    return day


# -- reading ------------------------------------------------------------------------------------------


def _views(db: Database, session: Session, case_id: str) -> list[ClaimView]:
    claims = (
        session.execute(
            select(RemedyClaim)
            .where(RemedyClaim.case_id == case_id)
            .order_by(RemedyClaim.created_at, RemedyClaim.id)
        )
        .scalars()
        .all()
    )
    ids = [c.id for c in claims]
    payments: dict[str, list[RemedyPayment]] = {}
    allocations: dict[str, list[ProceedsAllocation]] = {}
    if ids:
        for p in session.execute(
            select(RemedyPayment)
            .where(RemedyPayment.claim_id.in_(ids))
            .order_by(RemedyPayment.paid_on, RemedyPayment.created_at)
        ).scalars():
            payments.setdefault(p.claim_id, []).append(p)
        for a in session.execute(
            select(ProceedsAllocation)
            .where(ProceedsAllocation.claim_id.in_(ids))
            .order_by(ProceedsAllocation.allocated_on, ProceedsAllocation.created_at)
        ).scalars():
            allocations.setdefault(a.claim_id, []).append(a)
    views = []
    for c in claims:
        paid = sum(p.amount_minor for p in payments.get(c.id, []))
        views.append(
            ClaimView(
                id=c.id,
                route=c.route,
                kind=c.kind,
                payer=c.payer,
                status=c.status,
                currency=c.currency,
                claimed_minor=c.claimed_minor,
                claimed=format_minor(c.claimed_minor, c.currency),
                awarded_minor=c.awarded_minor,
                awarded=format_minor(c.awarded_minor, c.currency) if c.awarded_minor is not None else None,
                paid_minor=paid,
                paid=format_minor(paid, c.currency),
                filed_on=c.filed_on,
                awarded_on=c.awarded_on,
                closed_on=c.closed_on,
                notes=decrypt_text(db.keyring, _NOTES, c.id, c.notes_enc) if c.notes_enc else None,
                payments=[
                    PaymentView(
                        p.id, p.amount_minor, format_minor(p.amount_minor, c.currency), p.payer, p.paid_on
                    )
                    for p in payments.get(c.id, [])
                ],
                allocations=[
                    AllocationView(
                        a.id,
                        a.amount_minor,
                        format_minor(a.amount_minor, a.currency),
                        a.currency,
                        decrypt_text(db.keyring, _SOURCE, a.id, a.source_enc),
                        a.allocated_on,
                    )
                    for a in allocations.get(c.id, [])
                ],
                recorded_at=c.created_at,
            )
        )
    return views


def _survivor_code(db: Database, session: Session, case: Case) -> str:
    person = session.get(Person, case.person_id)
    if person is None:
        raise NotFound(f"no person for case {case.id}")
    return decrypt_text(db.keyring, "survivor_code", person.id, person.survivor_code_enc)


def view_claims(db: Database, actor: Actor, case_id: str) -> RemediesView:
    """The claims of a case with their payments and allocations, decrypted for an allowed reader; audited."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.REMEDY_READ)
        view = RemediesView(
            case_id=case.id,
            survivor_code=_survivor_code(db, session, case),
            claims=_views(db, session, case.id),
            may_add=_allowed(session, actor, case, Action.REMEDY_ADD),
            may_update=_allowed(session, actor, case, Action.REMEDY_UPDATE),
        )
        _audit(session, db, actor.user_id, "remedy.read", case.id)
    return view


def case_of_claim(db: Database, actor: Actor, claim_id: str) -> str:
    """The case a claim belongs to, for a reader who may read its claims (refused and audited otherwise)."""
    with db.transaction() as session:
        claim, _case_row = _claim(db, session, actor, claim_id, Action.REMEDY_READ)
        return claim.case_id


@dataclass(frozen=True)
class Marker:
    """What the case page shows: how many claims there are and how many are still open."""

    claims: int
    open: int
    may_add: bool


def marker(db: Database, actor: Actor, case_id: str) -> Marker | None:
    """The Remedies line on the case page, for a reader who may see the claims (``None`` for anyone else,
    with nothing audited: she learns nothing). Audited as a read when shown."""
    with db.transaction() as session:
        case = session.get(Case, case_id)
        if case is None or not _allowed(session, actor, case, Action.REMEDY_READ):
            return None
        statuses = list(
            session.execute(select(RemedyClaim.status).where(RemedyClaim.case_id == case.id)).scalars()
        )
        may_add = _allowed(session, actor, case, Action.REMEDY_ADD)
        _audit(session, db, actor.user_id, "remedy.read", case.id, marker="1")
    closed = {ClaimStatus.PAID.value, ClaimStatus.WITHDRAWN.value}
    return Marker(len(statuses), sum(1 for s in statuses if s not in closed), may_add)


# -- statistics ---------------------------------------------------------------------------------------


def claim_facts(session: Session) -> list[ClaimFacts]:
    """Every claim as statistics see it (no person-level data leaves: an opaque person id to count her
    once, route, status, currency, amounts, and the days from filing to full payment)."""
    rows: Sequence[Any] = session.execute(
        select(
            Case.person_id,
            RemedyClaim.id,
            RemedyClaim.route,
            RemedyClaim.status,
            RemedyClaim.currency,
            RemedyClaim.awarded_minor,
            RemedyClaim.filed_on,
            RemedyClaim.closed_on,
        ).join(Case, Case.id == RemedyClaim.case_id)
    ).all()
    paid: dict[str, int] = {
        str(claim): int(total)
        for claim, total in session.execute(
            select(RemedyPayment.claim_id, func.sum(RemedyPayment.amount_minor)).group_by(
                RemedyPayment.claim_id
            )
        ).all()
    }
    facts = []
    for person, claim_id, route, status, currency, awarded, filed_on, closed_on in rows:
        days = None
        if status == ClaimStatus.PAID and filed_on is not None and closed_on is not None:
            days = (closed_on - filed_on).days
        facts.append(
            ClaimFacts(
                person=str(person),
                route=str(route),
                status=str(status),
                currency=str(currency),
                awarded=awarded is not None,
                paid_minor=paid.get(str(claim_id), 0),
                days_to_payment=days,
            )
        )
    return facts


def counts(db: Database, actor_id: str) -> RemedyCounts:
    """The claims counted for statistics (no person-level data; small cells suppressed); audited."""
    with db.transaction() as session:
        facts = claim_facts(session)
        audit.record_one(session, db.keyring, AuditEntry(actor_id, "remedy.count", "statistics", None))
    return count_remedies(facts)
