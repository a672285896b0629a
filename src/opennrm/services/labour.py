"""Labour inspection and recruitment agencies (CEDAW GR38 §54(b)(c), §59, §60(d); issue 19).

- The **agency registry**: agencies, their licences and each licence's status history; complaints and the
  violations an upheld complaint establishes (``opennrm.domain.labour``: Employer Pays). Kept by the labour
  inspectors of a labour inspectorate (``opennrm.access.policy.labour_decision``). What the public may know
  — name, licence number, issuing authority, countries served, status on a day — is read by
  ``public_check`` without a log-in and **without any record of who asked or what**: no audit event, no
  log line, nothing stored (the app's request log names the route only, never the query or the form).
- **Workplaces and inspections**: the risk order, the visit record (counts of workers met, never who; no
  field for immigration status exists), findings, labour-law actions tracked to their outcome.
- **A worker's referral**: with her consent, an inspector opens a case for her, records the consent,
  screens her with the screening engine (the checklist's indicator ids are the catalogue's) and refers her
  to a service of the directory — through the same services a caseworker uses, so the consent gate and the
  firewall apply unchanged: nothing of hers can go to an enforcement organisation.

Complaint counts for the risk order come through one seam, ``ComplaintCounts`` (default
``agency_complaint_counts``: complaints against the agency that placed the workers). The anonymous
reporting channel, built separately, plugs its counts in there.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennrm.access.policy import OUT_OF_SCOPE, Action, Actor, decide, labour_decision
from opennrm.domain.consent import Consent, ConsentPurpose, ConsentTerms
from opennrm.domain.labour import (
    CHECKLIST,
    NOT_IN_FORCE,
    ActionOutcomeIn,
    ActionStatus,
    AgencyIn,
    ComplaintDecisionIn,
    ComplaintIn,
    ComplaintStatus,
    FeePayment,
    InspectionIn,
    LabourActionIn,
    LabourRuleError,
    LicenceEvent,
    LicenceEventIn,
    LicenceIn,
    LicenceStatus,
    RiskFacts,
    RiskScore,
    Sector,
    ViolationType,
    WorkerReferralIn,
    WorkplaceIn,
    check_action_change,
    check_licence_event,
    employer_pays_violations,
    findings_of,
    licence_status_on,
    normalise_licence,
    normalise_name,
    risk_order,
    sanctioned_between,
    screening_input,
    suggests_referral,
    violations_of,
)
from opennrm.domain.records import Intake
from opennrm.domain.services import ReferralRequest
from opennrm.recruitment.licences import UNLICENSED, LicenceRegistry
from opennrm.services.clock import now
from opennrm.services.errors import Conflict, InvalidInput, NotFound, refuse
from opennrm.services.parsing import parse
from opennrm.services.sealing import decrypt_json, decrypt_text, encrypt_json, encrypt_text
from opennrm.stats.labour import InspectionFacts, LabourCounts, count_labour
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.tables import (
    AdNetwork,
    AdScan,
    AgencyComplaint,
    AgencyLicence,
    AgencyViolation,
    DirectoryService,
    Inspection,
    InspectionReferral,
    LabourAction,
    LicenceEventRow,
    Organisation,
    RecruitmentAgency,
    ScannedAd,
    Workplace,
)

PUBLIC_RESULTS = 10
MIN_QUERY = 3


# -- access -------------------------------------------------------------------------------------------


def check(
    db: Database,
    actor: Actor,
    action: Action,
    object_type: str = "labour",
    object_id: str | None = None,
    holder: str | None = None,
) -> None:
    """Refuse (audited) what the labour policy does not allow."""
    decision = labour_decision(actor, action, holder)
    if not decision:
        refuse(db, actor, action, object_type, object_id, decision.reason)


def _audit(
    session: Session,
    db: Database,
    actor: Actor,
    event: str,
    object_type: str,
    object_id: str | None,
    **detail: Any,
) -> None:
    audit.record_one(
        session, db.keyring, AuditEntry(actor.user_id, event, object_type, object_id, detail=detail)
    )


def _invalid(exc: LabourRuleError) -> InvalidInput:
    return InvalidInput(f"{exc.field}: {exc}", field=exc.field)


def _today() -> dt.date:
    return dt.date.today()


def _seal(db: Database, kind: str, row_id: str, text: str | None) -> bytes | None:
    """An optional free text encrypted for its column (``None`` stays ``None``)."""
    return encrypt_text(db.keyring, kind, row_id, text) if text else None


def _unseal(db: Database, kind: str, row_id: str, blob: bytes | None) -> str | None:
    return decrypt_text(db.keyring, kind, row_id, blob) if blob else None


def _workplace_name(db: Database, workplace: Workplace) -> str:
    return decrypt_text(db.keyring, "workplace_name", workplace.id, workplace.name_enc)


def _record_violations(
    session: Session,
    agency_id: str,
    violations: Sequence[ViolationType],
    found_on: dt.date,
    *,
    complaint_id: str | None = None,
    inspection_id: str | None = None,
) -> list[str]:
    """The violations an upheld complaint or an inspection established against an agency; their types."""
    for violation in violations:
        session.add(
            AgencyViolation(
                id=new_id(),
                agency_id=agency_id,
                complaint_id=complaint_id,
                inspection_id=inspection_id,
                type=violation.value,
                found_on=found_on,
                created_at=now(),
            )
        )
    return [v.value for v in violations]


# -- agencies and licences --------------------------------------------------------------------------------


def _events(session: Session, licence_id: str) -> list[LicenceEvent]:
    rows = session.execute(
        select(LicenceEventRow)
        .where(LicenceEventRow.licence_id == licence_id)
        .order_by(LicenceEventRow.effective_on, LicenceEventRow.created_at)
    ).scalars()
    return [LicenceEvent(LicenceStatus(r.status), r.effective_on, r.decision_ref) for r in rows]


def add_agency(db: Database, actor: Actor, data: AgencyIn) -> str:
    check(db, actor, Action.AGENCY_MANAGE, "agency")
    key = normalise_name(data.name)
    if not key:
        raise InvalidInput("name: give the agency's name", field="name")
    with db.transaction() as session:
        taken = session.execute(select(RecruitmentAgency.id).where(RecruitmentAgency.name_key == key)).first()
        if taken is not None:
            raise Conflict("an agency of this name is already in the registry", field="name")
        agency_id = new_id()
        session.add(
            RecruitmentAgency(
                id=agency_id,
                name=data.name,
                name_key=key,
                registration_ref=data.registration_ref,
                country=data.country,
                organisation_id=actor.organisation_id,
                created_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(session, db, actor, "labour.agency.add", "agency", agency_id)
    return agency_id


def add_licence(db: Database, actor: Actor, agency_id: str, data: LicenceIn) -> str:
    """A licence issued to the agency: active from ``issued_on``."""
    check(db, actor, Action.AGENCY_MANAGE, "agency", agency_id)
    key = normalise_licence(data.number)
    if len(key) < 2:
        raise InvalidInput("number: a licence number has letters or digits", field="number")
    with db.transaction() as session:
        if session.get(RecruitmentAgency, agency_id) is None:
            raise NotFound(f"no agency {agency_id}")
        if session.execute(select(AgencyLicence.id).where(AgencyLicence.number_key == key)).first():
            raise Conflict("this licence number is already in the registry", field="number")
        licence_id = new_id()
        at = now()
        session.add(
            AgencyLicence(
                id=licence_id,
                agency_id=agency_id,
                number=data.number,
                number_key=key,
                issuing_authority=data.issuing_authority,
                countries_served=data.countries_served,
                issued_on=data.issued_on,
                expires_on=data.expires_on,
                created_at=at,
            )
        )
        session.add(
            LicenceEventRow(
                id=new_id(),
                licence_id=licence_id,
                status=LicenceStatus.ACTIVE.value,
                effective_on=data.issued_on,
                decision_ref=data.decision_ref,
                recorded_by=actor.user_id,
                created_at=at,
            )
        )
        _audit(session, db, actor, "labour.licence.add", "agency", agency_id, licence=licence_id)
    return licence_id


def change_licence(db: Database, actor: Actor, licence_id: str, data: LicenceEventIn) -> str:
    """Suspend, revoke, reinstate, renew or record the expiry of a licence from a day on; returns the agency
    id. The rules of ``check_licence_event`` refuse what is not allowed, naming the field."""
    check(db, actor, Action.AGENCY_MANAGE, "licence", licence_id)
    with db.transaction() as session:
        licence = session.get(AgencyLicence, licence_id)
        if licence is None:
            raise NotFound(f"no licence {licence_id}")
        event = LicenceEvent(data.status, data.effective_on, data.decision_ref)
        try:
            check_licence_event(_events(session, licence_id), event, licence.expires_on)
        except LabourRuleError as exc:
            raise _invalid(exc) from None
        row_id = new_id()
        session.add(
            LicenceEventRow(
                id=row_id,
                licence_id=licence_id,
                status=data.status.value,
                effective_on=data.effective_on,
                decision_ref=data.decision_ref,
                reason_enc=_seal(db, "licence_event_reason", row_id, data.reason),
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        if (
            data.status is LicenceStatus.ACTIVE
            and licence.expires_on is not None
            and licence.expires_on < data.effective_on
        ):
            licence.expires_on = None  # a renewal: the old end date no longer holds
        _audit(
            session,
            db,
            actor,
            "labour.licence.status",
            "agency",
            licence.agency_id,
            licence=licence_id,
            status=data.status.value,
        )
        return licence.agency_id


@dataclass(frozen=True)
class LicenceView:
    id: str
    number: str
    issuing_authority: str
    countries_served: list[str]
    issued_on: dt.date
    expires_on: dt.date | None
    status: str
    history: list[tuple[str, dt.date, str | None]]


@dataclass(frozen=True)
class ComplaintView:
    id: str
    received_on: dt.date
    source: str
    allegations: list[str]
    worker_paid: list[dict[str, Any]]
    status: str
    decided_on: dt.date | None
    summary: str | None


@dataclass(frozen=True)
class AgencyView:
    id: str
    name: str
    registration_ref: str | None
    country: str | None
    status: str
    licences: list[LicenceView]
    complaints: list[ComplaintView]
    violations: dict[str, int]
    on: dt.date


def _licence_views(session: Session, agency_id: str, on: dt.date) -> list[LicenceView]:
    out = []
    for lic in session.execute(
        select(AgencyLicence).where(AgencyLicence.agency_id == agency_id).order_by(AgencyLicence.issued_on)
    ).scalars():
        events = _events(session, lic.id)
        status = licence_status_on(events, on, lic.expires_on)
        out.append(
            LicenceView(
                lic.id,
                lic.number,
                lic.issuing_authority,
                list(lic.countries_served or []),
                lic.issued_on,
                lic.expires_on,
                status.value if status else "not_yet_issued",
                [(e.status.value, e.effective_on, e.decision_ref) for e in events],
            )
        )
    return out


def agency_status(licences: Sequence[LicenceView]) -> str:
    """An agency's status on the day: active when one of its licences is; else the status of its latest
    change; ``unlicensed`` without a licence."""
    if any(lic.status == LicenceStatus.ACTIVE.value for lic in licences):
        return LicenceStatus.ACTIVE.value
    dated = [(lic.history[-1][1] if lic.history else lic.issued_on, lic.status) for lic in licences]
    dated = [d for d in dated if d[1] != "not_yet_issued"]
    if not dated:
        return UNLICENSED
    return max(dated)[1]


def view_agency(db: Database, actor: Actor, agency_id: str, on: dt.date | None = None) -> AgencyView:
    check(db, actor, Action.AGENCY_MANAGE, "agency", agency_id)
    on = on or _today()
    with db.transaction() as session:
        agency = session.get(RecruitmentAgency, agency_id)
        if agency is None:
            raise NotFound(f"no agency {agency_id}")
        licences = _licence_views(session, agency_id, on)
        complaints = [
            ComplaintView(
                c.id,
                c.received_on,
                c.source,
                list(c.allegations),
                [p for p in c.payments if p.get("paid_by") == "worker"],
                c.status,
                c.decided_on,
                _unseal(db, "agency_complaint", c.id, c.summary_enc),
            )
            for c in session.execute(
                select(AgencyComplaint)
                .where(
                    AgencyComplaint.agency_id == agency_id,
                    AgencyComplaint.organisation_id == actor.organisation_id,
                )
                .order_by(AgencyComplaint.received_on.desc())
            ).scalars()
        ]
        violations = Counter(
            session.execute(
                select(AgencyViolation.type).where(AgencyViolation.agency_id == agency_id)
            ).scalars()
        )
        _audit(session, db, actor, "labour.agency.read", "agency", agency_id)
        return AgencyView(
            agency.id,
            agency.name,
            agency.registration_ref,
            agency.country,
            agency_status(licences),
            licences,
            complaints,
            dict(violations),
            on,
        )


@dataclass(frozen=True)
class AgencyRow:
    id: str
    name: str
    status: str
    licence_numbers: list[str]
    violations: int


def list_agencies(db: Database, actor: Actor, on: dt.date | None = None) -> list[AgencyRow]:
    check(db, actor, Action.AGENCY_MANAGE, "agency")
    on = on or _today()
    with db.transaction() as session:
        counts = dict(
            session.execute(
                select(AgencyViolation.agency_id, func.count()).group_by(AgencyViolation.agency_id)
            ).all()
        )
        rows = []
        for agency in session.execute(
            select(RecruitmentAgency).order_by(RecruitmentAgency.name_key)
        ).scalars():
            licences = _licence_views(session, agency.id, on)
            rows.append(
                AgencyRow(
                    agency.id,
                    agency.name,
                    agency_status(licences),
                    [lic.number for lic in licences],
                    int(counts.get(agency.id, 0)),
                )
            )
        return rows


# -- the public check (no log-in; nothing kept) ---------------------------------------------------------


@dataclass(frozen=True)
class PublicLicence:
    number: str
    issuing_authority: str
    countries_served: list[str]
    status: str
    expires_on: dt.date | None
    sanctions: list[tuple[str, dt.date]]


@dataclass(frozen=True)
class PublicAgency:
    name: str
    status: str
    licences: list[PublicLicence]


def public_check(db: Database, query: str, on: dt.date | None = None) -> list[PublicAgency]:
    """Agencies whose licence number is ``query`` or whose name contains it, as the public may know them.

    Nothing is written: no audit event (an audit event of a public search would itself record that someone
    looked up this agency at this minute), no log line, no cookie. Invalid or too short queries find
    nothing."""
    on = on or _today()
    query = "".join(ch for ch in query[:200] if ch.isprintable())
    number = normalise_licence(query)
    name = normalise_name(query)
    if len(name) < MIN_QUERY and len(number) < MIN_QUERY:
        return []
    with db.transaction() as session:
        ids: list[str] = []
        if len(number) >= MIN_QUERY:
            ids.extend(
                session.execute(
                    select(AgencyLicence.agency_id).where(AgencyLicence.number_key == number)
                ).scalars()
            )
        if len(name) >= MIN_QUERY:
            pattern = "%" + name.replace("\\", "").replace("%", "").replace("_", "") + "%"
            ids.extend(
                session.execute(
                    select(RecruitmentAgency.id)
                    .where(RecruitmentAgency.name_key.like(pattern))
                    .order_by(RecruitmentAgency.name_key)
                    .limit(PUBLIC_RESULTS)
                ).scalars()
            )
        found: list[PublicAgency] = []
        for agency_id in list(dict.fromkeys(ids))[:PUBLIC_RESULTS]:
            agency = session.get(RecruitmentAgency, agency_id)
            if agency is None:
                continue
            licences = _licence_views(session, agency_id, on)
            found.append(
                PublicAgency(
                    agency.name,
                    agency_status(licences),
                    [
                        PublicLicence(
                            lic.number,
                            lic.issuing_authority,
                            lic.countries_served,
                            lic.status,
                            lic.expires_on,
                            [(s, d) for s, d, _ in lic.history if s in ("suspended", "revoked") and d <= on],
                        )
                        for lic in licences
                    ],
                )
            )
        session.rollback()
    return found


def licence_registry(db: Database, on: dt.date | None = None) -> LicenceRegistry:
    """The registry as the ad scanner reads it on ``on`` (``opennrm.recruitment.licences``)."""
    on = on or _today()
    with db.transaction() as session:
        agencies: dict[str, tuple[str, str]] = {}
        licences: dict[str, tuple[str, str, str]] = {}
        since: dict[str, dt.date] = {}
        agency_since: dict[str, dt.date] = {}
        for agency in session.execute(select(RecruitmentAgency)).scalars():
            views = _licence_views(session, agency.id, on)
            status = agency_status(views)
            agencies[agency.name_key] = (agency.name, status)
            days = []
            for lic in views:
                key = normalise_licence(lic.number)
                licences[key] = (lic.number, agency.name, lic.status)
                day = status_since(lic, on)
                if day is not None:
                    since[key] = day
                    if lic.status == status:
                        days.append(day)
            if days:
                agency_since[agency.name_key] = max(days)
        session.rollback()
    return LicenceRegistry(on, agencies, licences, since, agency_since)


def status_since(licence: LicenceView, on: dt.date) -> dt.date | None:
    """The day a licence's status on ``on`` took effect: its expiry, or the latest suspension, revocation or
    reinstatement of that status up to ``on``; ``None`` when none is recorded."""
    if licence.status == LicenceStatus.EXPIRED.value:
        return licence.expires_on
    days = [day for status, day, _ in licence.history if status == licence.status and day <= on]
    return max(days) if days else None


# -- complaints and violations --------------------------------------------------------------------------


def record_complaint(db: Database, actor: Actor, agency_id: str, data: ComplaintIn) -> str:
    check(db, actor, Action.AGENCY_MANAGE, "agency", agency_id)
    with db.transaction() as session:
        if session.get(RecruitmentAgency, agency_id) is None:
            raise NotFound(f"no agency {agency_id}")
        complaint_id = new_id()
        session.add(
            AgencyComplaint(
                id=complaint_id,
                agency_id=agency_id,
                organisation_id=actor.organisation_id,
                received_on=data.received_on,
                source=data.source.value,
                allegations=[a.value for a in data.allegations],
                payments=[p.model_dump(mode="json") for p in data.payments],
                summary_enc=_seal(db, "agency_complaint", complaint_id, data.summary),
                status=ComplaintStatus.RECEIVED.value,
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(session, db, actor, "labour.complaint.add", "agency", agency_id, complaint=complaint_id)
    return complaint_id


def decide_complaint(db: Database, actor: Actor, complaint_id: str, data: ComplaintDecisionIn) -> list[str]:
    """Uphold or dismiss a complaint; an upheld one establishes its violations (Employer Pays: every cost
    the workers bore). Returns the violation types recorded."""
    check(db, actor, Action.AGENCY_MANAGE, "complaint", complaint_id)
    with db.transaction() as session:
        complaint = session.get(AgencyComplaint, complaint_id) if is_record_id(complaint_id) else None
        if complaint is None or complaint.organisation_id != actor.organisation_id:
            # absent and another inspectorate's: the same answer, audited
            refuse(db, actor, Action.AGENCY_MANAGE, "complaint", None, OUT_OF_SCOPE)
        if complaint.status != ComplaintStatus.RECEIVED.value:
            raise Conflict(f"the complaint was already {complaint.status}", field="status")
        complaint.status = data.status.value
        complaint.decided_on = data.decided_on
        complaint.decision_ref = data.decision_ref
        types: list[str] = []
        if data.status is ComplaintStatus.UPHELD:
            payments = [FeePayment.model_validate(p) for p in complaint.payments]
            types = _record_violations(
                session,
                complaint.agency_id,
                violations_of([ViolationType(a) for a in complaint.allegations], payments),
                data.decided_on,
                complaint_id=complaint.id,
            )
        _audit(
            session,
            db,
            actor,
            "labour.complaint.decide",
            "agency",
            complaint.agency_id,
            complaint=complaint_id,
            status=data.status.value,
        )
    return types


ComplaintCounts = Callable[[Session, str], Mapping[str, int]]
"""The seam for complaints in the risk order: (session, inspectorate id) → workplace id → complaints."""


def agency_complaint_counts(session: Session, organisation_id: str) -> Mapping[str, int]:
    """Complaints (not dismissed) against the agency that placed each workplace's workers."""
    rows = session.execute(
        select(Workplace.id, func.count(AgencyComplaint.id))
        .join(AgencyComplaint, AgencyComplaint.agency_id == Workplace.agency_id)
        .where(
            Workplace.organisation_id == organisation_id,
            AgencyComplaint.status != ComplaintStatus.DISMISSED.value,
        )
        .group_by(Workplace.id)
    ).all()
    return {workplace_id: int(count) for workplace_id, count in rows}


