"""Names for the codes a form asks for: countries (ISO 3166-1 alpha-2) and languages (ISO 639-1) in the
reader's language, from the CLDR data shipped with Babel. A form shows the names and stores the codes."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from opennrm.domain.iso_codes import COUNTRIES, LANGUAGES

# Territory codes that are not countries of a person (CLDR's exceptional reservations and unknown region).
_NOT_A_COUNTRY = frozenset({"AC", "CP", "DG", "EA", "IC", "TA"})


def _locale(tag: str) -> Locale:
    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def _sorted(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(pairs, key=lambda item: (item[1].casefold(), item[0])))


@lru_cache(maxsize=32)
def country_names(tag: str) -> tuple[tuple[str, str], ...]:
    """Every country a case may name, as (code, name in ``tag``'s language), sorted by name."""
    names = _locale(tag).territories
    return _sorted([(c, str(names.get(c) or c)) for c in COUNTRIES if c not in _NOT_A_COUNTRY])


@lru_cache(maxsize=32)
def language_names(tag: str) -> tuple[tuple[str, str], ...]:
    """Every ISO 639-1 language, as (code, name in ``tag``'s language), sorted by name."""
    names = _locale(tag).languages
    return _sorted([(code, str(names.get(code) or code)) for code in LANGUAGES])


def country_name(code: str | None, tag: str) -> str:
    """One country's name in ``tag``'s language (the code itself when CLDR has none)."""
    return str(_locale(tag).territories.get(code or "", code or "–"))


def language_name(code: str | None, tag: str) -> str:
    """One language's name in ``tag``'s language (the code itself when CLDR has none)."""
    return str(_locale(tag).languages.get(code or "", code or "–"))
