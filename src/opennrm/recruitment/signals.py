"""Signals platforms can share about recruiters (GR38 §74): keyed hashes of contacts, PDQ hashes of images.

A *signal* says "a reviewer of organisation X decided that an ad carrying this contact was deceptive
recruitment". It is about the people who post ads (their phones, e-mail addresses, web sites, messaging
handles, company registration numbers and ad images), never about jobseekers, and it is never a finding:
the receiving installation shows a match to its own reviewer, who weighs it.

- Contacts are normalised (phones to E.164 with ``phonenumbers``, e-mails and handles lower-cased, URLs to
  host and path, domains without ``www.``, registration numbers without spaces or dashes) and then hashed
  with HMAC-SHA256 under an *exchange key* shared by the participating installations. An unkeyed hash of a
  phone number is no protection: a national numbering plan has a few hundred million numbers at most, which
  a laptop hashes in minutes (``tests/unit/recruitment/test_signals.py`` shows it); without the key the
  keyed hash cannot be enumerated.
- Ad images are shared as PDQ perceptual hashes (256 bits, Meta's open algorithm; matched at a Hamming
  distance of at most 31, hashes of quality under 50 are not shared). They are hashes of images, not of
  people; they need no key.
- The exchange file is JSON Lines: one header line (``format``, ``source``, ``exported_at``), then one line
  per signal (``id``, ``kind``, ``value``, ``category``, ``confidence``, ``source``, ``created``,
  ``expires``) and one per opinion on a signal received earlier (``feedback``: seen, confirmed, disputed).
  A file holds the sender's whole current set: a signal that is not in the next file (expired, withdrawn
  after a dispute or an appeal) is gone for the receiver too. ``pytx_lines`` writes the PDQ signals in the
  simple ``<type> <value>`` line format that python-threatexchange's local-file exchange reads.

Pure functions only; storage, the key's source and the audit are in ``services/signals.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opennrm.recruitment.identifiers import normalise_phone

FORMAT = "opennrm-signals/1"
CATEGORY = "deceptive_recruitment"
"""Purpose limitation: the only category exchanged; files with any other are refused."""

KINDS: tuple[str, ...] = ("phone", "email", "url", "domain", "handle", "company_reg", "pdq")
FEEDBACK = ("seen", "confirmed", "disputed")
PDQ_MATCH_DISTANCE = 31
PDQ_MIN_QUALITY = 50
MIN_KEY_BYTES = 32
MAX_LINE_CHARS = 4000

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。、；）)]+", re.IGNORECASE)
_REG = re.compile(r"[\s\-_/]")
_HANDLE_APPS = ("wechat", "qq", "telegram", "whatsapp", "line", "skype", "signal", "viber", "kakao", "handle")


class SignalError(ValueError):
    """A signal, exchange key or exchange file that cannot be used; ``field`` names the field of the
    exchange file's line that is wrong, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- normalisation and keyed hashing -----------------------------------------------------------------------


def _host(raw: str) -> str | None:
    text = raw.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urllib.parse.urlsplit(text).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def canonical(kind: str, value: str, region: str | None = None) -> str | None:
    """The normal form of a contact of ``kind`` (what is hashed), or ``None`` if it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    if kind == "phone":
        if _E164.match(value):
            return value  # already E.164 (the scanner wrote it with phonenumbers): no second parse
        return normalise_phone(value, region) if not value.startswith("+") else normalise_phone(value, None)
    if kind == "email":
        if _PLAIN_EMAIL.match(value):
            return value.lower()
        local, at, domain = value.lower().rpartition("@")
        host = _host(domain) if at else None
        return f"{local}@{host}" if local and host else None
    if kind == "domain":
        return _host(value)
    if kind == "url":
        host = _host(value)
        if host is None:
            return None
        text = value if "://" in value else "http://" + value
        path = urllib.parse.urlsplit(text).path.rstrip("/")
        return f"{host}{path}"
    if kind == "handle":
        app, sep, name = value.lower().partition(":")
        if not sep:
            app, name = "handle", app
        name = name.strip().lstrip("@")
        return f"{app.strip()}:{name}" if name else None
    if kind == "company_reg":
        reg = _REG.sub("", value).upper()
        return reg if len(reg) >= 5 else None
    if kind == "pdq":
        lowered = value.lower()
        return lowered if _HEX64.match(lowered) else None
    raise SignalError(f"unknown signal kind {kind!r}; use one of {', '.join(KINDS)}")


def parse_key(text: str) -> bytes:
    """The exchange key from its hex form (at least 32 bytes)."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise SignalError("the exchange key must be hexadecimal") from None
    if len(key) < MIN_KEY_BYTES:
        raise SignalError(f"the exchange key must be at least {MIN_KEY_BYTES} bytes, written in hex")
    return key