#: What in an anonymous report speaks of exploitation at work (``domain.reporting.Concern``).
WORK_CONCERNS = frozenset({"work", "debt", "documents", "movement", "recruitment"})
#: How far back reports count in the risk order.
REPORTS_WINDOW = dt.timedelta(days=365)


def complaints_with_reports(db: Database, *, at: dt.datetime | None = None) -> ComplaintCounts:
    """Complaints against the placing agency plus the anonymous reports of the past year about work in the
    workplace's sector and region (the reporting channel, GR38 §54(b)): counts only — which report, and
    who sent it, never reaches the inspectorate."""
    from opennrm.services.reporting import report_counts

    since = (at or now()) - REPORTS_WINDOW
    reported = {
        (c.sector, (c.region or "").strip().casefold()): c.reports
        for c in report_counts(db, since=since, concerns=WORK_CONCERNS)
    }

    def counts(session: Session, organisation_id: str) -> Mapping[str, int]:
        found = dict(agency_complaint_counts(session, organisation_id))
        for workplace_id, sector, region in session.execute(
            select(Workplace.id, Workplace.sector, Workplace.region).where(
                Workplace.organisation_id == organisation_id
            )
        ):
            n = reported.get((sector, (region or "").strip().casefold()), 0)
            if n:
                found[workplace_id] = found.get(workplace_id, 0) + n
        return found

    return counts


