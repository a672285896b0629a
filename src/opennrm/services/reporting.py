"""Anonymous reporting (GR38 §54(d), §69, §100): a woman, a girl or a witness reports without an account and
comes back with her receipt to read replies and write again; the receiving organisation triages.

What each promise rests on (``docs/reporting.md``):

- Her receipt is stored only as an Argon2id hash (``ReceiptHashing``; 64 MiB, t=3 by default) of the receipt
  keyed with a pepper that lives in a file beside the key file (``Settings.reporting_pepper_file``), never in
  the database or its backups. The hash has a per-installation salt, so it is the look-up key: a right and a
  wrong receipt cost the same one hash and one indexed look-up, and get the same 404 when wrong.
- What she wrote, her messages, her files and their names are encrypted with the installation's field
  encryption, bound to their row (``keys.Keyring``); images are re-encoded from their pixels alone, other
  files are refused unless they are plain text.
- Nothing about the sender is taken in: these functions receive no address, header or account. The audit
  events of the public side name the actor ``reporter`` only.
- Triage is decided by ``policy.report_decision`` (the triage roles of the receiving organisation, never an
  enforcement organisation); a report is never received by or referred to an enforcement organisation
  (``policy.report_recipient_decision``).
- A closed report is deleted ``retention_days`` after closure (``purge_expired_reports``).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from argon2.low_level import Type, hash_secret_raw
from pydantic import ValidationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from opennrm.access.policy import (
    Action,
    Actor,
    Recipient,
    decide,
    report_decision,
    report_recipient_decision,
)
from opennrm.access.roles import REPORT_TRIAGE
from opennrm.domain.records import CaseDetails, Intake
from opennrm.domain.reporting import (
    OPEN_STATUSES,
    HelpWanted,
    MessageText,
    ReportIn,
    ReportStatus,
    new_receipt,
    normalise_receipt,
    purge_due,
)
from opennrm.services import firewall, notifications
from opennrm.services.cases import record_intake
from opennrm.services.clock import now
from opennrm.services.errors import Conflict, Forbidden, InvalidInput, NotFound, Unavailable, refuse
from opennrm.services.media import looks_like_image, strip_metadata
from opennrm.services.parsing import invalid_from
from opennrm.services.sealing import (
    decrypt_bytes,
    decrypt_json,
    decrypt_text,
    encrypt_bytes,
    encrypt_json,
    encrypt_text,
)
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import (
    AnonymousReport,
    AppMeta,
    Organisation,
    ReportAttachment,
    ReportMessage,
)

REPORTER = "reporter"
"""How the audit names her: no account, no address."""
RECEIVER_KEY = "reporting_organisation"
_BODY = "anonymous_report"
_MESSAGE = "report_message"
_FILE = "report_attachment"
_FILE_NAME = "report_attachment_name"
NO_SUCH_RECEIPT = "no report has this receipt; check the digits and try again"
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PAGE_SIZE = 50


# -- receipts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptHashing:
    """Argon2id parameters of the receipt hash (RFC 9106; OWASP's minimum for Argon2id is 19 MiB, t=2)."""

    memory_kib: int = 64 * 1024
    time_cost: int = 3
    parallelism: int = 1

    def prefix(self) -> str:
        return f"$argon2id$v=19$m={self.memory_kib},t={self.time_cost},p={self.parallelism}$"


PRODUCTION_HASHING = ReceiptHashing()
_hashing = PRODUCTION_HASHING


def use_hashing(parameters: ReceiptHashing) -> None:
    """Replace the parameters (the test suite uses cheap ones; production keeps ``PRODUCTION_HASHING``)."""
    global _hashing
    _hashing = parameters


def current_hashing() -> ReceiptHashing:
    return _hashing


@dataclass(frozen=True)
class Pepper:
    """A 32-byte secret mixed into every receipt hash, kept in a file (mode 0600) beside the key file."""

    secret: bytes

    @classmethod
    def load(cls, path: Path, *, create: bool = True) -> Pepper:
        env = os.environ.get("OPENNRM_REPORTING_PEPPER")
        if env:
            return cls._parse(env, "OPENNRM_REPORTING_PEPPER")
        if not path.exists():
            if not create:
                raise Unavailable(f"the reporting pepper {path} is missing")
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise Unavailable(f"the reporting pepper {path} is readable by others; run chmod 600 on it")
        return cls._parse(path.read_text().strip(), str(path))

    @classmethod
    def _parse(cls, text: str, where: str) -> Pepper:
        try:
            secret = bytes.fromhex(text.strip())
        except ValueError:
            secret = b""
        if len(secret) != 32:
            raise Unavailable(f"{where} must hold 64 hexadecimal digits (32 bytes)")
        return cls(secret)


_DUMMY_RECEIPT = "0" * 27 + "0"


def receipt_hash(pepper: Pepper, digits: str, hashing: ReceiptHashing | None = None) -> str:
    """The stored form of a receipt: Argon2id over HMAC(pepper, receipt) with a salt derived from the pepper,
    written as ``$argon2id$v=19$m=…,t=…,p=…$<hash>`` (the salt is the installation's, not written)."""
    params = hashing or _hashing
    password = hmac.new(pepper.secret, b"receipt\x00" + digits.encode(), hashlib.sha256).digest()
    salt = hmac.new(pepper.secret, b"receipt-salt", hashlib.sha256).digest()[:16]
    raw = hash_secret_raw(
        password,
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=32,
        type=Type.ID,
    )
    return params.prefix() + base64.b64encode(raw).decode().rstrip("=")


def _lookup_hash(pepper: Pepper, receipt: str) -> str | None:
    """The hash of a receipt as typed; for a malformed one the same work is done on a dummy and None
    returned, so that the answer and its time do not tell a typo from a wrong receipt."""
    digits = normalise_receipt(receipt)
    hashed = receipt_hash(pepper, digits or _DUMMY_RECEIPT)
    return hashed if digits is not None else None


# -- the receiving organisation -----------------------------------------------------------------------


def receiving_organisation(session: Session) -> str:
    """The organisation that receives new reports: the one set with ``opennrm reports receiver``, else the
    installation's default organisation. Refused (503) if it is an enforcement organisation."""
    row = session.get(AppMeta, RECEIVER_KEY) or session.get(AppMeta, "default_organisation")
    if row is None:
        raise Unavailable("the reporting channel has no receiving organisation; run 'opennrm init'")
    org = session.get(Organisation, row.value)
    if org is None or not report_recipient_decision(_recipient(session, org)):
        raise Unavailable(
            "the reporting channel is closed: its receiving organisation cannot receive reports"
        )
    return org.id


def set_receiving_organisation(db: Database, name: str, *, actor_id: str = "cli") -> str:
    with db.transaction() as session:
        org = session.execute(select(Organisation).where(Organisation.name == name)).scalar_one_or_none()
        if org is None:
            raise InvalidInput(f"no organisation is called {name!r}", field="organisation")
        decision = report_recipient_decision(_recipient(session, org))
        if not decision:
            raise Forbidden(decision.reason)
        row = session.get(AppMeta, RECEIVER_KEY)
        if row is None:
            session.add(AppMeta(key=RECEIVER_KEY, value=org.id))
        else:
            row.value = org.id
        audit.record_one(session, db.keyring, AuditEntry(actor_id, "report.receiver", "organisation", org.id))
        return org.id


def _recipient(session: Session, org: Organisation) -> Recipient:
    return Recipient(org.id, org.type, org.type in firewall.enforcement_types_in(session))


# -- attachments ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str
    content: bytes


def clean_attachment(item: Attachment) -> Attachment:
    """Images re-encoded from their pixels (no EXIF, GPS, XMP, comments); plain UTF-8 text as it is; any
    other file refused, since its metadata (author, device, place) could identify her."""
    if not item.content:
        raise InvalidInput("the file is empty", field="files")
    if len(item.content) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput(f"a file may be at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB", field="files")
    name = os.path.basename(item.filename.replace("\\", "/"))[:200] or "file"
    if looks_like_image(item.content, item.media_type):
        try:
            content, media_type = strip_metadata(item.content, item.media_type)
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field="files") from None
        if media_type == item.media_type and content is item.content:
            raise InvalidInput("this image cannot be cleaned of its metadata", field="files")
        return Attachment(name, media_type, content)
    if item.media_type.split(";")[0].strip().lower() in {"text/plain", ""} and b"\x00" not in item.content:
        try:
            item.content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return Attachment(name, "text/plain", item.content)
    raise InvalidInput(
        "only photos, screenshots and plain text can be sent: other files may carry your name or your "
        "device inside them; take a screenshot instead",
        field="files",
    )


