"""Screen a case for a presumed-victim determination and store the result on it, audited.

The decision is made by the pure ``opennrm.screening`` engine; this use case only checks access, stores the
input and explained result encrypted, and records the audit event. ``context`` (consent to work,
cooperation with authorities) is stored as given and never read by the decision (rights invariants 1, 4)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor
from opennrm.domain.vocabularies import TraffickingStatus
from opennrm.screening import ScreeningInputError, screen
from opennrm.services.age import refresh_child_flag
from opennrm.services.cases import (
    decrypt_json,
    encrypt_json,
    is_record_id,
    load_case_for,
    new_id,
    now,
    refuse_unknown,
)
from opennrm.services.errors import InvalidInput
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import Case, Screening


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
    db: Database, actor: Actor, case_id: str, raw: Mapping[str, Any], lang: str = "en"
) -> tuple[str, dict[str, Any]]:
    """Screen and store on the case; returns the screening id and the result (the CLI's result, exactly)."""
    result = determine(raw, lang)
    with db.transaction() as session:
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
                    db.keyring, "screening", screening_id, {"input": dict(raw), "result": result}
                ),
                created_at=now(),
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
                decrypt_json(db.keyring, "screening", r.id, r.record_enc)["result"],
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
            session.rollback()
            refuse_unknown(db, actor, Action.SCREENING_READ, "screening", screening_id)
        found = StoredScreening(
            row.id,
            row.created_at.isoformat()[:16].replace("T", " "),
            decrypt_json(db.keyring, "screening", row.id, row.record_enc)["result"],
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "screening.read", "case", case_id, detail={"screening": row.id}),
        )
    return found


def as_json(result: Mapping[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2)
