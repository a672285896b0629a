"""Contact identifiers in an ad: phone numbers, e-mail addresses and chat handles.

Phones are normalised to E.164 with ``phonenumbers`` (the region is guessed from the ad's language when a
number has no country code). Identifiers are looked for in the normalised text, so full-width digits,
spaced digits, digits written as Chinese numerals and obfuscated app names (加V, 薇信) are found too.
Each identifier becomes a link key ``kind:value`` that joins ads into actors.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from opennrm.recruitment.normalise import NormalisedText

#: Region assumed for numbers written without a country code, by ad language.
REGION_BY_LANGUAGE: dict[str, str] = {
    "zh-Hans": "CN",
    "zh-Hant": "TW",
    "ja": "JP",
    "ko": "KR",
    "en": "US",
    "th": "TH",
    "vi": "VN",
    "id": "ID",
    "ms": "MY",
    "tl": "PH",
    "ru": "RU",
    "es": "ES",
    "fr": "FR",
    "ar": "AE",
}

_PHONE_CANDIDATE = re.compile(r"(?<![A-Za-z0-9_.@])\+?\(?\d[\d \-().]{5,18}\d(?![A-Za-z0-9_@])")
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9_.+-])([a-z0-9][a-z0-9._%+-]{0,63})\s*(?:@|\(at\)|\[at\]|\sat\s)\s*"
    r"([a-z0-9-]{1,63}(?:\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*[a-z0-9-]{1,63})*\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*"
    r"(?:com|net|org|info|biz|cn|tw|hk|co|io|me|uk|us|ru|ae|th|my|ph|sg|vn|id|jp|kr|edu|gov)(?![a-z0-9-]))",
    re.IGNORECASE,
)
# After 微信 and QQ a handle often follows with no separator (微信abc123); after the other app names, which
# are also ordinary words ("line", "signal"), a separator or "ID" is required.
_HANDLE = re.compile(
    r"(?:(微信|QQ)\s*(?:号码?|id|账号|帐号)?\s*(?:[:：=]|是|为|@)?"
    r"|(Telegram|WhatsApp|LINE|赖|skype|signal|viber|kakao(?:talk)?)\s*(?:(?:号码?|id|账号|帐号)\s*[:：=]?|[:：=@]))"
    r"\s*(@?[A-Za-z0-9][A-Za-z0-9_\-.]{3,39})",
    re.IGNORECASE,
)
_TELEGRAM_LINK = re.compile(r"t\.me/([A-Za-z0-9_]{4,40})", re.IGNORECASE)
_HANDLE_KIND = {
    "微信": "wechat",
    "qq": "qq",
    "telegram": "telegram",
    "whatsapp": "whatsapp",
    "line": "line",
    "赖": "line",
    "skype": "skype",
    "signal": "signal",
    "viber": "viber",
}


@dataclass(frozen=True, slots=True)
class Identifier:
    """A contact identifier in an ad (``start``/``end`` in the original field text; ``None`` if supplied)."""

    kind: str
    value: str
    field: str
    start: int | None
    end: int | None
    normalised_span: tuple[int, int] | None = dataclasses.field(default=None, compare=False)
    """Where it sits in the normalised text (for masking it from the text model)."""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def normalise_phone(raw: str, region: str | None) -> str | None:
    """E.164 form of a phone number, or ``None`` if it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region or "ZZ")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _handle_kind(word: str) -> str:
    return _HANDLE_KIND.get(word.lower(), word.lower())


def find_identifiers(normalised: NormalisedText, field_name: str, region: str | None) -> list[Identifier]:
    """Phones, e-mails and handles in one normalised field."""
    text = normalised.text
    found: list[Identifier] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, value: str, start: int, end: int) -> None:
        o_start, o_end = normalised.original_span(start, end)
        found.append(Identifier(kind, value, field_name, o_start, o_end, (start, end)))
        taken.append((start, end))

    for match in _EMAIL.finditer(text):
        local, domain = match.group(1), match.group(2)
        domain = re.sub(r"\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*", ".", domain, flags=re.IGNORECASE)
        domain = re.sub(r"\s+", "", domain)
        add("email", f"{local}@{domain}".lower(), match.start(), match.end())
    for match in _HANDLE.finditer(text):
        kind = _handle_kind(match.group(1) or match.group(2))
        value = match.group(3).lstrip("@").rstrip(".-")
        if kind == "whatsapp" or (value.isdigit() and len(value) >= 7 and kind != "qq"):
            continue  # a number: the phone pass below reads it (WhatsApp ids are phone numbers)
        if kind == "qq" and not (value.isdigit() and 5 <= len(value) <= 11):
            continue
        if "@" in text[match.start(3) : match.end(3) + 1] and "." in value and kind != "telegram":
            continue  # an e-mail address after the word, read above
        add(kind, value.lower(), match.start(3), match.start(3) + len(match.group(3)))
    for match in _TELEGRAM_LINK.finditer(text):
        add("telegram", match.group(1).lower(), match.start(), match.end())
    for match in _PHONE_CANDIDATE.finditer(text):
        start, end = match.span()
        if any(s < end and start < e for s, e in taken):
            continue
        raw = match.group(0)
        digits = sum(ch.isdigit() for ch in raw)
        if digits < 7 or digits > 15:
            continue
        phone = normalise_phone(raw, region)
        if phone is not None:
            add("phone", phone, start, end)
    return found


def given_identifiers(
    phones: Iterable[str], emails: Iterable[str], handles: Iterable[str], region: str | None
) -> list[Identifier]:
    """Identifiers the platform supplied in the record's ``phones``/``emails``/``handles`` fields."""
    found: list[Identifier] = []
    for raw in phones:
        phone = normalise_phone(raw, region)
        value = phone if phone is not None else re.sub(r"\D", "", raw)
        if value:
            found.append(Identifier("phone", value, "phones", None, None))
    for raw in emails:
        if raw.strip():
            found.append(Identifier("email", raw.strip().lower(), "emails", None, None))
    for raw in handles:
        kind, _, value = raw.partition(":")
        if not value:
            kind, value = "handle", kind
        value = value.strip().lstrip("@").lower()
        if value:
            found.append(Identifier(_handle_kind(kind.strip()), value, "handles", None, None))
    return found


def mask_identifiers(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Replace identifier spans of ``text`` by a placeholder naming their kind (for the text model)."""
    pieces: list[str] = []
    position = 0
    for start, end, kind in sorted(spans):
        if start < position:
            continue
        pieces.append(text[position:start])
        pieces.append(f" ‹{kind}› ")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
