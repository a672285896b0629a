"""The one place that decides who may do what to which record. Route handlers and templates ask here.

Rights invariants enforced here:
- Firewall (DESIGN invariant 2): no user of an organisation whose type counts as enforcement reads
  person-level data, whatever the role; and no disclosure is ever made to such an organisation, consent or
  not (``disclosure_decision``).
- Informed consent (invariant 3): identifiable data leaves the owning organisation only under a matching,
  unexpired, unrevoked consent, or a supervisor's recorded override in a child's best interests; and a
  receiving organisation keeps access only while that consent is in force *today* (``disclosure_in_force``,
  checked on every read, not when somebody remembers to close the disclosure).
- Existence (``OUT_OF_SCOPE``): a record that does not exist and one outside the actor's scope get the same
  answer, so nobody learns that a case, document, referral or screening exists.
- Field sensitivity: identity-document numbers only for the owning caseworker and supervisors; an
  organisation that received a case sees only the fields its disclosure names.
- Statistics (``exact_statistics_decision``): exact counts only for the statistics office's analysts of a
  non-enforcement organisation; everyone else sees rounded counts with suppression, or a DP release.
- Identification panels (``panel_composition_decision``, ``panel_decision``): a panel is at least two
  organisations of different types and never an enforcement organisation (GR38 §78); only members that have
  not recused themselves read what deciding needs, only deciding roles decide, and a reconsideration is
  decided by someone who did not take the decision reconsidered.
- Job-ad review (``ad_review_decision``): scanned ads and their contacts stay with the organisation that
  scanned them, open to its ad reviewers only, and never to an enforcement organisation.
- Non-punishment (invariant 6, ``non_punishment_decision``): the matters recorded to protect her from
  punishment (GR38 §98) are open to the owning side and to a legal-aid organisation holding the case under a
  disclosure whose consent covers them; never to an enforcement organisation, whatever the consent.
- Remedies (``remedy_decision``): her compensation and back-wage claims (GR38 §101, §108) follow the same
  rule (``legal_aid_under_consent``) with the purpose ``remedies``.
- Anonymous reports and hotline contacts (``report_decision``, ``report_recipient_decision``,
  ``hotline_decision``): open only to the triage roles of the organisation that received them, never to an
  enforcement organisation, and never referred to one (GR38 §54(d), §100; invariant 2).
- Labour inspection (``labour_decision``, issue 19): workplaces, inspections, the agency registry's
  complaints and labour-law actions belong to the labour inspectors of a labour-inspectorate organisation,
  each inspectorate its own; never an enforcement organisation (GR38 §54(c): when an administrator adds
  ``labour_inspectorate`` to the firewall's list, its inspectors lose all of it). A labour inspector opens a
  case only for a worker who consented at an inspection, and reaches only the cases she opened.
- Justice aggregates (``justice_aggregates_decision``): counts of perpetrators, entered by the NRM
  secretariat's coordinator of a non-enforcement organisation; they hold no person-level data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from opennrm.access.roles import (
    AD_REVIEWERS,
    CONSENT_OVERRIDE,
    EXACT_STATISTICS,
    FINANCIAL_INVESTIGATORS,
    HOTLINE_OPERATORS,
    LABOUR_INSPECTORATE_TYPE,
    LABOUR_INSPECTORS,
    PERSON_LEVEL,
    REPORT_TRIAGE,
    ROLE_ORGANISATION_TYPES,
    ROLE_SCOPES,
    Role,
    Scope,
)
from opennrm.domain.consent import ConsentPurpose


class Action(StrEnum):
    CASE_CREATE = "case.create"
    CASE_READ = "case.read"
    CASE_LIST = "case.list"
    CASE_UPDATE = "case.update"
    NOTE_ADD = "note.add"
    DOCUMENT_ADD = "document.add"
    DOCUMENT_READ = "document.read"
    SCREENING_ADD = "screening.add"
    SCREENING_READ = "screening.read"
    CONSENT_RECORD = "consent.record"
    CONSENT_READ = "consent.read"
    CONSENT_REVOKE = "consent.revoke"
    DISCLOSE = "case.disclose"
    AGGREGATE_READ = "aggregate.read"
    STATISTICS_EXACT = "statistics.exact"
    ENTITLEMENTS_READ = "entitlements.read"
    ENTITLEMENTS_UPDATE = "entitlements.update"
    ADS_REVIEW = "ads.review"
    FINANCE = "finance.investigation"
    PANEL_CONVENE = "identification.convene"
    PANEL_READ = "identification.read"
    PANEL_DECIDE = "identification.decide"
    PANEL_CONFIRM = "identification.confirm"
    RECONSIDERATION_REQUEST = "identification.reconsideration_request"
    RECONSIDERATION_DECIDE = "identification.reconsider"
    NON_PUNISHMENT_READ = "non_punishment.read"
    NON_PUNISHMENT_ADD = "non_punishment.add"
    NON_PUNISHMENT_UPDATE = "non_punishment.update"
    NON_PUNISHMENT_STATEMENT = "non_punishment.statement"
    REMEDY_READ = "remedy.read"
    REMEDY_ADD = "remedy.add"
    REMEDY_UPDATE = "remedy.update"
    JUSTICE_AGGREGATES_ENTER = "justice.enter"
    REPORT_READ = "report.read"
    REPORT_REPLY = "report.reply"
    REPORT_CONVERT = "report.convert"
    REPORT_REFER = "report.refer"
    REPORT_CLOSE = "report.close"
    HOTLINE_RECORD = "hotline.record"
    HOTLINE_READ = "hotline.read"
    AGENCY_MANAGE = "labour.agency"
    INSPECTION_PLAN = "labour.plan"
    INSPECTION_RECORD = "labour.record"
    INSPECTION_READ = "labour.read"
    WORKER_REFER = "labour.refer"


# What an organisation that received a case (not its owner) may do with it.
RECEIVER_ACTIONS = frozenset({Action.CASE_READ, Action.NOTE_ADD})
CREATORS = frozenset({Role.CASEWORKER, Role.SUPERVISOR, Role.HOTLINE_OPERATOR, Role.LABOUR_INSPECTOR})


@dataclass(frozen=True)
class Actor:
    """Who is acting. ``enforcement`` is true when the actor's organisation type counts as enforcement."""

    user_id: str
    organisation_id: str
    role: Role
    enforcement: bool
    team: str | None = None
    organisation_type: str | None = None
    """The actor's organisation type: some roles hold only in one type (``ROLE_ORGANISATION_TYPES``)."""


