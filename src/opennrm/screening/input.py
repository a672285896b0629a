"""What a first-line professional records for a screening, checked strictly.

Unknown keys, unknown codes, wrong types and impossible ages are refused with one :class:`ScreeningInputError`
that names the field at fault, so the CLI can print one line and the API can answer problem+json 422.
``context`` (for example whether the person consented to the work or cooperates with the authorities) is kept
and echoed back, and never read by the decision.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

from opennrm.screening.catalogue import Catalogue, default_catalogue
from opennrm.screening.vocabulary import Act, ExploitationForm, Means, Purpose

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"

MAX_AGE = 130
_MAX_CONTEXT_DEPTH = 16

INPUT_KEYS: tuple[str, ...] = (
    "age",
    "age_uncertain",
    "reasons_to_believe_minor",
    "exploitation_form",
    "acts",
    "means",
    "purposes",
    "exploitation_intended",
    "indicators",
    "context",
)
"""Every key the input may have, in the order the result echoes them. Only ``exploitation_form`` is needed."""


class ScreeningInputError(ValueError):
    """Input that cannot be screened. ``field`` is the top-level key at fault (``None`` for the whole input);
    ``pointer`` is a JSON Pointer to the exact place (RFC 6901), e.g. ``/indicators/2``."""

    def __init__(self, field: str | None, message: str, *, pointer: str | None = None) -> None:
        self.field = field
        self.message = message
        self.pointer = pointer if pointer is not None else (f"/{field}" if field else "")
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True, slots=True)
class ScreeningInput:
    """The recorded facts of one screening, normalised (codes as enums, lists as sets)."""

    exploitation_form: ExploitationForm
    age: int | None = None
    age_uncertain: bool = False
    reasons_to_believe_minor: bool = False
    acts: frozenset[Act] = frozenset()
    means: frozenset[Means] = frozenset()
    purposes: frozenset[Purpose] = frozenset()
    exploitation_intended: bool = False
    indicators: frozenset[str] = frozenset()
    context: Mapping[str, JsonValue] = field(default_factory=lambda: MappingProxyType({}))

    def to_json(self, positions: Mapping[str, int] | None = None) -> dict[str, JsonValue]:
        """The input as JSON, lists in a fixed order (vocabulary order; indicators by ``positions``)."""
        indicators = sorted(self.indicators, key=positions.__getitem__ if positions is not None else None)
        return {
            "age": self.age,
            "age_uncertain": self.age_uncertain,
            "reasons_to_believe_minor": self.reasons_to_believe_minor,
            "exploitation_form": _VALUES[self.exploitation_form],
            "acts": [_VALUES[act] for act in _ORDER[Act] if act in self.acts] if self.acts else [],
            "means": [_VALUES[m] for m in _ORDER[Means] if m in self.means] if self.means else [],
            "purposes": [_VALUES[p] for p in _ORDER[Purpose] if p in self.purposes] if self.purposes else [],
            "exploitation_intended": self.exploitation_intended,
            "indicators": list(indicators),
            "context": _copy_json(self.context) if self.context else {},
        }


# Enum member lookups are slow in CPython 3.11; the hot path uses these tables.
_ORDER: dict[type[StrEnum], tuple[Any, ...]] = {
    vocabulary: tuple(vocabulary) for vocabulary in (Act, Means, Purpose, ExploitationForm)
}
_VALUES: dict[StrEnum, str] = {member: member.value for members in _ORDER.values() for member in members}
_BY_VALUE: dict[type[StrEnum], dict[str, Any]] = {
    vocabulary: {member.value: member for member in members} for vocabulary, members in _ORDER.items()
}


def _copy_json(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_copy_json(item) for item in value]
    return value


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__


def _boolean(raw: Mapping[str, Any], key: str) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        raise ScreeningInputError(key, f"must be true or false, not {_type_name(value)}")
    return value


def _age(raw: Mapping[str, Any]) -> int | None:
    value = raw.get("age")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScreeningInputError("age", f"must be a whole number of years or null, not {_type_name(value)}")
    if not 0 <= value <= MAX_AGE:
        raise ScreeningInputError("age", f"must be between 0 and {MAX_AGE} years, not {value}")
    return value


_E = TypeVar("_E", bound=StrEnum)
_FORMS = frozenset(form.value for form in ExploitationForm)


def _code_list(raw: Mapping[str, Any], key: str, vocabulary: type[_E]) -> frozenset[_E]:
    values = raw.get(key, [])
    if not isinstance(values, list | tuple):
        raise ScreeningInputError(key, f"must be an array of codes, not {_type_name(values)}")
    allowed: dict[str, _E] = _BY_VALUE[vocabulary]
    if not values:
        return frozenset()
    found: set[_E] = set()
    for index, value in enumerate(values):
        if type(value) is not str or value not in allowed:
            pointer = f"/{key}/{index}"
            if not isinstance(value, str):
                raise ScreeningInputError(
                    key, f"item {index} must be a code, not {_type_name(value)}", pointer=pointer
                )
            raise ScreeningInputError(
                key, f"unknown code {value!r}; allowed: {', '.join(allowed)}", pointer=pointer
            )
        found.add(allowed[value])
    return frozenset(found)


def _indicator_list(raw: Mapping[str, Any], catalogue: Catalogue) -> frozenset[str]:
    values = raw.get("indicators", [])
    if not isinstance(values, list | tuple):
        raise ScreeningInputError(
            "indicators", f"must be an array of indicator ids, not {_type_name(values)}"
        )
    known = catalogue.positions
    for index, value in enumerate(values):
        if type(value) is not str or value not in known:
            pointer = f"/indicators/{index}"
            if not isinstance(value, str):
                raise ScreeningInputError(
                    "indicators",
                    f"item {index} must be an indicator id, not {_type_name(value)}",
                    pointer=pointer,
                )
            raise ScreeningInputError(
                "indicators",
                f"unknown indicator id {value!r} (catalogue {catalogue.catalogue_version})",
                pointer=pointer,
            )
    return frozenset(values)


_JSON_SCALARS = (str, int, bool, type(None))


def _pointer_part(key: object) -> str:
    """One JSON Pointer reference token (RFC 6901: ``~`` → ``~0``, ``/`` → ``~1``)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _json_copy(value: Any, pointer: str, depth: int) -> JsonValue:
    """A deep copy of JSON data, refusing what JSON cannot hold (non-text keys, NaN, other types)."""
    if type(value) in _JSON_SCALARS:
        return value  # type: ignore[no-any-return]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ScreeningInputError("context", "numbers must be finite", pointer=pointer)
        return value
    if depth > _MAX_CONTEXT_DEPTH:
        raise ScreeningInputError("context", f"nested more than {_MAX_CONTEXT_DEPTH} levels", pointer=pointer)
    if isinstance(value, list | tuple):
        return [
            item if type(item) in _JSON_SCALARS else _json_copy(item, f"{pointer}/{index}", depth + 1)
            for index, item in enumerate(value)
        ]
    if isinstance(value, Mapping):
        copied: dict[str, JsonValue] = {}
        for key, item in value.items():
            if type(key) is not str:
                raise ScreeningInputError("context", "object keys must be strings", pointer=pointer)
            copied[key] = (
                item
                if type(item) in _JSON_SCALARS
                else _json_copy(item, f"{pointer}/{_pointer_part(key)}", depth + 1)
            )
        return copied
    if isinstance(value, str | int):  # subclasses of str or int (e.g. enums): keep the plain value
        return str(value) if isinstance(value, str) else int(value)
    raise ScreeningInputError(
        "context", f"holds a value that is not JSON ({_type_name(value)})", pointer=pointer
    )