#: A scanned ad counts in the risk order when the scanner flagged it (a red flag or the licence flag) with
#: at least this risk, it belongs to a linked network (two or more ads joined by shared contacts or a
#: near-duplicate text), its scan is no older than ``ADS_WINDOW``, and no reviewer has called it legitimate.
FLAGGED_RISK = 0.5
ADS_WINDOW = dt.timedelta(days=365)
#: How many of those ads (riskiest first) the plan reads at the most, so that the page stays quick.
MAX_ADS_READ = 20_000

WorkplaceCounts = Callable[[Session, str], Mapping[str, int]]
"""A source of the risk order: (session, inspectorate id) → workplace id → count."""


def linked_ad_networks(db: Database, *, at: dt.datetime | None = None) -> WorkplaceCounts:
    """Linked job-ad networks pointing at each workplace (GR38 §36, §71, §73): how many distinct networks of
    the ad scanner hold a flagged ad that names the agency which placed the workplace's workers — by its
    registered name or one of its licence numbers. Counts only: which ads, which network, which
    organisation scanned them and what they say never reach the inspectorate."""
    from opennrm.recruitment.ads import MalformedRecord
    from opennrm.recruitment.licences import agencies_named
    from opennrm.recruitment.reading import parse_record
    from opennrm.services.ad_review import ads_judged_legitimate

    since = (at or now()) - ADS_WINDOW

    def counts(session: Session, organisation_id: str) -> Mapping[str, int]:
        placed = {
            workplace_id: agency_id
            for workplace_id, agency_id in session.execute(
                select(Workplace.id, Workplace.agency_id).where(Workplace.organisation_id == organisation_id)
            ).all()
            if agency_id
        }
        if not placed:
            return {}
        agencies = set(placed.values())
        names = dict(
            session.execute(
                select(RecruitmentAgency.name_key, RecruitmentAgency.id).where(
                    RecruitmentAgency.id.in_(agencies)
                )
            ).all()
        )
        numbers = dict(
            session.execute(
                select(AgencyLicence.number_key, AgencyLicence.agency_id).where(
                    AgencyLicence.agency_id.in_(agencies)
                )
            ).all()
        )
        rows = session.execute(
            select(ScannedAd.id, ScannedAd.actor_key, ScannedAd.content_enc)
            .join(AdScan, AdScan.id == ScannedAd.scan_id)
            .join(
                AdNetwork,
                (AdNetwork.scan_id == ScannedAd.scan_id) & (AdNetwork.actor_key == ScannedAd.actor_key),
            )
            .where(AdScan.created_at >= since, ScannedAd.risk >= FLAGGED_RISK)
            .order_by(ScannedAd.risk.desc(), ScannedAd.id)
            .limit(MAX_ADS_READ)
        ).all()
        dismissed = ads_judged_legitimate(session, since)
        networks: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if row.id in dismissed:
                continue
            content = decrypt_json(db.keyring, "scanned_ad", row.id, row.content_enc)
            ad = parse_record(content.get("ad") or {}, 0)
            if isinstance(ad, MalformedRecord) or not content.get("result", {}).get("flags"):
                continue
            for agency_id in agencies_named(ad, names, numbers):
                networks[agency_id].add(row.actor_key)
        return {
            workplace_id: len(networks[agency_id])
            for workplace_id, agency_id in placed.items()
            if networks.get(agency_id)
        }

    return counts