@dataclass(frozen=True)
class CaseRelation:
    """How a case stands to the actor: its owner, creator, assignees and team, and which organisations
    hold it under an open disclosure (with the fields each may see)."""

    organisation_id: str
    created_by: str | None
    assigned_user_ids: frozenset[str]
    team: str | None = None
    received: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True, "allowed")
FIREWALL = "firewall: enforcement organisations never receive person-level data"
# The one answer for a record that is absent and for one outside the actor's scope.
OUT_OF_SCOPE = "the record is outside your scope"


def decide(actor: Actor, action: Action, case: CaseRelation | None = None) -> Decision:
    if action is Action.AGGREGATE_READ:
        return ALLOW
    if action is Action.STATISTICS_EXACT:
        return exact_statistics_decision(actor)
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in PERSON_LEVEL or not _in_its_organisation_type(actor):
        return Decision(False, f"role {actor.role} sees aggregates only")
    if action is Action.CASE_CREATE:
        return ALLOW if actor.role in CREATORS else Decision(False, f"role {actor.role} cannot open cases")
    if action is Action.CASE_LIST:
        return ALLOW
    if case is None:
        return Decision(False, "no record given")
    scopes = scopes_reaching(actor, case)
    if not scopes:
        return Decision(False, OUT_OF_SCOPE)
    if scopes == {Scope.RECEIVED} and action not in RECEIVER_ACTIONS:
        return Decision(
            False, "your organisation received this case by referral and may only read and annotate it"
        )
    if action in {Action.CONSENT_REVOKE, Action.DISCLOSE} and actor.role is Role.SERVICE_PROVIDER:
        return Decision(False, "service providers cannot share or change consent")
    return ALLOW


def _in_its_organisation_type(actor: Actor) -> bool:
    """A role bound to an organisation type (a labour inspector) holds only in an organisation of it."""
    wanted = ROLE_ORGANISATION_TYPES.get(actor.role)
    return wanted is None or actor.organisation_type == wanted


def exact_statistics_decision(actor: Actor) -> Decision:
    """May the actor see exact statistical counts? Exact counts can be subtracted (a new case is +1 in
    several cells), so only the statistics office's analysts see them, never an enforcement organisation."""
    if actor.enforcement:
        return Decision(False, "enforcement organisations see protected statistics only")
    if actor.role not in EXACT_STATISTICS:
        return Decision(False, f"role {actor.role} sees protected statistics only")
    return ALLOW


def ad_review_decision(actor: Actor, scan_organisation_id: str | None = None) -> Decision:
    """May the actor review scanned job ads (of the scan held by ``scan_organisation_id``, when given)?"""
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in AD_REVIEWERS:
        return Decision(False, f"role {actor.role} does not review job ads")
    if scan_organisation_id is not None and scan_organisation_id != actor.organisation_id:
        return Decision(False, "these ads were scanned by another organisation")
    return ALLOW


