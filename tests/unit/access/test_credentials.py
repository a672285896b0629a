"""Passwords are hashed with argon2id at RFC 9106 strength; one-time codes follow RFC 6238."""

from __future__ import annotations

import pyotp
import pytest
from argon2 import PasswordHasher, Type
from argon2.profiles import RFC_9106_LOW_MEMORY

from opennrm.access import credentials


def test_production_hashing_is_argon2id_with_64_mib() -> None:
    import importlib

    fresh = importlib.reload(credentials)
    try:
        hasher = fresh.current_hasher()
        assert hasher.type is Type.ID
        assert hasher.memory_cost >= RFC_9106_LOW_MEMORY.memory_cost
        assert hasher.time_cost >= RFC_9106_LOW_MEMORY.time_cost
    finally:
        from argon2.profiles import CHEAPEST

        fresh.use_hasher(PasswordHasher.from_parameters(CHEAPEST))


def test_password_rules_and_verification() -> None:
    stored = credentials.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert credentials.verify_password(stored, "correct horse battery")
    assert not credentials.verify_password(stored, "wrong horse battery")
    assert not credentials.verify_password(None, "anything at all")
    with pytest.raises(ValueError, match="12 to 256"):
        credentials.hash_password("short")


def test_other_argon2_variants_are_refused() -> None:
    with pytest.raises(ValueError, match="argon2id"):
        credentials.use_hasher(PasswordHasher(type=Type.I))


def test_totp_accepts_the_current_code_only() -> None:
    secret = credentials.new_totp_secret()
    assert len(secret) == 32
    assert credentials.verify_totp(secret, pyotp.TOTP(secret).now())
    assert not credentials.verify_totp(secret, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert not credentials.verify_totp(secret, "abc")
