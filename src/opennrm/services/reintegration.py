"""Return, resettlement and reintegration (CEDAW GR38 §84, §89–91, §95–96): her dependants, a plan to move
her, her exit from services, and the follow-up contacts at 1, 3, 6 and 12 months after.

Only the organisation that holds the case reads or changes these, as for her entitlements
(``Action.ENTITLEMENTS_READ`` / ``ENTITLEMENTS_UPDATE`` through ``load_case_for``: an enforcement organisation
never). When a move may be planned is decided by ``opennrm.domain.services.move_refusal`` on the facts built
by ``opennrm.services.entitlements.decision_facts`` — nowhere else. Every use case runs in one transaction
and leaves an audit event with identifiers only; names, birth dates, ages, plans and notes are encrypted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, case_list_scopes
from opennrm.access.roles import Scope
from opennrm.domain.reintegration import (
    DependantChange,
    DependantIn,
    ExitIn,
    FollowUpIn,
    FollowUpReason,
    FollowUpStatus,
    MovePlanIn,
    children_refusal,
    dependant_is_child,
    follow_up_schedule,
    reason_for,
)
from opennrm.domain.services import Move, missing_child_steps, move_refusal
from opennrm.domain.text import N_
from opennrm.services.cases import check_person_level, load_case_for, scope_clause
from opennrm.services.clock import now
from opennrm.services.entitlements import DEPENDANT_CONTEXT, children_unassessed, decision_facts
from opennrm.services.errors import Conflict, InvalidInput, refuse, refuse_unknown
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_json, encrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.keys import Keyring
from opennrm.store.tables import Case, Dependant, FollowUp, MovePlan

_DEPENDANT = DEPENDANT_CONTEXT
_PLAN = "move_plan"
_NOTES = "follow_up_notes"


# -- views --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DependantView:
    id: str
    relationship: str
    given_name: str | None
    birth_date: dt.date | None
    age: int | None
    is_child: bool
    """Presumed a child today (``opennrm.domain.age.presumed_child``)."""
    with_her: bool
    needs: list[str]
    note: str | None
    best_interests_on: dt.date | None = None
    """The day the best interests of this child in a move were assessed."""


@dataclass(frozen=True)
class MovePlanView:
    id: str
    move: str
    destination_country: str
    planned_on: dt.date
    plan: str
    recorded_at: dt.datetime


@dataclass(frozen=True)
class FollowUpView:
    id: str
    reason: str
    months: int
    due_on: dt.date
    status: str
    overdue: bool
    contacted_on: dt.date | None
    safety: str | None
    housing: str | None
    income: str | None
    re_trafficking_risk: str | None
    notes: str | None


@dataclass(frozen=True)
class ReintegrationView:
    """A case's dependants, move plans and follow-ups, and what a move still waits for."""

    case_id: str
    dependants: list[DependantView]
    plans: list[MovePlanView]
    follow_ups: list[FollowUpView]
    is_child: bool
    unaccompanied: bool
    child_steps_missing: list[str]
    """The child steps (GR38 §96) a move still waits for; empty for an adult."""
    move_blocked: str | None
    """Why a return or resettlement cannot be planned today, or None."""


# -- helpers ------------------------------------------------------------------------------------------


def _dependant_view(keyring: Keyring, row: Dependant, today: dt.date) -> DependantView:
    data = decrypt_json(keyring, _DEPENDANT, row.id, row.details_enc)
    born = data.get("birth_date")
    return DependantView(
        id=row.id,
        relationship=row.relationship,
        given_name=data.get("given_name"),
        birth_date=dt.date.fromisoformat(born) if born else None,
        age=data.get("age"),
        is_child=dependant_is_child(data, row.created_at.date(), today, row.relationship),
        with_her=row.with_her,
        needs=list(row.needs),
        note=data.get("note"),
        best_interests_on=row.best_interests_on,
    )


