"""Keyed Bloom-filter encodings (cryptographic long-term keys, CLK) and their hardening.

The semantics follow the CLK of Schnell, Bachteler & Reiher (2011) as the clkhash linkage schema (v3) writes
them down: one record-level filter of ``l`` bits; every token of every feature sets ``k`` bits chosen by
double hashing under a per-feature key; the per-feature keys come from one shared secret through HKDF-SHA256.
The project writes its own encoder (ADR 0009): clkhash pins ``cryptography<41`` and ``bitarray<3``.

Hardening (``HARDENINGS``): ``none``; ``balance`` (the filter and its complement, Schnell & Borgs 2016);
``xor`` (XOR-folding the two halves, Schnell, Borgs & Encarnação 2016); ``rule90`` (each bit becomes the XOR
of its two neighbours, the diffusion of Heng et al. 2022). Every filter is then permuted under a key derived
from the secret. Which one is used and why: ADR 0009.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from opennrm.linkage.normalise import Features

#: 2,048 bits: a record sets about a quarter of them, so after Rule 90 (whose output is dense where the input
#: is: 2p(1 - p)) unrelated records stay further below the same person's (ADR 0009, amended).
FILTER_BITS = 2048
#: Bits each token of a feature sets (the feature's weight in the similarity).
BITS_PER_TOKEN: dict[str, int] = {
    "names": 6,
    "skeletons": 12,
    "birth": 35,
    "sex": 4,
    "phone": 20,
    "document": 12,
    "address": 4,
}
HARDENINGS = ("none", "balance", "xor", "rule90")
DEFAULT_HARDENING = "rule90"
SECRET_BYTES = 32
_INFO = b"opennrm-linkage-v1:"
_CHUNK = 20_000


class LinkageSecretError(ValueError):
    """A linkage secret that is missing, malformed or too short."""


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def secret_to_text(secret: bytes) -> str:
    return secret.hex()


def secret_from_text(text: str) -> bytes:
    try:
        secret = bytes.fromhex(text.strip())
    except ValueError:
        raise LinkageSecretError("the linkage secret is not hexadecimal") from None
    if len(secret) < SECRET_BYTES:
        raise LinkageSecretError(f"the linkage secret needs {SECRET_BYTES} bytes, got {len(secret)}")
    return secret


def derive_key(secret: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO + purpose.encode()).derive(secret)


def secret_check(secret: bytes) -> str:
    """A keyed check value: the same for every export under one secret, and no help in guessing it."""
    return hmac.digest(derive_key(secret, "check"), b"check", "sha256")[:8].hex()


@dataclass(frozen=True)
class Schema:
    """How records are encoded; every organisation in one linkage run uses the same schema and secret."""

    bits: int = FILTER_BITS
    hardening: str = DEFAULT_HARDENING
    bits_per_token: dict[str, int] = field(default_factory=lambda: dict(BITS_PER_TOKEN))

    def __post_init__(self) -> None:
        if self.hardening not in HARDENINGS:
            raise ValueError(f"hardening must be one of {', '.join(HARDENINGS)}, not {self.hardening!r}")
        if self.bits % 64:
            raise ValueError("the filter length must be a multiple of 64 bits")

    @property
    def encoded_bits(self) -> int:
        if self.hardening == "balance":
            return 2 * self.bits
        if self.hardening == "xor":
            return self.bits // 2
        return self.bits

    def describe(self) -> dict[str, Any]:
        """The schema as written into an export, in the spirit of the clkhash linkage schema v3."""
        return {
            "version": 1,
            "clkConfig": {
                "l": self.bits,
                "kdf": {"type": "HKDF", "hash": "SHA256", "info": _INFO.decode(), "keySize": 32},
                "hash": {"type": "doubleHash", "prf": "HMAC-SHA256"},
            },
            "features": [
                {"identifier": "names", "format": "padded bigrams of folded given and family names, pooled"},
                {"identifier": "skeletons", "format": "consonant skeletons of the name words"},
                {"identifier": "birth", "format": "year, month, day and decade of the birth date"},
                {"identifier": "sex", "format": "f or m"},
                {"identifier": "phone", "format": "last eight digits"},
                {"identifier": "document", "format": "padded bigrams of the identity-document number"},
                {"identifier": "address", "format": "padded bigrams of the address's words and numbers"},
            ],
            "bitsPerToken": dict(self.bits_per_token),
            "hardening": self.hardening,
            "encodedBits": self.encoded_bits,
        }

    @classmethod
    def from_description(cls, raw: dict[str, Any]) -> Schema:
        return cls(
            bits=int(raw["clkConfig"]["l"]),
            hardening=str(raw["hardening"]),
            bits_per_token={str(k): int(v) for k, v in raw["bitsPerToken"].items()},
        )


class Encoder:
    """Encodes features under one secret and schema. Token positions are cached: names repeat."""

    def __init__(self, secret: bytes, schema: Schema | None = None) -> None:
        if len(secret) < SECRET_BYTES:
            raise LinkageSecretError(f"the linkage secret needs {SECRET_BYTES} bytes")
        self.schema = schema or Schema()
        self._keys = {name: derive_key(secret, f"feature:{name}") for name in self.schema.bits_per_token}
        seed = int.from_bytes(derive_key(secret, "permutation")[:16], "big")
        self._permutation = np.random.default_rng(seed).permutation(self.schema.encoded_bits)
        self._cache: dict[tuple[str, str], int] = {}

    def _mask(self, feature: str, token: str) -> int:
        """The token's bits as one integer (bit p set for each position p), cached: names repeat."""
        cached = self._cache.get((feature, token))
        if cached is None:
            digest = hmac.digest(self._keys[feature], token.encode(), hashlib.sha256)
            h1 = int.from_bytes(digest[:8], "big")
            h2 = int.from_bytes(digest[8:16], "big") | 1
            bits = self.schema.bits
            cached = 0
            for i in range(self.schema.bits_per_token[feature]):
                cached |= 1 << ((h1 + i * h2) % bits)
            self._cache[(feature, token)] = cached
        return cached

    def filters(self, people: Sequence[Features]) -> np.ndarray:
        """Plain (unhardened) filters, one boolean row per person."""
        width = self.schema.bits // 8
        packed = bytearray()
        for person in people:
            value = 0
            for feature, tokens in person.by_feature():
                for token in tokens:
                    value |= self._mask(feature, token)
            packed += value.to_bytes(width, "big")
        rows = np.frombuffer(bytes(packed), dtype=np.uint8).reshape(len(people), width)
        return np.unpackbits(rows, axis=1).astype(bool)

    def harden(self, plain: np.ndarray) -> np.ndarray:
        kind = self.schema.hardening
        if kind == "balance":
            hardened = np.concatenate([plain, ~plain], axis=1)
        elif kind == "xor":
            half = plain.shape[1] // 2
            hardened = plain[:, :half] ^ plain[:, half:]
        elif kind == "rule90":
            hardened = np.roll(plain, 1, axis=1) ^ np.roll(plain, -1, axis=1)
        else:
            hardened = plain
        return hardened[:, self._permutation]

    def encode(self, people: Sequence[Features]) -> np.ndarray:
        """Hardened encodings packed as bytes: one row of ``encoded_bits / 8`` bytes per person."""
        width = self.schema.encoded_bits // 8
        out = np.empty((len(people), width), dtype=np.uint8)
        for start in range(0, len(people), _CHUNK):
            chunk = people[start : start + _CHUNK]
            out[start : start + len(chunk)] = np.packbits(self.harden(self.filters(chunk)), axis=1)
        return out


def to_text(row: np.ndarray) -> str:
    return base64.b64encode(row.tobytes()).decode("ascii")


def from_text(text: str, width: int) -> np.ndarray:
    raw = base64.b64decode(text, validate=True)
    if len(raw) != width:
        raise ValueError(f"an encoding of {len(raw)} bytes where the schema gives {width}")
    return np.frombuffer(raw, dtype=np.uint8)