def keyed_hash(key: bytes, kind: str, normal: str) -> str:
    """HMAC-SHA256 of ``kind`` and the normalised value under the exchange key (hex)."""
    return hmac.digest(key, f"{kind}\x00{normal}".encode(), "sha256").hex()  # one-shot, in OpenSSL


class KeyedHasher:
    """``keyed_hash`` for many values under one key, about twice as fast: HMAC's inner and outer SHA-256
    states after the padded key (RFC 2104) are computed once and copied for each value, where the one-shot
    call sets the key up again every time. Same result, bit for bit (tested)."""

    __slots__ = ("_inner", "_outer", "key")

    def __init__(self, key: bytes) -> None:
        self.key = key
        block = hashlib.sha256().block_size
        padded = (hashlib.sha256(key).digest() if len(key) > block else key).ljust(block, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def __call__(self, kind: str, normal: str) -> str:
        inner = self._inner.copy()
        inner.update(f"{kind}\x00{normal}".encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def signal_value(key: bytes, kind: str, normal: str) -> str:
    """What is exchanged: a keyed hash, or for images the PDQ hash itself."""
    return normal if kind == "pdq" else keyed_hash(key, kind, normal)


def ad_contacts(ad: Mapping[str, Any], result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(kind, normal form)`` of the recruiter's contacts in one ad: the identifiers the scan found (phones,
    e-mails, handles), web addresses written in its text, its company registration number and the PDQ
    hashes of its images (``image_pdq``, computed by the platform or by ``pdq_of_image``). The ad's own
    page address on the platform (``url``) is not a contact and is left out."""
    return sorted(_contacts(ad, result))


def plain_contacts(ad: Mapping[str, Any], result: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``ad_contacts`` by its plain definition: every value through ``canonical``. The fast path must give
    the same (tests/unit/recruitment/test_signals.py), and the throughput bench runs this as its baseline."""
    found: set[tuple[str, str]] = set()
    for item in result.get("identifiers", ()) or ():
        kind, value = str(item.get("kind", "")), str(item.get("value", ""))
        if kind in ("phone", "email"):
            normal = canonical(kind, value)
        else:
            normal = canonical("handle", f"{kind}:{value}")
            kind = "handle"
        if normal:
            found.add((kind, normal))
    text = "\n".join(str(ad.get(name) or "") for name in ("title", "text"))
    for match in _URL.finditer(text) if ("http" in text or "www." in text) else ():
        raw = match.group(0).rstrip(".,;:!?")
        for kind in ("url", "domain"):
            normal = canonical(kind, raw)
            if normal:
                found.add((kind, normal))
    for email in [n for k, n in found if k == "email"]:
        host = email.rpartition("@")[2]
        if host not in _WEBMAIL:
            found.add(("domain", host))
    reg = canonical("company_reg", str(ad.get("company_reg") or ""))
    if reg:
        found.add(("company_reg", reg))
    for raw in ad.get("image_pdq") or ():
        normal = canonical("pdq", str(raw))
        if normal:
            found.add(("pdq", normal))
    return sorted(found)


def _contacts(ad: Mapping[str, Any], result: Mapping[str, Any]) -> set[tuple[str, str]]:
    # The hot path of matching a crawl (a million ads): what the scanner already normalised (phones in
    # E.164, plain e-mail addresses) is taken as it is, without a second parse; anything else goes through
    # ``canonical``, so the result is the same either way (tested against ``canonical`` on every value).
    found: set[tuple[str, str]] = set()
    emails: list[str] = []
    for item in result.get("identifiers", ()) or ():
        kind, value = str(item.get("kind", "")), str(item.get("value", ""))
        if kind == "phone":
            bare = value.strip()
            normal = bare if _E164.match(bare) else canonical(kind, value)
        elif kind == "email":
            bare = value.strip()
            normal = bare.lower() if _PLAIN_EMAIL.match(bare) else canonical(kind, value)
            if normal:
                emails.append(normal)
        else:
            normal = canonical("handle", f"{kind}:{value}")
            kind = "handle"
        if normal:
            found.add((kind, normal))
    title, text = ad.get("title"), ad.get("text")
    if (title and ("http" in str(title) or "www." in str(title))) or (
        text and ("http" in str(text) or "www." in str(text))
    ):
        joined = "\n".join(str(ad.get(name) or "") for name in ("title", "text"))
        for match in _URL.finditer(joined):
            raw = match.group(0).rstrip(".,;:!?")
            for kind in ("url", "domain"):
                normal = canonical(kind, raw)
                if normal:
                    found.add((kind, normal))
    for email in emails:
        host = email.rpartition("@")[2]
        if host not in _WEBMAIL:
            found.add(("domain", host))
    reg = ad.get("company_reg")
    if reg:
        normal = canonical("company_reg", str(reg))
        if normal:
            found.add(("company_reg", normal))
    for raw in ad.get("image_pdq") or ():
        normal = canonical("pdq", str(raw))
        if normal:
            found.add(("pdq", normal))
    return found


_WEBMAIL = frozenset(
    ("gmail.com", "qq.com", "163.com", "126.com", "outlook.com", "hotmail.com", "yahoo.com", "sina.com")
)
"""Mail providers: an address there is a contact, its domain says nothing about the sender."""


def pdq_of_image(data: bytes) -> tuple[str, int]:
    """PDQ hash (64 hex) and quality (0-100) of an image, with the ``pdqhash`` package (``images`` extra)."""
    try:
        import pdqhash
    except ImportError:
        raise SignalError("PDQ hashing needs the 'pdqhash' package (pip install 'opennrm[images]')") from None
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data)).convert("RGB")
    except (UnidentifiedImageError, OSError):
        raise SignalError("not an image that can be read") from None
    vector, quality = pdqhash.compute(np.asarray(image))
    bits = np.packbits(np.asarray(vector, dtype=np.uint8))
    return bits.tobytes().hex(), int(quality)