def _store_attachments(
    session: Session, db: Database, report_id: str, items: Sequence[Attachment], at: dt.datetime
) -> int:
    existing = session.execute(
        select(func.count()).select_from(ReportAttachment).where(ReportAttachment.report_id == report_id)
    ).scalar_one()
    if existing + len(items) > MAX_ATTACHMENTS:
        raise InvalidInput(f"a report may carry at most {MAX_ATTACHMENTS} files", field="files")
    for item in items:
        file_id = new_id()
        session.add(
            ReportAttachment(
                id=file_id,
                report_id=report_id,
                media_type=item.media_type,
                size=len(item.content),
                filename_enc=encrypt_text(db.keyring, _FILE_NAME, file_id, item.filename),
                content_enc=encrypt_bytes(db.keyring, _FILE, file_id, item.content),
                created_at=at,
            )
        )
    return len(items)


# -- the public side ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageView:
    id: str
    author: str
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class AttachmentView:
    id: str
    filename: str
    media_type: str
    size: int


@dataclass(frozen=True)
class ReporterView:
    """What she sees with her receipt: her report, the replies and her own messages; nothing of the
    organisation's inner working (no names of staff, no case number)."""

    text: str
    locale: str
    status: str
    sent_on: dt.date
    about: str | None
    concerns: list[str]
    sector: str | None
    region: str | None
    help: list[str]
    messages: list[MessageView]
    attachments: list[AttachmentView]

    @property
    def closed(self) -> bool:
        return self.status == ReportStatus.CLOSED


