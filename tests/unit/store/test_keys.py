"""Field encryption: authenticated, bound to its place, and useless without the right key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opennrm.store.keys import Keyring, KeyUnavailable, TamperedCiphertext


def test_round_trip_and_binding_to_context() -> None:
    ring = Keyring.generate()
    blob = ring.encrypt(b"Mariam Haddad", "person:1")
    assert b"Mariam" not in blob
    assert ring.decrypt(blob, "person:1") == b"Mariam Haddad"
    with pytest.raises(TamperedCiphertext):
        ring.decrypt(blob, "person:2")


def test_every_single_flipped_byte_is_detected() -> None:
    ring = Keyring.generate()
    blob = ring.encrypt(b"+44 7700 900123", "person:1")
    for i in range(len(blob)):
        for bit in (0x01, 0x80):
            bad = bytearray(blob)
            bad[i] ^= bit
            with pytest.raises((TamperedCiphertext, KeyUnavailable)):
                ring.decrypt(bytes(bad), "person:1")


def test_another_key_cannot_decrypt() -> None:
    blob = Keyring.generate().encrypt(b"secret", "note:1")
    with pytest.raises(KeyUnavailable, match="does not hold"):
        Keyring.generate().decrypt(blob, "note:1")


def test_rotation_keeps_old_data_readable_until_re_encrypted() -> None:
    old = Keyring.generate()
    blob = old.encrypt(b"x", "note:1")
    both = old.with_new_key()
    assert both.decrypt(blob, "note:1") == b"x"
    assert both.key_id_of(both.encrypt(b"x", "note:1")) == both.current_id != old.current_id
    with pytest.raises(KeyUnavailable):
        both.current_only().decrypt(blob, "note:1")


def test_blind_index_is_keyed_and_normalised() -> None:
    ring = Keyring.generate()
    assert ring.blind_index("phone", "+44 7700 900123") == ring.blind_index("phone", "+447700900123")
    assert ring.blind_index("survivor_code", "S-ABC") == ring.blind_index("survivor_code", "s-abc")
    assert ring.blind_index("phone", "+447700900123") != Keyring.generate().blind_index(
        "phone", "+447700900123"
    )


def test_key_file_is_private_and_checked(tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    ring = Keyring.generate()
    ring.write(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert Keyring.load(path, None).current_id == ring.current_id
    os.chmod(path, 0o644)
    with pytest.raises(KeyUnavailable, match="readable by others"):
        Keyring.load(path, None)


@pytest.mark.parametrize("text", ["", "{}", '{"version": 1, "keys": []}', "not json", '{"version": 9}'])
def test_malformed_keys_are_refused_clearly(text: str) -> None:
    with pytest.raises(KeyUnavailable):
        Keyring.from_json(text)


def test_missing_key_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(KeyUnavailable, match="opennrm init"):
        Keyring.load(tmp_path / "absent.key", None)
