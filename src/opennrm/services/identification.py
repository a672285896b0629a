"""Identification decisions (GR38 §77–78): convene a multi-agency panel for a case, record its decisions at
the stages of the national procedure, recusals, reconsideration, the decision letter's facts, deadlines and
the statistics of decisions.

Rules, each at one place:
- who may sit on a panel and who may decide: ``opennrm.access.policy.panel_composition_decision`` and
  ``panel_decision`` (never an enforcement organisation; at least two organisations of two types);
- what a decision may say and where the case then stands: ``opennrm.identification.rules`` (no field about
  cooperation with the police or criminal proceedings exists or is accepted);
- sharing with the panel: every member organisation other than the case's owner reads the case only under a
  disclosure opened by the consent gate (``opennrm.services.consent.disclose``, purpose ``identification``,
  no identity fields). A revoked consent closes it, and the member's access ends at once.

Every function runs in one transaction and writes its audit event in it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Container, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opennrm.access.policy import (
    FIREWALL,
    Action,
    Actor,
    CaseRelation,
    PanelFacts,
    PanelSeat,
    decide,
    panel_composition_decision,
    panel_decision,
)
from opennrm.config import Settings
from opennrm.domain.consent import ConsentPurpose
from opennrm.identification.procedure import Procedure, Stage, load_procedure
from opennrm.identification.rules import (
    ConfirmationInput,
    DecisionInput,
    Outcome,
    PanelInput,
    ReconsiderationDecisionInput,
    ReconsiderationRequestInput,
    ReconsiderationResult,
    RecusalInput,
    Standing,
    earliest_final,
    is_overdue,
    move_on_until,
    rank,
    reconsideration_open_until,
    stage_deadline,
    standing_of,
    trafficking_status_after,
)
from opennrm.identification.working_days import add_working_days, national_holidays, working_days_between
from opennrm.services.cases import disclosure_in_force_clause, relation_of
from opennrm.services.clock import now
from opennrm.services.consent import disclose
from opennrm.services.entitlements import decision_facts, minimum_reflection_days_in
from opennrm.services.errors import Conflict, InvalidInput, NotFound, refuse, refuse_unknown
from opennrm.services.firewall import enforcement_types_in
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_text
from opennrm.stats.dimensions import (
    CATEGORISERS,
    Dimension,
    NationalClassification,
    default_classification,
    nrm_dimensions,
)
from opennrm.stats.disclosure import published_breakdown
from opennrm.stats.tables import display_count
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.tables import (
    Case,
    Disclosure,
    ExploitationEventRow,
    IdentificationDecision,
    IdentificationPanel,
    Organisation,
    PanelMember,
    Reconsideration,
    Screening,
)

OPEN, DECIDED, RECONSIDERING = "open", "decided", "reconsidering"
PENDING = "pending"
# where a decision (or a reconsideration's answer) stands: proposed by one organisation, taken when another
# confirms it (GR38 §78), or declined
PROPOSED, TAKEN, DECLINED = "proposed", "taken", "declined"


# -- the national procedure of this installation ---------------------------------------------------------


@dataclass(frozen=True)
class NationalProcedure:
    """The procedure and the holiday calendar its working days are counted on."""

    procedure: Procedure
    holidays: Container[dt.date] = field(default_factory=frozenset)
    country: str | None = None


@cache
def _national(procedure_name: str, country: str | None, subdivision: str | None) -> NationalProcedure:
    procedure = load_procedure(procedure_name)
    country = country or procedure.country
    if country is None:
        return NationalProcedure(procedure)
    subdivision = subdivision or (procedure.subdivision if country == procedure.country else None)
    return NationalProcedure(procedure, national_holidays(country, subdivision), country)


def national_procedure(settings: Settings) -> NationalProcedure:
    """The installation's procedure (``OPENNRM_PROCEDURE``) on its holidays (``OPENNRM_COUNTRY``)."""
    return _national(settings.procedure, settings.country, settings.country_subdivision)


# -- loading ---------------------------------------------------------------------------------------------


def _case(db: Database, session: Session, actor: Actor, case_id: str, action: Action) -> Case:
    """The case — refused (403, audited) to an enforcement user before anything else is looked at, and
    refused the same way when there is no such case, so that nobody learns from the answer whether a case,
    a panel or a proposal exists."""
    if actor.enforcement:
        refuse(db, actor, action, "case", case_id if is_record_id(case_id) else None, FIREWALL)
    case = session.get(Case, case_id) if is_record_id(case_id) else None
    if case is None:
        refuse_unknown(db, actor, action, "case", case_id)
    return case


