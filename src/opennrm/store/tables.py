"""Database tables (SQLAlchemy 2). Columns ending in ``_enc`` hold AES-GCM ciphertexts (see ``keys``);
columns ending in ``_index`` hold keyed blind indexes. No other column holds identifying data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from opennrm.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = String(36)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AppMeta(Base):
    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    country: Mapped[str | None] = mapped_column(String(2))
    """ISO 3166-1 alpha-2 code of the country it works in; required for a partner abroad."""


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    role: Mapped[str] = mapped_column(String(40))
    team: Mapped[str | None] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(20))
    """The interface language the user last chose with the switcher (a tag such as ``ar``); follows her
    from device to device. None: negotiated from the cookie and the browser."""


class RecoveryCode(Base):
    """A single-use code that stands in for the one-time code when the authenticator is lost. Only its
    argon2id hash is stored (ASVS 6.5.2)."""

    __tablename__ = "recovery_codes"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class LoginSession(Base):
    """Server-side session. ``id`` is the SHA-256 of the cookie token, never the token itself."""

    __tablename__ = "login_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Person(Base):
    __tablename__ = "persons"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    survivor_code_index: Mapped[str] = mapped_column(String(32), unique=True)
    survivor_code_enc: Mapped[bytes] = mapped_column(LargeBinary)
    phone_index: Mapped[str | None] = mapped_column(String(32), index=True)
    identity_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    team: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(40))
    trafficking_status: Mapped[str] = mapped_column(String(40))
    identified_on: Mapped[dt.date] = mapped_column(Date)
    age_at_trafficking: Mapped[int | None] = mapped_column(Integer)
    is_child: Mapped[bool | None] = mapped_column(Boolean)
    """A child when trafficked, or presumed one (``opennrm.domain.age.child_when_trafficked``)."""
    age_uncertain: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reasons_to_believe_minor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    sex: Mapped[str] = mapped_column(String(20))
    gender: Mapped[str] = mapped_column(String(40))
    citizenship: Mapped[list[str]] = mapped_column(JSON)
    migration_status: Mapped[str] = mapped_column(String(40))
    languages: Mapped[list[str]] = mapped_column(JSON)
    disability: Mapped[list[str]] = mapped_column(JSON)
    ethnicity: Mapped[str | None] = mapped_column(String(200))
    socioeconomic: Mapped[list[str]] = mapped_column(JSON)
    education: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(200))
    primary_exploitation: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    identification_stage: Mapped[str | None] = mapped_column(String(20))
    """The kind (``first``, ``final``) of the identification decision in force, set only by decisions."""
    move_on_until: Mapped[dt.date | None] = mapped_column(Date)
    """After a negative identification decision, assistance goes on until this day (the move-on period)."""
    status_imported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The trafficking status came from an import (``opennrm import cases``, the HTCDS import), not from a
    screening or an identification decision; cleared when a decision sets the status."""

    __table_args__ = (
        Index("ix_cases_org_created", "organisation_id", "created_at"),
        # each filter of the case list, with the list's date order, so a page is read off one index
        Index("ix_cases_org_status_created", "organisation_id", "status", "created_at"),
        Index("ix_cases_org_exploitation_created", "organisation_id", "primary_exploitation", "created_at"),
        Index("ix_cases_org_sex_created", "organisation_id", "sex", "created_at"),
        Index("ix_cases_team_created", "team", "created_at"),
        Index("ix_cases_created_by_created", "created_by", "created_at"),
    )


class CaseAssignment(Base):
    __tablename__ = "case_assignments"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)


class ExploitationEventRow(Base):
    __tablename__ = "exploitation_events"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    event_type: Mapped[str] = mapped_column(String(20))
    exploitation_types: Mapped[list[str]] = mapped_column(JSON)
    means_of_control: Mapped[list[str]] = mapped_column(JSON)
    recruitment_method: Mapped[str | None] = mapped_column(String(40))
    recruiter_relationship: Mapped[str | None] = mapped_column(String(40))
    online_platforms: Mapped[list[str]] = mapped_column(JSON)
    country: Mapped[str | None] = mapped_column(String(2))
    place_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class CaseNote(Base):
    __tablename__ = "case_notes"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    uploaded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    filename_enc: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Screening(Base):
    """A presumed-victim screening stored on a case. The input and the explained result are encrypted;
    the plain columns are what lists and statistics need."""

    __tablename__ = "screenings"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    screened_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    presumed_victim: Mapped[bool] = mapped_column(Boolean)
    near_miss: Mapped[bool] = mapped_column(Boolean)
    child: Mapped[bool] = mapped_column(Boolean)
    rule: Mapped[str] = mapped_column(String(40))
    profile: Mapped[str] = mapped_column(String(40))
    catalogue_version: Mapped[str] = mapped_column(String(80))
    provisional: Mapped[bool] = mapped_column(Boolean)
    record_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ScreeningDraft(Base):
    """An unfinished screening: one per case and user, the answers so far encrypted (bound to the row id),
    deleted when the screening is submitted. Only its owner resumes it."""

    __tablename__ = "screening_drafts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    section: Mapped[int] = mapped_column(Integer)
    payload_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("case_id", "user_id"),)


