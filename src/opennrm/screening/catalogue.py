"""Indicator catalogues kept as data: loading, schema validation, national overlays, errors with line numbers.

A catalogue is a YAML file checked against ``catalogue.schema.json``. The packaged one is
``catalogues/ilo-ec-2009.yaml`` (ILO/EC operational indicators, sources in its header); the explanation texts
are ``catalogues/explanations.yaml``. A country may load its own file (GR38 §77: national guidelines): either
a complete catalogue, or one that says ``extends: ilo-ec-2009`` and adds indicators, translations, message
sets for new languages, or changed (for example stricter) strengths. Every error names the file, the line
and the key at fault.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from opennrm.screening.catalogue_file import (
    CatalogueDocument,
    CatalogueError,
    KeyPath,
    key_name,
    read_document,
    validated,
)
from opennrm.screening.messages import (
    REFERENCE_LANGUAGE,
    REQUIRED_KEYS,
    SENTENCE_PLACEHOLDERS,
    MessageSet,
    placeholders,
)
from opennrm.screening.vocabulary import Dimension, Profile, Strength

CATALOGUE_SCHEMA = "opennrm.screening.catalogue/1"
DEFAULT_CATALOGUE_ID = "ilo-ec-2009"
_PACKAGED_CATALOGUES: Mapping[str, str] = {"ilo-ec-2009": "ilo-ec-2009.yaml"}
_EXPLANATIONS_FILE = "explanations.yaml"
_MAX_FILE_BYTES = 5_000_000

Texts = Mapping[str, str]
"""Texts of one thing keyed by language code (``en``, ``zh-Hant`` ...)."""


def pick_text(texts: Texts, language: str) -> str:
    """The text in ``language``, else English, else any text there is."""
    if language in texts:
        return texts[language]
    if REFERENCE_LANGUAGE in texts:
        return texts[REFERENCE_LANGUAGE]
    return next(iter(texts.values()), "")


@dataclass(frozen=True, eq=False, slots=True)
class DimensionText:
    dimension: Dimension
    name: Texts
    intro: Texts


@dataclass(frozen=True, eq=False, slots=True)
class Indicator:
    """One indicator: its dimension, its label and the plain question that asks about it."""

    id: str
    dimension: Dimension
    text: Texts
    question: Texts


@dataclass(frozen=True, eq=False, slots=True)
class ProfileList:
    """One list (profile): the strength of each indicator in it. Indicators not in the list are absent."""

    profile: Profile
    title: Texts
    provisional: bool
    provisional_note: Texts
    strengths: Mapping[str, Strength]


@dataclass(frozen=True, eq=False, slots=True)
class Catalogue:
    """A checked catalogue. Build it with :func:`load_catalogue` or :func:`parse_catalogue`."""

    id: str
    version: str
    catalogue_version: str
    title: Texts
    sources: tuple[str, ...]
    dimensions: Mapping[Dimension, DimensionText]
    indicators: Mapping[str, Indicator]
    profiles: Mapping[Profile, ProfileList]
    messages: Mapping[str, MessageSet]
    positions: Mapping[str, int]
    """Each indicator's place in catalogue order (dimension order, then written order)."""

    @property
    def languages(self) -> tuple[str, ...]:
        """Languages with a complete set of explanation texts."""
        return tuple(self.messages)

    def strength(self, profile: Profile, indicator_id: str) -> Strength | None:
        """The strength of an indicator in a profile's list, or ``None`` when it is not in that list."""
        return self.profiles[profile].strengths.get(indicator_id)


# ---------------------------------------------------------------------------------------------------------
# Merging documents and building a checked catalogue


def _merge_texts(target: dict[str, Any], key: str, texts: Mapping[str, str] | None) -> None:
    if texts:
        target.setdefault(key, {}).update(texts)