# -- signals and the exchange file ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signal:
    """One shared signal as it travels between installations."""

    id: str
    kind: str
    value: str
    source: str
    created: dt.datetime
    expires: dt.datetime
    confidence: float = 0.7
    category: str = CATEGORY

    def as_line(self) -> dict[str, Any]:
        return {
            "type": "signal",
            "id": self.id,
            "kind": self.kind,
            "value": self.value,
            "category": self.category,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "created": self.created.isoformat(),
            "expires": self.expires.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Feedback:
    """A receiver's opinion on a signal it received: seen (it matched), confirmed or disputed."""

    signal_id: str
    source: str
    """The organisation that shared the signal (to whom the opinion goes)."""
    opinion: str
    by: str
    """The organisation giving the opinion."""

    def as_line(self) -> dict[str, Any]:
        return {
            "type": "feedback",
            "signal": self.signal_id,
            "source": self.source,
            "opinion": self.opinion,
            "by": self.by,
        }


@dataclass
class ExchangeFile:
    """What an exchange file holds once read."""

    source: str
    exported_at: dt.datetime
    signals: list[Signal] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)


def write_exchange(
    source: str, exported_at: dt.datetime, signals: Iterable[Signal], feedback: Iterable[Feedback]
) -> Iterator[str]:
    """The lines of an exchange file (without line ends)."""
    yield json.dumps(
        {"format": FORMAT, "source": source, "exported_at": exported_at.isoformat()}, ensure_ascii=False
    )
    for signal in signals:
        yield json.dumps(signal.as_line(), ensure_ascii=False)
    for item in feedback:
        yield json.dumps(item.as_line(), ensure_ascii=False)


def pytx_lines(signals: Iterable[Signal]) -> Iterator[str]:
    """PDQ signals as ``pdq <hex>`` lines: what python-threatexchange's local-file exchange (and so the
    Hasher-Matcher-Actioner) reads. Keyed contact hashes are left out: no other system holds the key."""
    for signal in signals:
        if signal.kind == "pdq":
            yield f"pdq {signal.value}"