class ConsentRecord(Base):
    """Informed consent to share a case's data: who gave it, for which purposes, to whom, in which language,
    with or without an interpreter, when, until when, and whether it was revoked."""

    __tablename__ = "consents"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    given_by: Mapped[str] = mapped_column(String(40))
    purposes: Mapped[list[str]] = mapped_column(JSON)
    recipient_organisation_ids: Mapped[list[str]] = mapped_column(JSON)
    recipient_types: Mapped[list[str]] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(8))
    interpreter_used: Mapped[bool] = mapped_column(Boolean)
    given_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    basis_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class Disclosure(Base):
    """Identifiable data of a case made available to another organisation: under a consent, or under a
    recorded best-interests override. Open disclosures give the recipient its need-to-know fields."""

    __tablename__ = "disclosures"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    recipient_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    fields: Mapped[list[str]] = mapped_column(JSON)
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("consents.id"), index=True)
    override_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """One link of the audit hash chain. Holds identifiers and action names only, never personal data."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(36))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last link of the chain, sealed, so that cutting events off the end is caught too."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(String(64))


# -- referral network (issue 5) -----------------------------------------------------------------------


class DirectoryService(Base):
    """A service an organisation offers in the referral network's directory. ``place`` is a town or
    district, never a shelter's address; ``place_key`` is its case-folded form for search."""

    __tablename__ = "directory_services"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    service_type: Mapped[str] = mapped_column(String(40))
    attributes: Mapped[list[str]] = mapped_column(JSON)
    languages: Mapped[list[str]] = mapped_column(JSON)
    capacity: Mapped[int | None] = mapped_column(Integer)
    available: Mapped[int | None] = mapped_column(Integer)
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    place_key: Mapped[str] = mapped_column(String(200))
    nationwide: Mapped[bool] = mapped_column(Boolean)
    accessibility: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_directory_services_type_place", "service_type", "place_key"),)


class Referral(Base):
    """A referral of a case to a listed service. It rests on one disclosure opened by the consent gate with
    the service type's need-to-know fields; the disclosure closes when the referral does."""

    __tablename__ = "referrals"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str] = mapped_column(ForeignKey("directory_services.id"), index=True)
    sender_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    recipient_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    service_type: Mapped[str] = mapped_column(String(40))
    urgency: Mapped[str] = mapped_column(String(20))
    purpose_enc: Mapped[bytes] = mapped_column(LargeBinary)
    consent_id: Mapped[str | None] = mapped_column(ForeignKey("consents.id"), index=True)
    disclosure_id: Mapped[str] = mapped_column(ForeignKey("disclosures.id"), index=True)
    fields: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    sent_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    respond_by: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    responded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(String(40))
    decline_reason: Mapped[str | None] = mapped_column(String(40))
    decline_note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_referrals_status_recipient", "status", "recipient_organisation_id"),
        Index("ix_referrals_status_respond_by", "status", "respond_by", "recipient_organisation_id"),
        Index("ix_referrals_sender_created", "sender_organisation_id", "created_at"),
        Index("ix_referrals_recipient_created", "recipient_organisation_id", "created_at"),
        Index("ix_referrals_status_decline_reason", "status", "decline_reason"),
    )


class ReferralEscalation(Base):
    """A referral that was not answered in time, raised to the supervisors of both organisations and
    counted on the coordinator's dashboard until it is answered, revoked or expires."""

    __tablename__ = "referral_escalations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    sender_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    recipient_organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ServiceGap(Base):
    """A need the network could not meet: no service listed, no free place, or not in the language. Holds no
    reference to the case: the dashboard only counts these by need, place and language."""

    __tablename__ = "service_gaps"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_type: Mapped[str] = mapped_column(String(40))
    place: Mapped[str | None] = mapped_column(String(200))
    place_key: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_service_gaps_type_place_language", "service_type", "place_key", "language"),)


class FirstService(Base):
    """When a case first received a service (its first accepted referral), for the time from identification
    to first service."""

    __tablename__ = "first_services"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"))
    identified_on: Mapped[dt.date] = mapped_column(Date)
    served_on: Mapped[dt.date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer, index=True)


