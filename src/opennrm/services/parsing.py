"""Validating what a user sent, one way for every use case."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from opennrm.domain.services import NO_CONDITIONALITY, conditionality_keys
from opennrm.services.cases import invalid_from
from opennrm.services.errors import InvalidInput

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
