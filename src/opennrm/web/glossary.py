"""The GR38 glossary (``glossary.toml``): the Committee's words for the terms the pages show, per language,
and the check of a catalogue against it (issue 13, item 9; docs/i18n.md).

A message whose English text speaks of a term (the term's ``en`` expression) must be translated with the
glossary's word for it (one of ``use``) and never with a variant the glossary rules out (``never``), such as
被害人 for "victim" or 給付 for "giving or receiving payments"."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

GLOSSARY = Path(__file__).resolve().parent / "glossary.toml"
# Arabic short vowels, shadda and sukun: "التعرّف" is "التعرف" for the check.
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")


@dataclass(frozen=True)
class Entry:
    """One term in one language."""

    term: str
    use: tuple[str, ...]
    never: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Term:
    key: str
    english: re.Pattern[str]
    gr38: str
    languages: dict[str, Entry]


@dataclass(frozen=True)
class Problem:
    locale: str
    term: str
    msgid: str
    msgstr: str
    reason: str

    def __str__(self) -> str:
        return f"{self.locale}: {self.term!r} in {self.msgid[:70]!r} → {self.msgstr[:70]!r}: {self.reason}"


@cache
def terms() -> tuple[Term, ...]:
    data = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))
    found = []
    for raw in data["term"]:
        languages = {
            locale: Entry(
                str(value["term"]),
                tuple(value["use"]),
                tuple(value.get("never", ())),
                str(value["source"]),
            )
            for locale, value in raw.items()
            if isinstance(value, dict)
        }
        found.append(Term(raw["key"], re.compile(raw["en"], re.IGNORECASE), raw["gr38"], languages))
    return tuple(found)


@cache
def sources() -> dict[str, str]:
    data: dict[str, Any] = tomllib.loads(GLOSSARY.read_text(encoding="utf-8"))
    return dict(data["sources"])


def _plain(text: str) -> str:
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", text)).casefold()


def check(locale: str, messages: Iterable[tuple[str, str]]) -> Iterator[Problem]:
    """Problems of a catalogue (``locale`` is its directory name, e.g. ``zh_Hant``) given as (English id,
    translation) pairs: a term translated without the glossary's word, or with a word it rules out."""
    relevant = [(t, t.languages[locale]) for t in terms() if locale in t.languages]
    for msgid, msgstr in messages:
        plain = _plain(msgstr)
        for term, entry in relevant:
            if not term.english.search(msgid):
                continue
            banned = [w for w in entry.never if _plain(w) in plain]
            if banned:
                yield Problem(locale, term.key, msgid, msgstr, f"uses {', '.join(banned)} (say {entry.term})")
            elif not any(_plain(w) in plain for w in entry.use):
                yield Problem(locale, term.key, msgid, msgstr, f"does not use {entry.term}")
