"""Choosing the language of an explanation from a requested language code (BCP 47 style)."""

from __future__ import annotations

import re
from collections.abc import Collection

from opennrm.screening.messages import REFERENCE_LANGUAGE

LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


def is_language_code(code: str) -> bool:
    """True for something shaped like a language tag (``en``, ``zh-Hant``, ``pt_BR``)."""
    return bool(LANGUAGE_CODE.match(code))


def resolve_language(requested: str, available: Collection[str]) -> tuple[str, bool]:
    """The available language to use for ``requested`` and whether it is a fallback to English.

    Matching ignores case and accepts ``_`` for ``-``. Chinese goes to Traditional script for ``zh-Hant`` and
    the regions TW, HK and MO, and to Simplified script for ``zh``, ``zh-Hans`` and other regions. Otherwise
    the primary language is matched (``en-GB`` → ``en``). Anything else falls back to English.
    """
    by_lower = {code.lower(): code for code in available}
    wanted = requested.strip().replace("_", "-").lower()
    if wanted in by_lower:
        return by_lower[wanted], False
    subtags = wanted.split("-")
    primary = subtags[0]
    if primary == "zh":
        rest = set(subtags[1:])
        script = "zh-hant" if "hant" in rest or rest & _TRADITIONAL_REGIONS else "zh-hans"
        if "hans" in rest:
            script = "zh-hans"
        if script in by_lower:
            return by_lower[script], False
    if primary in by_lower:
        return by_lower[primary], False
    for lower, code in by_lower.items():
        if lower.split("-")[0] == primary:
            return code, False
    return REFERENCE_LANGUAGE, primary != REFERENCE_LANGUAGE