class CaseEntitlement(Base):
    """A case's unconditional entitlements as changed by its caseworkers (defaults apply until then)."""

    __tablename__ = "case_entitlements"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    reflection_start: Mapped[dt.date | None] = mapped_column(Date)
    reflection_days: Mapped[int | None] = mapped_column(Integer)
    residence_permit: Mapped[str | None] = mapped_column(String(20))
    legal_aid: Mapped[str | None] = mapped_column(String(20))
    interpreter: Mapped[str | None] = mapped_column(String(20))
    interpreter_language: Mapped[str | None] = mapped_column(String(8))
    guardian_appointed_on: Mapped[dt.date | None] = mapped_column(Date)
    best_interests_determined_on: Mapped[dt.date | None] = mapped_column(Date)
    unaccompanied: Mapped[bool | None] = mapped_column(Boolean)
    family_traced_on: Mapped[dt.date | None] = mapped_column(Date)
    reunification_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RiskAssessment(Base):
    """A risk assessment on return (non-refoulement). The summary is encrypted."""

    __tablename__ = "risk_assessments"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    risk_found: Mapped[bool] = mapped_column(Boolean)
    risks: Mapped[list[str]] = mapped_column(JSON)
    summary_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    assessed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class CaseOutcomePlan(Base):
    """A planned outcome of a case (local integration, resettlement or return), recorded only when the rules
    allow it."""

    __tablename__ = "case_outcomes"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    outcome: Mapped[str] = mapped_column(String(40))
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class NonPunishmentMatter(Base):
    """A measure taken against her by the authorities (arrest, charge, detention, prosecution, conviction,
    penalty for irregular entry or stay) linked to her being trafficked, recorded with her consent so that
    she can be protected from punishment (GR38 §98). Not an offender flag (DESIGN invariant 6): it names
    what was done to her. The jurisdiction's details, the dates and the link to her trafficking are
    encrypted; the plain columns are what the flag and the counts need."""

    __tablename__ = "non_punishment_matters"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    measure: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    legal_aid: Mapped[str] = mapped_column(String(20))
    jurisdiction_country: Mapped[str] = mapped_column(String(2))
    record_enc: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RecordClearanceRequest(Base):
    """A request to clear her record of a conviction or penalty that followed from her being trafficked
    (GR38 §98(c)), and where it stands. Where it is filed and the note are encrypted."""

    __tablename__ = "record_clearance_requests"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    matter_id: Mapped[str] = mapped_column(
        ForeignKey("non_punishment_matters.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    details_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RemedyClaim(Base):
    """A compensation or back-wage claim of hers (GR38 §101): the route, who is to pay, where it stands, the
    amounts in integer minor units of one ISO 4217 currency, and the dates. Her notes are encrypted. No
    column says anything about confiscated assets: no claim depends on them (GR38 §101, §108)."""

    __tablename__ = "remedy_claims"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    route: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    payer: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    claimed_minor: Mapped[int] = mapped_column(BigInteger)
    awarded_minor: Mapped[int | None] = mapped_column(BigInteger)
    filed_on: Mapped[dt.date | None] = mapped_column(Date)
    awarded_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RemedyPayment(Base):
    """One payment she received on a claim, in the claim's currency (minor units)."""

    __tablename__ = "remedy_payments"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("remedy_claims.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    payer: Mapped[str] = mapped_column(String(20))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ProceedsAllocation(Base):
    """Confiscated proceeds allocated to her (GR38 §108), shown on her claim; written by the finance module.
    Where they come from is encrypted. It changes nothing about the claim."""

    __tablename__ = "proceeds_allocations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("remedy_claims.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    source_enc: Mapped[bytes] = mapped_column(LargeBinary)
    allocated_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class JusticeAggregate(Base):
    """Perpetrators investigated, prosecuted or convicted in a year, by form of exploitation, sex, age group
    and nationality (GR38 §110): a count, entered by the secretariat. No column links it to a case, a person
    or a victim."""

    __tablename__ = "justice_aggregates"
    __table_args__ = (
        UniqueConstraint(
            "year",
            "stage",
            "exploitation",
            "sex",
            "age_group",
            "nationality",
            name="uq_justice_aggregates_cell",
        ),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))
    exploitation: Mapped[str] = mapped_column(String(40))
    sex: Mapped[str] = mapped_column(String(10))
    age_group: Mapped[str] = mapped_column(String(10))
    nationality: Mapped[str] = mapped_column(String(7))
    count: Mapped[int] = mapped_column(Integer)
    entered_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AdScan(Base):
    """A batch of online job ads scanned for deceptive-recruitment risk and held for review by the
    organisation that scanned them. ``name`` is the reviewer's label for the batch (e.g. a crawl's date)."""

    __tablename__ = "ad_scans"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(200))
    ad_count: Mapped[int] = mapped_column(Integer)
    malformed_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ScannedAd(Base):
    """One scanned ad. The ad (its text, contacts, employer) and its scan result (flags with evidence,
    identifiers) are encrypted together; the plain columns are what the review queues sort and group by.
    ``ad_ref`` is the platform's id for the ad."""

    __tablename__ = "scanned_ads"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("ad_scans.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    ad_ref: Mapped[str] = mapped_column(String(200))
    risk: Mapped[float] = mapped_column(Float)
    actor_key: Mapped[str] = mapped_column(String(240))
    actor_risk: Mapped[float] = mapped_column(Float)
    template_key: Mapped[str | None] = mapped_column(String(240))
    lang: Mapped[str] = mapped_column(String(20))
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        # the queue's order (riskiest first, network risk, then input order), so a page is an index walk
        Index("ix_scanned_ads_queue", "scan_id", risk.desc(), actor_risk.desc(), "position"),
        Index("ix_scanned_ads_network", "scan_id", "actor_key", risk.desc(), "position"),
        Index("ix_scanned_ads_scan_position", "scan_id", "position", unique=True),
        Index("ix_scanned_ads_scan_ref", "scan_id", "ad_ref"),
    )


class AdNetwork(Base):
    """An actor network of a scan (two or more of its ads joined by shared contacts or templates), computed
    once when the scan is stored so that the network queue is an index walk: its risk (the scan's network
    risk), how many of the scan's ads it holds and the risk of its riskiest ad."""

    __tablename__ = "ad_networks"
    scan_id: Mapped[str] = mapped_column(ForeignKey("ad_scans.id", ondelete="CASCADE"), primary_key=True)
    actor_key: Mapped[str] = mapped_column(String(240), primary_key=True)
    risk: Mapped[float] = mapped_column(Float)
    size: Mapped[int] = mapped_column(Integer)
    top_ad_risk: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_ad_networks_queue", "scan_id", risk.desc(), size.desc(), "actor_key"),)


class AdReview(Base):
    """A reviewer's decision on a scanned ad (deceptive, legitimate or unsure); the latest one counts.
    Decisions are kept, never overwritten, and feed training (``opennrm ads labels``)."""

    __tablename__ = "ad_reviews"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    scanned_ad_id: Mapped[str] = mapped_column(ForeignKey("scanned_ads.id", ondelete="CASCADE"))
    scan_id: Mapped[str] = mapped_column(ForeignKey("ad_scans.id", ondelete="CASCADE"))
    reviewer_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_ad_reviews_ad_decided", "scanned_ad_id", "decided_at"),
        Index("ix_ad_reviews_scan_ad", "scan_id", "scanned_ad_id"),
    )