def _follow_up_view(keyring: Keyring, row: FollowUp, today: dt.date) -> FollowUpView:
    return FollowUpView(
        id=row.id,
        reason=row.reason,
        months=row.months,
        due_on=row.due_on,
        status=row.status,
        overdue=row.status == FollowUpStatus.SCHEDULED and row.due_on < today,
        contacted_on=row.contacted_on,
        safety=row.safety,
        housing=row.housing,
        income=row.income,
        re_trafficking_risk=row.re_trafficking_risk,
        notes=decrypt_text(keyring, _NOTES, row.id, row.notes_enc) if row.notes_enc else None,
    )


def _schedule(
    session: Session, case_id: str, reason: FollowUpReason, anchor: dt.date, anchor_id: str | None
) -> list[str]:
    """The follow-ups at 1, 3, 6 and 12 months after ``anchor``. One set runs at a time: the contacts still
    to come from an earlier plan or exit are replaced (kept on record as ``replaced``), so a revised plan
    does not give her two sets of calls; one already due and not made stays on her caseworker's list."""
    at = now()
    session.execute(
        update(FollowUp)
        .where(
            FollowUp.case_id == case_id,
            FollowUp.status == FollowUpStatus.SCHEDULED.value,
            FollowUp.due_on >= dt.date.today(),
        )
        .values(status=FollowUpStatus.REPLACED.value, updated_at=at)
    )
    ids = []
    for months, due in follow_up_schedule(anchor):
        follow_up_id = new_id()
        session.add(
            FollowUp(
                id=follow_up_id,
                case_id=case_id,
                reason=reason.value,
                anchor_id=anchor_id,
                months=months,
                due_on=due,
                status=FollowUpStatus.SCHEDULED.value,
                created_at=at,
                updated_at=at,
            )
        )
        ids.append(follow_up_id)
    return ids


# -- reading ------------------------------------------------------------------------------------------


def view_reintegration(
    db: Database, actor: Actor, case_id: str, *, today: dt.date | None = None
) -> ReintegrationView:
    today = today or dt.date.today()
    keyring = db.keyring
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_READ)
        facts = decision_facts(session, keyring, case, today)

        dependants = session.execute(
            select(Dependant).where(Dependant.case_id == case.id).order_by(Dependant.created_at, Dependant.id)
        ).scalars()
        plans = session.execute(
            select(MovePlan).where(MovePlan.case_id == case.id).order_by(MovePlan.created_at, MovePlan.id)
        ).scalars()
        follow_ups = session.execute(
            select(FollowUp).where(FollowUp.case_id == case.id).order_by(FollowUp.due_on, FollowUp.id)
        ).scalars()
        shown = [_dependant_view(keyring, d, today) for d in dependants]
        view = ReintegrationView(
            case_id=case.id,
            dependants=shown,
            plans=[
                MovePlanView(
                    p.id,
                    p.move,
                    p.destination_country,
                    p.planned_on,
                    decrypt_text(keyring, _PLAN, p.id, p.plan_enc),
                    p.created_at,
                )
                for p in plans
            ],
            follow_ups=[_follow_up_view(keyring, f, today) for f in follow_ups],
            is_child=facts.is_child,
            unaccompanied=facts.unaccompanied,
            child_steps_missing=[s.value for s in missing_child_steps(facts)],
            move_blocked=move_refusal(Move.RETURN, facts)
            or children_refusal(Move.RETURN.value, children_unassessed(session, keyring, case.id, today)),
        )
        audit.record_one(session, keyring, AuditEntry(actor.user_id, "reintegration.read", "case", case.id))
    return view


# -- dependants ---------------------------------------------------------------------------------------


def add_dependant(db: Database, actor: Actor, case_id: str, data: DependantIn) -> str:
    """Record a dependant who came with her; with her, she or he is entitled to assistance too."""
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_UPDATE)
        dependant_id = new_id()
        at = now()
        details = data.model_dump(
            mode="json", include={"given_name", "birth_date", "age", "note"}, exclude_none=True
        )
        details["age_uncertain"] = data.age_uncertain
        details["reasons_to_believe_minor"] = data.reasons_to_believe_minor
        session.add(
            Dependant(
                id=dependant_id,
                case_id=case.id,
                relationship=data.relationship.value,
                with_her=data.with_her,
                needs=[n.value for n in data.needs],
                details_enc=encrypt_json(db.keyring, _DEPENDANT, dependant_id, details),
                recorded_by=actor.user_id,
                created_at=at,
                updated_at=at,
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "dependant.add", "case", case.id, detail={"dependant": dependant_id}),
        )
    return dependant_id