def _panel_of(session: Session, case_id: str) -> IdentificationPanel | None:
    return session.execute(
        select(IdentificationPanel)
        .where(IdentificationPanel.case_id == case_id)
        .order_by(IdentificationPanel.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def _members(session: Session, panel_id: str) -> list[PanelMember]:
    return list(
        session.execute(select(PanelMember).where(PanelMember.panel_id == panel_id).order_by(PanelMember.id))
        .scalars()
        .all()
    )


def _seats(session: Session, members: Iterable[PanelMember]) -> tuple[PanelSeat, ...]:
    enforcement = enforcement_types_in(session)
    members = list(members)
    panel = session.get(IdentificationPanel, members[0].panel_id) if members else None
    shared = (
        set(
            session.execute(
                select(Disclosure.recipient_organisation_id).where(
                    Disclosure.case_id == panel.case_id,
                    Disclosure.purpose == ConsentPurpose.IDENTIFICATION.value,
                    disclosure_in_force_clause(),
                )
            ).scalars()
        )
        if panel is not None
        else set()
    )
    seats = []
    for member in members:
        org = session.get(Organisation, member.organisation_id)
        assert org is not None  # noqa: S101 - foreign key
        seats.append(
            PanelSeat(
                org.id, org.type, org.type in enforcement, member.recused_at is not None, org.id in shared
            )
        )
    return tuple(seats)


def _recorded_on(decision: IdentificationDecision) -> dt.date:
    """The day a decision was recorded — when she is told, and when her periods start to run."""
    day: dt.date = decision.recorded_on
    return day


def _facts(
    nat: NationalProcedure, seats: tuple[PanelSeat, ...], panel: IdentificationPanel | None
) -> PanelFacts:
    rules = nat.procedure.panel
    return PanelFacts(
        seats=seats,
        convening_roles=rules.convening_roles,
        deciding_roles=rules.deciding_roles,
        minimum_organisations=rules.minimum_organisations,
        minimum_organisation_types=rules.minimum_organisation_types,
        member_types=rules.member_types,
        open=panel is not None and panel.status in (OPEN, RECONSIDERING),
    )


def _allow(
    db: Database,
    session: Session,
    actor: Actor,
    action: Action,
    case: Case,
    facts: PanelFacts | None,
    *,
    took_part: frozenset[str] = frozenset(),
    proposed_by_organisation: str | None = None,
) -> CaseRelation:
    relation = relation_of(session, case)
    decision = panel_decision(
        actor,
        action,
        relation,
        facts,
        took_part=took_part,
        proposed_by_organisation=proposed_by_organisation,
    )
    if not decision:
        case_id = case.id
        refuse(db, actor, action, "case", case_id, decision.reason)
    return relation


def _in_force(session: Session, case_id: str) -> list[IdentificationDecision]:
    return list(
        session.execute(
            select(IdentificationDecision)
            .where(IdentificationDecision.case_id == case_id, IdentificationDecision.in_force.is_(True))
            .order_by(IdentificationDecision.decided_on, IdentificationDecision.created_at)
        )
        .scalars()
        .all()
    )


def _stage(nat: NationalProcedure, stage_id: str, field_name: str = "stage") -> Stage:
    try:
        return nat.procedure.stage(stage_id)
    except KeyError:
        known = ", ".join(s.id for s in nat.procedure.stages)
        raise InvalidInput(
            f"no stage {stage_id!r} in this procedure; stages: {known}", field=field_name
        ) from None


# -- convening -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    type: str


def panel_candidates(db: Database, nat: NationalProcedure) -> list[Candidate]:
    """The organisations of the directory that may sit on a panel: of a type the procedure names, never one on
    the firewall's enforcement list."""
    with db.transaction() as session:
        enforcement = enforcement_types_in(session)
        rows = session.execute(select(Organisation).order_by(Organisation.name)).scalars()
        return [
            Candidate(o.id, o.name, o.type)
            for o in rows
            if o.type in nat.procedure.panel.member_types and o.type not in enforcement
        ]


def convene_panel(
    db: Database,
    nat: NationalProcedure,
    actor: Actor,
    case_id: str,
    data: PanelInput,
    *,
    today: dt.date | None = None,
) -> str:
    """Convene the case's panel from organisations of the directory. Refused (and nothing changed) when an
    organisation is enforcement, when fewer than two organisations or types sit, or when the consent gate
    refuses sharing the case with a member."""
    today = today or dt.date.today()
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.PANEL_CONVENE)
        organisation_ids = list(dict.fromkeys(data.organisation_ids))
        rows = []
        for org_id in organisation_ids:
            org = session.get(Organisation, org_id)
            if org is None:
                raise InvalidInput(f"no organisation {org_id}", field="organisation_ids")
            rows.append(org)
        enforcement = enforcement_types_in(session)
        seats = tuple(PanelSeat(o.id, o.type, o.type in enforcement) for o in rows)
        facts = _facts(nat, seats, None)
        _allow(db, session, actor, Action.PANEL_CONVENE, case, facts)
        composition = panel_composition_decision(facts)
        if not composition:
            raise InvalidInput(composition.reason, field="organisation_ids")
        current = _panel_of(session, case_id)
        if current is not None and current.status in (OPEN, RECONSIDERING):
            raise Conflict("this case already has a panel deciding; its members may recuse themselves")
        decided = _in_force(session, case_id)
        if decided and decided[-1].stage_kind == "final":
            raise Conflict("the final decision is taken; ask for reconsideration instead")
        panel_id = new_id()
        first = nat.procedure.next_stage(nat.procedure.stage(decided[-1].stage) if decided else None)
        assert first is not None  # noqa: S101 - a final decision was refused above
        started = today if not decided else earliest_final(decided[-1].decided_on, nat.procedure)
        session.add(
            IdentificationPanel(
                id=panel_id,
                case_id=case_id,
                procedure=nat.procedure.id,
                procedure_version=nat.procedure.version,
                status=OPEN,
                next_stage=first.id,
                started_on=started,
                due_on=stage_deadline(started, first, nat.holidays),
                convened_by=actor.user_id,
                convened_on=today,
                created_at=now(),
            )
        )
        session.flush()
        for org in rows:
            session.add(
                PanelMember(
                    id=new_id(),
                    panel_id=panel_id,
                    organisation_id=org.id,
                    disclosure_id=_share(db, session, actor, case, org.id),
                )
            )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "identification.convene",
                "case",
                case_id,
                detail={"panel": panel_id, "organisations": organisation_ids, "stage": first.id},
            ),
        )
    return panel_id


def _share(db: Database, session: Session, actor: Actor, case: Case, organisation_id: str) -> str | None:
    """Open the member's view of the case through the consent gate (no identity fields); None for the case's
    own organisation. A refusal (no consent covering identification) refuses the whole convening."""
    if organisation_id == case.organisation_id:
        return None
    result = disclose(
        db,
        actor,
        case.id,
        organisation_id,
        ConsentPurpose.IDENTIFICATION.value,
        fields=frozenset(),
        session=session,
    )
    return result.id


def _close_shares(session: Session, members: Iterable[PanelMember]) -> None:
    ids = [m.disclosure_id for m in members if m.disclosure_id]
    if ids:
        session.execute(
            update(Disclosure)
            .where(Disclosure.id.in_(ids), Disclosure.status == "open")
            .values(status="closed", closed_at=now())
        )


