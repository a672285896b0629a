"""Quasi-identifiers folded into comparable tokens.

Names are transliterated to Latin letters (``anyascii``), folded (case, diacritics, punctuation) and split
into words; given and family names are pooled, so a given/family swap changes nothing. Each word also yields a
consonant *skeleton* under a few equivalences of Latin transliteration practice (kh/h, ph/f, ou/u, doubled
letters, vowels dropped), so Mohammed, Muhammad and Mokhammed share a token while their bigrams differ.
Birth dates give positional parts (year, month, day), so a wrong day still leaves the year and month to agree.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii

_NOT_LETTER = re.compile(r"[^a-z]+")
_DIGITS = re.compile(r"\D+")
_DIGITS_ONLY = re.compile(r"\d+")
# transliteration equivalences applied before vowels are dropped (order matters: digraphs first)
_SKELETON_RULES: tuple[tuple[str, str], ...] = (
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("sh", "s"),
    ("ch", "c"),
    ("ck", "k"),
    ("dj", "j"),
    ("q", "k"),
    ("z", "s"),
    ("w", "v"),
    ("j", "y"),
)
_VOWELS = re.compile(r"[aeiouy]")
_REPEATS = re.compile(r"(.)\1+")
#: Particles that some records write and others drop ("al-Hassan", "Hassan").
PARTICLES = frozenset({"al", "el", "ul", "bin", "ben", "ibn", "bint", "de", "da", "van", "von", "der", "la"})


@functools.lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Latin letters only, lower case, words separated by one space:
    ``"Nguyễn Thị-Hà"`` → ``"nguyen thi ha"``."""
    return " ".join(_NOT_LETTER.split(anyascii(text).lower())).strip()


def name_words(*names: str | None) -> list[str]:
    """The folded words of all names together, particles dropped, sorted (the order they came in is lost)."""
    words = [w for name in names if name for w in fold(name).split() if w and w not in PARTICLES]
    return sorted(words)


@functools.lru_cache(maxsize=200_000)
def skeleton(word: str) -> str:
    """A word's consonant skeleton under common transliteration equivalences:
    mohammed, muhammad → ``mhmd``."""
    out = word
    for old, new in _SKELETON_RULES:
        out = out.replace(old, new)
    out = _REPEATS.sub(r"\1", out)
    consonants = _VOWELS.sub("", out)
    return _REPEATS.sub(r"\1", consonants) or out[:1]


def bigrams(word: str) -> list[str]:
    """Padded character bigrams: ``"ana"`` → ``["_a", "an", "na", "a_"]``."""
    padded = f"_{word}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def phone_digits(phone: str | None) -> str | None:
    """The last eight digits of a phone number (country and trunk prefixes are written many ways)."""
    if not phone:
        return None
    digits = _DIGITS.sub("", phone)
    return digits[-8:] if len(digits) >= 6 else None


SEXES = {"female": "f", "f": "f", "male": "m", "m": "m"}


@dataclass(frozen=True)
class QuasiIdentifiers:
    """What the encoding sees of a person: nothing else of her record is read."""

    given_name: str | None = None
    family_name: str | None = None
    birth_date: dt.date | None = None
    sex: str | None = None
    phone: str | None = None
    document: str | None = None
    """An identity-document number, where she has one (most often she has not)."""
    address: str | None = None
    """The last address recorded, where there is one."""


@dataclass(frozen=True)
class Features:
    """The tokens of each feature of one person, ready to be hashed."""

    names: tuple[str, ...]
    skeletons: tuple[str, ...]
    birth: tuple[str, ...]
    sex: tuple[str, ...]
    phone: tuple[str, ...]
    document: tuple[str, ...] = ()
    address: tuple[str, ...] = ()

    def by_feature(self) -> Iterable[tuple[str, tuple[str, ...]]]:
        yield "names", self.names
        yield "skeletons", self.skeletons
        yield "birth", self.birth
        yield "sex", self.sex
        yield "phone", self.phone
        yield "document", self.document
        yield "address", self.address


def features(person: QuasiIdentifiers) -> Features:
    words = name_words(person.given_name, person.family_name)
    grams = sorted({g for w in words for g in bigrams(w)})
    skeletons = sorted({skeleton(w) for w in words})
    birth: tuple[str, ...] = ()
    if person.birth_date is not None:
        d = person.birth_date
        birth = (f"y{d.year}", f"m{d.month}", f"d{d.day}", f"decade{d.year // 10}")
    sex = SEXES.get((person.sex or "").strip().lower())
    phone = phone_digits(person.phone)
    raw_document = person.document or ""
    document = "".join(fold(raw_document).split()) + "".join(_DIGITS_ONLY.findall(raw_document))
    return Features(
        names=tuple(grams),
        skeletons=tuple(skeletons),
        birth=birth,
        sex=(sex,) if sex else (),
        phone=(phone,) if phone else (),
        document=tuple(sorted(set(bigrams(document)))) if document else (),
        address=_address_tokens(person.address),
    )


def _address_tokens(address: str | None) -> tuple[str, ...]:
    if not address:
        return ()
    words = fold(address).split() + _DIGITS_ONLY.findall(address)
    return tuple(sorted({g for w in words for g in bigrams(w)}))