def submit_report(
    db: Database,
    pepper: Pepper,
    data: ReportIn,
    attachments: Sequence[Attachment] = (),
    *,
    retention_days: int = 90,
) -> str:
    """Store a new report; returns her receipt (shown once, never stored)."""
    cleaned = [clean_attachment(a) for a in attachments]
    if len(cleaned) > MAX_ATTACHMENTS:
        raise InvalidInput(f"a report may carry at most {MAX_ATTACHMENTS} files", field="files")
    receipt = new_receipt()
    digits = normalise_receipt(receipt)
    assert digits is not None  # noqa: S101 - made just above
    hashed = receipt_hash(pepper, digits)
    at = now()
    with db.transaction() as session:
        organisation_id = receiving_organisation(session)
        report_id = new_id()
        body = {
            "text": data.text,
            "region": data.region,
            "help": [h.value for h in data.help],
        }
        session.add(
            AnonymousReport(
                id=report_id,
                receipt_hash=hashed,
                organisation_id=organisation_id,
                locale=data.locale,
                about=data.about.value if data.about else None,
                concerns=sorted({c.value for c in data.concerns}),
                sector=data.sector.value if data.sector else None,
                status=ReportStatus.NEW.value,
                body_enc=encrypt_json(db.keyring, _BODY, report_id, body),
                case_id=None,
                retention_days=retention_days,
                created_at=at,
                updated_at=at,
                reporter_wrote_at=at,
                closed_at=None,
                purge_after=None,
            )
        )
        session.flush()
        files = _store_attachments(session, db, report_id, cleaned, at)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(REPORTER, "report.create", "report", report_id, detail={"files": files}),
        )
    return receipt


def _by_receipt(session: Session, hashed: str | None) -> AnonymousReport:
    report = (
        session.execute(
            select(AnonymousReport).where(AnonymousReport.receipt_hash == hashed)
        ).scalar_one_or_none()
        if hashed is not None
        else None
    )
    if report is None:
        raise NotFound(NO_SUCH_RECEIPT, field="receipt")
    return report


def access_report(db: Database, pepper: Pepper, receipt: str) -> ReporterView:
    """Her report, the replies and her messages, for the holder of the receipt; 404 alike for a receipt
    that is malformed, wrong, or whose report has been deleted."""
    hashed = _lookup_hash(pepper, receipt)
    with db.transaction() as session:
        report = _by_receipt(session, hashed)
        view = _reporter_view(session, db, report)
        audit.record_one(session, db.keyring, AuditEntry(REPORTER, "report.access", "report", report.id))
    return view