def _owned(
    db: Database,
    session: Session,
    actor: Actor,
    model: type[Dependant] | type[FollowUp],
    row_id: str,
    action: str,
) -> tuple[Dependant | FollowUp, Case]:
    """The row and its case, refused alike (403, audited) when absent or not the actor's to change."""
    check_person_level(db, actor, action, model.__tablename__, row_id)
    row = session.get(model, row_id) if is_record_id(row_id) else None
    if row is None:
        refuse_unknown(db, actor, action, model.__tablename__, row_id)
    assert isinstance(row, Dependant | FollowUp)  # noqa: S101 - the model asked for
    case = load_case_for(db, session, actor, row.case_id, Action.ENTITLEMENTS_UPDATE)
    return row, case


def change_dependant(db: Database, actor: Actor, dependant_id: str, change: DependantChange) -> str:
    """A dependant now with her or no longer, needs changed, or the best interests of a child in a move
    assessed; returns the case id."""
    with db.transaction() as session:
        row, case = _owned(db, session, actor, Dependant, dependant_id, "dependant.update")
        assert isinstance(row, Dependant)  # noqa: S101 - the model asked for
        if change.with_her is not None:
            row.with_her = change.with_her
        if change.needs is not None:
            row.needs = sorted({n.value for n in change.needs})
        if change.best_interests_on is not None:
            if change.best_interests_on < row.created_at.date():
                raise InvalidInput(
                    N_("the assessment is of this child, recorded on %(date)s: it cannot be dated before")
                    % {"date": row.created_at.date().isoformat()},
                    field="best_interests_on",
                )
            row.best_interests_on = change.best_interests_on
        row.updated_at = now()
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "dependant.update", "case", case.id, detail={"dependant": row.id}),
        )
    return case.id


# -- moves and exits ----------------------------------------------------------------------------------


def plan_move(
    db: Database, actor: Actor, case_id: str, data: MovePlanIn, *, today: dt.date | None = None
) -> str:
    """Record a return, resettlement or transfer plan. Refused (409, naming the field ``move``, audited)
    while a child's steps are missing, and for a return or resettlement during her reflection and recovery
    period, without a risk assessment, while the latest one finds a risk, or while the best interests of a
    child with her in the move are not assessed. A return or resettlement
    schedules the follow-ups at 1, 3, 6 and 12 months after the planned date."""
    today = today or dt.date.today()
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_UPDATE)
        children = children_unassessed(session, db.keyring, case.id, today)
        facts = decision_facts(session, db.keyring, case, today)
        refusal = move_refusal(data.move, facts) or children_refusal(data.move.value, children)
        if refusal is not None:
            refuse(db, actor, "move.plan", "case", case_id, Conflict(refusal, field="move"))
        plan_id = new_id()
        session.add(
            MovePlan(
                id=plan_id,
                case_id=case.id,
                move=data.move.value,
                destination_country=data.destination_country,
                planned_on=data.planned_on,
                plan_enc=encrypt_text(db.keyring, _PLAN, plan_id, data.plan),
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        reason = reason_for(data.move)
        scheduled = _schedule(session, case.id, reason, data.planned_on, plan_id) if reason else []
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "move.plan",
                "case",
                case.id,
                detail={"plan": plan_id, "move": data.move.value, "follow_ups": len(scheduled)},
            ),
        )
    return plan_id


def record_exit(db: Database, actor: Actor, case_id: str, data: ExitIn) -> list[str]:
    """She leaves the services: the follow-ups at 1, 3, 6 and 12 months are scheduled; returns their ids."""
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_UPDATE)
        scheduled = _schedule(session, case.id, FollowUpReason.EXIT, data.exited_on, None)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id, "services.exit", "case", case.id, detail={"follow_ups": len(scheduled)}
            ),
        )
    return scheduled