def _merge(merged: dict[str, Any], data: Mapping[str, Any], docs: Sequence[CatalogueDocument]) -> None:
    for key in ("id", "version", "extends"):
        if key in data:
            merged[key] = data[key]
    _merge_texts(merged, "title", data.get("title"))
    merged.setdefault("sources", []).extend(data.get("sources", []))
    for code, dimension in data.get("dimensions", {}).items():
        target = merged.setdefault("dimensions", {}).setdefault(code, {})
        _merge_texts(target, "name", dimension.get("name"))
        _merge_texts(target, "intro", dimension.get("intro"))
    for indicator_id, indicator in data.get("indicators", {}).items():
        target = merged.setdefault("indicators", {}).setdefault(indicator_id, {})
        if "dimension" in indicator:
            if "dimension" in target and target["dimension"] != indicator["dimension"]:
                raise _error_at(
                    docs,
                    ("indicators", indicator_id, "dimension"),
                    f"indicator {indicator_id} belongs to dimension {target['dimension']}; "
                    "a national file cannot move it (add a new indicator instead)",
                )
            target["dimension"] = indicator["dimension"]
        _merge_texts(target, "text", indicator.get("text"))
        _merge_texts(target, "question", indicator.get("question"))
    for profile_id, profile in data.get("profiles", {}).items():
        target = merged.setdefault("profiles", {}).setdefault(profile_id, {})
        for key in ("provisional", "inherits"):
            if key in profile:
                target[key] = profile[key]
        _merge_texts(target, "title", profile.get("title"))
        _merge_texts(target, "provisional_note", profile.get("provisional_note"))
        for code, strengths in profile.get("strengths", {}).items():
            target.setdefault("strengths", {}).setdefault(code, {}).update(strengths)
    for language, message_set in data.get("messages", {}).items():
        target = merged.setdefault("messages", {}).setdefault(language, {})
        for section, table in message_set.items():
            target.setdefault(section, {}).update(table)


def _error_at(docs: Sequence[CatalogueDocument], path: KeyPath, message: str) -> CatalogueError:
    """An error located in the last document that writes ``path`` (or the nearest key it does write)."""
    for document in reversed(docs):
        if document.has(path):
            return CatalogueError(
                message, source=document.source, line=document.line_of(path), key=key_name(path)
            )
    for document in reversed(docs):
        for cut in range(len(path) - 1, 0, -1):
            if document.has(path[:cut]):
                return CatalogueError(
                    message, source=document.source, line=document.line_of(path[:cut]), key=key_name(path)
                )
    last = docs[-1]
    return CatalogueError(message, source=last.source, line=None, key=key_name(path))


def _frozen_texts(texts: Mapping[str, str] | None) -> Texts:
    return MappingProxyType(dict(texts or {}))


def _require_english(
    docs: Sequence[CatalogueDocument], texts: Mapping[str, str] | None, path: KeyPath
) -> None:
    if not texts or REFERENCE_LANGUAGE not in texts:
        raise _error_at(docs, path, f"an English ({REFERENCE_LANGUAGE}) text is required")


