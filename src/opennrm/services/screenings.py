"""Screen a case for a presumed-victim determination and store the result on it, audited.

The decision is made by the pure ``opennrm.screening`` engine; this use case only checks access, stores the
input and explained result encrypted, and records the audit event. ``context`` (consent to work,
cooperation with authorities) is stored as given and never read by the decision (rights invariants 1, 4)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, case_list_scopes
from opennrm.domain.vocabularies import TraffickingStatus
from opennrm.screening import ScreeningInputError, parse_answers, screen
from opennrm.services.age import refresh_child_flag
from opennrm.services.cases import load_case_for, scope_clause
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, refuse_unknown
from opennrm.services.sealing import decrypt_json, encrypt_json
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.tables import Case, Screening, ScreeningDraft


def check_may_screen(db: Database, actor: Actor, case_id: str) -> None:
    """Refuse (audited) before showing a screening form to someone who may not screen this case."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.SCREENING_ADD)


def determine(raw: Mapping[str, Any], lang: str = "en") -> dict[str, Any]:
    """The screening result for ``raw``; invalid input becomes ``InvalidInput`` naming the field."""
    try:
        return screen(raw, lang=lang)
    except ScreeningInputError as exc:
        raise InvalidInput(str(exc), field=exc.field or "input") from None


def screen_case(
    db: Database,
    actor: Actor,
    case_id: str,
    raw: Mapping[str, Any],
    lang: str = "en",
    *,
    answers: Mapping[str, str] | None = None,
    session: Session | None = None,
) -> tuple[str, dict[str, Any]]:
    """Screen and store on the case; returns the screening id and the result (the CLI's result, exactly).

    ``answers`` (indicator id → ``yes``/``no``/``not_asked``, every question of the form) is stored with the
    input, so that "not asked" stays distinct from "no"; the input's ``indicators`` hold only the *yes*
    answers. The actor's draft of this case's screening, if any, is deleted with the same commit. With
    ``session``, runs inside the caller's transaction."""
    result = determine(raw, lang)
    kept_answers = _checked_answers(answers) if answers is not None else None
    with db.joining(session) as session:
        case = load_case_for(db, session, actor, case_id, Action.SCREENING_ADD)
        updated = _carry_over(session, db, case, result)
        screening_id = new_id()
        session.add(
            Screening(
                id=screening_id,
                case_id=case_id,
                screened_by=actor.user_id,
                presumed_victim=bool(result["presumed_victim"]),
                near_miss=bool(result["near_miss"]),
                child=bool(result["child"]),
                rule=str(result["rule"]),
                profile=str(result["profile"]),
                catalogue_version=str(result["catalogue_version"])[:80],
                provisional=bool(result["provisional"]),
                record_enc=encrypt_json(
                    db.keyring,
                    "screening",
                    screening_id,
                    {
                        "input": dict(raw),
                        "result": result,
                        **({"answers": kept_answers} if kept_answers is not None else {}),
                    },
                ),
                created_at=now(),
            )
        )
        session.execute(
            delete(ScreeningDraft).where(
                ScreeningDraft.case_id == case_id, ScreeningDraft.user_id == actor.user_id
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "screening.create",
                "case",
                case_id,
                detail={
                    "screening": screening_id,
                    "presumed": bool(result["presumed_victim"]),
                    "case_updated": updated,
                },
            ),
        )
    return screening_id, result


def _checked_answers(answers: Mapping[str, str]) -> dict[str, str]:
    """The form's answers, each one of yes/no/not_asked for a known indicator (else ``InvalidInput``)."""
    try:
        parsed = parse_answers(answers)
    except ScreeningInputError as exc:
        raise InvalidInput(str(exc), field=exc.field or "answers") from None
    return {key: answer.value for key, answer in parsed.items()}


def _carry_over(session: Session, db: Database, case: Case, result: Mapping[str, Any]) -> list[str]:
    """What the screening establishes moves onto the case, never downwards: an uncertain age with reasons to
    believe she is a minor (the age presumption, GR38 §96), and a presumed-victim finding. Returns the fields
    changed."""
    changed: list[str] = []
    noted = result.get("input") or {}
    if noted.get("reasons_to_believe_minor") and (noted.get("age_uncertain") or noted.get("age") is None):
        if not (case.age_uncertain and case.reasons_to_believe_minor):
            case.age_uncertain = case.reasons_to_believe_minor = True
            changed += ["age_uncertain", "reasons_to_believe_minor"]
        refresh_child_flag(session, db.keyring, case)
    if result["presumed_victim"] and case.trafficking_status == TraffickingStatus.POSSIBLE.value:
        case.trafficking_status = TraffickingStatus.PRESUMED.value
        changed.append("trafficking_status")
    return changed


@dataclass(frozen=True)
class StoredScreening:
    id: str
    created_at: str
    result: dict[str, Any]
    answers: dict[str, str] | None = None
    """Every question of the form with its answer (yes/no/not_asked); ``None`` for a screening stored without
    the form (the API and the CLI take indicators only)."""