def recuse(db: Database, nat: NationalProcedure, actor: Actor, case_id: str, data: RecusalInput) -> None:
    """A member organisation steps back (a conflict of interest, say), with its reason; recorded, never
    deleted, and its own act (one organisation cannot put another off the panel). What it proposed and
    was not yet confirmed falls with it. The panel can go on deciding only while two organisations of two
    types remain."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.PANEL_READ)
        panel = _panel_of(session, case_id)
        members = _members(session, panel.id) if panel else []
        facts = _facts(nat, _seats(session, members), panel) if panel else None
        _allow(db, session, actor, Action.PANEL_READ, case, facts)
        if panel is None or panel.status not in (OPEN, RECONSIDERING):
            raise Conflict("no panel is deciding on this case")
        member = next((m for m in members if m.organisation_id == data.organisation_id), None)
        if member is None:
            raise InvalidInput("this organisation does not sit on the panel", field="organisation_id")
        if actor.organisation_id != member.organisation_id:
            raise InvalidInput("an organisation recuses itself: ask its members", field="organisation_id")
        if member.recused_at is not None:
            return
        member.recused_at, member.recused_by = now(), actor.user_id
        member.recusal_reason_enc = encrypt_text(db.keyring, "recusal_reason", member.id, data.reason)
        _close_shares(session, [member])
        _drop_proposals_of(session, db, case_id, member.organisation_id)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "identification.recuse",
                "case",
                case_id,
                detail={"panel": panel.id, "organisation": member.organisation_id},
            ),
        )


# -- deciding --------------------------------------------------------------------------------------------


def _drop_proposals_of(session: Session, db: Database, case_id: str, organisation_id: str) -> None:
    """What an organisation proposed and is not yet confirmed falls when it recuses itself."""
    proposal = _proposed_decision(session, case_id)
    if proposal is not None and proposal.decided_by_organisation == organisation_id:
        proposal.state = DECLINED
        proposal.declined_reason_enc = encrypt_text(
            db.keyring, "decision_declined", proposal.id, "The proposing organisation recused itself."
        )
    request = _pending_request(session, case_id)
    if (
        request is not None
        and request.status == PROPOSED
        and request.answered_by_organisation == organisation_id
    ):
        request.status, request.decided_by, request.decided_on = PENDING, None, None
        request.answered_by_organisation, request.result, request.reasons_enc = None, None, None


def _screening_indicators(db: Database, screening: Screening) -> set[str]:
    record = decrypt_json(db.keyring, "screening", screening.id, screening.record_enc)
    raw = record.get("input") or {}
    return {str(code) for code in raw.get("indicators") or []}


def record_decision(
    db: Database,
    nat: NationalProcedure,
    actor: Actor,
    case_id: str,
    data: DecisionInput,
    *,
    today: dt.date | None = None,
) -> str:
    """Propose the panel's decision at its next stage. It takes effect when a member of another organisation
    on the panel confirms it (``answer_proposal``; GR38 §78: multi-agency, never one organisation alone).
    Returns the proposed decision's id."""
    today = today or dt.date.today()
    decided_on = data.decided_on or today
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.PANEL_DECIDE)
        panel = _panel_of(session, case_id)
        members = _members(session, panel.id) if panel else []
        facts = _facts(nat, _seats(session, members), panel) if panel else None
        _allow(db, session, actor, Action.PANEL_DECIDE, case, facts)
        assert panel is not None and facts is not None  # noqa: S101 - the policy refuses without a panel
        composition = panel_composition_decision(facts)
        if not composition:
            raise Conflict(f"the panel cannot decide as it stands: {composition.reason}")
        _no_proposal_waiting(session, case_id)
        if _pending_request(session, case_id) is not None:
            raise Conflict("a reconsideration of this case waits for its answer; answer it first")
        stage = _stage(nat, data.stage)
        if panel.next_stage != stage.id:
            raise InvalidInput(
                f"the panel decides the stage {panel.next_stage!r} next, not {stage.id!r}", field="stage"
            )
        if decided_on < panel.convened_on:
            raise InvalidInput(
                f"a decision cannot be dated before the panel met on {panel.convened_on.isoformat()}",
                field="decided_on",
            )
        _may_take(db, session, nat, case, stage, today)
        screening = session.get(Screening, data.screening_id)
        if screening is None or screening.case_id != case_id:
            raise InvalidInput("no such screening on this case", field="screening_id")
        unknown = sorted(set(data.indicators) - _screening_indicators(db, screening))
        if unknown:
            raise InvalidInput(
                f"indicators not found in the screening: {', '.join(unknown)}", field="indicators"
            )
        decision_id = new_id()
        started = panel.started_on or panel.convened_on
        session.add(
            IdentificationDecision(
                id=decision_id,
                case_id=case_id,
                panel_id=panel.id,
                stage=stage.id,
                stage_kind=stage.kind,
                outcome=data.outcome.value,
                screening_id=screening.id,
                indicators=list(data.indicators),
                reasons_enc=encrypt_text(db.keyring, "decision_reasons", decision_id, data.reasons),
                dissent_enc=encrypt_text(db.keyring, "decision_dissent", decision_id, data.dissent)
                if data.dissent
                else None,
                decided_by=actor.user_id,
                decided_by_organisation=actor.organisation_id,
                started_on=started,
                due_on=panel.due_on or decided_on,
                decided_on=decided_on,
                recorded_on=today,
                working_days_taken=max(0, working_days_between(started, decided_on, nat.holidays)),
                in_force=False,
                reconsideration_of=None,
                created_at=now(),
                state=PROPOSED,
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "identification.propose",
                "case",
                case_id,
                detail={
                    "decision": decision_id,
                    "stage": stage.id,
                    "outcome": data.outcome.value,
                    "screening": screening.id,
                },
            ),
        )
    return decision_id


def _may_take(
    db: Database, session: Session, nat: NationalProcedure, case: Case, stage: Stage, today: dt.date
) -> None:
    """The rules of time a decision at ``stage`` meets on the day it is taken (proposed, and again when
    confirmed): her periods run from the day a decision is recorded (and she is told), never from an
    earlier date written on it; a final decision waits for the recovery period after the first and for the
    end of her own reflection period; a decision never moves a case down."""
    if stage.final:
        first = next((d for d in _in_force(session, case.id) if d.stage_kind == "first"), None)
        if first is not None and today < earliest_final(_recorded_on(first), nat.procedure):
            raise InvalidInput(
                f"no final decision before the recovery period ends on "
                f"{earliest_final(_recorded_on(first), nat.procedure).isoformat()}",
                field="decided_on",
            )
        reflection_end = decision_facts(session, db.keyring, case, today).reflection_end
        if reflection_end is not None:
            raise InvalidInput(
                f"no final decision while her reflection and recovery period runs (until "
                f"{reflection_end.isoformat()})",
                field="decided_on",
            )
    before = standing_of(case.trafficking_status, case.identification_stage)
    after = Standing.FINAL_DECISION if stage.final else Standing.FIRST_DECISION
    if rank(after) < rank(before):
        raise Conflict("a decision never moves a case down; ask for reconsideration instead")


def _proposed_decision(session: Session, case_id: str) -> IdentificationDecision | None:
    return session.execute(
        select(IdentificationDecision).where(
            IdentificationDecision.case_id == case_id, IdentificationDecision.state == PROPOSED
        )
    ).scalar_one_or_none()


def _pending_request(session: Session, case_id: str) -> Reconsideration | None:
    """The reconsideration of the case waiting for its answer or for the answer's confirmation."""
    return session.execute(
        select(Reconsideration).where(
            Reconsideration.case_id == case_id, Reconsideration.status.in_((PENDING, PROPOSED))
        )
    ).scalar_one_or_none()


def _no_proposal_waiting(session: Session, case_id: str) -> None:
    request = _pending_request(session, case_id)
    waiting = request is not None and request.status == PROPOSED
    if waiting or _proposed_decision(session, case_id) is not None:
        raise Conflict(
            "a proposal waits for a member of another organisation on the panel to confirm or decline it"
        )