def finance_decision(actor: Actor, investigation_organisation_id: str | None = None) -> Decision:
    """May the actor work on financial investigations (the one held by ``investigation_organisation_id``,
    when given)? Financial investigators of the organisation that holds it, and nobody else: no other
    organisation sees an investigation. Being on the firewall's list does not bar it, because an
    investigation holds no case data; it bars every route from here to a case."""
    if actor.role not in FINANCIAL_INVESTIGATORS:
        return Decision(False, f"role {actor.role} does not work on financial investigations")
    if investigation_organisation_id is not None and investigation_organisation_id != actor.organisation_id:
        return Decision(False, OUT_OF_SCOPE)
    return ALLOW


# The only enforcement organisations a consent may name, and only for compensation: what they receive is her
# own account identifier as an opaque trace seed (``consented_seed_decision``), never case data.
COMPENSATION_RECIPIENT_TYPES = frozenset({"financial_intelligence_unit"})


def consent_recipient_through_firewall(purposes: Iterable[str], organisation_type: str) -> Decision:
    """May a consent name an organisation on the firewall's list? Only a financial intelligence unit, and
    only in a consent whose one purpose is compensation (her own account as a trace seed, issue 17). Such a
    consent opens nothing else: ``disclosure_decision`` refuses every enforcement recipient."""
    if set(purposes) != {ConsentPurpose.COMPENSATION.value}:
        return Decision(False, FIREWALL)
    if organisation_type not in COMPENSATION_RECIPIENT_TYPES:
        return Decision(False, FIREWALL)
    return ALLOW


def consented_seed_decision(
    actor: Actor, consent: ConsentFacts | None, named_organisation_id: str, today: dt.date
) -> Decision:
    """May the actor trace from a victim's own account? A financial investigator of the unit her consent
    names, while that consent for compensation is in force (not revoked, not expired). The unit sees the
    account as an opaque label, never her case or her name."""
    if actor.role not in FINANCIAL_INVESTIGATORS:
        return Decision(False, f"role {actor.role} does not work on financial investigations")
    if actor.organisation_id != named_organisation_id or consent is None:
        return Decision(False, OUT_OF_SCOPE)
    in_force = consent_in_force(consent, today)
    if not in_force:
        return in_force
    if ConsentPurpose.COMPENSATION.value not in consent.purposes:
        return Decision(False, "the consent does not cover the purpose 'compensation'")
    if named_organisation_id not in consent.recipient_organisation_ids:
        return Decision(False, "the consent does not name this organisation")
    return ALLOW


def allocation_decision(actor: Actor) -> Decision:
    """May the actor allocate confiscated proceeds to a victim's claim? That is the remedies side's act:
    person-level roles, never an enforcement organisation (which never sees a claim)."""
    if actor.enforcement or actor.role not in PERSON_LEVEL:
        return Decision(False, "only those who keep her claim allocate confiscated proceeds to it")
    return ALLOW


def scopes_reaching(actor: Actor, case: CaseRelation) -> set[Scope]:
    """The actor's scopes that include this case."""
    allowed = ROLE_SCOPES[actor.role]
    found: set[Scope] = set()
    own_org = case.organisation_id == actor.organisation_id
    if Scope.ORGANISATION in allowed and own_org:
        found.add(Scope.ORGANISATION)
    if Scope.OWN in allowed and own_org and _is_own(actor, case):
        found.add(Scope.OWN)
    if Scope.TEAM in allowed and own_org and actor.team is not None and case.team == actor.team:
        found.add(Scope.TEAM)
    if Scope.RECEIVED in allowed and not own_org and actor.organisation_id in case.received:
        found.add(Scope.RECEIVED)
    return found


def _is_own(actor: Actor, case: CaseRelation) -> bool:
    return case.created_by == actor.user_id or actor.user_id in case.assigned_user_ids


def visible_identity_fields(actor: Actor, case: CaseRelation, all_fields: Iterable[str]) -> frozenset[str]:
    """Which identifying fields the actor may see: all for the owning side (identity-document numbers only
    for the owning caseworker and supervisors), only the disclosed ones for a receiving organisation."""
    fields = frozenset(all_fields)
    if not decide(actor, Action.CASE_READ, case):
        return frozenset()
    if case.organisation_id != actor.organisation_id:
        return fields & case.received.get(actor.organisation_id, frozenset()) - {"id_document_number"}
    if actor.role is Role.SUPERVISOR or (actor.role is Role.CASEWORKER and _is_own(actor, case)):
        return fields
    return fields - {"id_document_number"}


# What an organisation that received a case sees of the case record itself (besides the disclosed identity
# fields): what serving her needs — age, sex and gender, languages, disability, where the case stands —
# never what happened, where, or her migration status.
RECEIVER_CASE_FIELDS = frozenset(
    {
        "status",
        "trafficking_status",
        "identified_on",
        "age_at_trafficking",
        "is_child",
        "sex",
        "gender",
        "languages",
        "disability",
    }
)