# -- signals shared between platforms about recruiters (issue 18) ---------------------------------------


class RecruitmentSignal(Base):
    """A signal about a recruiter (GR38 §74): a keyed hash of a contact, or a PDQ hash of an ad image.

    ``direction`` ``own``: made from a reviewer's decision in this installation (``review_id``); ``received``:
    read from another organisation's exchange file (``source``). ``value`` is the keyed hash (not
    reversible without the exchange key) or the PDQ hash, plain so that matching is an index lookup. A
    withdrawn or expired signal is never exported again and never matched."""

    __tablename__ = "recruitment_signals"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    direction: Mapped[str] = mapped_column(String(10))
    exchange_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(40))
    confidence: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))
    review_id: Mapped[str | None] = mapped_column(ForeignKey("ad_reviews.id", ondelete="SET NULL"))
    scanned_ad_id: Mapped[str | None] = mapped_column(ForeignKey("scanned_ads.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12))
    status_reason: Mapped[str | None] = mapped_column(String(40))
    seen: Mapped[int] = mapped_column(Integer, default=0)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    disputed: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index(
            "ix_recruitment_signals_exchange",
            "organisation_id",
            "direction",
            "source",
            "exchange_id",
            unique=True,
        ),
        Index("ix_recruitment_signals_match", "organisation_id", "direction", "status", "value"),
    )


class RecruitmentSignalOpinion(Base):
    """A receiver's latest opinion (seen, confirmed, disputed) on one of this installation's own signals, as
    its exchange file last said: one row per (signal, receiver), so that importing the same file again
    counts nothing twice. The counts on ``RecruitmentSignal`` are recomputed from these rows."""

    __tablename__ = "recruitment_signal_opinions"
    signal_id: Mapped[str] = mapped_column(
        ForeignKey("recruitment_signals.id", ondelete="CASCADE"), primary_key=True
    )
    receiver: Mapped[str] = mapped_column(String(200), primary_key=True)
    opinion: Mapped[str] = mapped_column(String(12))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RecruitmentSignalMatch(Base):
    """A scanned ad whose contacts match a received signal: a flag for the reviewer, never an action.
    ``feedback`` is the reviewer's opinion (confirmed or disputed), sent back in the next export."""

    __tablename__ = "recruitment_signal_matches"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    signal_id: Mapped[str] = mapped_column(ForeignKey("recruitment_signals.id", ondelete="CASCADE"))
    scanned_ad_id: Mapped[str] = mapped_column(ForeignKey("scanned_ads.id", ondelete="CASCADE"))
    matched_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    feedback: Mapped[str | None] = mapped_column(String(12))
    feedback_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    feedback_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_recruitment_signal_matches_ad", "scanned_ad_id", "signal_id", unique=True),
        Index("ix_recruitment_signal_matches_signal", "signal_id"),
    )


# -- identification decisions (issue 14) ----------------------------------------------------------------


