"""The assistance every case is entitled to, unconditionally (GR38 §85, §89–90, §92–96).

A reflection and recovery period (at least 30 days; the installation may set a longer minimum), the
residence-permit status, legal aid and an interpreter, risk assessments on return, and for a child the
guardian's appointment and the best-interests determination. The rules live in
``opennrm.domain.services`` (``entitlements_for``, ``outcome_refusal``); nothing here reads, or can be given,
anything about cooperation with the authorities. Only the owning organisation reads or changes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor
from opennrm.domain.age import presumed_child, youngest_age_on
from opennrm.domain.reintegration import children_refusal, dependant_is_child
from opennrm.domain.services import (
    ENTITLEMENT_FIELDS,
    MAX_REFLECTION_DAYS,
    MIN_REFLECTION_DAYS,
    DecisionFacts,
    Entitlements,
    EntitlementsChange,
    OutcomePlan,
    Provision,
    ResidencePermitStatus,
    ReturnRisk,
    RiskAssessmentInput,
    RiskFacts,
    StoredEntitlements,
    entitlements_for,
    outcome_refusal,
)
from opennrm.domain.text import N_
from opennrm.services.age import age_facts, presumed_child_now
from opennrm.services.cases import load_case_for
from opennrm.services.clock import now
from opennrm.services.errors import Conflict, InvalidInput, refuse
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_text
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.keys import Keyring
from opennrm.store.tables import AppMeta, Case, CaseEntitlement, CaseOutcomePlan, Dependant, RiskAssessment

#: The encryption context of a dependant's details (``store.tables.ENCRYPTED_COLUMNS``).
DEPENDANT_CONTEXT = "dependant"

REFLECTION_SETTING = "reflection_period_days"
# What is recorded only for a child (refused for a person known to be an adult).
CHILD_KEYS = (
    "guardian_appointed_on",
    "best_interests_determined_on",
    "unaccompanied",
    "family_traced_on",
    "reunification_assessed_on",
)


# -- the installation's minimum reflection period -------------------------------------------------------


def minimum_reflection_days_in(session: Session) -> int:
    row = session.get(AppMeta, REFLECTION_SETTING)
    return max(MIN_REFLECTION_DAYS, int(row.value)) if row is not None else MIN_REFLECTION_DAYS


def minimum_reflection_days(db: Database) -> int:
    with db.transaction() as session:
        return minimum_reflection_days_in(session)


def set_minimum_reflection_days(db: Database, days: int, *, actor_id: str = "cli") -> int:
    """Set the installation's minimum reflection and recovery period (30 days or more). Audited."""
    if not MIN_REFLECTION_DAYS <= days <= MAX_REFLECTION_DAYS:
        raise InvalidInput(
            N_(
                "the reflection and recovery period is between %(least)s and %(most)s days "
                "(at least 30: CETS 197 art. 13)"
            )
            % {"least": MIN_REFLECTION_DAYS, "most": MAX_REFLECTION_DAYS},
            field="days",
        )
    with db.transaction() as session:
        row = session.get(AppMeta, REFLECTION_SETTING)
        before = minimum_reflection_days_in(session)
        if row is None:
            session.add(AppMeta(key=REFLECTION_SETTING, value=str(days)))
        else:
            row.value = str(days)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor_id,
                "entitlements.configure",
                "installation",
                None,
                detail={"reflection_days_before": before, "reflection_days": days},
            ),
        )
    return days


# -- reading --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskAssessmentView:
    id: str
    assessed_on: dt.date
    risk_found: bool
    risks: list[str]
    summary: str | None


@dataclass(frozen=True)
class OutcomeView:
    id: str
    outcome: str
    note: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class EntitlementsView:
    case_id: str
    entitlements: Entitlements
    risk_assessments: list[RiskAssessmentView]
    outcomes: list[OutcomeView]
    minimum_reflection_days: int
    is_child: bool
    """Presumed a child today: every rule that protects children applies."""
    dependants_with_her: int = 0
    """The dependants with her (GR38 §84, §95): each is entitled to the same assistance."""


# The entitlement fields are those of ``StoredEntitlements``; the vocabularies among them are stored as
# their codes. tests/unit/domain/test_entitlement_fields.py keeps the change, the result and the table equal.
_STORED_AS_CODE = {
    "residence_permit": ResidencePermitStatus,
    "legal_aid": Provision,
    "interpreter": Provision,
}