def visible_case_fields(actor: Actor, case: CaseRelation, all_fields: Iterable[str]) -> frozenset[str]:
    """Which case-record fields the actor may see: all for the owning organisation, the service fields for a
    receiving organisation, none otherwise."""
    fields = frozenset(all_fields)
    if not decide(actor, Action.CASE_READ, case):
        return frozenset()
    if case.organisation_id != actor.organisation_id:
        return fields & RECEIVER_CASE_FIELDS
    return fields


def listed_case_fields(actor: Actor, organisation_id: str, all_fields: Iterable[str]) -> frozenset[str]:
    """Which columns of a case-list row the actor sees for a case held by ``organisation_id``: all for her
    own organisation's cases, the service fields (``RECEIVER_CASE_FIELDS``) for a case it received."""
    fields = frozenset(all_fields)
    return fields if organisation_id == actor.organisation_id else fields & RECEIVER_CASE_FIELDS


# Case-list filters and the case field each one reads. A filter on anything else (the form of exploitation,
# a phone number, a survivor code) reaches only the actor's own organisation's cases: a receiver cannot
# learn a field she may not see by filtering on it.
FILTER_FIELDS = {
    "status": "status",
    "trafficking_status": "trafficking_status",
    "sex": "sex",
    "age_group": "is_child",
}


def filters_reach_received(filters: Iterable[str]) -> bool:
    """Whether a case list filtered by ``filters`` (the names of the filters in use) may include cases the
    actor's organisation received."""
    return all(FILTER_FIELDS.get(name) in RECEIVER_CASE_FIELDS for name in filters)


def sees_occupancy(actor: Actor) -> bool:
    """Whether the actor sees how many places a service has free: a shelter's live occupancy tells an
    enforcement organisation where women are, so never to one (firewall)."""
    return not actor.enforcement


# Who prepares the printable "complaint hand-over document" she gives to the police or a prosecutor herself
# (GR38 §78, §98(b)): the organisation that holds her case, or a legal-aid organisation she shared it with.
# The platform never opens her record to an enforcement organisation; it prints what she chooses to hand over.
HANDOVER_RECEIVER_TYPES = frozenset({"legal_aid"})


def handover_decision(actor: Actor, case: CaseRelation, actor_organisation_type: str) -> Decision:
    """May the actor prepare a hand-over document of this case? The owning side with the case in scope, or
    a legal-aid organisation holding it under a consent in force; the fields are those it may read."""
    may = decide(actor, Action.CASE_READ, case)
    if not may:
        return may
    if case.organisation_id == actor.organisation_id:
        return ALLOW
    if actor_organisation_type not in HANDOVER_RECEIVER_TYPES:
        return Decision(
            False,
            "only the organisation that holds her case, or a legal-aid organisation she shared it with, "
            "prepares a hand-over document",
        )
    return ALLOW


def case_list_scopes(actor: Actor) -> frozenset[Scope]:
    """What a case list may contain for this actor (the store turns this into a query filter)."""
    if not decide(actor, Action.CASE_LIST):
        return frozenset()
    return ROLE_SCOPES[actor.role]


# -- consent and disclosure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentFacts:
    """What the policy needs to know of one recorded consent."""

    id: str
    purposes: frozenset[str]
    recipient_organisation_ids: frozenset[str]
    recipient_types: frozenset[str]
    given_on: dt.date
    expires_on: dt.date | None
    revoked: bool


@dataclass(frozen=True)
class Recipient:
    organisation_id: str
    type: str
    enforcement: bool


def consent_in_force(consent: ConsentFacts, today: dt.date) -> Decision:
    """A consent holds on ``today`` when it is not revoked, already given, and not past its end (the day it
    expires on is its last day). A consent without an end (none since migration 0012) never holds."""
    if consent.revoked:
        return Decision(False, "the consent was revoked")
    if consent.given_on > today:
        return Decision(False, "the consent is dated in the future")
    if consent.expires_on is None:
        return Decision(False, "the consent has no end date")
    if consent.expires_on < today:
        return Decision(False, f"the consent expired on {consent.expires_on.isoformat()}")
    return ALLOW


# A best-interests override (no consent) holds this long; then a supervisor decides again, with her reason.
OVERRIDE_DAYS = 90