class IdentificationPanel(Base):
    """A multi-agency panel convened to decide whether a presumed victim is identified (GR38 §78). It follows
    one national procedure; ``next_stage`` and ``due_on`` say what it must decide next and by when."""

    __tablename__ = "identification_panels"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    procedure: Mapped[str] = mapped_column(String(40))
    procedure_version: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    next_stage: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    convened_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    convened_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_identification_panels_status_due", "status", "due_on"),)


class PanelMember(Base):
    """An organisation on a panel. Another organisation than the case's owner reads the case under the
    disclosure the consent gate opened for it; a recusal is recorded with its reason (encrypted)."""

    __tablename__ = "panel_members"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    panel_id: Mapped[str] = mapped_column(
        ForeignKey("identification_panels.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    disclosure_id: Mapped[str | None] = mapped_column(ForeignKey("disclosures.id"))
    recused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    recused_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    recusal_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


class IdentificationDecision(Base):
    """A panel's decision at one stage: the outcome, the screening and indicators it rests on, its reasons
    and any dissent (encrypted), when it was due and taken. Nothing about cooperation with the police or
    criminal proceedings (GR38 §78). A reconsideration that overturns a decision adds a new one and takes
    the old one out of force."""

    __tablename__ = "identification_decisions"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    panel_id: Mapped[str] = mapped_column(
        ForeignKey("identification_panels.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(40))
    stage_kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    screening_id: Mapped[str] = mapped_column(ForeignKey("screenings.id"))
    indicators: Mapped[list[str]] = mapped_column(JSON)
    reasons_enc: Mapped[bytes] = mapped_column(LargeBinary)
    dissent_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_by_organisation: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    started_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    recorded_on: Mapped[dt.date] = mapped_column(Date)  # when she is told: her periods run from it
    working_days_taken: Mapped[int] = mapped_column(Integer)
    in_force: Mapped[bool] = mapped_column(Boolean)
    reconsideration_of: Mapped[str | None] = mapped_column(ForeignKey("identification_decisions.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # GR38 §78, multi-agency: proposed by a member of one organisation (``decided_by``), taken when a member
    # of another confirms it; a proposal declined stays on record with the reason.
    state: Mapped[str] = mapped_column(String(20), default="taken", server_default="taken")
    confirmed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    second_organisation: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    declined_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    declined_reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (Index("ix_identification_decisions_stage_outcome", "stage_kind", "outcome"),)


class Reconsideration(Base):
    """Her request that a decision be looked at again, and its answer by members of two organisations who
    did not take it."""

    __tablename__ = "reconsiderations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    decision_id: Mapped[str] = mapped_column(ForeignKey("identification_decisions.id", ondelete="CASCADE"))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    requested_on: Mapped[dt.date] = mapped_column(Date)
    grounds_enc: Mapped[bytes] = mapped_column(LargeBinary)
    due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(20))
    reasons_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    new_decision_id: Mapped[str | None] = mapped_column(ForeignKey("identification_decisions.id"))
    # the answer is proposed by ``decided_by`` of one organisation and confirmed by a member of another
    answered_by_organisation: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))
    confirmed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    second_organisation: Mapped[str | None] = mapped_column(ForeignKey("organisations.id"))


class Dependant(Base):
    """A child or other dependant who came with her (GR38 §84, §95): entitled to assistance too. Her name,
    birth date, age and notes are encrypted; the plain columns are what the entitlements and counts need."""

    __tablename__ = "dependants"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    relationship: Mapped[str] = mapped_column(String(20))
    with_her: Mapped[bool] = mapped_column(Boolean)
    needs: Mapped[list[str]] = mapped_column(JSON)
    details_enc: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # the day the best interests of this child in a move were assessed: a return or resettlement waits for it
    best_interests_on: Mapped[dt.date | None] = mapped_column(Date)


class MovePlan(Base):
    """A return, resettlement or transfer planned for her, recorded only when the rules allow it
    (``opennrm.domain.services.move_refusal``). The plan itself is encrypted."""

    __tablename__ = "move_plans"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    move: Mapped[str] = mapped_column(String(20))
    destination_country: Mapped[str] = mapped_column(String(2))
    planned_on: Mapped[dt.date] = mapped_column(Date)
    plan_enc: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FollowUp(Base):
    """A follow-up contact after a return, a resettlement or her exit from services, due 1, 3, 6 and 12
    months after (GR38 §89–91): what was found (structured) and encrypted notes."""

    __tablename__ = "follow_ups"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    anchor_id: Mapped[str | None] = mapped_column(String(36))
    """The move plan it follows (None after an exit from services)."""
    months: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20))
    contacted_on: Mapped[dt.date | None] = mapped_column(Date)
    safety: Mapped[str | None] = mapped_column(String(20))
    housing: Mapped[str | None] = mapped_column(String(20))
    income: Mapped[str | None] = mapped_column(String(20))
    re_trafficking_risk: Mapped[str | None] = mapped_column(String(20))
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LinkageToken(Base):
    """A record token of a linkage export: opaque, random, new in each export; the only way back from the
    secretariat's answer (``record_token,person``) to one of this installation's persons. Never leaves it."""

    __tablename__ = "linkage_tokens"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    export_id: Mapped[str] = mapped_column(ID, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class NationalPerson(Base):
    """The national person id the secretariat's linkage gave one of this installation's persons: statistics
    count national persons once. Opaque; replaced by each resolve."""

    __tablename__ = "national_persons"
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True)
    national_id: Mapped[str] = mapped_column(String(64), index=True)
    resolved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# -- anonymous reporting and hotline intake (issue 15) ------------------------------------------------------


class AnonymousReport(Base):
    """A report sent without an account (GR38 §54(d), §100). Nothing about the sender is kept: no address,
    no header, no account. ``receipt_hash`` is the Argon2id hash of her receipt (with the installation's
    pepper, which is outside the database); what she wrote, her region and her wishes are in ``body_enc``."""

    __tablename__ = "anonymous_reports"
    __table_args__ = (
        Index("ix_anonymous_reports_queue", "organisation_id", "status", "created_at"),
        Index("ix_anonymous_reports_recent", "organisation_id", "created_at"),
    )
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    receipt_hash: Mapped[str] = mapped_column(String(200), unique=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    """The receiving organisation (the secretariat or a hotline NGO; never an enforcement organisation)."""
    locale: Mapped[str] = mapped_column(String(10))
    about: Mapped[str | None] = mapped_column(String(20))
    concerns: Mapped[list[str]] = mapped_column(JSON)
    sector: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    retention_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    reporter_wrote_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    """When she last wrote (the queue shows reports with news for the organisation first)."""
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    purge_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)


class ReportMessage(Base):
    """One message of the two-way exchange: from her (``reporter``) or from the organisation (``staff``)."""

    __tablename__ = "report_messages"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("anonymous_reports.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    body_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ReportAttachment(Base):
    """A file she sent: images re-encoded without metadata; its name and content encrypted."""

    __tablename__ = "report_attachments"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("anonymous_reports.id", ondelete="CASCADE"), index=True)
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    filename_enc: Mapped[bytes] = mapped_column(LargeBinary)
    content_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class HotlineContact(Base):
    """One contact with the 24/7 hotline (GR38 §99): a call, chat, message or visit, as the operator records
    it live. Her number is kept only as a blind index (to link repeat contacts); the safe-callback details and
    the notes are encrypted."""

    __tablename__ = "hotline_contacts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    operator_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(String(20))
    contact_type: Mapped[str] = mapped_column(String(20))
    """``data`` (about a situation) or a non-data kind (``silent``, ``hang_up``, ``information`` …)."""
    language: Mapped[str | None] = mapped_column(String(10))
    interpreter: Mapped[str | None] = mapped_column(String(20))
    caller: Mapped[str | None] = mapped_column(String(20))
    categories: Mapped[list[str]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(20))
    immediate_danger: Mapped[bool] = mapped_column(Boolean, default=False)
    actions: Mapped[list[str]] = mapped_column(JSON)
    people_at_risk: Mapped[int] = mapped_column(Integer, default=0)
    callback_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_index: Mapped[str | None] = mapped_column(String(32), index=True)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# -- labour inspection and recruitment agencies (issue 19) ------------------------------------------------


class RecruitmentAgency(Base):
    """A recruitment agency in the national registry (GR38 §59). Public: a jobseeker may check it.
    ``name_key`` is the normalised name the public check and the ad scanner compare."""

    __tablename__ = "recruitment_agencies"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    registration_ref: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    """The labour inspectorate that keeps the entry."""
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AgencyLicence(Base):
    """A licence of an agency: its number (``number_key`` normalised, unique), who issued it, the countries it
    serves and its last valid day. Its status is read as of a date from ``LicenceEventRow``."""

    __tablename__ = "agency_licences"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("recruitment_agencies.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(60))
    number_key: Mapped[str] = mapped_column(String(60), unique=True)
    issuing_authority: Mapped[str] = mapped_column(String(200))
    countries_served: Mapped[list[str]] = mapped_column(JSON)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LicenceEventRow(Base):
    """One change of a licence's status from the day it takes effect: active, suspended, revoked, expired."""

    __tablename__ = "licence_events"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    licence_id: Mapped[str] = mapped_column(ForeignKey("agency_licences.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[dt.date] = mapped_column(Date)
    decision_ref: Mapped[str | None] = mapped_column(String(200))
    reason_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AgencyComplaint(Base):
    """A complaint against an agency, held by the inspectorate that received it. Who complained is never
    asked; what was alleged and the costs paid are plain (vocabularies and amounts), the summary encrypted."""

    __tablename__ = "agency_complaints"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("recruitment_agencies.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    received_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))
    allegations: Mapped[list[str]] = mapped_column(JSON)
    payments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    summary_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_ref: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class AgencyViolation(Base):
    """A violation established against an agency (an upheld complaint or an inspection), by type."""

    __tablename__ = "agency_violations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    agency_id: Mapped[str] = mapped_column(
        ForeignKey("recruitment_agencies.id", ondelete="CASCADE"), index=True
    )
    complaint_id: Mapped[str | None] = mapped_column(ForeignKey("agency_complaints.id", ondelete="CASCADE"))
    inspection_id: Mapped[str | None] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(30))
    found_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Workplace(Base):
    """A workplace an inspectorate inspects: its sector and region plain (the risk order and statistics read
    them), its name encrypted (a domestic worker's workplace is a private household)."""

    __tablename__ = "workplaces"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    sector: Mapped[str] = mapped_column(String(20))
    region: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("recruitment_agencies.id", ondelete="SET NULL"))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Inspection(Base):
    """One inspection visit: announced or not, how many workers were met (counts, never who), the checklist
    (screening indicator ids) and the kinds of findings plain; wages, hours, deductions, housing, documents
    and notes encrypted. No column holds a worker's identity or immigration status (GR38 §54(c))."""

    __tablename__ = "inspections"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    workplace_id: Mapped[str] = mapped_column(ForeignKey("workplaces.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    inspector_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    visited_on: Mapped[dt.date] = mapped_column(Date)
    announced: Mapped[bool] = mapped_column(Boolean)
    women_met: Mapped[int] = mapped_column(Integer)
    men_met: Mapped[int] = mapped_column(Integer)
    others_met: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[list[str]] = mapped_column(JSON)
    findings: Mapped[list[str]] = mapped_column(JSON)
    agency_id: Mapped[str | None] = mapped_column(ForeignKey("recruitment_agencies.id", ondelete="SET NULL"))
    record_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LabourAction(Base):
    """A labour-law action taken on an inspection's findings, tracked to its outcome."""

    __tablename__ = "labour_actions"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    finding: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20))
    taken_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    notes_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class InspectionReferral(Base):
    """A worker met at an inspection who consented to screening and a referral: the link from the visit to
    her case (which the case policy guards) and the referral sent. Counted as "workers referred"."""

    __tablename__ = "inspection_referrals"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    referral_id: Mapped[str | None] = mapped_column(ForeignKey("referrals.id", ondelete="SET NULL"))
    referred_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# -- operations: the job queue and notifications (migration 0023) -----------------------------------------


class Job(Base):
    """A unit of background work: a periodic task's run or long work started from a page (an upload of
    ads). Claimed by one worker at a time under a lease (``services/jobs.py``); a worker that dies leaves
    its lease to run out and the job to be claimed again. ``payload_enc`` holds the input, encrypted;
    ``result`` and ``error`` hold ids, counts and codes only."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    """Set for a periodic task's run (``periodic:<task>:<slot>``): two workers enqueue it once."""
    payload_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    run_after: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claim_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[Any | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_jobs_status_run_after", "status", "run_after"),)


class Notification(Base):
    """An in-app notice: its kind and a link into the product, never a name or a case's content."""

    __tablename__ = "notifications"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(Base):
    """What a user is told, and where: ``id`` is the user's id; the e-mail address is encrypted."""

    __tablename__ = "notification_preferences"
    id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    in_app: Mapped[list[str]] = mapped_column(JSON)
    """The kinds shown in the product."""
    email: Mapped[list[str]] = mapped_column(JSON)
    """The kinds also sent by e-mail."""
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


# -- financial flows (GR38 §72, §108, §112(e)) --------------------------------------------------------------


class FinanceInvestigation(Base):
    """A financial investigation, held by one organisation (a financial intelligence unit) and seen by no
    other. Its title may name a suspect, so it is encrypted. It holds no case data."""

    __tablename__ = "finance_investigations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    title_enc: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FinanceDataset(Base):
    """Transactions uploaded to an investigation (canonical form, as Parquet) and the default scoring of
    them, both encrypted: account numbers and amounts are personal data of the account holders."""

    __tablename__ = "finance_datasets"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    investigation_id: Mapped[str] = mapped_column(
        ForeignKey("finance_investigations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    transactions_enc: Mapped[bytes] = mapped_column(LargeBinary)
    results_enc: Mapped[bytes] = mapped_column(LargeBinary)
    transaction_count: Mapped[int] = mapped_column(Integer)
    account_count: Mapped[int] = mapped_column(Integer)
    rejected_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FinanceConfiscation(Base):
    """An amount confiscated in an investigation (the order's reference encrypted), available to be
    allocated to victims' compensation claims (§108). No claim waits for one."""

    __tablename__ = "finance_confiscations"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    investigation_id: Mapped[str] = mapped_column(ForeignKey("finance_investigations.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    order_enc: Mapped[bytes] = mapped_column(LargeBinary)
    confiscated_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FinanceRestitution(Base):
    """The ledger line of one allocation: how much of a confiscation went to a claim's proceeds allocation.
    The investigation's side sees amounts only; the claim is reached from the remedies side alone."""

    __tablename__ = "finance_restitutions"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    confiscation_id: Mapped[str] = mapped_column(ForeignKey("finance_confiscations.id"), index=True)
    allocation_id: Mapped[str | None] = mapped_column(
        ForeignKey("proceeds_allocations.id", ondelete="SET NULL"), index=True
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class FinanceConsentedAccount(Base):
    """Her own account identifier (encrypted), recorded on her case with her consent for the purpose
    ``compensation`` naming one financial intelligence unit: that unit traces from it, shown as an opaque
    label, only while the consent is in force (``access.policy.consented_seed_decision``). The unit never
    reads the case; ``case_id`` is for the caseworker's side."""

    __tablename__ = "finance_consented_accounts"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    consent_id: Mapped[str] = mapped_column(ForeignKey("consents.id"), index=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    account_enc: Mapped[bytes] = mapped_column(LargeBinary)
    recorded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def table_of(model: type[Base]) -> Table:
    """The Core table of a mapped class: a bulk insert through it is one executemany per batch (the ORM bulk
    path splits rows by the keys they carry and sends them one by one)."""
    return Base.metadata.tables[model.__tablename__]


# Every encrypted column and the context kind its ciphertexts are bound to (with the row id): the one
# registry that key rotation walks (``opennrm.services.keys``) and that sealing checks
# (``opennrm.services.sealing``), so a column left out can be neither written nor missed by a rotation.
# tests/unit/store/test_encrypted_columns.py checks that every binary column of the schema is here.
ENCRYPTED_COLUMNS: tuple[tuple[type[Base], str, str], ...] = (
    (Person, "survivor_code_enc", "survivor_code"),
    (Person, "identity_enc", "person"),
    (ExploitationEventRow, "place_enc", "event_place"),
    (CaseNote, "body_enc", "note"),
    (Document, "filename_enc", "document_name"),
    (Document, "content_enc", "document"),
    (User, "totp_secret_enc", "totp"),
    (Screening, "record_enc", "screening"),
    (ScreeningDraft, "payload_enc", "screening_draft"),
    (ConsentRecord, "basis_enc", "consent_basis"),
    (Disclosure, "override_reason_enc", "override_reason"),
    (Referral, "purpose_enc", "referral_purpose"),
    (Referral, "decline_note_enc", "referral_decline_note"),
    (RiskAssessment, "summary_enc", "risk_summary"),
    (CaseOutcomePlan, "note_enc", "outcome_note"),
    (ScannedAd, "content_enc", "scanned_ad"),
    (AdReview, "note_enc", "ad_review_note"),
    (PanelMember, "recusal_reason_enc", "recusal_reason"),
    (IdentificationDecision, "reasons_enc", "decision_reasons"),
    (IdentificationDecision, "dissent_enc", "decision_dissent"),
    (Reconsideration, "grounds_enc", "reconsideration_grounds"),
    (Reconsideration, "reasons_enc", "reconsideration_reasons"),
    (Dependant, "details_enc", "dependant"),
    (MovePlan, "plan_enc", "move_plan"),
    (FollowUp, "notes_enc", "follow_up_notes"),
    (IdentificationDecision, "declined_reason_enc", "decision_declined"),
    (NonPunishmentMatter, "record_enc", "non_punishment_matter"),
    (RecordClearanceRequest, "details_enc", "record_clearance"),
    (RemedyClaim, "notes_enc", "remedy_claim"),
    (ProceedsAllocation, "source_enc", "proceeds_allocation"),
    (AnonymousReport, "body_enc", "anonymous_report"),
    (ReportMessage, "body_enc", "report_message"),
    (ReportAttachment, "filename_enc", "report_attachment_name"),
    (ReportAttachment, "content_enc", "report_attachment"),
    (HotlineContact, "callback_enc", "hotline_callback"),
    (HotlineContact, "notes_enc", "hotline_notes"),
    (LicenceEventRow, "reason_enc", "licence_event_reason"),
    (AgencyComplaint, "summary_enc", "agency_complaint"),
    (Workplace, "name_enc", "workplace_name"),
    (Inspection, "record_enc", "inspection"),
    (LabourAction, "notes_enc", "labour_action_notes"),
    (FinanceInvestigation, "title_enc", "finance_investigation"),
    (FinanceDataset, "transactions_enc", "finance_transactions"),
    (FinanceDataset, "results_enc", "finance_results"),
    (FinanceConfiscation, "order_enc", "finance_confiscation"),
    (FinanceConsentedAccount, "account_enc", "finance_consented_account"),
    (Job, "payload_enc", "job_payload"),
    (NotificationPreference, "email_enc", "notification_email"),
)
#: The context kinds of ``ENCRYPTED_COLUMNS``.
ENCRYPTION_KINDS: frozenset[str] = frozenset(kind for _, _, kind in ENCRYPTED_COLUMNS)
