"""Every encrypted column is registered once (``store.tables.ENCRYPTED_COLUMNS``): key rotation re-encrypts
what the registry names, so a column missing from it would be left under the old key and lost with it."""

from __future__ import annotations

import pytest
from sqlalchemy import LargeBinary

from opennrm.services.sealing import encrypt_text
from opennrm.store.keys import Keyring
from opennrm.store.tables import ENCRYPTED_COLUMNS, ENCRYPTION_KINDS, Base


def test_every_binary_column_of_the_schema_is_a_registered_encrypted_column() -> None:
    registered = {(model.__tablename__, column) for model, column, _ in ENCRYPTED_COLUMNS}
    binary = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, LargeBinary)
    }
    assert binary - registered == set(), "encrypted columns missing from ENCRYPTED_COLUMNS"
    assert registered - binary == set(), "ENCRYPTED_COLUMNS names a column the schema does not have"


def test_each_kind_binds_one_column() -> None:
    kinds = [kind for _, _, kind in ENCRYPTED_COLUMNS]
    assert len(kinds) == len(set(kinds)) == len(ENCRYPTION_KINDS)


def test_sealing_under_an_unregistered_kind_is_refused() -> None:
    keyring = Keyring.generate()
    assert encrypt_text(keyring, "note", "row-1", "text")
    with pytest.raises(ValueError, match="not registered"):
        encrypt_text(keyring, "notes_typo", "row-1", "text")