def disclosure_in_force(
    status: str, consent: ConsentFacts | None, opened_on: dt.date, today: dt.date
) -> Decision:
    """Does an organisation still hold a case through this disclosure today? Only while it is open and the
    consent it rests on is in force, or — without a consent — while the override is younger than
    ``OVERRIDE_DAYS``. The store's form of this rule is ``opennrm.services.cases.disclosure_in_force_clause``;
    ``CaseRelation.received`` and the case list are built with it, at the moment of every read."""
    if status != "open":
        return Decision(False, f"the disclosure is {status}")
    if consent is not None:
        return consent_in_force(consent, today)
    if (today - opened_on).days > OVERRIDE_DAYS:
        return Decision(False, f"a best-interests override holds {OVERRIDE_DAYS} days")
    return ALLOW


def consent_matches(consent: ConsentFacts, purpose: str, recipient: Recipient, today: dt.date) -> Decision:
    valid = consent_in_force(consent, today)
    if not valid:
        return valid
    if purpose not in consent.purposes:
        return Decision(False, f"the consent does not cover the purpose '{purpose}'")
    if (
        recipient.organisation_id not in consent.recipient_organisation_ids
        and recipient.type not in consent.recipient_types
    ):
        return Decision(False, "the consent does not name this recipient or its type of organisation")
    return ALLOW


def disclosure_decision(
    actor: Actor,
    case: CaseRelation,
    consents: Iterable[ConsentFacts],
    purpose: str,
    recipient: Recipient,
    today: dt.date,
) -> tuple[Decision, str | None]:
    """May identifiable data of this case go to ``recipient`` for ``purpose``? Returns the decision and the
    id of the consent it rests on. No consent at all can open the firewall."""
    may = decide(actor, Action.DISCLOSE, case)
    if not may:
        return may, None
    if recipient.enforcement:
        return Decision(False, FIREWALL), None
    if recipient.organisation_id == case.organisation_id:
        return Decision(False, "the recipient is the organisation that already holds the case"), None
    reasons = []
    for consent in consents:
        match = consent_matches(consent, purpose, recipient, today)
        if match:
            return ALLOW, consent.id
        reasons.append(match.reason)
    if not reasons:
        return Decision(False, "no consent is recorded for this case"), None
    return Decision(False, "no consent covers this sharing: " + "; ".join(sorted(set(reasons)))), None


def override_decision(
    actor: Actor, case: CaseRelation, is_child: bool | None, recipient: Recipient, reason: str
) -> Decision:
    """A best-interests override of missing consent: only for a child, only by a permitted role, never to an
    enforcement organisation, and only with a stated reason."""
    may = decide(actor, Action.DISCLOSE, case)
    if not may:
        return may
    if recipient.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in CONSENT_OVERRIDE:
        return Decision(False, f"role {actor.role} may not override consent")
    if is_child is not True:
        return Decision(False, "consent may be overridden only in a child's best interests")
    if len(reason.strip()) < 10:
        return Decision(False, "an override needs its reason (at least 10 characters)")
    return ALLOW


# -- identification panels (GR38 §77-78) ---------------------------------------------------------------


@dataclass(frozen=True)
class PanelSeat:
    """One organisation on an identification panel, as the policy needs to know it."""

    organisation_id: str
    type: str
    enforcement: bool
    recused: bool = False
    shared_for_identification: bool = False
    """It holds the case under a disclosure for identification in force (a referral's disclosure does not
    open the panel's file)."""


@dataclass(frozen=True)
class PanelFacts:
    """An identification panel of a case: its seats, the roles its procedure lets convene and decide, and
    whether it is still deciding."""

    seats: tuple[PanelSeat, ...]
    convening_roles: frozenset[str]
    deciding_roles: frozenset[str]
    minimum_organisations: int = 2
    minimum_organisation_types: int = 2
    member_types: frozenset[str] | None = None
    open: bool = True


def panel_composition_decision(facts: PanelFacts) -> Decision:
    """Who may sit: at least the procedure's number of organisations (two or more) of at least its number of
    different types (two or more), never an enforcement organisation (firewall, GR38 §78), only types the
    procedure names. Recused seats do not count."""
    for seat in facts.seats:
        if seat.enforcement:
            return Decision(
                False, FIREWALL + "; an enforcement organisation never sits on a panel (GR38 §78)"
            )
        if facts.member_types is not None and seat.type not in facts.member_types:
            return Decision(
                False, f"organisations of type {seat.type} do not sit on panels of this procedure (GR38 §78)"
            )
    sitting = [s for s in facts.seats if not s.recused]
    organisations = {s.organisation_id for s in sitting}
    types = {s.type for s in sitting}
    need_orgs = max(2, facts.minimum_organisations)
    need_types = max(2, facts.minimum_organisation_types)
    if len(organisations) < need_orgs:
        return Decision(False, f"a panel needs at least {need_orgs} organisations (GR38 §78: multi-agency)")
    if len(types) < need_types:
        return Decision(
            False, f"a panel needs organisations of at least {need_types} different types (GR38 §78)"
        )
    return ALLOW


