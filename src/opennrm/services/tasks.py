"""A user's tasks: what waits for her on the cases she may read, each a link to where the work is done.

The list is gathered from small *sources*, one function each (``SOURCES``): referrals awaiting an answer or
overdue, reflection and recovery periods ending within 7 days, consents ending within 14 days, her
unfinished screenings, escalated referrals (supervisors), identification deadlines (panel members) and
move-on periods ending, non-punishment matters waiting for legal aid, and follow-up contacts due after
her return, resettlement or exit. A new source is one function
``(TaskContext) -> Iterable[Task]`` added to ``SOURCES``.

Scope: every task names a case (or a referral of a case) that the policy lets the actor read. The sources
ask the store for cases in the actor's scopes (the SQL form of ``access.policy``), and ``tasks_for`` then
asks ``access.policy.decide(actor, CASE_READ, …)`` once more for every case a task names, so that a task on
a colleague's case never shows. The list is audited with the cases it names; it carries no personal data
but the survivor codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from opennrm.access.policy import Action, Actor, case_list_scopes, decide, escalations_decision
from opennrm.access.roles import Scope
from opennrm.config import Settings
from opennrm.domain.non_punishment import LegalAidStep
from opennrm.domain.services import ReferralStatus
from opennrm.domain.vocabularies import CaseStatus
from opennrm.services import identification, referrals, reintegration, screenings
from opennrm.services.cases import relation_of, scope_clause
from opennrm.services.entitlements import minimum_reflection_days_in
from opennrm.services.errors import Forbidden
from opennrm.services.sealing import decrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import Case, CaseEntitlement, ConsentRecord, NonPunishmentMatter, Person

REFLECTION_WARNING_DAYS = 7
CONSENT_WARNING_DAYS = 14
MOVE_ON_WARNING_DAYS = 14
FOLLOW_UP_WARNING_DAYS = 14
MAX_TASKS = 200


@dataclass(frozen=True)
class Task:
    """One thing to do. ``label`` is a code the pages turn into a sentence in the reader's language (with
    ``params`` filled in: a service's name, a date, a number of days); ``href`` is where the work is done."""

    kind: str
    label: str
    href: str
    case_id: str | None
    due: dt.date | None = None
    urgent: bool = False
    params: dict[str, Any] = field(default_factory=dict)
    survivor_code: str | None = None


@dataclass(frozen=True)
class TaskContext:
    db: Database
    actor: Actor
    today: dt.date
    settings: Settings | None = None

    def own_cases(self) -> Any:
        """The SQL condition: cases the actor's organisation holds and that are in her scopes."""
        scopes = case_list_scopes(self.actor) - {Scope.RECEIVED}
        return scope_clause(self.actor, scopes)


Source = Callable[[TaskContext], Iterable[Task]]


# -- the sources -----------------------------------------------------------------------------------------


def referrals_waiting(ctx: TaskContext) -> Iterable[Task]:
    """Referrals not yet answered: those sent from her cases (overdue ones urgent) and those received."""
    now = dt.datetime.combine(ctx.today, dt.time(12), dt.UTC)
    page = referrals.list_referrals(ctx.db, ctx.actor, status="open", per_page=100)
    for r in page.items:
        if r.status != ReferralStatus.SENT.value and not r.overdue:
            continue
        if r.direction == "received":
            label = "referral_to_answer"
        elif r.overdue:
            label = "referral_overdue"
        else:
            label = "referral_waiting"
        yield Task(
            "referral",
            label,
            f"/referrals/{r.id}",
            r.case_id,
            r.respond_by.date(),
            urgent=r.overdue or r.respond_by <= now,
            params={"service": r.service_name},
        )