def _apply(
    session: Session,
    nat: NationalProcedure,
    case: Case,
    panel: IdentificationPanel,
    members: list[PanelMember],
    stage: Stage,
    outcome: Outcome,
    decided_on: dt.date,
) -> None:
    """The case and panel after a decision in force at ``stage``: the case's standing and HTCDS status, the
    move-on period after a negative decision, the panel's next stage and its deadline."""
    case.identification_stage = stage.kind
    case.trafficking_status = trafficking_status_after(stage, outcome).value
    case.status_imported = False  # a decision's status is no longer the imported one
    case.updated_at = now()
    if outcome is Outcome.NEGATIVE:
        until = move_on_until(decided_on, nat.procedure, minimum_reflection_days_in(session))
        case.move_on_until = max(until, case.move_on_until) if case.move_on_until else until
    else:
        case.move_on_until = None
    following = nat.procedure.next_stage(stage) if outcome is Outcome.POSITIVE else None
    if following is None:
        panel.status, panel.next_stage, panel.due_on = DECIDED, None, None
        _close_shares(session, members)
    else:
        start = earliest_final(decided_on, nat.procedure)
        panel.status, panel.next_stage = OPEN, following.id
        panel.started_on, panel.due_on = start, stage_deadline(start, following, nat.holidays)


# -- reconsideration -------------------------------------------------------------------------------------


def request_reconsideration(
    db: Database,
    nat: NationalProcedure,
    actor: Actor,
    case_id: str,
    data: ReconsiderationRequestInput,
    *,
    today: dt.date | None = None,
) -> str:
    """She asks for a decision in force to be looked at again, within the procedure's time. The panel sits
    again (its members' view reopened through the consent gate) and must answer by the deadline."""
    today = today or dt.date.today()
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.RECONSIDERATION_REQUEST)
        panel = _panel_of(session, case_id)
        members = _members(session, panel.id) if panel else []
        facts = _facts(nat, _seats(session, members), panel) if panel else None
        _allow(db, session, actor, Action.RECONSIDERATION_REQUEST, case, facts)
        decision = session.get(IdentificationDecision, data.decision_id)
        if decision is None or decision.case_id != case_id or not decision.in_force:
            raise InvalidInput("no decision in force with this id on the case", field="decision_id")
        if today > reconsideration_open_until(_recorded_on(decision), nat.procedure):
            raise InvalidInput(
                f"reconsideration could be asked until "
                f"{reconsideration_open_until(_recorded_on(decision), nat.procedure).isoformat()}",
                field="decision_id",
            )
        if _pending_request(session, case_id) is not None:
            raise Conflict("a reconsideration of this case is already waiting for its answer")
        _no_proposal_waiting(session, case_id)
        panel = session.get(IdentificationPanel, decision.panel_id)
        assert panel is not None  # noqa: S101 - foreign key
        for member in _members(session, panel.id):
            if member.recused_at is None and (
                member.disclosure_id is None or _closed(session, member.disclosure_id)
            ):
                member.disclosure_id = _share(db, session, actor, case, member.organisation_id)
        panel.status = RECONSIDERING
        request_id = new_id()
        session.add(
            Reconsideration(
                id=request_id,
                decision_id=decision.id,
                case_id=case_id,
                requested_by=actor.user_id,
                requested_on=today,
                grounds_enc=encrypt_text(db.keyring, "reconsideration_grounds", request_id, data.grounds),
                due_on=add_working_days(
                    today, nat.procedure.reconsideration_deadline_working_days, nat.holidays
                ),
                status=PENDING,
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "identification.reconsideration_request",
                "case",
                case_id,
                detail={"reconsideration": request_id, "decision": decision.id},
            ),
        )
    return request_id


def _closed(session: Session, disclosure_id: str) -> bool:
    row = session.get(Disclosure, disclosure_id)
    return row is None or row.status != "open"


def _took_part(decision: IdentificationDecision, request: Reconsideration) -> frozenset[str]:
    """Who may not propose the answer to a reconsideration: who proposed or confirmed the decision, and who
    asked for it to be looked at again."""
    return frozenset(u for u in (decision.decided_by, decision.confirmed_by, request.requested_by) if u)


def _may_not_confirm_answer(request: Reconsideration) -> frozenset[str]:
    """Who may not confirm the proposed answer: who proposed it and who asked for the reconsideration. The
    fresh look is the proposer's (someone who took no part in the decision); the confirmation keeps the
    answer multi-agency, and may come from any member of another organisation on the panel — else a panel
    of two small organisations could never answer."""
    return frozenset(u for u in (request.decided_by, request.requested_by) if u)


def decide_reconsideration(
    db: Database,
    nat: NationalProcedure,
    actor: Actor,
    reconsideration_id: str,
    data: ReconsiderationDecisionInput,
    *,
    today: dt.date | None = None,
) -> None:
    """Propose the answer to a reconsideration — by a panel member who took no part in the decision. A
    member of another organisation who took no part either confirms it (``answer_proposal``)."""
    today = today or dt.date.today()
    with db.transaction() as session:
        request = (
            session.get(Reconsideration, reconsideration_id) if is_record_id(reconsideration_id) else None
        )
        if request is None or actor.enforcement:
            refuse_unknown(db, actor, Action.RECONSIDERATION_DECIDE, "reconsideration", reconsideration_id)
        case = _case(db, session, actor, request.case_id, Action.RECONSIDERATION_DECIDE)
        old = session.get(IdentificationDecision, request.decision_id)
        assert old is not None  # noqa: S101 - foreign key
        panel = session.get(IdentificationPanel, old.panel_id)
        assert panel is not None  # noqa: S101 - foreign key
        facts = _facts(nat, _seats(session, _members(session, panel.id)), panel)
        _allow(
            db, session, actor, Action.RECONSIDERATION_DECIDE, case, facts, took_part=_took_part(old, request)
        )
        if request.status != PENDING:
            raise Conflict("this reconsideration has been answered, or its answer waits for confirmation")
        request.status, request.decided_by, request.decided_on = PROPOSED, actor.user_id, today
        request.answered_by_organisation = actor.organisation_id
        request.result = data.result.value
        request.reasons_enc = encrypt_text(db.keyring, "reconsideration_reasons", request.id, data.reasons)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "identification.reconsider_propose",
                "case",
                case.id,
                detail={"reconsideration": request.id, "result": data.result.value},
            ),
        )