_NO_CONTEXT: Mapping[str, JsonValue] = MappingProxyType({})


def _context(raw: Mapping[str, Any]) -> Mapping[str, JsonValue]:
    value = raw.get("context")
    if value is None and "context" not in raw:
        return _NO_CONTEXT
    if not isinstance(value, dict | Mapping):
        raise ScreeningInputError("context", f"must be an object, not {_type_name(value)}")
    copied = _json_copy(value, "/context", 1)
    assert isinstance(copied, dict)  # noqa: S101 - a Mapping always copies to a dict
    return MappingProxyType(copied)


def parse_input(raw: object, *, catalogue: Catalogue | None = None) -> ScreeningInput:
    """Check raw JSON-like input against the contract and the catalogue, or raise ScreeningInputError."""
    if not isinstance(raw, dict | Mapping):
        raise ScreeningInputError(None, f"the input must be a JSON object, not {_type_name(raw)}")
    unknown = sorted(str(key) for key in raw if key not in INPUT_KEYS)
    if unknown:
        raise ScreeningInputError(
            unknown[0], f"unknown key; allowed keys: {', '.join(INPUT_KEYS)}", pointer=f"/{unknown[0]}"
        )
    if "exploitation_form" not in raw:
        raise ScreeningInputError(
            "exploitation_form", f"is required ({', '.join(form.value for form in ExploitationForm)})"
        )
    form = raw["exploitation_form"]
    if not isinstance(form, str) or form not in _FORMS:
        shown = repr(form) if isinstance(form, str) else _type_name(form)
        raise ScreeningInputError(
            "exploitation_form",
            f"must be one of {', '.join(f.value for f in ExploitationForm)}, not {shown}",
        )
    return ScreeningInput(
        exploitation_form=_BY_VALUE[ExploitationForm][form],
        age=_age(raw),
        age_uncertain=_boolean(raw, "age_uncertain"),
        reasons_to_believe_minor=_boolean(raw, "reasons_to_believe_minor"),
        acts=_code_list(raw, "acts", Act),
        means=_code_list(raw, "means", Means),
        purposes=_code_list(raw, "purposes", Purpose),
        exploitation_intended=_boolean(raw, "exploitation_intended"),
        indicators=_indicator_list(raw, catalogue or default_catalogue()),
        context=_context(raw),
    )
