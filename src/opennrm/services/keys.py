"""Key rotation: a fresh data key, every ciphertext and blind index re-made with it, the old key retired
(kept in ``<key file>.retired-<new key id>`` for backups made before the rotation).

Crash safety: the key file first gains the new key beside the old one (both decrypt), then all data is
re-encrypted in one transaction, and only after it commits does the key file drop the old key. A crash at
any point leaves a key file that opens the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarSelect, select, update
from sqlalchemy.orm import Session

from opennrm.config import Settings
from opennrm.services.sealing import decrypt_json, decrypt_text, survivor_code_index
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database, make_engine
from opennrm.store.keys import Keyring, KeyUnavailable
from opennrm.store.tables import ENCRYPTED_COLUMNS, Case, Person

_BATCH = 1000


@dataclass(frozen=True)
class RotationResult:
    new_key_id: str
    ciphertexts: int


def rotate_key(settings: Settings) -> RotationResult:
    if settings.key_env:
        raise KeyUnavailable(
            "key rotation needs a key file; OPENNRM_KEY is set (unset it and use OPENNRM_KEY_FILE)"
        )
    old = Keyring.load(settings.key_file, None)
    checker = Database(make_engine(settings.database_url), old)
    try:
        checker.check_key()
    finally:
        checker.dispose()
    # A key file with more than one key is an interrupted rotation: finish it with its newest key.
    both = old if old.key_count > 1 else old.with_new_key()
    both.write(settings.key_file)
    db = Database(make_engine(settings.database_url), both)
    count = 0
    try:
        with db.transaction() as session:
            for table, column, kind in ENCRYPTED_COLUMNS:
                col = getattr(table, column)
                row_key = table.__table__.c.id
                last = ""
                while True:
                    rows = session.execute(
                        select(row_key, col)
                        .where(row_key > last, col.is_not(None))
                        .order_by(row_key)
                        .limit(_BATCH)
                    ).all()
                    if not rows:
                        break
                    for row_id, blob in rows:
                        context = f"{kind}:{row_id}"
                        fresh = both.encrypt(both.decrypt(blob, context), context)
                        session.execute(update(table).where(row_key == row_id).values({column: fresh}))
                        count += 1
                    last = rows[-1][0]
            _reindex(session, both)
            db.write_key_check(session)
            audit.record_one(
                session,
                both,
                AuditEntry("cli", "key.rotate", "installation", None, detail={"ciphertexts": count}),
            )
    finally:
        db.dispose()
    # Keep the retired keys beside the key file: backups made before today still need them.
    both.retired().write(settings.key_file.with_name(f"{settings.key_file.name}.retired-{both.current_id}"))
    both.current_only().write(settings.key_file)
    return RotationResult(both.current_id, count)


def _owner_of_person() -> ScalarSelect[Any]:
    """The organisation that gave the person her survivor code (all her cases are with it)."""
    return (
        select(Case.organisation_id)
        .where(Case.person_id == Person.id)
        .order_by(Case.created_at)
        .limit(1)
        .scalar_subquery()
    )


def _reindex(session: Session, keyring: Keyring) -> None:
    """Blind indexes depend on the newest key: recompute them from the decrypted values."""
    last = ""
    while True:
        rows = session.execute(
            select(Person.id, Person.survivor_code_enc, Person.identity_enc, _owner_of_person())
            .where(Person.id > last)
            .order_by(Person.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        for person_id, code_enc, identity_enc, organisation_id in rows:
            code = decrypt_text(keyring, "survivor_code", person_id, code_enc)
            phone = decrypt_json(keyring, "person", person_id, identity_enc).get("phone")
            session.execute(
                update(Person)
                .where(Person.id == person_id)
                .values(
                    survivor_code_index=survivor_code_index(keyring, organisation_id, code),
                    phone_index=keyring.blind_index("phone", phone) if phone else None,
                )
            )
        last = rows[-1][0]
