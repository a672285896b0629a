"""The red-flag lexicon (package data ``data/red_flags.yaml``) and the search for flags in an ad's text.

A flag found in an ad is a ``FlagHit``: which flag, in which field, the evidence and its ``[start, end)``
span in the *original* text of that field (not the normalised text the patterns ran on).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from opennrm.recruitment.normalise import NormalisedText, normalise, to_simplified

LANGUAGES: tuple[str, ...] = ("en", "zh-Hans", "zh-Hant")
_CLAUSE_BREAK = re.compile(r"[。，,.;；!！?？\n:：、]")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True, slots=True)
class RedFlag:
    """One red flag: what it means, where it comes from, its default weight and its patterns."""

    id: str
    number: int
    name: str
    explanation: str
    basis: str
    default_weight: float
    negatable: bool
    structural: bool
    network: bool
    patterns: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class FlagHit:
    """A flag found in an ad. ``start``/``end`` index the original ``field``; ``None`` for a missing field."""

    flag: str
    field: str
    start: int | None
    end: int | None
    evidence: str


@dataclass(frozen=True, slots=True)
class StructurePrior:
    """What the default model adds for a structural feature: ``weight × (value − centre)`` in log-odds."""

    feature: str
    weight: float
    centre: float
    basis: str


@dataclass(frozen=True)
class Lexicon:
    """The loaded lexicon with compiled patterns."""

    flags: tuple[RedFlag, ...]
    default_intercept: float
    structure_priors: tuple[StructurePrior, ...]
    negation_window: Mapping[str, int]
    negation_zh: re.Pattern[str]
    negation_en: re.Pattern[str]
    compiled: Mapping[str, re.Pattern[str]]
    """One pattern per flag for Latin-script cues and one for Chinese cues (each run only if needed)."""
    compiled_cjk: Mapping[str, re.Pattern[str]]

    @property
    def flag_ids(self) -> tuple[str, ...]:
        """All flags, the network flag (13) included."""
        return tuple(flag.id for flag in self.flags)

    @property
    def ad_flag_ids(self) -> tuple[str, ...]:
        """Flags that can be read from one ad (text and employer fields): 1-12."""
        return tuple(flag.id for flag in self.flags if not flag.network)

    def flag(self, flag_id: str) -> RedFlag:
        for flag in self.flags:
            if flag.id == flag_id:
                return flag
        raise KeyError(flag_id)

    @property
    def default_weights(self) -> dict[str, float]:
        return {flag.id: flag.default_weight for flag in self.flags}

    def _negated(self, text: str, start: int) -> bool:
        window = max(self.negation_window.get("zh", 5), self.negation_window.get("en", 18))
        before = text[max(0, start - window) : start]
        breaks = list(_CLAUSE_BREAK.finditer(before))
        if breaks:
            before = before[breaks[-1].end() :]
        zh_part = before[-self.negation_window.get("zh", 5) :]
        return bool(self.negation_zh.search(zh_part) or self.negation_en.search(before))

    def search(self, normalised: NormalisedText, field: str) -> Iterator[FlagHit]:
        """Every flag match in one field, spans mapped back to the original text."""
        has_latin = _LATIN.search(normalised.text) is not None
        has_cjk = _CJK.search(normalised.text) is not None
        for flag in self.flags:
            yield from self._search_flag(flag, normalised, field, has_latin, has_cjk)

    def _search_flag(
        self, flag: RedFlag, normalised: NormalisedText, field: str, has_latin: bool, has_cjk: bool
    ) -> Iterator[FlagHit]:
        matches: list[re.Match[str]] = []
        if has_latin and flag.id in self.compiled:
            matches.extend(self.compiled[flag.id].finditer(normalised.text))
        if (has_cjk or has_latin) and flag.id in self.compiled_cjk:
            matches.extend(self.compiled_cjk[flag.id].finditer(normalised.text))
        if not matches:
            return
        matches.sort(key=lambda m: (m.start(), -m.end()))
        last_end = -1
        for match in matches:
            if match.start() < last_end or match.end() == match.start():
                continue
            if flag.negatable and self._negated(normalised.text, match.start()):
                continue
            last_end = match.end()
            start, end = normalised.original_span(match.start(), match.end())
            yield FlagHit(flag.id, field, start, end, normalised.original[start:end])

    def find(self, fields: Mapping[str, str]) -> list[FlagHit]:
        """Flags in several named text fields (e.g. ``{"title": ..., "text": ...}``)."""
        hits: list[FlagHit] = []
        for field, text in fields.items():
            if text:
                hits.extend(self.search(normalise(text), field))
        return hits


def _parse(document: Mapping[str, Any]) -> Lexicon:
    flags: list[RedFlag] = []
    compiled: dict[str, re.Pattern[str]] = {}
    compiled_cjk: dict[str, re.Pattern[str]] = {}
    for entry in document["flags"]:
        patterns = {lang: tuple(entry.get("patterns", {}).get(lang, ())) for lang in LANGUAGES}
        flag = RedFlag(
            id=str(entry["id"]),
            number=int(entry["number"]),
            name=str(entry["name"]),
            explanation=" ".join(str(entry["explanation"]).split()),
            basis=str(entry.get("basis", "")),
            default_weight=float(entry["default_weight"]),
            negatable=bool(entry.get("negatable", False)),
            structural=bool(entry.get("structural", False)),
            network=bool(entry.get("network", False)),
            patterns=patterns,
        )
        flags.append(flag)
        if patterns["en"]:
            compiled[flag.id] = re.compile("|".join(f"(?:{p})" for p in patterns["en"]), re.IGNORECASE)
        # Traditional patterns are matched on Simplified text, so they are converted once here.
        chinese = [*patterns["zh-Hans"], *(to_simplified(p) for p in patterns["zh-Hant"])]
        if chinese:
            compiled_cjk[flag.id] = re.compile("|".join(f"(?:{p})" for p in chinese), re.IGNORECASE)
    negation = document["negation"]
    return Lexicon(
        flags=tuple(sorted(flags, key=lambda f: f.number)),
        default_intercept=float(document["default_intercept"]),
        structure_priors=tuple(
            StructurePrior(
                feature=str(entry["feature"]),
                weight=float(entry["weight"]),
                centre=float(entry["centre"]),
                basis=str(entry.get("basis", "")),
            )
            for entry in document.get("structure_priors", ())
        ),
        negation_window=dict(negation["window_chars"]),
        negation_zh=re.compile(negation["zh"]),
        negation_en=re.compile(negation["en"], re.IGNORECASE),
        compiled=compiled,
        compiled_cjk=compiled_cjk,
    )


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """The lexicon shipped with OpenNRM (read once per process)."""
    text = resources.files("opennrm.recruitment").joinpath("data/red_flags.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text))
