"""A refused form's errors keyed by the form field at fault, for ``form_macros.error_summary`` and the fields'
own marks."""

from __future__ import annotations

from collections.abc import Mapping

from opennrm.services.errors import ServiceError


def errors_by_field(
    exc: ServiceError, default: str, names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Every problem found, the first one of each field, keyed by the first part of its dotted path (or
    ``default`` when it names none). ``names`` renames a service's field to the form's input where they
    differ."""
    rename = names or {}

    def field(name: str | None) -> str:
        first = (name or default).split(".")[0]
        return rename.get(first, first)

    found: dict[str, str] = {}
    for name, problem in getattr(exc, "problems", ()) or ():
        found.setdefault(field(name), problem)
    if found:
        return found
    message = exc.message
    if exc.field and message.startswith(f"{exc.field}: "):
        message = message[len(exc.field) + 2 :]
    return {field(exc.field): message}