def add_reporter_message(
    db: Database, pepper: Pepper, receipt: str, text: str, attachments: Sequence[Attachment] = ()
) -> str:
    """She writes again (and may add files); returns the message id. A closed report takes no more."""
    body = _message_text(text)
    cleaned = [clean_attachment(a) for a in attachments]
    hashed = _lookup_hash(pepper, receipt)
    with db.transaction() as session:
        report = _by_receipt(session, hashed)
        if report.status == ReportStatus.CLOSED:
            raise Conflict("this report is closed; send a new report if you need help", field="receipt")
        at = now()
        message_id = new_id()
        session.add(
            ReportMessage(
                id=message_id,
                report_id=report.id,
                author=REPORTER,
                user_id=None,
                body_enc=encrypt_text(db.keyring, _MESSAGE, message_id, body),
                created_at=at,
            )
        )
        files = _store_attachments(session, db, report.id, cleaned, at)
        report.reporter_wrote_at = at
        report.updated_at = at
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(REPORTER, "report.message", "report", report.id, detail={"files": files}),
        )
        # the receiving organisation's triage is told that she wrote (a link only, nothing she wrote)
        triage = notifications.users_of(session, [report.organisation_id], REPORT_TRIAGE)
        notifications.notify_in(session, db, triage, notifications.REPORT_REPLY, f"/reports/{report.id}")
    return message_id


def _message_text(text: str) -> str:
    from pydantic import TypeAdapter

    try:
        return TypeAdapter(MessageText).validate_python(text)
    except ValidationError as exc:
        raise invalid_from(exc, "text") from None


def _messages(session: Session, db: Database, report_id: str) -> list[MessageView]:
    rows = session.execute(
        select(ReportMessage).where(ReportMessage.report_id == report_id).order_by(ReportMessage.created_at)
    ).scalars()
    return [
        MessageView(m.id, m.author, decrypt_text(db.keyring, _MESSAGE, m.id, m.body_enc), m.created_at)
        for m in rows
    ]


def _attachments(session: Session, db: Database, report_id: str) -> list[AttachmentView]:
    rows = session.execute(
        select(ReportAttachment)
        .where(ReportAttachment.report_id == report_id)
        .order_by(ReportAttachment.created_at)
    ).scalars()
    return [
        AttachmentView(a.id, decrypt_text(db.keyring, _FILE_NAME, a.id, a.filename_enc), a.media_type, a.size)
        for a in rows
    ]


def _reporter_view(session: Session, db: Database, report: AnonymousReport) -> ReporterView:
    body = decrypt_json(db.keyring, _BODY, report.id, report.body_enc)
    return ReporterView(
        text=body["text"],
        locale=report.locale,
        status=report.status,
        sent_on=report.created_at.date(),
        about=report.about,
        concerns=list(report.concerns),
        sector=report.sector,
        region=body.get("region"),
        help=list(body.get("help", [])),
        messages=_messages(session, db, report.id),
        attachments=_attachments(session, db, report.id),
    )


# -- the receiving organisation's side ----------------------------------------------------------------


@dataclass(frozen=True)
class ReportSummary:
    id: str
    status: str
    locale: str
    about: str | None
    concerns: list[str]
    sector: str | None
    created_at: dt.datetime
    reporter_wrote_at: dt.datetime
    news: bool
    """She wrote after the organisation last acted on it."""


@dataclass(frozen=True)
class ReportQueue:
    items: list[ReportSummary]
    page: int
    has_more: bool
    counts: dict[str, int]


@dataclass(frozen=True)
class TriageView:
    id: str
    status: str
    reporter: ReporterView
    case_id: str | None
    created_at: dt.datetime
    closed_at: dt.datetime | None
    purge_after: dt.datetime | None
    may_convert: bool
    retention_days: int

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES


def _audit(
    session: Session, db: Database, actor: Actor, action: str, report_id: str | None, **detail: object
) -> None:
    audit.record_one(
        session, db.keyring, AuditEntry(actor.user_id, action, "report", report_id, detail=detail)
    )


def _load(db: Database, session: Session, actor: Actor, action: Action, report_id: str) -> AnonymousReport:
    """The report, if the actor may take ``action`` on it; an absent report and one outside her scope are
    refused alike (403, audited)."""
    report = session.get(AnonymousReport, report_id) if len(report_id) <= 36 else None
    decision = report_decision(actor, action, report.organisation_id if report is not None else "")
    if report is None or not decision:
        known = report.id if report is not None else None
        refuse(db, actor, action, "report", known, decision.reason)
    return report