def screenings_of(db: Database, actor: Actor, case_id: str) -> list[StoredScreening]:
    """The case's stored screenings, for the owning side only: a screening holds what happened to her, which
    an organisation that received the case never reads (``Action.SCREENING_READ``)."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.SCREENING_READ)
        rows = (
            session.execute(
                select(Screening).where(Screening.case_id == case_id).order_by(Screening.created_at.desc())
            )
            .scalars()
            .all()
        )
        found = [
            StoredScreening(
                r.id,
                r.created_at.isoformat()[:16].replace("T", " "),
                *_result_and_answers(db, r),
            )
            for r in rows
        ]
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "screening.read", "case", case_id, detail={"count": len(found)}),
        )
    return found


def screening_of(db: Database, actor: Actor, case_id: str, screening_id: str) -> StoredScreening:
    """One stored screening of the case, for the owning side only; a screening that is not on this case is
    refused like one outside the actor's scope (same answer, audited)."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.SCREENING_READ)
        row = session.get(Screening, screening_id) if is_record_id(screening_id) else None
        if row is None or row.case_id != case_id:
            refuse_unknown(db, actor, Action.SCREENING_READ, "screening", screening_id)
        found = StoredScreening(
            row.id, row.created_at.isoformat()[:16].replace("T", " "), *_result_and_answers(db, row)
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "screening.read", "case", case_id, detail={"screening": row.id}),
        )
    return found


def _result_and_answers(db: Database, row: Screening) -> tuple[dict[str, Any], dict[str, str] | None]:
    record = decrypt_json(db.keyring, "screening", row.id, row.record_enc)
    return record["result"], record.get("answers")


# -- drafts: an unfinished screening, kept on the server for its author ----------------------------------


@dataclass(frozen=True)
class Draft:
    case_id: str
    section: int
    values: dict[str, Any]
    updated_at: dt.datetime


def save_draft(db: Database, actor: Actor, case_id: str, section: int, values: Mapping[str, Any]) -> None:
    """Keep the form's entries so far (encrypted, one draft per case and user, replaced on each save)."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.SCREENING_ADD)
        row = session.execute(
            select(ScreeningDraft).where(
                ScreeningDraft.case_id == case_id, ScreeningDraft.user_id == actor.user_id
            )
        ).scalar_one_or_none()
        at = now()
        if row is None:
            row = ScreeningDraft(id=new_id(), case_id=case_id, user_id=actor.user_id, created_at=at)
            session.add(row)
        row.section = section
        row.payload_enc = encrypt_json(db.keyring, "screening_draft", row.id, {"values": dict(values)})
        row.updated_at = at
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "screening.draft_save", "case", case_id, detail={"section": section}),
        )


def load_draft(db: Database, actor: Actor, case_id: str) -> Draft | None:
    """The actor's own draft of this case's screening, or ``None``; nobody reads another's draft."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.SCREENING_ADD)
        row = session.execute(
            select(ScreeningDraft).where(
                ScreeningDraft.case_id == case_id, ScreeningDraft.user_id == actor.user_id
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        values = decrypt_json(db.keyring, "screening_draft", row.id, row.payload_enc)["values"]
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "screening.draft_read", "case", case_id)
        )
        return Draft(case_id, row.section, values, row.updated_at)


def discard_draft(db: Database, actor: Actor, case_id: str) -> bool:
    """Delete the actor's draft of this case's screening; whether there was one."""
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.SCREENING_ADD)
        row = session.execute(
            select(ScreeningDraft).where(
                ScreeningDraft.case_id == case_id, ScreeningDraft.user_id == actor.user_id
            )
        ).scalar_one_or_none()
        gone = row is not None
        if row is not None:
            session.delete(row)
        audit.record_one(
            session, db.keyring, AuditEntry(actor.user_id, "screening.draft_discard", "case", case_id)
        )
    return gone


@dataclass(frozen=True)
class DraftItem:
    """An unfinished screening of the actor's, for her tasks (ids and times, nothing of her answers)."""

    case_id: str
    section: int
    updated_at: dt.datetime


def drafts_of(db: Database, actor: Actor) -> list[DraftItem]:
    """The actor's own unfinished screenings on cases she may still read, oldest first."""
    scopes = case_list_scopes(actor)
    if not scopes:
        return []
    with db.transaction() as session:
        rows = session.execute(
            select(ScreeningDraft.case_id, ScreeningDraft.section, ScreeningDraft.updated_at)
            .join(Case, Case.id == ScreeningDraft.case_id)
            .where(ScreeningDraft.user_id == actor.user_id, scope_clause(actor, scopes))
            .order_by(ScreeningDraft.updated_at)
        ).all()
    return [DraftItem(c, s, u) for c, s, u in rows]


def draft_item(db: Database, actor: Actor, case_id: str) -> DraftItem | None:
    """Whether the actor has an unfinished screening of this case (her own row; nothing of its answers)."""
    if not is_record_id(case_id):
        return None
    with db.transaction() as session:
        row = session.execute(
            select(ScreeningDraft.section, ScreeningDraft.updated_at).where(
                ScreeningDraft.case_id == case_id, ScreeningDraft.user_id == actor.user_id
            )
        ).first()
    return DraftItem(case_id, row[0], row[1]) if row is not None else None


def as_json(result: Mapping[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