def _time(value: Any, where: str, field: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise SignalError(f"{where}: not a date and time: {value!r}", field) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _text(item: Mapping[str, Any], name: str, where: str, limit: int = 200) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise SignalError(f"{where}: '{name}' must be a non-empty string of at most {limit} characters", name)
    return value.strip()


def read_exchange(lines: Iterable[str]) -> ExchangeFile:
    """Read an exchange file; any bad line refuses the whole file (nothing is half-imported)."""
    header: ExchangeFile | None = None
    for number, raw in enumerate(lines, start=1):
        where = f"line {number}"
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_CHARS:
            raise SignalError(f"{where}: longer than {MAX_LINE_CHARS} characters")
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as error:
            raise SignalError(f"{where}: not JSON ({error.msg})") from None
        if not isinstance(item, dict):
            raise SignalError(f"{where}: not a JSON object")
        if header is None:
            if item.get("format") != FORMAT:
                raise SignalError(f"{where}: not an exchange file (format must be {FORMAT!r})", "format")
            header = ExchangeFile(
                source=_text(item, "source", where),
                exported_at=_time(item.get("exported_at"), where, "exported_at"),
            )
            continue
        kind = item.get("type")
        if kind == "signal":
            header.signals.append(_signal(item, where, header.source))
        elif kind == "feedback":
            opinion = _text(item, "opinion", where, 20)
            if opinion not in FEEDBACK:
                raise SignalError(f"{where}: opinion must be one of {', '.join(FEEDBACK)}", "opinion")
            header.feedback.append(
                Feedback(
                    signal_id=_text(item, "signal", where, 64),
                    source=_text(item, "source", where),
                    opinion=opinion,
                    by=header.source,
                )
            )
        else:
            raise SignalError(f"{where}: type must be 'signal' or 'feedback'", "type")
    if header is None:
        raise SignalError("the file is empty")
    return header


def _signal(item: Mapping[str, Any], where: str, source: str) -> Signal:
    kind = _text(item, "kind", where, 20)
    if kind not in KINDS:
        raise SignalError(f"{where}: kind must be one of {', '.join(KINDS)}", "kind")
    category = _text(item, "category", where, 40)
    if category != CATEGORY:
        raise SignalError(
            f"{where}: category {category!r} is outside this exchange's purpose ({CATEGORY})", "category"
        )
    if _text(item, "source", where) != source:
        raise SignalError(f"{where}: a file carries only its sender's own signals ({source})", "source")
    value = _text(item, "value", where, 64).lower()
    if not _HEX64.match(value):
        raise SignalError(
            f"{where}: value must be 64 hexadecimal characters (a keyed hash or a PDQ hash)", "value"
        )
    confidence = item.get("confidence")
    if not isinstance(confidence, (int, float)) or not 0.0 <= float(confidence) <= 1.0:
        raise SignalError(f"{where}: confidence must be a number from 0 to 1", "confidence")
    return Signal(
        id=_text(item, "id", where, 64),
        kind=kind,
        value=value,
        source=source,
        created=_time(item.get("created"), where, "created"),
        expires=_time(item.get("expires"), where, "expires"),
        confidence=float(confidence),
    )


# -- matching ------------------------------------------------------------------------------------------------


class SignalIndex:
    """Received signals ready for matching: exact keyed hashes in a dict, PDQ hashes in a bit matrix."""

    def __init__(self, signals: Sequence[tuple[str, str, str]]) -> None:
        """``signals``: ``(reference, kind, value)``; ``reference`` is what a match reports."""
        self.exact: dict[str, list[str]] = {}
        self._hasher: KeyedHasher | None = None
        pdq_refs: list[str] = []
        pdq_rows: list[bytes] = []
        for reference, kind, value in signals:
            if kind == "pdq":
                pdq_refs.append(reference)
                pdq_rows.append(bytes.fromhex(value))
            else:
                self.exact.setdefault(value, []).append(reference)
        self.pdq_refs = pdq_refs
        self.pdq = (
            np.frombuffer(b"".join(pdq_rows), dtype=np.uint64).reshape(-1, 4)
            if pdq_rows
            else np.empty((0, 4), dtype=np.uint64)
        )

    def __len__(self) -> int:
        return sum(len(v) for v in self.exact.values()) + len(self.pdq_refs)

    def match(self, key: bytes, contacts: Iterable[tuple[str, str]]) -> list[str]:
        """References of the signals that the ad's contacts match (each once)."""
        hasher = self._hasher
        if hasher is None or hasher.key != key:
            hasher = self._hasher = KeyedHasher(key)
        exact = self.exact
        found: list[str] = []
        for kind, normal in contacts:
            if kind == "pdq":
                found.extend(self.match_pdq(normal))
            else:
                hit = exact.get(hasher(kind, normal))
                if hit:
                    found.extend(hit)
        return list(dict.fromkeys(found)) if len(found) > 1 else found

    def match_ad(self, key: bytes, ad: Mapping[str, Any], result: Mapping[str, Any]) -> list[str]:
        """``match(key, ad_contacts(ad, result))``: the same references in the same order."""
        return self.match(key, sorted(_contacts(ad, result)))

    def match_pdq(self, value: str, distance: int = PDQ_MATCH_DISTANCE) -> list[str]:
        if not len(self.pdq_refs):
            return []
        probe = np.frombuffer(bytes.fromhex(value), dtype=np.uint64)
        differing = np.bitwise_count(self.pdq ^ probe).sum(axis=1)
        return [self.pdq_refs[i] for i in np.flatnonzero(differing <= distance)]