def reflection_periods_ending(ctx: TaskContext) -> Iterable[Task]:
    """Reflection and recovery periods that end within ``REFLECTION_WARNING_DAYS`` (open cases)."""
    with ctx.db.transaction() as session:
        minimum = minimum_reflection_days_in(session)
        longest = 3 * 365
        rows = session.execute(
            select(
                Case.id, Case.identified_on, CaseEntitlement.reflection_start, CaseEntitlement.reflection_days
            )
            .outerjoin(CaseEntitlement, CaseEntitlement.case_id == Case.id)
            .where(
                ctx.own_cases(),
                Case.status.not_in((CaseStatus.CLOSED.value, CaseStatus.CLOSED_REFERRED.value)),
                or_(
                    and_(
                        CaseEntitlement.reflection_start.is_(None),
                        Case.identified_on >= ctx.today - dt.timedelta(days=longest),
                    ),
                    CaseEntitlement.reflection_start >= ctx.today - dt.timedelta(days=longest),
                ),
            )
        ).all()
    for case_id, identified_on, start, days in rows:
        begin = start or identified_on
        if begin is None:
            continue
        end = begin + dt.timedelta(days=max(minimum, days or minimum))
        left = (end - ctx.today).days
        if 0 < left <= REFLECTION_WARNING_DAYS:
            yield Task(
                "reflection",
                "reflection_ending",
                f"/cases/{case_id}/entitlements",
                case_id,
                end,
                urgent=left <= 2,
                params={"date": end},
            )


def consents_ending(ctx: TaskContext) -> Iterable[Task]:
    """Consents in force that end within ``CONSENT_WARNING_DAYS``: ask her again, or let them end."""
    until = ctx.today + dt.timedelta(days=CONSENT_WARNING_DAYS)
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(ConsentRecord.case_id, ConsentRecord.expires_on)
            .join(Case, Case.id == ConsentRecord.case_id)
            .where(
                ctx.own_cases(),
                ConsentRecord.revoked_at.is_(None),
                ConsentRecord.given_on <= ctx.today,
                ConsentRecord.expires_on >= ctx.today,
                ConsentRecord.expires_on <= until,
            )
        ).all()
    for case_id, expires_on in rows:
        yield Task(
            "consent",
            "consent_ending",
            f"/cases/{case_id}/consents",
            case_id,
            expires_on,
            urgent=(expires_on - ctx.today).days <= 3,
            params={"date": expires_on},
        )


def unfinished_screenings(ctx: TaskContext) -> Iterable[Task]:
    """Her own screening drafts."""
    for item in screenings.drafts_of(ctx.db, ctx.actor):
        yield Task(
            "screening",
            "screening_draft",
            f"/cases/{item.case_id}/screening",
            item.case_id,
            None,
            params={"date": item.updated_at},
        )


def escalations(ctx: TaskContext) -> Iterable[Task]:
    """Unresolved escalated referrals of the supervisor's organisation."""
    if not escalations_decision(ctx.actor):
        return
    for item in referrals.list_escalations(ctx.db, ctx.actor):
        yield Task(
            "escalation",
            "escalation",
            f"/referrals/{item.referral_id}",
            None,
            item.due_at.date(),
            urgent=True,
            params={"service": item.service_name},
        )


def identification_deadlines(ctx: TaskContext) -> Iterable[Task]:
    """Decisions, reconsiderations and proposals waiting for a second organisation's confirmation, due from
    panels her organisation sits on."""
    if ctx.settings is None:
        return
    nat = identification.national_procedure(ctx.settings)
    for item in identification.deadlines(ctx.db, nat, ctx.actor, coordinator=False, today=ctx.today):
        if item.case_id is None:
            continue
        label = {"reconsideration": "reconsideration_due", "confirmation": "confirmation_due"}.get(
            item.kind, "decision_due"
        )
        yield Task(
            "identification",
            label,
            f"/cases/{item.case_id}/identification",
            item.case_id,
            item.due_on,
            urgent=item.overdue or item.working_days_left <= 2,
            params={"date": item.due_on},
        )


def move_on_periods_ending(ctx: TaskContext) -> Iterable[Task]:
    """After a negative decision, assistance goes on until the move-on day: plan what follows before it."""
    until = ctx.today + dt.timedelta(days=MOVE_ON_WARNING_DAYS)
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(Case.id, Case.move_on_until).where(
                ctx.own_cases(), Case.move_on_until >= ctx.today, Case.move_on_until <= until
            )
        ).all()
    for case_id, move_on_until in rows:
        yield Task(
            "move_on",
            "move_on_ending",
            f"/cases/{case_id}/identification",
            case_id,
            move_on_until,
            params={"date": move_on_until},
        )