def answer_proposal(
    db: Database,
    nat: NationalProcedure,
    actor: Actor,
    case_id: str,
    data: ConfirmationInput,
    *,
    today: dt.date | None = None,
) -> str | None:
    """A second organisation's answer to what waits on the case: a proposed decision, or a proposed answer
    to a reconsideration. Confirmed by a member of another organisation than the proposer's (who took no
    part in it), it takes effect today — her periods run from today. Declined (by any member who may decide,
    the proposer included: a withdrawal), a proposed decision stays on record with the reason and the panel
    decides again; a proposed answer to a reconsideration is set aside (the decline is audited) and the
    reconsideration waits for another answer.
    Returns the id of the decision that took effect, if any."""
    today = today or dt.date.today()
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.PANEL_CONFIRM)
        panel = _panel_of(session, case_id)
        members = _members(session, panel.id) if panel else []
        facts = _facts(nat, _seats(session, members), panel) if panel else None
        _allow(db, session, actor, Action.PANEL_READ, case, facts)  # nothing is told to who may not read
        proposal = _proposed_decision(session, case_id)
        request = _pending_request(session, case_id)
        if proposal is None and (request is None or request.status != PROPOSED):
            raise Conflict("nothing waits for confirmation on this case")
        if proposal is not None:
            return _answer_decision(db, session, nat, actor, case, proposal, data, today)
        assert request is not None  # noqa: S101 - checked above
        return _answer_reconsideration(db, session, nat, actor, case, request, data, today)


def _answer_decision(
    db: Database,
    session: Session,
    nat: NationalProcedure,
    actor: Actor,
    case: Case,
    proposal: IdentificationDecision,
    data: ConfirmationInput,
    today: dt.date,
) -> str | None:
    panel = session.get(IdentificationPanel, proposal.panel_id)
    assert panel is not None  # noqa: S101 - foreign key
    members = _members(session, panel.id)
    facts = _facts(nat, _seats(session, members), panel)
    if not data.confirm:
        _allow(db, session, actor, Action.PANEL_DECIDE, case, facts)
        proposal.state, proposal.declined_by = DECLINED, actor.user_id
        proposal.declined_reason_enc = encrypt_text(
            db.keyring, "decision_declined", proposal.id, data.reason or ""
        )
        _audit_answer(db, session, actor, case.id, "identification.decline", proposal.id)
        return None
    _allow(
        db,
        session,
        actor,
        Action.PANEL_CONFIRM,
        case,
        facts,
        took_part=frozenset({proposal.decided_by or ""}),
        proposed_by_organisation=proposal.decided_by_organisation,
    )
    composition = panel_composition_decision(facts)
    if not composition:
        raise Conflict(f"the panel cannot decide as it stands: {composition.reason}")
    stage = _stage(nat, proposal.stage)
    _may_take(db, session, nat, case, stage, today)
    proposal.state, proposal.in_force = TAKEN, True
    # the time to decide runs until the decision is taken, waiting for confirmation included
    proposal.working_days_taken = max(0, working_days_between(proposal.started_on, today, nat.holidays))
    proposal.confirmed_by, proposal.second_organisation = actor.user_id, actor.organisation_id
    proposal.confirmed_on = proposal.recorded_on = today  # she is told now: her periods run from today
    _apply(session, nat, case, panel, members, stage, Outcome(proposal.outcome), today)
    audit.record_one(
        session,
        db.keyring,
        AuditEntry(
            actor.user_id,
            "identification.decide",
            "case",
            case.id,
            detail={
                "decision": proposal.id,
                "stage": stage.id,
                "outcome": proposal.outcome,
                "proposed_by_organisation": proposal.decided_by_organisation,
            },
        ),
    )
    return proposal.id


def _audit_answer(
    db: Database, session: Session, actor: Actor, case_id: str, action: str, subject: str
) -> None:
    audit.record_one(
        session, db.keyring, AuditEntry(actor.user_id, action, "case", case_id, detail={"proposal": subject})
    )


def _answer_reconsideration(
    db: Database,
    session: Session,
    nat: NationalProcedure,
    actor: Actor,
    case: Case,
    request: Reconsideration,
    data: ConfirmationInput,
    today: dt.date,
) -> str | None:
    old = session.get(IdentificationDecision, request.decision_id)
    assert old is not None  # noqa: S101 - foreign key
    panel = session.get(IdentificationPanel, old.panel_id)
    assert panel is not None  # noqa: S101 - foreign key
    members = _members(session, panel.id)
    facts = _facts(nat, _seats(session, members), panel)
    if not data.confirm:  # by whoever may confirm it, or its proposer withdrawing it
        asked = frozenset({request.requested_by or ""})
        _allow(db, session, actor, Action.RECONSIDERATION_DECIDE, case, facts, took_part=asked)
        request.status, request.decided_by, request.decided_on = PENDING, None, None
        request.answered_by_organisation, request.result, request.reasons_enc = None, None, None
        _audit_answer(db, session, actor, case.id, "identification.reconsider_decline", request.id)
        return None
    _allow(
        db,
        session,
        actor,
        Action.PANEL_CONFIRM,
        case,
        facts,
        took_part=_may_not_confirm_answer(request),
        proposed_by_organisation=request.answered_by_organisation,
    )
    assert request.result is not None and request.reasons_enc is not None  # noqa: S101 - a proposal has both
    request.status, request.decided_on = "decided", today
    request.confirmed_by, request.second_organisation = actor.user_id, actor.organisation_id
    result = ReconsiderationResult(request.result)
    stage = _stage(nat, old.stage)
    new_id_: str | None = None
    if result is ReconsiderationResult.OVERTURNED:
        outcome = Outcome.NEGATIVE if old.outcome == Outcome.POSITIVE.value else Outcome.POSITIVE
        old.in_force = False
        if stage.kind == "first":
            # a final decision that rested on the overturned first one falls with it
            for later in _in_force(session, case.id):
                if later.stage_kind == "final":
                    later.in_force = False
        new_id_ = new_id()
        reasons = decrypt_text(db.keyring, "reconsideration_reasons", request.id, request.reasons_enc)
        session.add(
            IdentificationDecision(
                id=new_id_,
                case_id=case.id,
                panel_id=panel.id,
                stage=old.stage,
                stage_kind=old.stage_kind,
                outcome=outcome.value,
                screening_id=old.screening_id,
                indicators=list(old.indicators),
                reasons_enc=encrypt_text(db.keyring, "decision_reasons", new_id_, reasons),
                dissent_enc=None,
                decided_by=request.decided_by,
                decided_by_organisation=request.answered_by_organisation or actor.organisation_id,
                started_on=request.requested_on,
                due_on=request.due_on,
                decided_on=today,
                recorded_on=today,
                working_days_taken=max(0, working_days_between(request.requested_on, today, nat.holidays)),
                in_force=True,
                reconsideration_of=old.id,
                created_at=now(),
                state=TAKEN,
                confirmed_by=actor.user_id,
                second_organisation=actor.organisation_id,
                confirmed_on=today,
            )
        )
        request.new_decision_id = new_id_
        _apply(session, nat, case, panel, members, stage, outcome, today)
    else:
        has_next = old.outcome == Outcome.POSITIVE.value and nat.procedure.next_stage(stage) is not None
        final_taken = any(d.stage_kind == "final" for d in _in_force(session, case.id))
        if has_next and not final_taken:
            panel.status = OPEN
        else:
            panel.status = DECIDED
            _close_shares(session, members)
    audit.record_one(
        session,
        db.keyring,
        AuditEntry(
            actor.user_id,
            "identification.reconsider",
            "case",
            case.id,
            detail={"reconsideration": request.id, "result": result.value, "decision": new_id_},
        ),
    )
    return new_id_


