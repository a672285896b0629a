"""Sealing and opening encrypted columns: the one place a ciphertext gets its context.

Every ciphertext is bound to its column's registered kind and its row (``store.tables.ENCRYPTED_COLUMNS``,
the registry key rotation walks), so a value cannot be moved to another row or column, and a column that is
not registered can be neither written nor missed by a rotation. Blind indexes (equality search over an
encrypted value) are made here too."""

from __future__ import annotations

import json
from typing import Any

from opennrm.store.keys import Keyring
from opennrm.store.tables import ENCRYPTION_KINDS

#: Contexts of ciphertexts kept outside the database, which key rotation has nothing to re-encrypt: the
#: referral form's draft cookie lives for minutes (a rotation meanwhile only loses the draft).
SEALED_OUTSIDE_THE_DATABASE = frozenset({"referral_draft"})


def _ctx(kind: str, row_id: str) -> str:
    """The context a ciphertext is bound to: its column's registered kind and its row. An unregistered kind
    is refused, so that no encrypted column can escape key rotation (``store.tables.ENCRYPTED_COLUMNS``)."""
    if kind not in ENCRYPTION_KINDS and kind not in SEALED_OUTSIDE_THE_DATABASE:
        raise ValueError(f"encryption context {kind!r} is not registered in ENCRYPTED_COLUMNS")
    return f"{kind}:{row_id}"


def encrypt_json(keyring: Keyring, kind: str, row_id: str, value: dict[str, Any]) -> bytes:
    return keyring.encrypt(json.dumps(value, separators=(",", ":"), default=str).encode(), _ctx(kind, row_id))


def decrypt_json(keyring: Keyring, kind: str, row_id: str, blob: bytes) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(keyring.decrypt(blob, _ctx(kind, row_id)))
    return value


def encrypt_text(keyring: Keyring, kind: str, row_id: str, value: str) -> bytes:
    return keyring.encrypt(value.encode(), _ctx(kind, row_id))


def decrypt_text(keyring: Keyring, kind: str, row_id: str, blob: bytes) -> str:
    return keyring.decrypt(blob, _ctx(kind, row_id)).decode()


def survivor_code_index(keyring: Keyring, organisation_id: str, code: str) -> str:
    """The blind index of a survivor code. Survivor codes belong to the organisation that gives them: the
    same code in two organisations is two different people, and nobody outside an organisation can reach
    its person by guessing a code."""
    return keyring.blind_index("survivor_code", f"{organisation_id}:{code}")


def encrypt_bytes(keyring: Keyring, kind: str, row_id: str, value: bytes) -> bytes:
    return keyring.encrypt(value, _ctx(kind, row_id))


def decrypt_bytes(keyring: Keyring, kind: str, row_id: str, blob: bytes) -> bytes:
    return keyring.decrypt(blob, _ctx(kind, row_id))