def panel_decision(
    actor: Actor,
    action: Action,
    case: CaseRelation,
    panel: PanelFacts | None,
    *,
    took_part: frozenset[str] = frozenset(),
    proposed_by_organisation: str | None = None,
) -> Decision:
    """Who may do what in a case's identification. Convening and asking for reconsideration belong to the
    case's own side (who may share it). Reading what deciding needs, and deciding, belong to the users of an
    organisation that sits on the open panel and has not recused itself — and, for an organisation other than
    the case's owner, that holds the case under an open disclosure (so a revoked consent ends its access at
    once). Deciding needs a deciding role. A decision is multi-agency (GR38 §78): what one member proposes
    takes effect only when confirmed by a member of another organisation (``proposed_by_organisation``) who
    did not propose it. A reconsideration is answered and confirmed by people who took no part in the
    decision (``took_part``). Enforcement organisations never reach any of it."""
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if action in {Action.PANEL_CONVENE, Action.RECONSIDERATION_REQUEST}:
        may = decide(actor, Action.DISCLOSE, case)
        if not may:
            return may
        if panel is not None and actor.role.value not in panel.convening_roles:
            return Decision(False, f"role {actor.role} does not convene identification panels")
        return ALLOW
    if action not in {
        Action.PANEL_READ,
        Action.PANEL_DECIDE,
        Action.PANEL_CONFIRM,
        Action.RECONSIDERATION_DECIDE,
    }:
        return Decision(False, f"{action} is not an identification action")
    owner_reads = case.organisation_id == actor.organisation_id and decide(actor, Action.CASE_READ, case)
    if action is Action.PANEL_READ and owner_reads:
        return ALLOW
    if actor.role not in PERSON_LEVEL:
        return Decision(False, f"role {actor.role} sees aggregates only")
    if panel is None:
        return Decision(False, "no identification panel sits on this case")
    seat = next((s for s in panel.seats if s.organisation_id == actor.organisation_id), None)
    if seat is None:
        return Decision(False, "your organisation does not sit on this case's panel")
    if seat.recused:
        return Decision(False, "your organisation has recused itself from this panel")
    if seat.enforcement:
        return Decision(False, FIREWALL)
    if case.organisation_id == actor.organisation_id and not owner_reads:
        return Decision(False, "in the case's own organisation, only those who may read it take part")
    if case.organisation_id != actor.organisation_id and (
        actor.organisation_id not in case.received or not seat.shared_for_identification
    ):
        return Decision(False, "the case is not shared with your organisation for identification (consent)")
    if action is Action.PANEL_READ:
        return ALLOW
    if actor.role.value not in panel.deciding_roles:
        return Decision(False, f"role {actor.role} does not decide for an identification panel")
    if not panel.open:
        return Decision(False, "the panel has decided; ask for reconsideration instead")
    if actor.user_id in took_part:
        return Decision(False, "this is for someone who took no part in the decision or the proposal")
    if action is Action.PANEL_CONFIRM and actor.organisation_id == proposed_by_organisation:
        return Decision(
            False,
            "a decision is taken by two organisations (GR38 §78): a member of another organisation on the"
            " panel confirms it",
        )
    return ALLOW


# -- non-punishment (GR38 §98; DESIGN invariant 6) ----------------------------------------------------

NON_PUNISHMENT_ACTIONS = frozenset(
    {
        Action.NON_PUNISHMENT_READ,
        Action.NON_PUNISHMENT_ADD,
        Action.NON_PUNISHMENT_UPDATE,
        Action.NON_PUNISHMENT_STATEMENT,
    }
)
LEGAL_AID_TYPE = "legal_aid"
# What a legal-aid organisation holding the case under a covering consent may do: read, keep the matter and
# its clearance requests up to date, and make her statement. Recording a new matter stays with the owner.
LEGAL_AID_ACTIONS = frozenset(
    {Action.NON_PUNISHMENT_READ, Action.NON_PUNISHMENT_UPDATE, Action.NON_PUNISHMENT_STATEMENT}
)


