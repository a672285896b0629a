"""Errors a use case can raise. The API turns them into problem+json, the CLI into one line and exit 2."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self, message: str, *, field: str | None = None, problems: tuple[tuple[str | None, str], ...] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # every problem found at once, as (field, message without the field): a form marks them all
        self.problems = problems


class InvalidInput(ServiceError):
    status = 422
    title = "Invalid input"


class Forbidden(ServiceError):
    status = 403
    title = "Forbidden"


class NotFound(ServiceError):
    status = 404
    title = "Not found"


class Conflict(ServiceError):
    status = 409
    title = "Conflict"


class Unavailable(ServiceError):
    """The installation cannot do this now (a misconfiguration an administrator must fix)."""

    status = 503
    title = "Service unavailable"


class Unauthenticated(ServiceError):
    status = 401
    title = "Authentication required"
