"""The age facts of a stored case, for the one child predicate (``opennrm.domain.age``).

Every rule that protects children asks ``presumed_child_now`` (overrides, best-interests determinations,
guardians, returns); the stored ``Case.is_child`` (a child when trafficked) serves the statistics and lists
and is kept up to date by ``refresh_child_flag``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennrm.domain.age import AgeFacts, child_when_trafficked, presumed_child
from opennrm.services.sealing import decrypt_json
from opennrm.store.keys import Keyring
from opennrm.store.tables import Case, ExploitationEventRow, Person


def age_facts(session: Session, keyring: Keyring, case: Case) -> AgeFacts:
    """What the case and her identity record say of her age (the birth date is decrypted, never shown)."""
    person = session.get(Person, case.person_id)
    birth_date = None
    if person is not None:
        born = decrypt_json(keyring, "person", person.id, person.identity_enc).get("birth_date")
        birth_date = dt.date.fromisoformat(born) if born else None
    trafficked_on = session.execute(
        select(func.min(ExploitationEventRow.start_date)).where(ExploitationEventRow.case_id == case.id)
    ).scalar()
    return AgeFacts(
        birth_date=birth_date,
        age_at_trafficking=case.age_at_trafficking,
        trafficked_on=trafficked_on,
        identified_on=case.identified_on,
        age_uncertain=case.age_uncertain,
        reasons_to_believe_minor=case.reasons_to_believe_minor,
    )


def presumed_child_now(session: Session, keyring: Keyring, case: Case, today: dt.date | None = None) -> bool:
    """Is she to be treated as a child today by every rule that protects children?"""
    return presumed_child(age_facts(session, keyring, case), today or dt.date.today())


def refresh_child_flag(session: Session, keyring: Keyring, case: Case) -> None:
    """Recompute ``Case.is_child`` after what is known of her age changed."""
    case.is_child = child_when_trafficked(age_facts(session, keyring, case))