def _stored(row: CaseEntitlement | None) -> StoredEntitlements:
    if row is None:
        return StoredEntitlements()
    values: dict[str, Any] = {}
    for name in ENTITLEMENT_FIELDS:
        value = getattr(row, name)
        vocabulary = _STORED_AS_CODE.get(name)
        values[name] = vocabulary(value) if vocabulary is not None and value else value
    return StoredEntitlements(**values)


def _assessments(session: Session, case_id: str) -> list[RiskAssessment]:
    return list(
        session.execute(
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case_id)
            .order_by(RiskAssessment.assessed_on, RiskAssessment.created_at)
        ).scalars()
    )


def _risk_facts(row: RiskAssessment) -> RiskFacts:
    return RiskFacts(row.assessed_on, frozenset(ReturnRisk(r) for r in row.risks))


def _latest(rows: list[RiskAssessment]) -> RiskFacts | None:
    """What the most recent assessment date found. Assessments of one day count together: a risk any of them
    found stands (a same-day "no risk" never wipes out a risk found that day)."""
    if not rows:
        return None
    day = rows[-1].assessed_on
    risks = frozenset(ReturnRisk(r) for row in rows if row.assessed_on == day for r in row.risks)
    return RiskFacts(day, risks)


def _compute(
    session: Session, keyring: Keyring, case: Case, today: dt.date
) -> tuple[Entitlements, list[RiskAssessment]]:
    rows = _assessments(session, case.id)
    latest = _latest(rows)
    computed = entitlements_for(
        _stored(session.get(CaseEntitlement, case.id)),
        identified_on=case.identified_on or today,
        is_child=presumed_child_now(session, keyring, case, today),
        risk_assessments=[latest] if latest else [],
        minimum_reflection_days=minimum_reflection_days_in(session),
        today=today,
    )
    return computed, rows


def view_entitlements(
    db: Database, actor: Actor, case_id: str, *, today: dt.date | None = None
) -> EntitlementsView:
    today = today or dt.date.today()
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_READ)
        computed, rows = _compute(session, db.keyring, case, today)
        outcomes = session.execute(
            select(CaseOutcomePlan)
            .where(CaseOutcomePlan.case_id == case_id)
            .order_by(CaseOutcomePlan.created_at)
        ).scalars()
        keyring = db.keyring
        view = EntitlementsView(
            case_id=case_id,
            entitlements=computed,
            risk_assessments=[
                RiskAssessmentView(
                    r.id,
                    r.assessed_on,
                    r.risk_found,
                    list(r.risks),
                    decrypt_text(keyring, "risk_summary", r.id, r.summary_enc) if r.summary_enc else None,
                )
                for r in rows
            ],
            outcomes=[
                OutcomeView(
                    o.id,
                    o.outcome,
                    decrypt_text(keyring, "outcome_note", o.id, o.note_enc) if o.note_enc else None,
                    o.created_at,
                )
                for o in outcomes
            ],
            minimum_reflection_days=minimum_reflection_days_in(session),
            is_child=computed.child,
            dependants_with_her=len(
                session.execute(
                    select(Dependant.id).where(Dependant.case_id == case_id, Dependant.with_her.is_(True))
                ).all()
            ),
        )
        audit.record_one(session, keyring, AuditEntry(actor.user_id, "entitlements.read", "case", case_id))
    return view


# -- changing -------------------------------------------------------------------------------------------


def update_entitlements(
    db: Database, actor: Actor, case_id: str, change: EntitlementsChange, *, today: dt.date | None = None
) -> Entitlements:
    """Change the keys given. The reflection period never drops below the installation's minimum; a
    guardian and a best-interests determination are refused only for a person known to be an adult."""
    today = today or dt.date.today()
    given = sorted(change.model_fields_set)
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_UPDATE)
        minimum = minimum_reflection_days_in(session)
        if (
            change.reflection_start is not None
            and case.identified_on
            and change.reflection_start < case.identified_on
        ):
            raise InvalidInput(
                N_("the reflection and recovery period cannot start before she was identified (%(date)s)")
                % {"date": case.identified_on.isoformat()},
                field="reflection_start",
            )
        if change.reflection_days is not None and change.reflection_days < minimum:
            raise InvalidInput(
                N_("the reflection and recovery period is at least %(days)s days here") % {"days": minimum},
                field="reflection_days",
            )
        facts = age_facts(session, db.keyring, case)
        known_adult = not presumed_child(facts, today) and youngest_age_on(facts, today) is not None
        for key in CHILD_KEYS:
            if getattr(change, key) is not None and known_adult:
                raise InvalidInput(f"{key} is recorded only for a child", field=key)
        row = session.get(CaseEntitlement, case_id)
        if row is None:
            row = CaseEntitlement(case_id=case_id, updated_at=now())
            session.add(row)
        for key in given:
            value = getattr(change, key)
            setattr(row, key, value.value if hasattr(value, "value") else value)
        row.updated_by, row.updated_at = actor.user_id, now()
        session.flush()
        computed, _ = _compute(session, db.keyring, case, today)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "entitlements.update", "case", case_id, detail={"changed": given}),
        )
    return computed


