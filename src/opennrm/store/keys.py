"""Field encryption at rest: a keyring of AES-256-GCM data keys, keyed blind indexes, and the audit seal key.

The key file (mode 0600, made by ``opennrm init``) is JSON: ``{"version": 1, "keys": [{"id", "secret"}],
"audit_secret"}``; the newest data key is last and encrypts everything new. ``OPENNRM_KEY`` may hold the same
JSON text instead of a file. The key never enters the database.

Ciphertext layout: ``0x01 | key id (8 bytes) | nonce (12 bytes) | AES-GCM ciphertext and tag``. Every
ciphertext is bound to its place by associated data (for example ``person:<id>``), so a ciphertext moved to
another row does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
_PREFIX = b"\x01"
_KID_LEN = 8
_NONCE_LEN = 12


class KeyUnavailable(Exception):
    """The key is missing, malformed or does not fit the data. The message says what to do."""


class TamperedCiphertext(Exception):
    """A ciphertext failed authentication: it was altered, moved, or made with another key."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"opennrm:" + purpose).derive(secret)


@dataclass(frozen=True)
class DataKey:
    id: bytes
    secret: bytes

    def aead(self) -> AESGCM:
        return AESGCM(_derive(self.secret, b"field-encryption"))

    def index_key(self) -> bytes:
        return _derive(self.secret, b"blind-index")


class Keyring:
    """All data keys (newest last) and the audit seal key."""

    def __init__(self, keys: list[DataKey], audit_secret: bytes) -> None:
        if not keys:
            raise KeyUnavailable("the key file holds no data key")
        self._keys = list(keys)
        self._by_id = {k.id: k for k in keys}
        self._aeads = {k.id: k.aead() for k in keys}
        self._index_key = keys[-1].index_key()
        self.audit_key = _derive(audit_secret, b"audit-seal")
        self._audit_secret = audit_secret

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def generate(cls) -> Keyring:
        return cls([DataKey(secrets.token_bytes(_KID_LEN), secrets.token_bytes(32))], secrets.token_bytes(32))

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            doc = json.loads(text)
            if doc.get("version") != FORMAT_VERSION:
                raise ValueError("unknown key file version")
            keys = [DataKey(_unb64(k["id"]), _unb64(k["secret"])) for k in doc["keys"]]
            audit_secret = _unb64(doc["audit_secret"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyUnavailable(
                f"the key is malformed ({exc}); it must be the JSON made by 'opennrm init'"
            ) from None
        if any(len(k.id) != _KID_LEN or len(k.secret) != 32 for k in keys) or len(audit_secret) != 32:
            raise KeyUnavailable("the key is malformed: wrong key lengths")
        return cls(keys, audit_secret)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": FORMAT_VERSION,
                "keys": [{"id": _b64(k.id), "secret": _b64(k.secret)} for k in self._keys],
                "audit_secret": _b64(self._audit_secret),
            }
        )

    def write(self, path: Path) -> None:
        """Write the key file atomically with mode 0600."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    @classmethod
    def load(cls, key_file: Path, key_env: str | None) -> Keyring:
        if key_env:
            return cls.from_json(key_env)
        if not key_file.exists():
            raise KeyUnavailable(
                f"no encryption key: {key_file} does not exist and OPENNRM_KEY is not set "
                "(run 'opennrm init' for a new installation, or restore the key file)"
            )
        mode = key_file.stat().st_mode & 0o777
        if mode & 0o077:
            raise KeyUnavailable(
                f"the key file {key_file} is readable by others (mode {mode:o}); run chmod 600 on it"
            )
        return cls.from_json(key_file.read_text())

    # -- rotation -----------------------------------------------------------------------------------

    def with_new_key(self) -> Keyring:
        """A keyring whose newest key is fresh; older keys still decrypt until re-encryption is done."""
        return Keyring(
            [*self._keys, DataKey(secrets.token_bytes(_KID_LEN), secrets.token_bytes(32))], self._audit_secret
        )

    def current_only(self) -> Keyring:
        return Keyring([self._keys[-1]], self._audit_secret)

    @property
    def key_count(self) -> int:
        return len(self._keys)

    def retired(self) -> Keyring:
        """The keys other than the newest (to keep for old backups)."""
        return Keyring(self._keys[:-1], self._audit_secret)

    @property
    def current_id(self) -> str:
        return self._keys[-1].id.hex()

    # -- use ----------------------------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        key = self._keys[-1]
        nonce = secrets.token_bytes(_NONCE_LEN)
        return _PREFIX + key.id + nonce + self._aeads[key.id].encrypt(nonce, plaintext, context.encode())

    def decrypt(self, blob: bytes, context: str) -> bytes:
        if len(blob) < 1 + _KID_LEN + _NONCE_LEN + 16 or blob[:1] != _PREFIX:
            raise TamperedCiphertext(f"malformed ciphertext for {context.split(':')[0]}")
        kid = blob[1 : 1 + _KID_LEN]
        aead = self._aeads.get(kid)
        if aead is None:
            raise KeyUnavailable(
                f"data was encrypted with key {kid.hex()}, which this key file does not hold"
            )
        nonce = blob[1 + _KID_LEN : 1 + _KID_LEN + _NONCE_LEN]
        try:
            return aead.decrypt(nonce, blob[1 + _KID_LEN + _NONCE_LEN :], context.encode())
        except InvalidTag:
            raise TamperedCiphertext(f"ciphertext of {context.split(':')[0]} failed authentication") from None

    def backup_key(self, kid: bytes | None = None) -> tuple[bytes, AESGCM]:
        """The key id and AEAD that protect a backup file (the newest data key unless ``kid`` is given)."""
        key = self._keys[-1] if kid is None else self._by_id.get(kid)
        if key is None:
            raise KeyUnavailable(
                f"the backup was made with key {kid.hex() if kid else '?'}, which this key file "
                "does not hold; use the key file that was current when the backup was made"
            )
        return key.id, AESGCM(_derive(key.secret, b"backup"))

    def key_id_of(self, blob: bytes) -> str:
        return blob[1 : 1 + _KID_LEN].hex()

    def blind_index(self, kind: str, value: str) -> str:
        """Keyed, deterministic index for exact-match search; reveals nothing without the key."""
        normal = normalise_for_index(kind, value)
        return hmac.new(self._index_key, f"{kind}\x00{normal}".encode(), hashlib.sha256).hexdigest()[:32]

    def seal(self, digest: str) -> str:
        return hmac.new(self.audit_key, digest.encode(), hashlib.sha256).hexdigest()


def normalise_for_index(kind: str, value: str) -> str:
    """Exact-match normalisation: phones keep digits and a leading +, codes are case-folded."""
    value = value.strip()
    if kind == "phone":
        digits = "".join(ch for ch in value if ch.isdigit())
        return ("+" if value.startswith("+") else "") + digits
    return value.casefold()