def triage_queue(
    db: Database, actor: Actor, *, status: str | None = "open", page: int = 1, per_page: int = PAGE_SIZE
) -> ReportQueue:
    """The reports of the actor's organisation, newest first (one she wrote to again is marked). Only
    the structured fields (no text is decrypted for the list)."""
    decision = report_decision(actor, Action.REPORT_READ, actor.organisation_id)
    if not decision:
        refuse(db, actor, Action.REPORT_READ, "report", None, decision.reason)
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    with db.transaction() as session:
        # the structured columns only (never the encrypted body), newest first through the
        # (organisation, created_at) index
        stmt = select(
            AnonymousReport.id,
            AnonymousReport.status,
            AnonymousReport.locale,
            AnonymousReport.about,
            AnonymousReport.concerns,
            AnonymousReport.sector,
            AnonymousReport.created_at,
            AnonymousReport.updated_at,
            AnonymousReport.reporter_wrote_at,
        ).where(AnonymousReport.organisation_id == actor.organisation_id)
        if status == "open":
            stmt = stmt.where(AnonymousReport.status.in_([s.value for s in OPEN_STATUSES]))
        elif status:
            stmt = stmt.where(AnonymousReport.status == status)
        stmt = (
            stmt.order_by(AnonymousReport.created_at.desc(), AnonymousReport.id)
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        )
        rows = list(session.execute(stmt).all())
        counts = dict(
            session.execute(
                select(AnonymousReport.status, func.count())
                .where(AnonymousReport.organisation_id == actor.organisation_id)
                .group_by(AnonymousReport.status)
            ).all()
        )
        _audit(session, db, actor, "report.list", None, page=page)
    items = [
        ReportSummary(
            id=r.id,
            status=r.status,
            locale=r.locale,
            about=r.about,
            concerns=list(r.concerns),
            sector=r.sector,
            created_at=r.created_at,
            reporter_wrote_at=r.reporter_wrote_at,
            news=r.reporter_wrote_at > r.created_at and r.reporter_wrote_at >= r.updated_at,
        )
        for r in rows[:per_page]
    ]
    return ReportQueue(items, page, len(rows) > per_page, {str(k): int(v) for k, v in counts.items()})


def view_report(db: Database, actor: Actor, report_id: str) -> TriageView:
    with db.transaction() as session:
        report = _load(db, session, actor, Action.REPORT_READ, report_id)
        view = TriageView(
            id=report.id,
            status=report.status,
            reporter=_reporter_view(session, db, report),
            case_id=report.case_id,
            created_at=report.created_at,
            closed_at=report.closed_at,
            purge_after=report.purge_after,
            may_convert=bool(report_decision(actor, Action.REPORT_CONVERT, report.organisation_id))
            and report.case_id is None,
            retention_days=report.retention_days,
        )
        _audit(session, db, actor, "report.read", report.id)
    return view


def read_attachment(db: Database, actor: Actor, report_id: str, file_id: str) -> tuple[str, str, bytes]:
    with db.transaction() as session:
        report = _load(db, session, actor, Action.REPORT_READ, report_id)
        row = session.get(ReportAttachment, file_id) if len(file_id) <= 36 else None
        if row is None or row.report_id != report.id:
            raise NotFound("no such file", field="file")
        _audit(session, db, actor, "report.file", report.id, file=row.id)
        return (
            decrypt_text(db.keyring, _FILE_NAME, row.id, row.filename_enc),
            row.media_type,
            decrypt_bytes(db.keyring, _FILE, row.id, row.content_enc),
        )


def reply(db: Database, actor: Actor, report_id: str, text: str) -> str:
    """A reply she reads with her receipt; returns the message id."""
    body = _message_text(text)
    with db.transaction() as session:
        report = _load(db, session, actor, Action.REPORT_REPLY, report_id)
        if report.status == ReportStatus.CLOSED:
            raise Conflict("the report is closed", field="text")
        at = now()
        message_id = new_id()
        session.add(
            ReportMessage(
                id=message_id,
                report_id=report.id,
                author="staff",
                user_id=actor.user_id,
                body_enc=encrypt_text(db.keyring, _MESSAGE, message_id, body),
                created_at=at,
            )
        )
        if report.status == ReportStatus.NEW:
            report.status = ReportStatus.OPEN.value
        report.updated_at = at
        _audit(session, db, actor, "report.reply", report.id)
    return message_id


def convert_to_case(db: Database, actor: Actor, report_id: str) -> str:
    """Open a case from a report in one step: what she wrote (the report and her messages) goes into the
    case notes, her region onto the case; the report is marked converted and keeps its thread open."""
    with db.transaction() as session:
        report = _load(db, session, actor, Action.REPORT_CONVERT, report_id)
        if report.case_id is not None:
            raise Conflict("this report is already a case", field="report")
        may = decide(actor, Action.CASE_CREATE)
        if not may:
            refuse(db, actor, Action.CASE_CREATE, "case", None, may.reason)
        body = decrypt_json(db.keyring, _BODY, report.id, report.body_enc)
        notes = [body["text"]]
        notes += [m.text for m in _messages(session, db, report.id) if m.author == REPORTER]
        region = (body.get("region") or "")[:200] or None
        try:
            data = Intake(case=CaseDetails(region=region), notes=[n[:10_000] for n in notes][:100])
        except ValidationError as exc:
            raise invalid_from(exc, "report") from None
        case_id = record_intake(session, db.keyring, actor, data)
        report.case_id = case_id
        report.status = ReportStatus.CONVERTED.value
        report.updated_at = now()
        _audit(session, db, actor, "report.convert", report.id, case=case_id)
    return case_id