def legal_aid_under_consent(
    actor: Actor,
    case: CaseRelation,
    *,
    writes: bool,
    legal_aid_may: bool,
    purpose: ConsentPurpose,
    organisation_type: str,
    disclosed_under: Iterable[ConsentFacts],
    today: dt.date,
) -> Decision:
    """The one rule for records about her legal protection (non-punishment matters, remedy claims).

    The owning side reads as it reads her case, and writes as it updates her case. Another organisation
    only when it is a legal-aid organisation, holds the case under an open disclosure (``disclosed_under``:
    the consents of its open disclosures of this case), the action is one legal aid may take
    (``legal_aid_may``), and one of those consents, unexpired and unrevoked, covers ``purpose`` for it. An
    enforcement organisation never: no consent opens them to one (invariant 2)."""
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if case.organisation_id == actor.organisation_id:
        return decide(actor, Action.CASE_UPDATE if writes else Action.CASE_READ, case)
    may_read = decide(actor, Action.CASE_READ, case)
    if not may_read:
        return may_read
    if organisation_type != LEGAL_AID_TYPE:
        return Decision(False, "only a legal-aid organisation may see these records, with her consent")
    if not legal_aid_may:
        return Decision(False, "only the organisation that holds her case records a new matter")
    recipient = Recipient(actor.organisation_id, organisation_type, enforcement=False)
    reasons = []
    for consent in disclosed_under:
        match = consent_matches(consent, purpose, recipient, today)
        if match:
            return ALLOW
        reasons.append(match.reason)
    if not reasons:
        return Decision(False, "no consent of hers shares this case with your organisation")
    return Decision(False, "her consent does not cover these records: " + "; ".join(sorted(set(reasons))))


def non_punishment_decision(
    actor: Actor,
    action: Action,
    case: CaseRelation,
    *,
    organisation_type: str,
    disclosed_under: Iterable[ConsentFacts],
    today: dt.date,
) -> Decision:
    """May the actor touch the matters recorded to protect her from punishment (GR38 §98)?

    ``legal_aid_under_consent`` with the purpose ``non_punishment``: legal aid reads, updates and makes her
    statement; recording a new matter stays with the owning side. Never an enforcement organisation
    (invariants 2 and 6)."""
    if action not in NON_PUNISHMENT_ACTIONS:
        raise ValueError(f"{action} is not a non-punishment action")
    return legal_aid_under_consent(
        actor,
        case,
        writes=action in {Action.NON_PUNISHMENT_ADD, Action.NON_PUNISHMENT_UPDATE},
        legal_aid_may=action in LEGAL_AID_ACTIONS,
        purpose=ConsentPurpose.NON_PUNISHMENT,
        organisation_type=organisation_type,
        disclosed_under=disclosed_under,
        today=today,
    )


# -- remedies (GR38 §101, §108) -----------------------------------------------------------------------

REMEDY_ACTIONS = frozenset({Action.REMEDY_READ, Action.REMEDY_ADD, Action.REMEDY_UPDATE})


def remedy_decision(
    actor: Actor,
    action: Action,
    case: CaseRelation,
    *,
    organisation_type: str,
    disclosed_under: Iterable[ConsentFacts],
    today: dt.date,
) -> Decision:
    """May the actor touch her compensation and back-wage claims (GR38 §101)?

    ``legal_aid_under_consent`` with the purpose ``remedies``: the owning side as for her case; a legal-aid
    organisation holding the case under a consent covering ``remedies`` reads, files and updates claims (her
    lawyer brings them); never an enforcement organisation, whatever the consent (invariant 2)."""
    if action not in REMEDY_ACTIONS:
        raise ValueError(f"{action} is not a remedy action")
    return legal_aid_under_consent(
        actor,
        case,
        writes=action is not Action.REMEDY_READ,
        legal_aid_may=True,
        purpose=ConsentPurpose.REMEDIES,
        organisation_type=organisation_type,
        disclosed_under=disclosed_under,
        today=today,
    )


# -- justice aggregates (GR38 §110) --------------------------------------------------------------------

#: Who enters the counts of investigations, prosecutions and convictions: the NRM secretariat's coordinator.
JUSTICE_AGGREGATE_ROLES = frozenset({Role.NRM_COORDINATOR})


def accounts_decision(actor: Actor) -> tuple[Decision, str | None]:
    """Whose staff accounts may the actor list (never a secret of theirs)? An organisation's administrator
    her own organisation's, the system administrator every organisation's; the organisation id to keep to,
    or None for all."""
    if actor.role is Role.SYSTEM_ADMIN:
        return ALLOW, None
    if actor.role is Role.ORG_ADMIN:
        return ALLOW, actor.organisation_id
    return Decision(False, f"role {actor.role} does not administer accounts"), None


def justice_aggregates_decision(actor: Actor) -> Decision:
    """May the actor enter or change justice aggregates? The secretariat's coordinator, never a user of an
    enforcement organisation (the counts are the secretariat's, not the police's own figures)."""
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in JUSTICE_AGGREGATE_ROLES:
        return Decision(False, f"role {actor.role} does not enter justice aggregates")
    return ALLOW


# -- the referral network's pages (no person-level data) ------------------------------------------------

#: Who reads the escalated referrals of their organisation.
ESCALATION_ROLES = frozenset({Role.SUPERVISOR})
#: Who reads the coordinator's dashboard of the referral network.
DASHBOARD_ROLES = frozenset({Role.NRM_COORDINATOR})
#: Who keeps an organisation's entries in the service directory.
DIRECTORY_MANAGERS = frozenset({Role.ORG_ADMIN, Role.SUPERVISOR, Role.SYSTEM_ADMIN})


