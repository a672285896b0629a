"""Password hashing (argon2id) and time-based one-time passwords (RFC 6238)."""

from __future__ import annotations

import datetime
import hmac
import secrets
import time
from collections.abc import Sequence
from functools import lru_cache

import pyotp
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from argon2.profiles import RFC_9106_LOW_MEMORY

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)  # argon2id, t=3, m=64 MiB, p=4


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the hashing parameters (the test suite uses cheap ones; production keeps the default)."""
    global _hasher
    if hasher.type is not Type.ID:
        raise ValueError("only argon2id is allowed")
    _hasher = hasher
    _dummy_hash.cache_clear()


def current_hasher() -> PasswordHasher:
    return _hasher


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so timing does not reveal usernames."""
    return _hasher.hash("opennrm-dummy-password")


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValueError(f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long")


def hash_password(password: str) -> str:
    check_password_rules(password)
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


RECOVERY_CODES = 10
RECOVERY_CODE_LENGTH = 16
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_recovery_codes(count: int = RECOVERY_CODES) -> list[str]:
    """Codes of 16 characters from a 32-letter alphabet (80 bits), shown as four groups of four."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_CODE_LENGTH, 4)))
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    return _hasher.hash(normalise_recovery_code(code))


def verify_recovery_code(stored_hash: str, code: str) -> bool:
    try:
        return bool(_hasher.verify(stored_hash, normalise_recovery_code(code)))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def looks_like_recovery_code(code: str) -> bool:
    return len(normalise_recovery_code(code)) == RECOVERY_CODE_LENGTH


def matching_recovery_code(stored_hashes: Sequence[str], code: str) -> int | None:
    """The index of the stored hash ``code`` matches, or None. Always verifies against at least
    ``RECOVERY_CODES`` hashes (padding with a dummy) and never stops early, so the time taken tells
    nothing about how many codes are left, which one matched, or whether the user exists."""
    found: int | None = None
    padded = [*stored_hashes, *([_dummy_hash()] * max(0, RECOVERY_CODES - len(stored_hashes)))]
    for index, stored in enumerate(padded):
        if verify_recovery_code(stored, code) and index < len(stored_hashes) and found is None:
            found = index
    return found


def new_totp_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits


def totp_step(secret: str, code: str, at: float | None = None) -> int | None:
    """The 30-second time step a code belongs to (the current one or a neighbour), or None if it fits none.

    Callers store the step of the last accepted code so that no code is accepted twice (RFC 6238 §5.2)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if at is None else at
    for offset in (0, -1, 1):
        moment = now + offset * totp.interval
        if hmac.compare_digest(totp.at(moment), code):
            return int(totp.timecode(datetime.datetime.fromtimestamp(moment, tz=datetime.UTC)))
    return None


def verify_totp(secret: str, code: str) -> bool:
    return totp_step(secret, code) is not None
