"""Errors a use case can raise. The API turns them into problem+json, the CLI into one line and exit 2.

A use case refuses an action one way: ``refuse`` (or ``refuse_unknown`` for a record that does not exist).
The error it raises carries its audit entry (``ServiceError.audit``), and the database writes that entry in
a transaction of its own once the outermost open transaction has ended (``Database.audit_after``): so a
refusal is always audited, and the work it stopped is rolled back entirely, however deep it was raised."""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from opennrm.access.policy import OUT_OF_SCOPE
from opennrm.domain.text import N_
from opennrm.store.audit import AuditEntry
from opennrm.store.ids import is_record_id

if TYPE_CHECKING:
    from opennrm.access.policy import Action, Actor
    from opennrm.store.database import Database


class ServiceError(Exception):
    status = 400
    title = N_("Bad request")
    audit: AuditEntry | None = None
    """The audit event of a refusal (``refuse``); None for an error that refuses nothing."""

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
    title = N_("Invalid input")


class Forbidden(ServiceError):
    status = 403
    title = N_("Forbidden")


class NotFound(ServiceError):
    status = 404
    title = N_("Not found")


class Conflict(ServiceError):
    status = 409
    title = N_("Conflict")


class Unavailable(ServiceError):
    """The installation cannot do this now (a misconfiguration an administrator must fix)."""

    status = 503
    title = N_("Service unavailable")


class Unauthenticated(ServiceError):
    status = 401
    title = N_("Authentication required")


def refuse(
    db: Database,
    actor: Actor,
    action: Action | str,
    object_type: str,
    object_id: str | None,
    error: ServiceError | str,
) -> NoReturn:
    """Refuse ``action``: raise ``error`` (a reason alone is a ``Forbidden``) carrying its audit event
    (outcome ``denied``), which is written once the open transactions have ended — after their rollback,
    in a transaction of its own — or at once when none is open. The one way to refuse; never roll back
    or audit a refusal by hand."""
    refuse_as(db, actor.user_id, action, object_type, object_id, error)


def refuse_as(
    db: Database,
    actor_id: str,
    action: Action | str,
    object_type: str,
    object_id: str | None,
    error: ServiceError | str,
    detail: dict[str, object] | None = None,
) -> NoReturn:
    """``refuse`` for a caller that is not a user of this installation (a partner installation, named by
    ``actor_id``); ``detail`` goes into the audit event."""
    refusal = Forbidden(error) if isinstance(error, str) else error
    refusal.audit = AuditEntry(
        actor_id, str(action), object_type, object_id, outcome="denied", detail=detail or {}
    )
    db.audit_after(refusal.audit)
    raise refusal


def refuse_unknown(
    db: Database, actor: Actor, action: Action | str, object_type: str, object_id: str
) -> NoReturn:
    """A record that does not exist gets the answer of one outside the actor's scope (audited alike; an id
    that names no record is not written to the audit log)."""
    refuse(db, actor, action, object_type, object_id if is_record_id(object_id) else None, OUT_OF_SCOPE)