def escalations_decision(actor: Actor) -> Decision:
    """May the actor list the escalated referrals sent or received by her organisation? Supervisors, never of
    an enforcement organisation; the coordinator's dashboard counts them instead."""
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in ESCALATION_ROLES:
        return Decision(
            False, "only supervisors see escalated referrals; the coordinator's dashboard counts them"
        )
    return ALLOW


def dashboard_decision(actor: Actor) -> Decision:
    """May the actor read the referral network's dashboard (counts and waits, no person)?"""
    if actor.role not in DASHBOARD_ROLES:
        return Decision(False, "the referral-network dashboard is for the NRM coordinator")
    return ALLOW


def directory_manage_decision(actor: Actor, organisation_id: str | None = None) -> Decision:
    """May the actor change the service directory's entries of ``organisation_id`` (any organisation's
    when None is given: may she manage at all)? Administrators and supervisors their own organisation's,
    the system administrator every organisation's."""
    if actor.role not in DIRECTORY_MANAGERS:
        return Decision(False, f"role {actor.role} cannot change the service directory")
    elsewhere = organisation_id is not None and actor.organisation_id != organisation_id
    if elsewhere and actor.role is not Role.SYSTEM_ADMIN:
        return Decision(False, "you can change only your own organisation's services")
    return ALLOW


# -- anonymous reports and hotline contacts (GR38 §54(d), §99, §100) -----------------------------------

REPORT_ACTIONS = frozenset(
    {Action.REPORT_READ, Action.REPORT_REPLY, Action.REPORT_CONVERT, Action.REPORT_REFER, Action.REPORT_CLOSE}
)


def report_decision(actor: Actor, action: Action, report_organisation_id: str) -> Decision:
    """May the actor triage an anonymous report held by ``report_organisation_id``? The triage roles of that
    organisation only; turning a report into a case also needs a role that opens cases. Never a user of an
    enforcement organisation (a report is hers, written in confidence; invariant 2)."""
    if action not in REPORT_ACTIONS:
        raise ValueError(f"{action} is not a report action")
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in REPORT_TRIAGE:
        return Decision(False, f"role {actor.role} does not triage reports")
    if actor.organisation_id != report_organisation_id:
        return Decision(False, OUT_OF_SCOPE)
    if action is Action.REPORT_CONVERT and actor.role not in CREATORS:
        return Decision(False, f"role {actor.role} cannot open cases")
    return ALLOW


def report_recipient_decision(recipient: Recipient) -> Decision:
    """May reports be received by, or referred to, this organisation? Never an enforcement organisation."""
    if recipient.enforcement:
        return Decision(False, FIREWALL + "; an enforcement organisation never receives a report")
    return ALLOW


def hotline_decision(actor: Actor, action: Action) -> Decision:
    """May the actor record or read hotline contacts (of her own organisation)? Hotline operators and
    supervisors, never a user of an enforcement organisation."""
    if action not in {Action.HOTLINE_RECORD, Action.HOTLINE_READ}:
        raise ValueError(f"{action} is not a hotline action")
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in HOTLINE_OPERATORS:
        return Decision(False, f"role {actor.role} does not answer the hotline")
    return ALLOW


# -- labour inspection and recruitment agencies (GR38 §54(b)(c), §59; issue 19) -----------------------

LABOUR_ACTIONS = frozenset(
    {
        Action.AGENCY_MANAGE,
        Action.INSPECTION_PLAN,
        Action.INSPECTION_RECORD,
        Action.INSPECTION_READ,
        Action.WORKER_REFER,
    }
)


def labour_decision(actor: Actor, action: Action, holder_organisation_id: str | None = None) -> Decision:
    """May the actor keep the agency registry, plan and record inspections, read them (of the inspectorate
    ``holder_organisation_id``, when given) or refer a worker met at one? A labour inspector of a
    labour-inspectorate organisation, her own inspectorate's records only; never an enforcement organisation
    (the firewall between labour inspection and immigration enforcement, GR38 §54(c))."""
    if action not in LABOUR_ACTIONS:
        raise ValueError(f"{action} is not a labour-inspection action")
    if actor.enforcement:
        return Decision(False, FIREWALL)
    if actor.role not in LABOUR_INSPECTORS:
        return Decision(False, f"role {actor.role} does not inspect workplaces")
    if actor.organisation_type != LABOUR_INSPECTORATE_TYPE:
        return Decision(False, "only a labour inspectorate inspects workplaces and keeps the agency registry")
    if holder_organisation_id is not None and holder_organisation_id != actor.organisation_id:
        return Decision(False, OUT_OF_SCOPE)
    return ALLOW