def _build(merged: dict[str, Any], docs: Sequence[CatalogueDocument], catalogue_version: str) -> Catalogue:
    dimensions: dict[Dimension, DimensionText] = {}
    for dimension in Dimension:
        spec = merged.get("dimensions", {}).get(dimension.value)
        if spec is None:
            raise _error_at(docs, ("dimensions", dimension.value), f"dimension {dimension.value} is missing")
        _require_english(docs, spec.get("name"), ("dimensions", dimension.value, "name"))
        dimensions[dimension] = DimensionText(
            dimension, _frozen_texts(spec.get("name")), _frozen_texts(spec.get("intro"))
        )

    indicators: dict[str, Indicator] = {}
    for indicator_id, spec in merged.get("indicators", {}).items():
        path: KeyPath = ("indicators", indicator_id)
        if "dimension" not in spec:
            raise _error_at(docs, path, f"new indicator {indicator_id} needs a 'dimension'")
        _require_english(docs, spec.get("text"), (*path, "text"))
        _require_english(docs, spec.get("question"), (*path, "question"))
        indicators[indicator_id] = Indicator(
            id=indicator_id,
            dimension=Dimension(spec["dimension"]),
            text=_frozen_texts(spec.get("text")),
            question=_frozen_texts(spec.get("question")),
        )
    # Group by dimension, keeping the written order inside each dimension.
    order = {dimension: index for index, dimension in enumerate(Dimension)}
    indicators = dict(sorted(indicators.items(), key=lambda item: order[item[1].dimension]))

    profile_specs: dict[str, Any] = merged.get("profiles", {})
    for profile in Profile:
        if profile.value not in profile_specs:
            raise _error_at(docs, ("profiles", profile.value), f"profile {profile.value} is missing")
    for profile_id, spec in profile_specs.items():
        strength_specs: dict[str, dict[str, Any]] = spec.get("strengths", {})
        for code, strengths in strength_specs.items():
            for indicator_id in strengths:
                path = ("profiles", profile_id, "strengths", code, indicator_id)
                if indicator_id not in indicators:
                    raise _error_at(docs, path, f"unknown indicator {indicator_id}")
                if indicators[indicator_id].dimension.value != code:
                    raise _error_at(
                        docs,
                        path,
                        f"indicator {indicator_id} belongs to dimension "
                        f"{indicators[indicator_id].dimension.value}, not {code}",
                    )
    profiles: dict[Profile, ProfileList] = {}
    for profile in Profile:
        spec = profile_specs[profile.value]
        _require_english(docs, spec.get("title"), ("profiles", profile.value, "title"))
        provisional = bool(spec.get("provisional", False))
        if provisional:
            _require_english(
                docs, spec.get("provisional_note"), ("profiles", profile.value, "provisional_note")
            )
        resolved: dict[str, Strength] = {}
        for layer in _inheritance_chain(profile_specs, profile.value, docs):
            for strengths in layer.get("strengths", {}).values():
                for indicator_id, letter in strengths.items():
                    if letter is None:
                        resolved.pop(indicator_id, None)
                    else:
                        resolved[indicator_id] = Strength(letter)
        ordered = {key: resolved[key] for key in indicators if key in resolved}
        profiles[profile] = ProfileList(
            profile=profile,
            title=_frozen_texts(spec.get("title")),
            provisional=provisional,
            provisional_note=_frozen_texts(spec.get("provisional_note")),
            strengths=MappingProxyType(ordered),
        )

    messages = _build_messages(merged.get("messages", {}), docs)
    _require_english(docs, merged.get("title"), ("title",))
    return Catalogue(
        id=str(merged["id"]),
        version=str(merged["version"]),
        catalogue_version=catalogue_version,
        title=_frozen_texts(merged.get("title")),
        sources=tuple(merged.get("sources", ())),
        dimensions=MappingProxyType(dimensions),
        indicators=MappingProxyType(indicators),
        profiles=MappingProxyType(profiles),
        messages=MappingProxyType(messages),
        positions=MappingProxyType({key: index for index, key in enumerate(indicators)}),
    )


def _inheritance_chain(specs: Mapping[str, Any], start: str, docs: Sequence[CatalogueDocument]) -> list[Any]:
    """The profile specs from the oldest ancestor down to ``start``."""
    chain: list[Any] = []
    seen: list[str] = []
    current: str | None = start
    while current is not None:
        if current in seen:
            raise _error_at(
                docs, ("profiles", start, "inherits"), f"profiles inherit in a circle: {' -> '.join(seen)}"
            )
        seen.append(current)
        chain.append(specs[current])
        current = specs[current].get("inherits")
    chain.reverse()
    return chain


def _build_messages(specs: Mapping[str, Any], docs: Sequence[CatalogueDocument]) -> dict[str, MessageSet]:
    if REFERENCE_LANGUAGE not in specs:
        raise _error_at(docs, ("messages", REFERENCE_LANGUAGE), "the English message set is missing")
    built: dict[str, MessageSet] = {}
    for language in (REFERENCE_LANGUAGE, *(code for code in specs if code != REFERENCE_LANGUAGE)):
        message_set = specs[language]
        for section, keys in REQUIRED_KEYS.items():
            for key in keys:
                path: KeyPath = ("messages", language, section, key)
                if key not in message_set.get(section, {}):
                    raise _error_at(docs, path, f"the message set for {language!r} lacks this text")
        for key, wanted in SENTENCE_PLACEHOLDERS.items():
            path = ("messages", language, "sentences", key)
            try:
                found = placeholders(message_set["sentences"][key])
            except ValueError as error:
                raise _error_at(docs, path, f"malformed placeholder: {error}") from None
            if found != wanted:
                shown = ", ".join(f"{{{name}}}" for name in sorted(wanted)) or "none"
                used = ", ".join(f"{{{name}}}" for name in sorted(found)) or "none"
                raise _error_at(docs, path, f"must use the placeholders {shown}, not {used}")
        sections = {
            section: MappingProxyType({key: str(message_set[section][key]) for key in keys})
            for section, keys in REQUIRED_KEYS.items()
        }
        built[language] = MessageSet(language=language, sections=MappingProxyType(sections))
    return built


