"""The one place that decides who may do what to which record. Route handlers and templates ask here.

Rights invariants enforced here:
- Firewall (DESIGN invariant 2): no user of an organisation whose type counts as enforcement reads
  person-level data, whatever the role.
- Field sensitivity: identity-document numbers only for the owning caseworker and a supervisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from opennrm.access.roles import PERSON_LEVEL, ROLE_SCOPE, Role, Scope


class Action(StrEnum):
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_LIST = "case.list"
    CASE_UPDATE = "case.update"
    NOTE_ADD = "note.add"
    DOCUMENT_ADD = "document.add"
    DOCUMENT_READ = "document.read"
    SCREENING_ADD = "screening.add"
    AGGREGATE_READ = "aggregate.read"


WRITE_ACTIONS = frozenset(
    {Action.CASE_CREATE, Action.CASE_UPDATE, Action.NOTE_ADD, Action.DOCUMENT_ADD, Action.SCREENING_ADD}
)
CREATORS = frozenset({Role.CASEWORKER, Role.SUPERVISOR})


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``enforcement`` is true when the actor's organisation type counts as enforcement."""

    user_id: str
    organisation_id: str
    role: Role
    enforcement: bool


@dataclass(frozen=True)
class CaseRelation:
    """How a case stands to the actor."""

    organisation_id: str
    created_by: str | None
    assigned_user_ids: frozenset[str]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True, "allowed")


def decide(actor: Actor, action: Action, case: CaseRelation | None = None) -> Decision:
    if action is Action.AGGREGATE_READ:
        return ALLOW
    if actor.enforcement:
        return Decision(False, "firewall: enforcement organisations never receive person-level data")
    if actor.role not in PERSON_LEVEL:
        return Decision(False, f"role {actor.role} sees aggregates only")
    if action is Action.CASE_CREATE:
        return ALLOW if actor.role in CREATORS else Decision(False, f"role {actor.role} cannot open cases")
    if action is Action.CASE_LIST:
        return ALLOW
    if case is None:
        return Decision(False, "no record given")
    return _scope_decision(actor, case)


def _scope_decision(actor: Actor, case: CaseRelation) -> Decision:
    scope = ROLE_SCOPE[actor.role]
    if scope is Scope.ORGANISATION and case.organisation_id == actor.organisation_id:
        return ALLOW
    if scope is Scope.OWN and case.organisation_id == actor.organisation_id and _is_own(actor, case):
        return ALLOW
    return Decision(False, "the record is outside your scope")


def _is_own(actor: Actor, case: CaseRelation) -> bool:
    return case.created_by == actor.user_id or actor.user_id in case.assigned_user_ids


def may_see_identity_document(actor: Actor, case: CaseRelation) -> bool:
    """Identity-document numbers: the owning caseworker and supervisors of the owning organisation."""
    if not decide(actor, Action.CASE_READ, case):
        return False
    if actor.role is Role.SUPERVISOR:
        return True
    return actor.role is Role.CASEWORKER and _is_own(actor, case)


def case_list_scope(actor: Actor) -> Scope:
    """What a case list may contain for this actor (the store turns this into a query filter)."""
    if not decide(actor, Action.CASE_LIST):
        return Scope.NONE
    return ROLE_SCOPE[actor.role]