# -- workplaces and the risk order ---------------------------------------------------------------------


def add_workplace(db: Database, actor: Actor, data: WorkplaceIn) -> str:
    check(db, actor, Action.INSPECTION_PLAN, "workplace")
    with db.transaction() as session:
        if data.agency_id and session.get(RecruitmentAgency, data.agency_id) is None:
            raise InvalidInput(f"no agency {data.agency_id} in the registry", field="agency_id")
        workplace_id = new_id()
        session.add(
            Workplace(
                id=workplace_id,
                organisation_id=actor.organisation_id,
                name_enc=encrypt_text(db.keyring, "workplace_name", workplace_id, data.name),
                sector=data.sector.value,
                region=data.region,
                agency_id=data.agency_id,
                created_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(session, db, actor, "labour.workplace.add", "workplace", workplace_id)
    return workplace_id


@dataclass(frozen=True)
class PlannedWorkplace:
    id: str
    name: str
    sector: str
    region: str
    score: float
    reasons: tuple[str, ...]
    last_inspected: dt.date | None


def plan(
    db: Database,
    actor: Actor,
    *,
    complaint_counts: ComplaintCounts = agency_complaint_counts,
    ad_network_counts: WorkplaceCounts | None = None,
    today: dt.date | None = None,
) -> list[PlannedWorkplace]:
    """The inspectorate's workplaces, riskiest first (``opennrm.domain.labour.risk_order``). Linked job-ad
    networks come from ``ad_network_counts`` (default: ``linked_ad_networks``, the ad scanner's networks)."""
    networks_of = ad_network_counts or linked_ad_networks(db)
    check(db, actor, Action.INSPECTION_PLAN, "workplace")
    today = today or _today()
    with db.transaction() as session:
        places = list(
            session.execute(
                select(Workplace).where(Workplace.organisation_id == actor.organisation_id)
            ).scalars()
        )
        findings: Counter[str] = Counter()
        last: dict[str, dt.date] = {}
        for workplace_id, visited_on, found in session.execute(
            select(Inspection.workplace_id, Inspection.visited_on, Inspection.findings).where(
                Inspection.organisation_id == actor.organisation_id
            )
        ).all():
            findings[workplace_id] += len(found or [])
            if workplace_id not in last or visited_on > last[workplace_id]:
                last[workplace_id] = visited_on
        complaints = complaint_counts(session, actor.organisation_id)
        networks = networks_of(session, actor.organisation_id)
        names = {p.id: _workplace_name(db, p) for p in places}
        facts = [
            RiskFacts(
                p.id,
                names[p.id],
                Sector(p.sector),
                past_findings=findings.get(p.id, 0),
                complaints=int(complaints.get(p.id, 0)),
                linked_ad_networks=int(networks.get(p.id, 0)),
                days_since_inspection=(today - last[p.id]).days if p.id in last else None,
            )
            for p in places
        ]
        by_id = {p.id: p for p in places}
        ranked: list[RiskScore] = risk_order(facts)
        _audit(session, db, actor, "labour.plan.read", "workplace", None)
        return [
            PlannedWorkplace(
                r.workplace_id,
                r.name,
                by_id[r.workplace_id].sector,
                by_id[r.workplace_id].region,
                r.score,
                r.reasons,
                last.get(r.workplace_id),
            )
            for r in ranked
        ]


def inspection_plan(db: Database, actor: Actor) -> list[PlannedWorkplace]:
    """The plan as the inspectorate's pages and API show it, from every source the product has: complaints
    with the reporting channel's counts (``complaints_with_reports``) and linked job-ad networks
    (``linked_ad_networks``)."""
    return plan(
        db, actor, complaint_counts=complaints_with_reports(db), ad_network_counts=linked_ad_networks(db)
    )


# -- inspections ---------------------------------------------------------------------------------------


def record_inspection(db: Database, actor: Actor, data: InspectionIn) -> str:
    """Record a visit; its findings follow from what was recorded; Employer Pays violations against the
    agency that placed the workers are recorded with it."""
    check(db, actor, Action.INSPECTION_RECORD, "inspection")
    with db.transaction() as session:
        workplace = session.get(Workplace, data.workplace_id)
        if workplace is None or workplace.organisation_id != actor.organisation_id:
            raise InvalidInput(f"no workplace {data.workplace_id} of your inspectorate", field="workplace_id")
        agency_id = data.agency_id or workplace.agency_id
        if data.agency_id and session.get(RecruitmentAgency, data.agency_id) is None:
            raise InvalidInput(f"no agency {data.agency_id} in the registry", field="agency_id")
        inspection_id = new_id()
        found = findings_of(data)
        record = data.model_dump(
            mode="json",
            include={
                "currency",
                "monthly_wage_minor",
                "minimum_wage_minor",
                "weekly_hours",
                "deductions",
                "housing",
                "documents_held",
                "payments",
                "notes",
            },
        )
        session.add(
            Inspection(
                id=inspection_id,
                workplace_id=workplace.id,
                organisation_id=actor.organisation_id,
                inspector_id=actor.user_id,
                visited_on=data.visited_on,
                announced=data.announced,
                women_met=data.women_met,
                men_met=data.men_met,
                others_met=data.others_met,
                indicators=list(data.indicators),
                findings=sorted({f.kind.value for f in found}),
                agency_id=agency_id,
                record_enc=encrypt_json(db.keyring, "inspection", inspection_id, record),
                created_at=now(),
            )
        )
        session.flush()
        if agency_id:
            violations = violations_of(
                [ViolationType.DOCUMENT_RETENTION]
                if data.documents_held and "CD01" in data.indicators
                else [],
                data.payments,
            )
            _record_violations(session, agency_id, violations, data.visited_on, inspection_id=inspection_id)
        _audit(session, db, actor, "labour.inspection.add", "inspection", inspection_id, findings=len(found))
    return inspection_id


@dataclass(frozen=True)
class ActionView:
    id: str
    kind: str
    finding: str | None
    status: str
    taken_on: dt.date
    due_on: dt.date | None
    closed_on: dt.date | None
    notes: str | None

    @property
    def open(self) -> bool:
        return self.status in (ActionStatus.OPEN.value, ActionStatus.APPEALED.value)


@dataclass(frozen=True)
class InspectionView:
    id: str
    workplace_id: str
    workplace: str
    sector: str
    region: str
    visited_on: dt.date
    announced: bool
    women_met: int
    men_met: int
    others_met: int
    indicators: list[str]
    findings: list[str]
    record: dict[str, Any]
    actions: list[ActionView]
    referrals: int
    suggests_referral: bool


def _inspection(
    db: Database, session: Session, actor: Actor, inspection_id: str, action: Action
) -> Inspection:
    row = session.get(Inspection, inspection_id) if is_record_id(inspection_id) else None
    holder = row.organisation_id if row is not None else "absent"
    decision = labour_decision(actor, action, holder)
    if not decision:
        refuse(db, actor, action, "inspection", inspection_id, decision.reason)
    assert row is not None  # noqa: S101 - an absent row is refused above as out of scope
    return row


def view_inspection(db: Database, actor: Actor, inspection_id: str) -> InspectionView:
    check(db, actor, Action.INSPECTION_READ, "inspection", inspection_id)
    with db.transaction() as session:
        row = _inspection(db, session, actor, inspection_id, Action.INSPECTION_READ)
        workplace = session.get(Workplace, row.workplace_id)
        assert workplace is not None  # noqa: S101 - foreign key
        record = decrypt_json(db.keyring, "inspection", row.id, row.record_enc)
        actions = [
            ActionView(
                a.id,
                a.kind,
                a.finding,
                a.status,
                a.taken_on,
                a.due_on,
                a.closed_on,
                _unseal(db, "labour_action_notes", a.id, a.notes_enc),
            )
            for a in session.execute(
                select(LabourAction)
                .where(LabourAction.inspection_id == row.id)
                .order_by(LabourAction.taken_on)
            ).scalars()
        ]
        referred = session.execute(
            select(func.count())
            .select_from(InspectionReferral)
            .where(InspectionReferral.inspection_id == row.id)
        ).scalar_one()
        visit = InspectionIn.model_validate(
            {
                **record,
                "workplace_id": row.workplace_id,
                "visited_on": row.visited_on,
                "announced": row.announced,
                "indicators": list(row.indicators),
            }
        )
        _audit(session, db, actor, "labour.inspection.read", "inspection", row.id)
        return InspectionView(
            row.id,
            workplace.id,
            _workplace_name(db, workplace),
            workplace.sector,
            workplace.region,
            row.visited_on,
            row.announced,
            row.women_met,
            row.men_met,
            row.others_met,
            list(row.indicators),
            list(row.findings),
            record,
            actions,
            int(referred),
            suggests_referral(visit),
        )


@dataclass(frozen=True)
class InspectionRow:
    id: str
    workplace: str
    sector: str
    visited_on: dt.date
    announced: bool
    findings: int
    open_actions: int


def list_inspections(db: Database, actor: Actor) -> list[InspectionRow]:
    check(db, actor, Action.INSPECTION_READ, "inspection")
    with db.transaction() as session:
        open_actions = dict(
            session.execute(
                select(LabourAction.inspection_id, func.count())
                .where(LabourAction.status.in_([ActionStatus.OPEN.value, ActionStatus.APPEALED.value]))
                .group_by(LabourAction.inspection_id)
            ).all()
        )
        out = []
        for row, workplace in session.execute(
            select(Inspection, Workplace)
            .join(Workplace, Workplace.id == Inspection.workplace_id)
            .where(Inspection.organisation_id == actor.organisation_id)
            .order_by(Inspection.visited_on.desc(), Inspection.created_at.desc())
        ).all():
            out.append(
                InspectionRow(
                    row.id,
                    _workplace_name(db, workplace),
                    workplace.sector,
                    row.visited_on,
                    row.announced,
                    len(row.findings or []),
                    int(open_actions.get(row.id, 0)),
                )
            )
        _audit(session, db, actor, "labour.inspection.list", "inspection", None)
        return out


def add_action(db: Database, actor: Actor, inspection_id: str, data: LabourActionIn) -> str:
    check(db, actor, Action.INSPECTION_RECORD, "inspection", inspection_id)
    with db.transaction() as session:
        row = _inspection(db, session, actor, inspection_id, Action.INSPECTION_RECORD)
        if data.due_on is not None and data.due_on < data.taken_on:
            raise InvalidInput("due_on: the deadline is before the day the action was taken", field="due_on")
        action_id = new_id()
        at = now()
        session.add(
            LabourAction(
                id=action_id,
                inspection_id=row.id,
                kind=data.kind.value,
                finding=data.finding.value if data.finding else None,
                status=ActionStatus.OPEN.value,
                taken_on=data.taken_on,
                due_on=data.due_on,
                notes_enc=_seal(db, "labour_action_notes", action_id, data.notes),
                recorded_by=actor.user_id,
                created_at=at,
                updated_at=at,
            )
        )
        _audit(session, db, actor, "labour.action.add", "inspection", row.id, action=action_id)
    return action_id


def update_action(db: Database, actor: Actor, action_id: str, data: ActionOutcomeIn) -> str:
    """Where an action stands (complied, appealed, not complied, withdrawn); returns the inspection id."""
    check(db, actor, Action.INSPECTION_RECORD, "labour_action", action_id)
    with db.transaction() as session:
        action = session.get(LabourAction, action_id) if is_record_id(action_id) else None
        if action is None:
            refuse(db, actor, Action.INSPECTION_RECORD, "labour_action", None, OUT_OF_SCOPE)
        row = _inspection(db, session, actor, action.inspection_id, Action.INSPECTION_RECORD)
        try:
            check_action_change(ActionStatus(action.status), data.status)
        except LabourRuleError as exc:
            raise _invalid(exc) from None
        if data.on < action.taken_on:
            raise InvalidInput("on: the day is before the action was taken", field="on")
        action.status = data.status.value
        action.closed_on = None if data.status in (ActionStatus.OPEN, ActionStatus.APPEALED) else data.on
        if data.notes:
            action.notes_enc = encrypt_text(db.keyring, "labour_action_notes", action.id, data.notes)
        action.updated_at = now()
        _audit(
            session,
            db,
            actor,
            "labour.action.update",
            "inspection",
            row.id,
            action=action.id,
            status=data.status.value,
        )
        return row.id


# -- a worker's consented referral into the NRM ---------------------------------------------------------


@dataclass(frozen=True)
class WorkerReferred:
    case_id: str
    screening_id: str
    presumed_victim: bool
    referral_id: str


def refer_worker(
    db: Database,
    actor: Actor,
    inspection_id: str,
    data: WorkerReferralIn,
    *,
    terms: ConsentTerms | None = None,
) -> WorkerReferred:
    """With her consent: a case for her (no name needed; her immigration status is never asked — the case's
    migration status stays "unknown"), her consent to screening and to the referral to the chosen service,
    her screening (the checklist indicators that apply to her) and the referral. Every step goes through the
    service a caseworker uses, so the consent gate and the firewall apply: a service of an enforcement
    organisation is refused before anything is written.

    All of it is one transaction: the case, her consent, her screening, the referral and the inspection's
    count are written together or not at all. A refusal at any step (the consent gate, say) rolls back
    every row and is audited by the step that refused."""
    from opennrm.services import cases, consent, referrals, screenings

    check(db, actor, Action.WORKER_REFER, "inspection", inspection_id)
    decision = decide(actor, Action.CASE_CREATE)
    if not decision:
        refuse(db, actor, Action.CASE_CREATE, "case", None, decision.reason)
    raw = screening_input(data)
    screenings.determine(raw)  # invalid screening input is refused before anything is written
    intake, request = _referral_inputs(data)
    with db.transaction() as session:
        _inspection(db, session, actor, inspection_id, Action.WORKER_REFER)
        her_consent = _worker_consent(data, _referral_recipient(session, data.service_id))
        case_id = cases.record_intake(session, db.keyring, actor, intake)
        consent.record_consent(db, actor, case_id, her_consent, terms=terms, session=session)
        screening_id, result = screenings.screen_case(db, actor, case_id, raw, session=session)
        sent = referrals.send_referral(db, actor, case_id, request, session=session)
        session.add(
            InspectionReferral(
                id=new_id(),
                inspection_id=inspection_id,
                case_id=case_id,
                referral_id=sent.id,
                referred_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(
            session,
            db,
            actor,
            "labour.worker.refer",
            "inspection",
            inspection_id,
            case=case_id,
            referral=sent.id,
        )
    return WorkerReferred(case_id, screening_id, bool(result["presumed_victim"]), sent.id)


def _referral_inputs(data: WorkerReferralIn) -> tuple[Intake, ReferralRequest]:
    """Her case and the referral request, checked before the transaction opens: a mistake here names its
    field and writes nothing."""
    intake = parse(
        Intake,
        {
            "case": {
                "trafficking_status": "possible_victim",
                "sex": data.sex,
                "age_at_trafficking": data.age,
                "age_uncertain": data.age_uncertain,
                "reasons_to_believe_minor": data.reasons_to_believe_minor,
                "languages": data.languages,
                "events": [{"exploitation_types": ["forced_labour"]}],
            }
        },
    )
    return intake, parse(ReferralRequest, {"service_id": data.service_id, "purpose": data.purpose})


def _worker_consent(data: WorkerReferralIn, recipient: str) -> Consent:
    """Her consent to screening and to the referral to the service's organisation."""
    from opennrm.services import consent

    try:
        return consent.parse_consent(
            {
                "purposes": [ConsentPurpose.REFERRAL.value, ConsentPurpose.SERVICES.value],
                "recipient_organisation_ids": [recipient],
                "language": data.consent_language,
                "interpreter_used": data.interpreter_used,
            }
        )
    except InvalidInput as exc:
        message = exc.message.removeprefix(f"{exc.field}: ") if exc.field else exc.message
        raise InvalidInput(f"consent_language: {message}", field="consent_language") from None


def _referral_recipient(session: Session, service_id: str) -> str:
    """The organisation of an active service of the directory a worker may be referred to; a service of an
    organisation behind the firewall is refused."""
    from opennrm.services.firewall import enforcement_types_in

    service = session.get(DirectoryService, service_id) if is_record_id(service_id) else None
    if service is None or not service.active:
        raise InvalidInput(f"no active service {service_id} in the directory", field="service_id")
    org = session.get(Organisation, service.organisation_id)
    if org is None or org.type in enforcement_types_in(session):
        raise InvalidInput(
            "this service's organisation can never receive person-level data (firewall)",
            field="service_id",
        )
    return service.organisation_id


def referral_services(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """The active services a worker may be referred to (id, name), never one behind the firewall."""
    from opennrm.services.firewall import enforcement_types_in

    check(db, actor, Action.WORKER_REFER, "inspection")
    with db.transaction() as session:
        blocked = enforcement_types_in(session)
        rows = session.execute(
            select(DirectoryService.id, DirectoryService.name, Organisation.type)
            .join(Organisation, Organisation.id == DirectoryService.organisation_id)
            .where(DirectoryService.active.is_(True))
            .order_by(DirectoryService.name)
        ).all()
        return [(r.id, r.name) for r in rows if r.type not in blocked]


# -- statistics ---------------------------------------------------------------------------------------


def check_aggregates(db: Database, actor: Actor) -> None:
    """Refuse (audited) whoever may not read aggregate figures (the general rule: any signed-in user)."""
    decision = decide(actor, Action.AGGREGATE_READ)
    if not decision:
        refuse(db, actor, Action.AGGREGATE_READ, "statistics", None, decision.reason)


def counts(db: Database, actor_id: str, *, year: int | None = None) -> LabourCounts:
    """Inspections, violations, workers referred and agencies sanctioned (in ``year``, or all time), with
    small cells shown as "<11"; audited as a statistics read. No person-level data is read."""
    start = dt.date(year, 1, 1) if year else dt.date(1900, 1, 1)
    end = dt.date(year, 12, 31) if year else dt.date(9999, 12, 31)
    with db.transaction() as session:
        referred = dict(
            session.execute(
                select(InspectionReferral.inspection_id, func.count()).group_by(
                    InspectionReferral.inspection_id
                )
            ).all()
        )
        facts = [
            InspectionFacts(sector, announced, tuple(found or ()), int(referred.get(inspection_id, 0)))
            for inspection_id, sector, announced, found in session.execute(
                select(Inspection.id, Workplace.sector, Inspection.announced, Inspection.findings)
                .join(Workplace, Workplace.id == Inspection.workplace_id)
                .where(Inspection.visited_on >= start, Inspection.visited_on <= end)
            ).all()
        ]
        violations = list(
            session.execute(
                select(AgencyViolation.type).where(
                    AgencyViolation.found_on >= start, AgencyViolation.found_on <= end
                )
            ).scalars()
        )
        events: dict[str, list[LicenceEvent]] = defaultdict(list)
        for agency_id, status, effective_on in session.execute(
            select(AgencyLicence.agency_id, LicenceEventRow.status, LicenceEventRow.effective_on).join(
                LicenceEventRow, LicenceEventRow.licence_id == AgencyLicence.id
            )
        ).all():
            events[agency_id].append(LicenceEvent(LicenceStatus(status), effective_on))
        sanctioned = sum(1 for evs in events.values() if sanctioned_between(evs, start, end))
        audit.record_one(session, db.keyring, AuditEntry(actor_id, "labour.count", "statistics", None))
    return count_labour(facts, violations, sanctioned)


__all__: Sequence[str] = ("CHECKLIST", "NOT_IN_FORCE", "employer_pays_violations")
