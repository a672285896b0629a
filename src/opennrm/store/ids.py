"""Row ids: every record is named by a random UUID, made here and recognised here."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A fresh row id (a random UUID, as text)."""
    return str(uuid.uuid4())


def is_record_id(value: str) -> bool:
    """Row ids are UUIDs; anything else names no record (and is never written to the audit log)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