# -- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberView:
    organisation_id: str
    organisation: str
    type: str
    recused: bool
    recusal_reason: str | None


@dataclass(frozen=True)
class DecisionView:
    id: str
    stage: str
    stage_kind: str
    outcome: str
    screening_id: str
    indicators: list[str]
    reasons: str
    dissent: str | None
    decided_on: dt.date
    due_on: dt.date
    in_force: bool
    reconsideration_of: str | None
    decided_by: str | None
    reconsider_until: dt.date
    state: str = TAKEN
    proposed_by_organisation: str = ""  # the organisations' names
    confirmed_by_organisation: str | None = None
    declined_reason: str | None = None


@dataclass(frozen=True)
class ProposalView:
    """What waits for a second organisation's answer: a proposed decision, or a proposed answer to a
    reconsideration, and whether the reader may confirm or decline it."""

    kind: str  # "decision" or "reconsideration"
    id: str
    stage: str
    outcome: str  # a decision's outcome, or the reconsideration's result
    reasons: str
    proposed_by_organisation: str
    proposed_on: dt.date
    may_confirm: bool
    may_decline: bool


@dataclass(frozen=True)
class ReconsiderationView:
    id: str
    decision_id: str
    requested_on: dt.date
    grounds: str
    due_on: dt.date
    status: str
    result: str | None
    reasons: str | None
    overdue: bool


@dataclass(frozen=True)
class IdentificationView:
    case_id: str
    standing: str
    trafficking_status: str
    move_on_until: dt.date | None
    panel_id: str | None
    panel_status: str | None
    next_stage: str | None
    due_on: dt.date | None
    overdue: bool
    members: list[MemberView]
    decisions: list[DecisionView]
    reconsiderations: list[ReconsiderationView]
    screenings: list[dict[str, Any]]
    case: dict[str, Any]
    owner_side: bool
    may_decide: bool
    procedure: Procedure
    proposal: ProposalView | None = None
    may_answer: bool = False
    """May the reader propose the answer to the reconsideration waiting (someone who took no part)?"""


# What panel members from other organisations see of the case itself: what deciding needs, nothing that
# identifies her (no name, contact, place or document), and nothing about what she told the police.
PANEL_CASE_FIELDS = ("status", "age_at_trafficking", "is_child", "sex", "gender", "languages", "disability")


def view_identification(
    db: Database, nat: NationalProcedure, actor: Actor, case_id: str, *, today: dt.date | None = None
) -> IdentificationView:
    """The case's identification as the actor may see it: panel, decisions, reconsiderations, and for the
    panel the stored screenings with their answers. Audited."""
    today = today or dt.date.today()
    keyring = db.keyring
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.PANEL_READ)
        panel = _panel_of(session, case_id)
        members = _members(session, panel.id) if panel else []
        facts = _facts(nat, _seats(session, members), panel) if panel else None
        relation = _allow(db, session, actor, Action.PANEL_READ, case, facts)
        may_decide = bool(panel_decision(actor, Action.PANEL_DECIDE, relation, facts))
        decisions = session.execute(
            select(IdentificationDecision)
            .where(IdentificationDecision.case_id == case_id)
            .order_by(IdentificationDecision.decided_on, IdentificationDecision.created_at)
        ).scalars()
        requests = session.execute(
            select(Reconsideration)
            .where(Reconsideration.case_id == case_id)
            .order_by(Reconsideration.requested_on)
        ).scalars()
        screenings = session.execute(
            select(Screening).where(Screening.case_id == case_id).order_by(Screening.created_at.desc())
        ).scalars()
        view = IdentificationView(
            case_id=case_id,
            standing=standing_of(case.trafficking_status, case.identification_stage).value,
            trafficking_status=case.trafficking_status,
            move_on_until=case.move_on_until,
            panel_id=panel.id if panel else None,
            panel_status=panel.status if panel else None,
            next_stage=panel.next_stage if panel and panel.status != DECIDED else None,
            due_on=panel.due_on if panel and panel.status != DECIDED else None,
            overdue=bool(panel and panel.due_on and panel.status == OPEN and is_overdue(panel.due_on, today)),
            members=[_member_view(session, db, m) for m in members],
            decisions=[_decision_view(db, nat, d, session) for d in decisions],
            reconsiderations=[
                ReconsiderationView(
                    r.id,
                    r.decision_id,
                    r.requested_on,
                    decrypt_text(keyring, "reconsideration_grounds", r.id, r.grounds_enc),
                    r.due_on,
                    r.status,
                    r.result,
                    decrypt_text(keyring, "reconsideration_reasons", r.id, r.reasons_enc)
                    if r.reasons_enc
                    else None,
                    r.status == PENDING and is_overdue(r.due_on, today),
                )
                for r in requests
            ],
            screenings=[
                {
                    "id": s.id,
                    "created_at": s.created_at.isoformat()[:16].replace("T", " "),
                    "presumed_victim": s.presumed_victim,
                    "near_miss": s.near_miss,
                    "child": s.child,
                    "indicators": sorted(_screening_indicators(db, s)),
                    "result": record["result"],
                    # every answer, "not asked" kept apart from "no": what was never put to her is visible
                    "answers": dict(record.get("answers") or {}),
                }
                for s, record in (
                    (s, decrypt_json(keyring, "screening", s.id, s.record_enc)) for s in screenings
                )
            ],
            case={name: getattr(case, name) for name in PANEL_CASE_FIELDS},
            owner_side=case.organisation_id == actor.organisation_id,
            may_decide=may_decide,
            procedure=nat.procedure,
            proposal=_proposal_view(session, db, actor, relation, facts, case_id),
            may_answer=_may_answer(session, actor, relation, facts, case_id),
        )
        audit.record_one(
            session,
            keyring,
            AuditEntry(
                actor.user_id, "identification.read", "case", case_id, detail={"panel": view.panel_id}
            ),
        )
    return view