def refer(db: Database, actor: Actor, report_id: str, organisation_id: str) -> None:
    """Hand the report to another organisation (a specialised NGO, a shelter); never an enforcement
    organisation. The referring organisation no longer reads it."""
    with db.transaction() as session:
        report = _load(db, session, actor, Action.REPORT_REFER, report_id)
        org = session.get(Organisation, organisation_id) if len(organisation_id) <= 36 else None
        if org is None:
            raise InvalidInput("no such organisation", field="organisation_id")
        decision = report_recipient_decision(_recipient(session, org))
        if not decision:
            refuse(db, actor, Action.REPORT_REFER, "report", report_id, decision.reason)
        if org.id == report.organisation_id:
            raise InvalidInput("the report is already with this organisation", field="organisation_id")
        report.organisation_id = org.id
        report.status = ReportStatus.REFERRED.value
        report.updated_at = now()
        _audit(session, db, actor, "report.refer", report.id, to=org.id)


def close(db: Database, actor: Actor, report_id: str, *, retention_days: int | None = None) -> dt.datetime:
    """Close a report; it is deleted ``retention_days`` (the report's own, by default) after closure.
    Returns when."""
    with db.transaction() as session:
        report = _load(db, session, actor, Action.REPORT_CLOSE, report_id)
        if report.status == ReportStatus.CLOSED:
            raise Conflict("the report is already closed", field="report")
        days = retention_days if retention_days is not None else report.retention_days
        if not 1 <= days <= 3650:
            raise InvalidInput("retention_days must be between 1 and 3650", field="retention_days")
        at = now()
        report.status = ReportStatus.CLOSED.value
        report.closed_at = at
        report.retention_days = days
        report.purge_after = purge_due(at, days)
        report.updated_at = at
        _audit(session, db, actor, "report.close", report.id, days=days)
        return report.purge_after


def purge_expired_reports(db: Database, at: dt.datetime | None = None) -> int:
    """Delete every closed report whose retention has run out, with its messages and files; returns how
    many. Meant to run on a schedule (and ``opennrm reports purge``)."""
    at = at or now()
    with db.transaction() as session:
        ids = list(
            session.execute(
                select(AnonymousReport.id).where(
                    AnonymousReport.purge_after.is_not(None), AnonymousReport.purge_after <= at
                )
            ).scalars()
        )
        if not ids:
            return 0
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            session.execute(delete(ReportAttachment).where(ReportAttachment.report_id.in_(chunk)))
            session.execute(delete(ReportMessage).where(ReportMessage.report_id.in_(chunk)))
            session.execute(delete(AnonymousReport).where(AnonymousReport.id.in_(chunk)))
        audit.record_one(
            session,
            db.keyring,
            AuditEntry("system", "report.purge", "report", None, detail={"count": len(ids)}),
        )
    return len(ids)


# -- aggregates for other modules (labour inspection) ------------------------------------------------


@dataclass(frozen=True)
class ReportCount:
    sector: str | None
    region: str | None
    reports: int


def report_counts(
    db: Database, *, since: dt.datetime | None = None, concerns: frozenset[str] | None = None
) -> list[ReportCount]:
    """How many reports name each sector and region (e.g. complaints about work for labour inspection):
    counts only, no text, no identifiers. Small counts are the caller's to suppress before publication."""
    with db.transaction() as session:
        stmt = select(AnonymousReport)
        if since is not None:
            stmt = stmt.where(AnonymousReport.created_at >= since)
        counter: Counter[tuple[str | None, str | None]] = Counter()
        for report in session.execute(stmt).scalars():
            if concerns is not None and not concerns & set(report.concerns):
                continue
            region = decrypt_json(db.keyring, _BODY, report.id, report.body_enc).get("region")
            counter[(report.sector, region)] += 1
    return [
        ReportCount(s, r, n) for (s, r), n in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    ]


HELP_VALUES = [h.value for h in HelpWanted]