# -- follow-ups ---------------------------------------------------------------------------------------


def record_follow_up(db: Database, actor: Actor, follow_up_id: str, data: FollowUpIn) -> str:
    """What a follow-up contact found, or that it was missed; returns the case id."""
    with db.transaction() as session:
        row, case = _owned(db, session, actor, FollowUp, follow_up_id, "follow_up.record")
        assert isinstance(row, FollowUp)  # noqa: S101 - the model asked for
        row.status = data.status.value
        row.contacted_on = data.contacted_on or (
            dt.date.today() if data.status is FollowUpStatus.DONE else None
        )
        for aspect in ("safety", "housing", "income", "re_trafficking_risk"):
            value = getattr(data, aspect)
            setattr(row, aspect, value.value if value is not None else None)
        row.notes_enc = encrypt_text(db.keyring, _NOTES, row.id, data.notes) if data.notes else None
        row.recorded_by, row.updated_at = actor.user_id, now()
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "follow_up.record",
                "case",
                case.id,
                detail={"follow_up": row.id, "status": data.status.value},
            ),
        )
    return case.id


@dataclass(frozen=True)
class FollowUpDue:
    """One follow-up contact to make, for the tasks home: no personal data."""

    follow_up_id: str
    case_id: str
    due_on: dt.date
    months: int
    reason: str
    overdue: bool
    label: str
    """English, for ``_()`` where shown (one of ``LABELS``); ``months`` says which contact it is."""
    href: str


# What the tasks home shows (English msgids; the catalogues hold their translations).
LABELS = {
    FollowUpReason.RETURN.value: N_("Follow-up contact after her return"),
    FollowUpReason.RESETTLEMENT.value: N_("Follow-up contact after her resettlement"),
    FollowUpReason.EXIT.value: N_("Follow-up contact after she left the services"),
}


def follow_ups_due(
    store: Database | Session,
    actor: Actor,
    today: dt.date,
    *,
    within_days: int = 14,
    keyring: Keyring | None = None,
) -> list[FollowUpDue]:
    """The follow-up contacts still to make, due on or before ``today + within_days`` (overdue ones first,
    then by date), on the cases of the actor's own organisation she may reach (her scopes; never a received
    case, never for an enforcement organisation). Given a ``Database`` the listing is audited in its own
    transaction; given a ``Session`` (the caller's transaction) it is audited there when ``keyring`` is
    given, and otherwise the caller audits its own listing."""
    scopes = case_list_scopes(actor) - {Scope.RECEIVED}
    if not scopes or actor.enforcement:
        return []
    horizon = today + dt.timedelta(days=within_days)

    def run(session: Session, keys: Keyring | None) -> list[FollowUpDue]:
        rows = session.execute(
            select(FollowUp.id, FollowUp.case_id, FollowUp.due_on, FollowUp.months, FollowUp.reason)
            .join(Case, Case.id == FollowUp.case_id)
            .where(
                and_(
                    FollowUp.status == FollowUpStatus.SCHEDULED.value,
                    FollowUp.due_on <= horizon,
                    Case.organisation_id == actor.organisation_id,
                    scope_clause(actor, scopes),
                )
            )
            .order_by(FollowUp.due_on, FollowUp.id)
        ).all()
        found = [
            FollowUpDue(
                follow_up_id=r[0],
                case_id=r[1],
                due_on=r[2],
                months=r[3],
                reason=r[4],
                overdue=r[2] < today,
                label=LABELS[r[4]],
                href=f"/cases/{r[1]}/return#follow-up-{r[0]}",
            )
            for r in rows
        ]
        if keys is not None and found:
            audit.record_one(
                session,
                keys,
                AuditEntry(
                    actor.user_id,
                    "follow_up.list",
                    "case",
                    None,
                    detail={"shown": sorted({f.case_id for f in found})},
                ),
            )
        return found

    if isinstance(store, Session):
        return run(store, keyring)
    with store.transaction() as session:
        return run(session, store.keyring)
