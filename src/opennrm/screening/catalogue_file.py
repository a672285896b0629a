"""Reading one catalogue file: YAML with the line of every key, JSON-schema validation, one-line errors.

Errors name the file, the line and the key at fault (``national.yaml, line 8, key 'profiles.adult-labour'``),
so a country editing its own catalogue (GR38 §77) can find the mistake.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import ModuleType
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import jsonschema

MESSAGES_SCHEMA = "opennrm.screening.messages/1"


def _jsonschema() -> ModuleType:
    """jsonschema, imported when a catalogue is first validated. Its optional format checkers import
    rfc3987_syntax, which compiles some forty grammars (seconds of start-up); the catalogue schemas use no
    ``format``, so that import is skipped here and left possible for anyone else afterwards."""
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    skip = "rfc3987_syntax" not in sys.modules
    if skip:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail at once
    try:
        import jsonschema
    finally:
        if skip and sys.modules.get("rfc3987_syntax") is None:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


KeyPath = tuple[str | int, ...]
"""Where a value sits in a document: the keys (and list indexes) from the top."""


class CatalogueError(ValueError):
    """A catalogue file that cannot be used. ``str()`` is one line naming the file, the line and the key."""

    def __init__(self, message: str, *, source: str, line: int | None = None, key: str | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.key = key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f", line {self.line}"
        if self.key:
            where += f", key '{self.key}'"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class CatalogueDocument:
    """One YAML file: its data and the node tree that knows the line of every key."""

    source: str
    data: dict[str, Any]
    root: yaml.Node

    def line_of(self, path: KeyPath) -> int | None:
        """The line where the last key of ``path`` is written (or the nearest enclosing key that exists)."""
        node: yaml.Node = self.root
        line: int | None = node.start_mark.line + 1
        for step in path:
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(step):
                        line, found = key_node.start_mark.line + 1, value_node
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                found = node.value[step]
                line = found.start_mark.line + 1
            if found is None:
                return line
            node = found
        return line

    def has(self, path: KeyPath) -> bool:
        value: Any = self.data
        for step in path:
            if isinstance(value, dict) and step in value:
                value = value[step]
            else:
                return False
        return True


def key_name(path: KeyPath) -> str:
    """``profiles.adult-labour.strengths``: a key path as written in error messages."""
    return ".".join(str(step) for step in path)


def read_document(text: str, source: str) -> CatalogueDocument:
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise CatalogueError("the file is empty", source=source, line=1)
        _check_keys(root, source, (), set())
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "not valid YAML"
        raise CatalogueError(f"not valid YAML: {problem}", source=source, line=line) from None
    except yaml.YAMLError as error:
        raise CatalogueError(f"not valid YAML: {error}", source=source) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise CatalogueError("the file must hold a mapping (key: value) at the top", source=source, line=1)
    return CatalogueDocument(source=source, data=data, root=root)


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _check_keys(node: yaml.Node, source: str, path: KeyPath, seen: set[int]) -> None:
    """Refuse keys YAML would silently turn into non-strings (``yes``, ``no``, ``1``) and duplicate keys."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        names: set[str] = set()
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE_TAG:
                _check_keys(value_node, source, path, seen)
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
                raise CatalogueError(
                    f"key {shown!r} is not read as text by YAML; put it in quotes",
                    source=source,
                    line=line,
                    key=key_name((*path, str(shown))),
                )
            if key_node.value in names:
                raise CatalogueError(
                    "duplicate key", source=source, line=line, key=key_name((*path, key_node.value))
                )
            names.add(key_node.value)
            _check_keys(value_node, source, (*path, key_node.value), seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check_keys(item, source, (*path, index), seen)


# ---------------------------------------------------------------------------------------------------------
# Schema validation


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("opennrm.screening").joinpath("catalogue.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _catalogue_validator() -> jsonschema.protocols.Validator:
    validator: jsonschema.protocols.Validator = _jsonschema().Draft202012Validator(_schema())
    return validator


@cache
def _messages_validator() -> jsonschema.protocols.Validator:
    schema = {
        "$defs": _schema()["$defs"],
        "type": "object",
        "required": ["schema", "messages"],
        "additionalProperties": False,
        "properties": {"schema": {"const": MESSAGES_SCHEMA}, "messages": {"$ref": "#/$defs/messages"}},
    }
    validator: jsonschema.protocols.Validator = _jsonschema().Draft202012Validator(schema)
    return validator


def _validate(document: CatalogueDocument, validator: jsonschema.protocols.Validator) -> None:
    located: list[tuple[int, int, str, str]] = []
    for error in validator.iter_errors(document.data):
        path: KeyPath = tuple(error.absolute_path)
        message = error.message
        if "propertyNames" in error.schema_path:
            path = (*path, str(error.instance))
            message = f"{error.instance!r} is not an allowed key here: {error.message}"
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            schema = error.schema if isinstance(error.schema, Mapping) else {}
            allowed = set(schema.get("properties", {}))
            extra = sorted(str(key) for key in error.instance if key not in allowed)
            if extra:
                path = (*path, extra[0])
                message = f"unknown key {extra[0]!r}; allowed here: {', '.join(sorted(allowed))}"
        line = document.line_of(path) or 0
        located.append((line, -len(path), key_name(path), message))
    if located:
        line, _, key, message = min(located)
        raise CatalogueError(message, source=document.source, line=line or None, key=key or None)


def validated(document: CatalogueDocument) -> CatalogueDocument:
    """``document`` if it matches its schema (catalogue, or the packaged explanation texts); else the first
    error in the file, by line."""
    tag = document.data.get("schema")
    if tag == MESSAGES_SCHEMA:
        _validate(document, _messages_validator())
    else:
        _validate(document, _catalogue_validator())
    return document