def legal_aid_waiting(ctx: TaskContext) -> Iterable[Task]:
    """Non-punishment matters flagged to legal aid and not yet taken up."""
    with ctx.db.transaction() as session:
        rows = session.execute(
            select(NonPunishmentMatter.case_id, NonPunishmentMatter.created_at)
            .join(Case, Case.id == NonPunishmentMatter.case_id)
            .where(ctx.own_cases(), NonPunishmentMatter.legal_aid == LegalAidStep.FLAGGED.value)
        ).all()
    for case_id, created_at in rows:
        yield Task(
            "legal_aid",
            "legal_aid_waiting",
            f"/cases/{case_id}/non-punishment",
            case_id,
            None,
            params={"date": created_at},
        )


def follow_ups(ctx: TaskContext) -> Iterable[Task]:
    """Follow-up contacts after her return, resettlement or exit from services (1, 3, 6 and 12 months), due
    within ``FOLLOW_UP_WARNING_DAYS``; overdue ones urgent. ``tasks_for`` audits the listing."""
    with ctx.db.transaction() as session:
        due = reintegration.follow_ups_due(session, ctx.actor, ctx.today, within_days=FOLLOW_UP_WARNING_DAYS)
    for item in due:
        yield Task(
            "follow_up",
            f"follow_up_{item.reason}",
            item.href,
            item.case_id,
            item.due_on,
            urgent=item.overdue,
            params={"months": item.months, "date": item.due_on},
        )


SOURCES: tuple[Source, ...] = (
    referrals_waiting,
    escalations,
    identification_deadlines,
    reflection_periods_ending,
    consents_ending,
    move_on_periods_ending,
    legal_aid_waiting,
    unfinished_screenings,
    follow_ups,
)


# -- gathering -------------------------------------------------------------------------------------------


def may_have_tasks(actor: Actor) -> bool:
    """Whether the actor works with the records of individual people (only they have tasks here)."""
    return bool(decide(actor, Action.CASE_LIST)) and not actor.enforcement


def tasks_for(
    db: Database,
    actor: Actor,
    *,
    today: dt.date | None = None,
    settings: Settings | None = None,
    sources: Iterable[Source] = SOURCES,
) -> list[Task]:
    """The actor's tasks, urgent first, then by date; only on cases she may read; audited."""
    if not may_have_tasks(actor):
        return []
    ctx = TaskContext(db, actor, today or dt.date.today(), settings)
    found: list[Task] = []
    for source in sources:
        try:
            found.extend(source(ctx))
        except Forbidden:  # a source this role is refused (audited where it refused) adds nothing
            continue
    readable, codes = _readable(db, actor, {t.case_id for t in found if t.case_id})
    kept = [
        Task(**{**vars(t), "survivor_code": codes.get(t.case_id)}) if t.case_id else t
        for t in found
        if t.case_id is None or t.case_id in readable
    ]
    kept.sort(key=lambda t: (not t.urgent, t.due or dt.date.max, t.kind))
    kept = kept[:MAX_TASKS]
    with db.transaction() as session:
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "tasks.read",
                "case",
                None,
                detail={"cases": sorted({t.case_id for t in kept if t.case_id})},
            ),
        )
    return kept


def _readable(db: Database, actor: Actor, case_ids: set[str]) -> tuple[set[str], dict[str, str]]:
    """The cases among ``case_ids`` that the policy lets the actor read, and their survivor codes."""
    readable: set[str] = set()
    codes: dict[str, str] = {}
    if not case_ids:
        return readable, codes
    with db.transaction() as session:
        for case in session.execute(select(Case).where(Case.id.in_(sorted(case_ids)))).scalars():
            if decide(actor, Action.CASE_READ, relation_of(session, case)):
                readable.add(case.id)
                person = session.get(Person, case.person_id)
                if person is not None:
                    codes[case.id] = decrypt_text(
                        db.keyring, "survivor_code", person.id, person.survivor_code_enc
                    )
    return readable, codes


__all__ = ["SOURCES", "Source", "Task", "TaskContext", "may_have_tasks", "tasks_for"]