def _member_view(session: Session, db: Database, member: PanelMember) -> MemberView:
    org = session.get(Organisation, member.organisation_id)
    assert org is not None  # noqa: S101 - foreign key
    reason = (
        decrypt_text(db.keyring, "recusal_reason", member.id, member.recusal_reason_enc)
        if member.recusal_reason_enc
        else None
    )
    return MemberView(org.id, org.name, org.type, member.recused_at is not None, reason)


def _organisation_name(session: Session, organisation_id: str | None) -> str:
    org = session.get(Organisation, organisation_id) if organisation_id else None
    return org.name if org is not None else ""


def _decision_view(
    db: Database, nat: NationalProcedure, d: IdentificationDecision, session: Session
) -> DecisionView:
    return DecisionView(
        id=d.id,
        stage=d.stage,
        stage_kind=d.stage_kind,
        outcome=d.outcome,
        screening_id=d.screening_id,
        indicators=list(d.indicators),
        reasons=decrypt_text(db.keyring, "decision_reasons", d.id, d.reasons_enc),
        dissent=decrypt_text(db.keyring, "decision_dissent", d.id, d.dissent_enc) if d.dissent_enc else None,
        decided_on=d.decided_on,
        due_on=d.due_on,
        in_force=d.in_force,
        reconsideration_of=d.reconsideration_of,
        decided_by=d.decided_by,
        reconsider_until=reconsideration_open_until(_recorded_on(d), nat.procedure),
        state=d.state,
        proposed_by_organisation=_organisation_name(session, d.decided_by_organisation),
        confirmed_by_organisation=_organisation_name(session, d.second_organisation) or None,
        declined_reason=decrypt_text(db.keyring, "decision_declined", d.id, d.declined_reason_enc)
        if d.declined_reason_enc
        else None,
    )


def _may_answer(
    session: Session, actor: Actor, relation: CaseRelation, facts: PanelFacts | None, case_id: str
) -> bool:
    request = _pending_request(session, case_id)
    if request is None or request.status != PENDING:
        return False
    old = session.get(IdentificationDecision, request.decision_id)
    assert old is not None  # noqa: S101 - foreign key
    took_part = _took_part(old, request)
    return bool(panel_decision(actor, Action.RECONSIDERATION_DECIDE, relation, facts, took_part=took_part))


def _proposal_view(
    session: Session,
    db: Database,
    actor: Actor,
    relation: CaseRelation,
    facts: PanelFacts | None,
    case_id: str,
) -> ProposalView | None:
    proposal = _proposed_decision(session, case_id)
    if proposal is not None:
        took_part = frozenset({proposal.decided_by or ""})
        organisation: str | None = proposal.decided_by_organisation
        declining = Action.PANEL_DECIDE
        view = ProposalView(
            "decision",
            proposal.id,
            proposal.stage,
            proposal.outcome,
            decrypt_text(db.keyring, "decision_reasons", proposal.id, proposal.reasons_enc),
            _organisation_name(session, organisation),
            proposal.recorded_on,
            False,
            False,
        )
        declining_took_part: frozenset[str] = frozenset()
    else:
        request = _pending_request(session, case_id)
        if request is None or request.status != PROPOSED or request.reasons_enc is None:
            return None
        old = session.get(IdentificationDecision, request.decision_id)
        assert old is not None  # noqa: S101 - foreign key
        organisation = request.answered_by_organisation
        took_part = _may_not_confirm_answer(request)
        declining = Action.RECONSIDERATION_DECIDE
        declining_took_part = frozenset({request.requested_by or ""})
        view = ProposalView(
            "reconsideration",
            request.id,
            old.stage,
            request.result or "",
            decrypt_text(db.keyring, "reconsideration_reasons", request.id, request.reasons_enc),
            _organisation_name(session, organisation),
            request.decided_on or request.requested_on,
            False,
            False,
        )
    confirm = panel_decision(
        actor,
        Action.PANEL_CONFIRM,
        relation,
        facts,
        took_part=took_part,
        proposed_by_organisation=organisation,
    )
    decline = panel_decision(actor, declining, relation, facts, took_part=declining_took_part)
    return replace(view, may_confirm=bool(confirm), may_decline=bool(decline))


# -- the letter ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterFacts:
    """What the decision letter says: the decision, the stage's name and standard in her language, the
    reasons, the indicators, until when she may ask for reconsideration, and the move-on period."""

    case_id: str
    decision: DecisionView
    stage: Stage
    languages: list[str]
    move_on_until: dt.date | None
    issued_on: dt.date


def letter_facts(
    db: Database, nat: NationalProcedure, actor: Actor, case_id: str, decision_id: str | None = None
) -> LetterFacts:
    """The facts of the letter of a decision (the latest in force when none is named). Audited."""
    with db.transaction() as session:
        case = _case(db, session, actor, case_id, Action.PANEL_READ)
        panel = _panel_of(session, case_id)
        members = _members(session, panel.id) if panel else []
        facts = _facts(nat, _seats(session, members), panel) if panel else None
        _allow(db, session, actor, Action.PANEL_READ, case, facts)
        if decision_id is not None:
            row = session.get(IdentificationDecision, decision_id)
            if row is None or row.case_id != case_id or row.state != TAKEN:
                raise NotFound(f"no decision {decision_id} taken on this case")
        else:
            in_force = _in_force(session, case_id)
            if not in_force:
                raise NotFound("no decision has been taken on this case yet")
            row = in_force[-1]
        view = _decision_view(db, nat, row, session)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "identification.letter", "case", case_id, detail={"decision": row.id}),
        )
        return LetterFacts(
            case_id,
            view,
            _stage(nat, row.stage),
            list(case.languages or []),
            case.move_on_until,
            dt.date.today(),
        )


# -- deadlines -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineItem:
    """A panel's or a reconsideration's next deadline. No person-level data: ids, stage, dates."""

    kind: str  # "decision", "reconsideration", or "confirmation" (a proposal waits for a second organisation)
    panel_id: str
    case_id: str | None
    stage: str | None
    due_on: dt.date
    overdue: bool
    working_days_left: int