def add_risk_assessment(db: Database, actor: Actor, case_id: str, data: RiskAssessmentInput) -> str:
    """Record a risk assessment on return. A risk found sets the non-refoulement flag: no return can be
    planned while the latest assessment finds one."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_UPDATE)
        assessment_id = new_id()
        session.add(
            RiskAssessment(
                id=assessment_id,
                case_id=case_id,
                assessed_on=data.assessed_on or dt.date.today(),
                risk_found=data.risk_found,
                risks=sorted(r.value for r in data.risks),
                summary_enc=encrypt_text(db.keyring, "risk_summary", assessment_id, data.summary)
                if data.summary
                else None,
                assessed_by=actor.user_id,
                created_at=now(),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "risk.assess",
                "case",
                case_id,
                detail={"assessment": assessment_id, "risk_found": data.risk_found},
            ),
        )
    return assessment_id


def children_unassessed(session: Session, keyring: Keyring, case_id: str, today: dt.date) -> int:
    """Children with her whose best interests in a move are not yet assessed (a return or resettlement,
    planned as a move or as the case's outcome, waits for them: ``domain.reintegration.children_refusal``)."""
    rows = session.execute(
        select(Dependant).where(
            Dependant.case_id == case_id, Dependant.with_her.is_(True), Dependant.best_interests_on.is_(None)
        )
    ).scalars()
    return sum(
        1
        for row in rows
        if dependant_is_child(
            decrypt_json(keyring, DEPENDANT_CONTEXT, row.id, row.details_enc),
            row.created_at.date(),
            today,
            row.relationship,
        )
    )


def decision_facts(session: Session, keyring: Keyring, case: Case, today: dt.date) -> DecisionFacts:
    """What a decision about the case's outcome may read — built here and nowhere else."""
    computed, _ = _compute(session, keyring, case, today)
    return DecisionFacts(
        is_child=computed.child,
        guardian_appointed_on=computed.guardian_appointed_on,
        best_interests_determined_on=computed.best_interests_determined_on,
        latest_risk_assessment=computed.latest_risk_assessment,
        reflection_end=computed.reflection_end if today < computed.reflection_end else None,
        unaccompanied=computed.unaccompanied,
        family_traced_on=computed.family_traced_on,
        reunification_assessed_on=computed.reunification_assessed_on,
    )


def plan_outcome(
    db: Database, actor: Actor, case_id: str, plan: OutcomePlan, *, today: dt.date | None = None
) -> str:
    """Record the planned outcome of a case. A return is refused, with the reason, without a risk assessment
    or when the latest one found a risk (non-refoulement); any decision about a child waits for a guardian
    and a best-interests determination."""
    with db.transaction() as session:
        case = load_case_for(db, session, actor, case_id, Action.ENTITLEMENTS_UPDATE)
        today = today or dt.date.today()
        refusal = outcome_refusal(plan.outcome, decision_facts(session, db.keyring, case, today)) or (
            children_refusal(plan.outcome.value, children_unassessed(session, db.keyring, case.id, today))
        )
        if refusal is not None:
            refuse(db, actor, "outcome.plan", "case", case_id, Conflict(refusal, field="outcome"))
        outcome_id = new_id()
        session.add(
            CaseOutcomePlan(
                id=outcome_id,
                case_id=case_id,
                outcome=plan.outcome.value,
                note_enc=encrypt_text(db.keyring, "outcome_note", outcome_id, plan.note)
                if plan.note
                else None,
                decided_by=actor.user_id,
                created_at=now(),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "outcome.plan",
                "case",
                case_id,
                detail={"outcome": plan.outcome.value, "plan": outcome_id},
            ),
        )
    return outcome_id