# ---------------------------------------------------------------------------------------------------------
# Public entry points


def _packaged_text(filename: str) -> str:
    return resources.files("opennrm.screening").joinpath("catalogues", filename).read_text(encoding="utf-8")


@cache
def _packaged_documents(catalogue_id: str) -> tuple[CatalogueDocument, CatalogueDocument]:
    explanations = validated(read_document(_packaged_text(_EXPLANATIONS_FILE), _EXPLANATIONS_FILE))
    filename = _PACKAGED_CATALOGUES[catalogue_id]
    return explanations, validated(read_document(_packaged_text(filename), filename))


def _version_of(data: Mapping[str, Any]) -> str:
    return f"{data['id']}@{data['version']}"


def _assemble(documents: Sequence[CatalogueDocument], catalogue_version: str) -> Catalogue:
    merged: dict[str, Any] = {}
    for index, document in enumerate(documents):
        _merge(merged, copy.deepcopy(document.data), documents[: index + 1])
    return _build(merged, documents, catalogue_version)


@cache
def default_catalogue() -> Catalogue:
    """The packaged ILO/EC catalogue with the packaged explanation texts (read once, then shared)."""
    explanations, base = _packaged_documents(DEFAULT_CATALOGUE_ID)
    return _assemble((explanations, base), _version_of(base.data))


def parse_catalogue(text: str, source: str = "<catalogue>") -> Catalogue:
    """Check and build a catalogue from YAML text (a complete one, or one that ``extends`` a packaged one)."""
    document = validated(read_document(text, source))
    if document.data.get("schema") != CATALOGUE_SCHEMA:
        raise CatalogueError(
            f"a catalogue file needs 'schema: {CATALOGUE_SCHEMA}'", source=source, line=1, key="schema"
        )
    base_id = document.data.get("extends")
    if base_id is None:
        explanations, _ = _packaged_documents(DEFAULT_CATALOGUE_ID)
        return _assemble((explanations, document), _version_of(document.data))
    if base_id not in _PACKAGED_CATALOGUES:
        raise CatalogueError(
            f"unknown catalogue {base_id!r} to extend; packaged: {', '.join(_PACKAGED_CATALOGUES)}",
            source=source,
            line=document.line_of(("extends",)),
            key="extends",
        )
    explanations, base = _packaged_documents(base_id)
    version = f"{_version_of(document.data)}+{_version_of(base.data)}"
    return _assemble((explanations, base, document), version)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The packaged catalogue (``path`` is ``None``) or the catalogue file at ``path``."""
    if path is None:
        return default_catalogue()
    source = str(path)
    try:
        raw = Path(path).read_bytes()[: _MAX_FILE_BYTES + 1]
    except OSError as error:
        raise CatalogueError(f"cannot read the file: {error.strerror or error}", source=source) from None
    if len(raw) > _MAX_FILE_BYTES:
        raise CatalogueError(f"the file is larger than {_MAX_FILE_BYTES} bytes", source=source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CatalogueError("the file is not UTF-8 text", source=source) from None
    return parse_catalogue(text, source)


def iter_indicators(catalogue: Catalogue, dimension: Dimension) -> Iterator[Indicator]:
    """The catalogue's indicators of one dimension, in catalogue order."""
    return (indicator for indicator in catalogue.indicators.values() if indicator.dimension is dimension)