def deadlines(
    db: Database, nat: NationalProcedure, actor: Actor, *, coordinator: bool, today: dt.date | None = None
) -> list[DeadlineItem]:
    """Open panels and reconsiderations by deadline, overdue first. For the coordinator: every panel, without
    case ids (she sees the network, not the person). For a panel member: the panels her organisation sits on
    and has not left, with the case id to open."""
    today = today or dt.date.today()
    if not coordinator:
        may = decide(actor, Action.CASE_LIST)
        if not may:
            refuse(db, actor, Action.PANEL_READ, "installation", None, may.reason)
    with db.transaction() as session:
        stmt = select(IdentificationPanel).where(IdentificationPanel.status.in_((OPEN, RECONSIDERING)))
        if not coordinator:
            own = select(PanelMember.panel_id).where(
                PanelMember.organisation_id == actor.organisation_id, PanelMember.recused_at.is_(None)
            )
            stmt = stmt.where(IdentificationPanel.id.in_(own))
        items: list[DeadlineItem] = []
        if not coordinator:  # a member organisation sees a panel only while it holds her case (consent)
            held = select(Disclosure.case_id).where(
                Disclosure.recipient_organisation_id == actor.organisation_id,
                Disclosure.purpose == ConsentPurpose.IDENTIFICATION.value,
                disclosure_in_force_clause(),
            )
            owned = select(Case.id).where(Case.organisation_id == actor.organisation_id)
            stmt = stmt.where(IdentificationPanel.case_id.in_(held.union(owned)))
        for panel in session.execute(stmt).scalars():
            case_id = None if coordinator else panel.case_id
            waiting = _proposed_decision(session, panel.case_id) is not None
            if panel.status == OPEN and panel.due_on is not None:
                items.append(
                    DeadlineItem(
                        "confirmation" if waiting else "decision",
                        panel.id,
                        case_id,
                        panel.next_stage,
                        panel.due_on,
                        is_overdue(panel.due_on, today),
                        working_days_between(today, panel.due_on, nat.holidays),
                    )
                )
            for request in session.execute(
                select(Reconsideration).where(
                    Reconsideration.case_id == panel.case_id,
                    Reconsideration.status.in_((PENDING, PROPOSED)),
                )
            ).scalars():
                items.append(
                    DeadlineItem(
                        "reconsideration" if request.status == PENDING else "confirmation",
                        panel.id,
                        case_id,
                        None,
                        request.due_on,
                        is_overdue(request.due_on, today),
                        working_days_between(today, request.due_on, nat.holidays),
                    )
                )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "identification.deadlines",
                "installation",
                None,
                detail={"coordinator": coordinator, "shown": len(items)},
            ),
        )
    return sorted(items, key=lambda i: (not i.overdue, i.due_on, i.panel_id))


# -- statistics ------------------------------------------------------------------------------------------

DAY_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-5", 0, 5),
    ("6-20", 6, 20),
    ("21-60", 21, 60),
    ("61+", 61, None),
)


def _band(days: int) -> str:
    for name, low, high in DAY_BANDS:
        if days >= low and (high is None or days <= high):
            return name
    return DAY_BANDS[-1][0]


#: The GR38 §110 dimensions the decisions are counted by (as in the national statistics).
DECISION_DIMENSIONS = ("sex", "age_group", "nationality", "exploitation")


def decision_statistics(
    session: Session, classification: NationalClassification | None = None
) -> dict[str, Any]:
    """Counts of decisions in force by stage kind and outcome, of working days taken to decide by band, and
    of persons by the outcome of their latest decision and the GR38 §110 dimensions (sex, age group,
    nationality, form of exploitation — categories from the statistics office's classification, never from
    the data), as published text: small cells shown as "<11" and, within each breakdown, a second cell
    hidden where one hidden cell could be worked out from its total
    (``opennrm.stats.disclosure.published_breakdown``)."""
    rows = session.execute(
        select(
            IdentificationDecision.case_id,
            IdentificationDecision.stage_kind,
            IdentificationDecision.outcome,
            IdentificationDecision.working_days_taken,
        ).where(IdentificationDecision.in_force.is_(True))
    ).all()
    outcomes: Counter[tuple[str, str]] = Counter((kind, outcome) for _, kind, outcome, _ in rows)
    days: Counter[tuple[str, str]] = Counter((kind, _band(taken)) for _, kind, _, taken in rows)
    per_kind: Counter[str] = Counter(kind for _, kind, _, _ in rows)
    kinds = ("first", "final")
    # by person: each case once, at the latest decision in force (a final one over a first)
    latest: dict[str, str] = {}
    for case_id, _, outcome, _ in sorted(rows, key=lambda r: r[1] == "final"):
        latest[case_id] = outcome
    dims = nrm_dimensions(classification or default_classification(dt.date.today()))
    categories = _decision_categories(session, set(latest), dims)
    by: dict[str, dict[str, dict[str, str]]] = {}
    for name in DECISION_DIMENSIONS:
        by[name] = {}
        for o in Outcome:
            cells = Counter(categories[c][name] for c, outcome in latest.items() if outcome == o.value)
            raw = {c: cells[c] for c in dims[name].categories}
            by[name][o.value] = published_breakdown(raw, sum(cells.values()))
    return {
        "outcomes": {
            kind: published_breakdown({o.value: outcomes[(kind, o.value)] for o in Outcome}, per_kind[kind])
            for kind in kinds
        },
        "working_days_to_decide": {
            kind: published_breakdown({n: days[(kind, n)] for n, _, _ in DAY_BANDS}, per_kind[kind])
            for kind in kinds
        },
        "by": by,
        "persons": display_count(len(latest)),
        "total": display_count(len(rows)),
    }


def _decision_categories(
    session: Session, case_ids: set[str], dims: dict[str, Dimension]
) -> dict[str, dict[str, str]]:
    """Each case's category on each of ``DECISION_DIMENSIONS`` (plain case columns and her exploitation
    events; nothing decrypted)."""
    if not case_ids:
        return {}
    types: dict[str, set[str]] = {c: set() for c in case_ids}
    for case_id, kinds in session.execute(
        select(ExploitationEventRow.case_id, ExploitationEventRow.exploitation_types).where(
            ExploitationEventRow.case_id.in_(case_ids)
        )
    ):
        types[case_id].update(kinds or [])
    values: dict[str, dict[str, Any]] = {}
    for case_id, sex, child, citizenship in session.execute(
        select(Case.id, Case.sex, Case.is_child, Case.citizenship).where(Case.id.in_(case_ids))
    ):
        values[case_id] = {
            "sex": sex,
            "age_group": child,
            "nationality": frozenset(citizenship or []),
            "exploitation": frozenset(types[case_id]),
        }
    out: dict[str, dict[str, str]] = {}
    for case_id, attrs in values.items():
        out[case_id] = {}
        for name in DECISION_DIMENSIONS:
            dim = dims[name]
            category = CATEGORISERS[name][1](attrs[name], dim)
            out[case_id][name] = category if category in dim.categories else dim.categories[-1]
    return out


def statistics(db: Database) -> dict[str, Any]:
    with db.transaction() as session:
        return decision_statistics(session)
