"""Validating what a user sent, one way for every use case."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from opennrm.domain.services import NO_CONDITIONALITY, conditionality_keys
from opennrm.services.errors import InvalidInput


def invalid_from(exc: ValidationError, prefix: str = "") -> InvalidInput:
    """The first problem of a pydantic error, with the dotted path of the field at fault (and every
    problem in ``problems``, for forms that mark all their errors at once)."""
    problems: list[tuple[str | None, str]] = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"])
        problems.append(
            (
                f"{prefix}{path}" if path else prefix.rstrip(".") or None,
                str(error["msg"]).removeprefix("Value error, "),
            )
        )
    field_name, message = problems[0]
    return InvalidInput(
        f"{field_name}: {message}" if field_name else message, field=field_name, problems=tuple(problems)
    )


Model = TypeVar("Model", bound=BaseModel)


def parse(model: type[Model], raw: Any, prefix: str = "") -> Model:
    """Validate input for ``model``. A key about cooperation with the authorities is refused with the
    reason (DESIGN invariant 1), other problems name the field at fault."""
    keys = conditionality_keys(raw)
    if keys:
        raise InvalidInput(f"{prefix}{keys[0]}: {NO_CONDITIONALITY}", field=f"{prefix}{keys[0]}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise invalid_from(exc, prefix) from None
