"""Financial investigations (GR38 §72, §108, §112(e)): uploaded transactions scored for laundering
typologies, accounts with their evidence, traces from seeds, and confiscated proceeds passed on to victims'
compensation (the restitution ledger).

An investigation belongs to one organisation and only its financial investigators see it
(``access.policy.finance_decision``); it holds no case data, and nothing here reads a case. Titles, uploaded
transactions, scores and confiscation orders are encrypted; every read and write leaves an audit event with
identifiers only.

Restitution: a financial investigator records a confiscation against an investigation. Someone who may update
her claim (``services.remedies``: the owning side or her legal aid, never an enforcement organisation)
allocates part of it to the claim through ``remedies.record_allocation``; the ledger line here says how much
of which confiscation went where. The investigation's side sees allocated totals only, never a claim. No claim
waits for a confiscation: allocations are shown beside a claim and change nothing about it.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennrm.access.policy import (
    OUT_OF_SCOPE,
    Action,
    Actor,
    allocation_decision,
    consent_in_force,
    consent_recipient_through_firewall,
    consented_seed_decision,
    decide,
    finance_decision,
)
from opennrm.domain.consent import Consent, ConsentPurpose, ConsentTerms
from opennrm.domain.remedies import AllocationIn, format_minor
from opennrm.domain.text import N_
from opennrm.services import consent, remedies
from opennrm.services.cases import load_case_for, relation_of
from opennrm.services.clock import now
from opennrm.services.consent_gate import consent_facts
from opennrm.services.errors import InvalidInput, NotFound, refuse
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
from opennrm.store.ids import is_record_id, new_id
from opennrm.store.tables import (
    Case,
    ConsentRecord,
    FinanceConfiscation,
    FinanceConsentedAccount,
    FinanceDataset,
    FinanceInvestigation,
    FinanceRestitution,
    Organisation,
)

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
#: Rows an upload may hold: the server scores it in its own process (about 1.3 GB at this size, by the
#: 5,000,000-row benchmark's 6.3 GB); a compressed Parquet file of 4.5 MB can hold five million rows.
#: Larger data goes through ``opennrm finance score``.
MAX_UPLOAD_ROWS = 1_000_000
MAX_TITLE = 200
SHOWN_REJECTS = 50
_TITLE, _TX, _RESULTS, _ORDER = (
    "finance_investigation",
    "finance_transactions",
    "finance_results",
    "finance_confiscation",
)


# -- who may ------------------------------------------------------------------------------------------


def check_investigator(db: Database, actor: Actor, investigation: FinanceInvestigation | None = None) -> None:
    decision = finance_decision(actor, None if investigation is None else investigation.organisation_id)
    if not decision:
        refuse(
            db,
            actor,
            Action.FINANCE,
            "finance_investigation",
            None if investigation is None else investigation.id,
            decision.reason,
        )


def _known(value: str, what: str) -> str:
    try:
        uuid.UUID(value)
    except ValueError:
        raise NotFound(f"no {what} {value[:40]!r}") from None
    return value


def guard(db: Database, actor: Actor, investigation_id: str) -> None:
    """Refuse (audited, in its own transaction) unless the actor may see the investigation; "absent" and
    "not yours" get the same answer."""
    check_investigator(db, actor)
    _known(investigation_id, "investigation")
    with db.transaction() as session:
        owner = session.execute(
            select(FinanceInvestigation.organisation_id).where(FinanceInvestigation.id == investigation_id)
        ).scalar_one_or_none()
    if owner is None or not finance_decision(actor, owner):
        refuse(db, actor, Action.FINANCE, "finance_investigation", investigation_id, OUT_OF_SCOPE)


def _investigation(
    db: Database, session: Session, actor: Actor, investigation_id: str
) -> FinanceInvestigation:
    """The investigation, after ``guard``; checked again inside the transaction."""
    row = session.get(FinanceInvestigation, investigation_id)
    if row is None or not finance_decision(actor, row.organisation_id):
        raise NotFound(OUT_OF_SCOPE)
    return row


def _audit(
    session: Session, db: Database, actor: Actor, action: str, object_id: str | None, **detail: str
) -> None:
    audit.record_one(
        session,
        db.keyring,
        AuditEntry(actor.user_id, action, "finance_investigation", object_id, detail=detail),
    )


# -- investigations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvestigationSummary:
    id: str
    title: str
    status: str
    created_at: dt.datetime
    datasets: int


def create_investigation(db: Database, actor: Actor, title: str) -> str:
    check_investigator(db, actor)
    cleaned = " ".join(title.replace("\x00", "").split())
    if not cleaned:
        raise InvalidInput("give the investigation a title", field="title")
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"the title is longer than {MAX_TITLE} characters", field="title")
    investigation_id = new_id()
    with db.transaction() as session:
        at = now()
        session.add(
            FinanceInvestigation(
                id=investigation_id,
                organisation_id=actor.organisation_id,
                title_enc=encrypt_text(db.keyring, _TITLE, investigation_id, cleaned),
                status="open",
                created_by=actor.user_id,
                created_at=at,
                updated_at=at,
            )
        )
        _audit(session, db, actor, "finance.create", investigation_id)
    return investigation_id


def list_investigations(db: Database, actor: Actor) -> list[InvestigationSummary]:
    check_investigator(db, actor)
    with db.transaction() as session:
        counts = dict(
            session.execute(
                select(FinanceDataset.investigation_id, func.count()).group_by(
                    FinanceDataset.investigation_id
                )
            ).all()
        )
        rows = session.execute(
            select(FinanceInvestigation)
            .where(FinanceInvestigation.organisation_id == actor.organisation_id)
            .order_by(FinanceInvestigation.created_at.desc())
        ).scalars()
        out = [
            InvestigationSummary(
                r.id,
                decrypt_text(db.keyring, _TITLE, r.id, r.title_enc),
                r.status,
                r.created_at,
                counts.get(r.id, 0),
            )
            for r in rows
        ]
        _audit(session, db, actor, "finance.list", None)
    return out


# -- datasets -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class DatasetAdded:
    id: str
    transactions: int
    accounts: int
    rejected: list[Rejected]


def _check_rows(path: Path, suffix: str, raw: bytes) -> None:
    """Refuse a file of more than ``MAX_UPLOAD_ROWS`` rows before anything reads it whole (a Parquet file's
    row count is in its footer)."""
    import polars as pl

    if suffix == ".parquet":
        try:
            rows = int(pl.scan_parquet(path).select(pl.len()).collect().item())
        except (pl.exceptions.PolarsError, OSError, ValueError):
            raise InvalidInput("the Parquet file cannot be read", field="transactions") from None
    else:
        rows = raw.count(b"\n")
    if rows > MAX_UPLOAD_ROWS:
        raise InvalidInput(
            f"the file holds more than {MAX_UPLOAD_ROWS:,} transactions; use 'opennrm finance score'",
            field="transactions",
        )


def add_dataset(
    db: Database,
    actor: Actor,
    investigation_id: str,
    name: str,
    transactions: bytes,
    accounts: bytes | None = None,
    transactions_filename: str = "transactions.csv",
) -> DatasetAdded:
    """Read an uploaded transactions file (and accounts file), score it with the shipped jurisdiction's
    detectors, and store both encrypted. Rejected rows come back with their line and reason."""
    from opennrm.finance import jurisdiction as jur
    from opennrm.finance.ingest import IngestError
    from opennrm.finance.pipeline import load, score

    guard(db, actor, investigation_id)
    label = " ".join(name.replace("\x00", "").split())[:MAX_TITLE] or "transactions"
    for blob, what in ((transactions, "transactions"), (accounts, "accounts")):
        if blob is not None and len(blob) > MAX_UPLOAD_BYTES:
            raise InvalidInput(
                f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; "
                "use 'opennrm finance score'",
                field=what,
            )
    if not transactions.strip():
        raise InvalidInput("the transactions file is empty", field="transactions")
    suffix = ".parquet" if transactions_filename.lower().endswith((".parquet", ".pq")) else ".csv"
    j = jur.load()
    with tempfile.TemporaryDirectory() as folder:
        tx_path = Path(folder) / f"transactions{suffix}"
        tx_path.write_bytes(transactions)
        _check_rows(tx_path, suffix, transactions)
        acc_path = None
        if accounts is not None and accounts.strip():
            acc_path = Path(folder) / "accounts.csv"
            acc_path.write_bytes(accounts)
        try:
            data = load(tx_path, acc_path, j)
        except IngestError as exc:
            message = str(exc).replace(str(tx_path), "transactions").replace(str(acc_path), "accounts")
            raise InvalidInput(message, field="transactions") from None
    scores, report = score(data, j)
    buffer = io.BytesIO()
    data.frame.drop("src", "dst").write_parquet(buffer)
    results = {
        "jurisdiction": j.name,
        "skipped": report.skipped,
        "scores": [
            {"account": s.account, "risk": round(s.risk, 6), "typologies": list(s.typologies)}
            for s in sorted(scores, key=lambda s: (-s.risk, s.account))
        ],
        "hits": {s.account: [asdict(h) for h in s.evidence] for s in scores if s.evidence},
        "opening": {}
        if data.accounts_frame is None or "opening_balance" not in data.accounts_frame.columns
        else {
            a: b
            for a, b in data.accounts_frame.select("account", "opening_balance").iter_rows()
            if b is not None
        },
    }
    rejected = [Rejected("transactions", r.line, r.reason) for r in data.rejects] + [
        Rejected("accounts", r.line, r.reason) for r in data.account_rejects
    ]
    dataset_id = new_id()
    with db.transaction() as session:
        _investigation(db, session, actor, investigation_id)
        session.add(
            FinanceDataset(
                id=dataset_id,
                investigation_id=investigation_id,
                name=label,
                transactions_enc=encrypt_bytes(db.keyring, _TX, dataset_id, buffer.getvalue()),
                results_enc=encrypt_json(db.keyring, _RESULTS, dataset_id, results),
                transaction_count=data.frame.height,
                account_count=len(data.accounts),
                rejected_count=len(rejected),
                created_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(
            session,
            db,
            actor,
            "finance.upload",
            investigation_id,
            dataset=dataset_id,
            transactions=str(data.frame.height),
            rejected=str(len(rejected)),
        )
    return DatasetAdded(dataset_id, data.frame.height, len(data.accounts), rejected)


@dataclass(frozen=True)
class ConfiscationView:
    id: str
    amount: str
    currency: str
    allocated: str
    remaining: str
    confiscated_on: dt.date
    order: str | None = None  # the order's reference: the investigation's side only


@dataclass
class InvestigationView:
    id: str
    title: str
    status: str
    datasets: list[dict[str, Any]] = field(default_factory=list)
    confiscations: list[ConfiscationView] = field(default_factory=list)


def _allocated(session: Session, confiscation_id: str) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(FinanceRestitution.amount_minor), 0)).where(
                FinanceRestitution.confiscation_id == confiscation_id
            )
        ).scalar_one()
    )


def _confiscation_view(
    db: Database, session: Session, row: FinanceConfiscation, with_order: bool
) -> ConfiscationView:
    allocated = _allocated(session, row.id)
    return ConfiscationView(
        row.id,
        format_minor(row.amount_minor, row.currency),
        row.currency,
        format_minor(allocated, row.currency),
        format_minor(row.amount_minor - allocated, row.currency),
        row.confiscated_on,
        decrypt_text(db.keyring, _ORDER, row.id, row.order_enc) if with_order else None,
    )


def view_investigation(db: Database, actor: Actor, investigation_id: str, top: int = 50) -> InvestigationView:
    guard(db, actor, investigation_id)
    with db.transaction() as session:
        inv = _investigation(db, session, actor, investigation_id)
        view = InvestigationView(inv.id, decrypt_text(db.keyring, _TITLE, inv.id, inv.title_enc), inv.status)
        for ds in session.execute(
            select(FinanceDataset)
            .where(FinanceDataset.investigation_id == inv.id)
            .order_by(FinanceDataset.created_at)
        ).scalars():
            results = decrypt_json(db.keyring, _RESULTS, ds.id, ds.results_enc)
            view.datasets.append(
                {
                    "id": ds.id,
                    "name": ds.name,
                    "transactions": ds.transaction_count,
                    "accounts": ds.account_count,
                    "rejected": ds.rejected_count,
                    "created_at": ds.created_at,
                    "top": results["scores"][:top],
                    "skipped": results.get("skipped", {}),
                }
            )
        for row in session.execute(
            select(FinanceConfiscation)
            .where(FinanceConfiscation.investigation_id == inv.id)
            .order_by(FinanceConfiscation.confiscated_on)
        ).scalars():
            view.confiscations.append(_confiscation_view(db, session, row, with_order=True))
        _audit(session, db, actor, "finance.read", inv.id)
    return view


def _dataset(
    db: Database, session: Session, actor: Actor, investigation_id: str, dataset_id: str
) -> FinanceDataset:
    inv = _investigation(db, session, actor, investigation_id)
    row = session.get(FinanceDataset, _known(dataset_id, "dataset"))
    if row is None or row.investigation_id != inv.id:
        raise NotFound(f"no dataset {dataset_id[:40]!r} in this investigation")
    return row


def _transactions(db: Database, row: FinanceDataset) -> Any:
    """The dataset's transactions back as ``finance.ingest.Transactions``."""
    import polars as pl

    from opennrm.finance.ingest import Transactions

    frame = pl.read_parquet(io.BytesIO(decrypt_bytes(db.keyring, _TX, row.id, row.transactions_enc)))
    accounts = pl.concat([frame["source"], frame["target"]]).unique().sort()
    mapping = pl.DataFrame(
        {"account": accounts, "n": pl.arange(0, accounts.len(), eager=True, dtype=pl.Int64)}
    )
    frame = (
        frame.join(mapping.rename({"account": "source", "n": "src"}), on="source", how="left")
        .join(mapping.rename({"account": "target", "n": "dst"}), on="target", how="left")
        .sort("ts", "id")
    )
    return Transactions(frame, accounts.to_list())


@dataclass(frozen=True)
class AccountView:
    account: str
    risk: float
    typologies: list[str]
    hits: list[dict[str, Any]]
    edges: list[tuple[str, str, float, int]]  # source, target, total amount, count (the ego network)


def view_account(
    db: Database, actor: Actor, investigation_id: str, dataset_id: str, account: str
) -> AccountView:
    import polars as pl

    guard(db, actor, investigation_id)
    with db.transaction() as session:
        row = _dataset(db, session, actor, investigation_id, dataset_id)
        results = decrypt_json(db.keyring, _RESULTS, row.id, row.results_enc)
        data = _transactions(db, row)
        _audit(session, db, actor, "finance.account", investigation_id, dataset=row.id)
    score = next((s for s in results["scores"] if s["account"] == account), None)
    if score is None:
        raise NotFound(f"no account {account[:40]!r} in this dataset")
    ego = (
        data.frame.filter((pl.col("source") == account) | (pl.col("target") == account))
        .group_by("source", "target")
        .agg(pl.col("amount").sum().alias("total"), pl.len().alias("count"))
        .sort("total", descending=True)
        .head(40)
    )
    return AccountView(
        account,
        float(score["risk"]),
        list(score["typologies"]),
        list(results["hits"].get(account, [])),
        [(str(s), str(t), float(a), int(c)) for s, t, a, c in ego.iter_rows()],
    )


def trace(
    db: Database, actor: Actor, investigation_id: str, dataset_id: str, seed: str, direction: str, hops: int
) -> Any:
    """A trace from ``seed`` in the dataset (``finance.trace.Trace``); bad options name the field."""
    from opennrm.finance.trace import TraceError, Tracer

    guard(db, actor, investigation_id)
    account, label = seed.strip(), None
    if account.startswith(CONSENTED_SEED):
        label = CONSENTED_LABEL
        account = _consented_account(db, actor, account)
    with db.transaction() as session:
        row = _dataset(db, session, actor, investigation_id, dataset_id)
        results = decrypt_json(db.keyring, _RESULTS, row.id, row.results_enc)
        data = _transactions(db, row)
        detail = {"dataset": row.id, "direction": direction[:10]}
        if label is not None:
            detail["consented"] = seed.strip().removeprefix(CONSENTED_SEED)
        _audit(session, db, actor, "finance.trace", investigation_id, **detail)
    try:
        result = Tracer(
            data, opening={str(k): float(v) for k, v in results.get("opening", {}).items()}
        ).trace([account], direction, hops)
    except TraceError as exc:
        if label is not None:  # never her identifier in a message
            message = str(exc).replace(account, label)
            field_name = "hops" if "hops" in message else "direction" if "direction" in message else "seed"
            raise InvalidInput(
                "her account does not appear in this dataset" if field_name == "seed" else message,
                field=field_name,
            ) from None
        field_name = "seed" if "seed" in str(exc) else "hops" if "hops" in str(exc) else "direction"
        raise InvalidInput(str(exc), field=field_name) from None
    return result if label is None else masked(result, account, label)


# -- restitution --------------------------------------------------------------------------------------


def _money(amount: str, currency: str, source: str, day: dt.date | str) -> AllocationIn:
    try:
        return AllocationIn.model_validate(
            {"amount": amount, "currency": currency, "source": source, "allocated_on": day}
        )
    except ValidationError as exc:
        raise invalid_from(exc) from None  # every problem, so a form marks them all at once


def record_confiscation(
    db: Database,
    actor: Actor,
    investigation_id: str,
    amount: str,
    currency: str,
    order: str,
    confiscated_on: dt.date | str,
) -> str:
    """An amount confiscated in the investigation (the order's reference is encrypted)."""
    checked = _money(amount, currency, order, confiscated_on)
    confiscation_id = new_id()
    guard(db, actor, investigation_id)
    with db.transaction() as session:
        _investigation(db, session, actor, investigation_id)
        session.add(
            FinanceConfiscation(
                id=confiscation_id,
                investigation_id=investigation_id,
                amount_minor=checked.minor,
                currency=checked.currency,
                order_enc=encrypt_text(db.keyring, _ORDER, confiscation_id, checked.source),
                confiscated_on=checked.allocated_on,
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        _audit(session, db, actor, "finance.confiscation", investigation_id, confiscation=confiscation_id)
    return confiscation_id


def _may_allocate(db: Database, actor: Actor) -> None:
    """Allocating is the remedies side's act: never an enforcement organisation (which never sees a claim)."""
    may = allocation_decision(actor)
    if not may:
        refuse(db, actor, Action.REMEDY_UPDATE, "finance_confiscation", None, may.reason)


def may_allocate(actor: Actor) -> bool:
    """Whether pages offer the actor to allocate confiscated proceeds (the services check again)."""
    return bool(allocation_decision(actor))


def confiscations_available(db: Database, actor: Actor) -> list[ConfiscationView]:
    """Confiscations with money left to allocate, for those who keep victims' claims: amounts, currencies
    and dates only (no investigation, no order)."""
    _may_allocate(db, actor)
    with db.transaction() as session:
        rows = session.execute(
            select(FinanceConfiscation).order_by(
                FinanceConfiscation.confiscated_on, FinanceConfiscation.created_at
            )
        ).scalars()
        views = [_confiscation_view(db, session, r, with_order=False) for r in rows]
    return [v for v in views if Decimal(v.remaining) > 0]


def allocate(
    db: Database, actor: Actor, confiscation_id: str, claim_id: str, amount: str, allocated_on: dt.date | str
) -> str:
    """Allocate part of a confiscation to her claim: a ledger line here and a proceeds allocation on the claim
    (``remedies.record_allocation``, which checks that the actor may update the claim). The ledger line is
    written first, reserving the amount, so two allocations never exceed the confiscation; if the claim side
    refuses, the reservation is removed and nothing stays half-written. Returns the ledger line's id."""
    _may_allocate(db, actor)
    with db.transaction() as session:
        row = session.execute(
            select(FinanceConfiscation)
            .where(FinanceConfiscation.id == _known(confiscation_id, "confiscation"))
            .with_for_update()
        ).scalar_one_or_none()
        if row is None:
            raise NotFound(f"no confiscation {confiscation_id[:40]!r}")
        checked = _money(amount, row.currency, f"confiscation {row.id}", allocated_on)
        if checked.allocated_on < row.confiscated_on:
            raise InvalidInput(
                "allocated_on: "
                + N_("the allocation is dated before the confiscation (%(day)s)")
                % {"day": row.confiscated_on.isoformat()},
                field="allocated_on",
            )
        remaining = row.amount_minor - _allocated(session, row.id)
        if checked.minor > remaining:
            raise InvalidInput(
                f"only {format_minor(remaining, row.currency)} {row.currency} of this confiscation is "
                "left to allocate",
                field="amount",
            )
        line_id = new_id()
        session.add(
            FinanceRestitution(
                id=line_id,
                confiscation_id=row.id,
                allocation_id=None,
                amount_minor=checked.minor,
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        session.flush()
        if row.amount_minor - _allocated(session, row.id) < 0:
            raise InvalidInput("the confiscation was allocated meanwhile; try again", field="amount")
    try:
        allocation_id = remedies.record_allocation(db, actor, claim_id, checked)
    except Exception:
        with db.transaction() as session:
            line = session.get(FinanceRestitution, line_id)
            if line is not None:
                session.delete(line)
        raise
    with db.transaction() as session:
        line = session.get(FinanceRestitution, line_id)
        assert line is not None  # noqa: S101
        line.allocation_id = allocation_id
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "finance.restitution",
                "finance_confiscation",
                confiscation_id,
                detail={"line": line_id, "allocation": allocation_id},
            ),
        )
    return line_id


# -- her own account as a seed, with her consent for compensation (issue 17, item 6) -------------------

_ACCOUNT = "finance_consented_account"
CONSENTED_LABEL = "a victim's account (consented)"
"""How her account appears to the unit, in traces and packs (the pages translate it)."""
MAX_ACCOUNT = 100
CONSENTED_SEED = "consented:"
SEED_UNAVAILABLE = "the consented seed is not available to this unit"
"""The prefix of a trace seed that names her account by its record, never by its identifier."""


@dataclass(frozen=True)
class ConsentedAccountView:
    """Her account as the caseworker's side sees it on her case."""

    id: str
    account: str
    organisation: str
    consent_id: str
    given_on: dt.date
    expires_on: dt.date | None
    in_force: bool


@dataclass(frozen=True)
class ConsentedSeed:
    """What the financial intelligence unit sees of her account: an opaque record and how long it may be
    used. Never the case, her name, or who recorded it."""

    id: str
    expires_on: dt.date | None

    @property
    def seed(self) -> str:
        return CONSENTED_SEED + self.id

    @property
    def tag(self) -> str:
        return self.id[:8]


def record_consented_account(
    db: Database,
    actor: Actor,
    case_id: str,
    account: str,
    organisation_id: str,
    language: str,
    expires_on: dt.date | str | None = None,
    interpreter_used: bool = False,
    terms: ConsentTerms | None = None,
) -> str:
    """Record her own account identifier on her case (encrypted), with her consent for the purpose
    ``compensation`` naming one financial intelligence unit (recorded here, in the same transaction, through
    ``services.consent.record_consent``, which checks that the actor may record consent on her case). The
    unit may trace from the account while that consent is in force. Returns the record's id."""
    cleaned = " ".join(account.replace("\x00", "").split())
    if not cleaned:
        raise InvalidInput("give her account's identifier", field="account")
    if len(cleaned) > MAX_ACCOUNT:
        raise InvalidInput(f"the identifier is longer than {MAX_ACCOUNT} characters", field="account")
    try:
        terms_of_consent = Consent.model_validate(
            {
                "purposes": [ConsentPurpose.COMPENSATION.value],
                "recipient_organisation_ids": [organisation_id],
                "language": language,
                "interpreter_used": interpreter_used,
                "expires_on": expires_on or None,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = str(first["loc"][0]) if first["loc"] else "language"
        raise InvalidInput(f"{where}: {first['msg']}", field=where) from None
    record_id = new_id()
    with db.transaction() as session:
        unit = session.get(Organisation, organisation_id) if is_record_id(organisation_id) else None
        if unit is None or not consent_recipient_through_firewall(
            [ConsentPurpose.COMPENSATION.value], unit.type
        ):
            raise InvalidInput("choose a financial intelligence unit", field="organisation_id")
        consent_id = consent.record_consent(
            db, actor, case_id, terms_of_consent, terms=terms, session=session
        )
        session.add(
            FinanceConsentedAccount(
                id=record_id,
                case_id=case_id,
                consent_id=consent_id,
                organisation_id=unit.id,
                account_enc=encrypt_text(db.keyring, _ACCOUNT, record_id, cleaned),
                recorded_by=actor.user_id,
                created_at=now(),
            )
        )
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(
                actor.user_id,
                "finance.consented_account",
                "case",
                case_id,
                detail={"record": record_id, "consent": consent_id},
            ),
        )
    return record_id


def consented_accounts(db: Database, actor: Actor, case_id: str) -> list[ConsentedAccountView]:
    """Her accounts recorded on her case with their consents, for those who may read her consents."""
    today = dt.date.today()
    with db.transaction() as session:
        load_case_for(db, session, actor, case_id, Action.CONSENT_READ)
        rows = session.execute(
            select(FinanceConsentedAccount, ConsentRecord, Organisation.name)
            .join(ConsentRecord, ConsentRecord.id == FinanceConsentedAccount.consent_id)
            .join(Organisation, Organisation.id == FinanceConsentedAccount.organisation_id)
            .where(FinanceConsentedAccount.case_id == case_id)
            .order_by(FinanceConsentedAccount.created_at)
        ).all()
        return [
            ConsentedAccountView(
                row.id,
                decrypt_text(db.keyring, _ACCOUNT, row.id, row.account_enc),
                name,
                record.id,
                record.given_on,
                record.expires_on,
                bool(consent_in_force(consent_facts(record), today)),
            )
            for row, record, name in rows
        ]


def consented_seeds(db: Database, actor: Actor) -> list[ConsentedSeed]:
    """The victims' own accounts the actor's unit may trace from today (their consents for compensation in
    force and naming it), as opaque records; audited."""
    check_investigator(db, actor)
    today = dt.date.today()
    with db.transaction() as session:
        rows = session.execute(
            select(FinanceConsentedAccount, ConsentRecord)
            .join(ConsentRecord, ConsentRecord.id == FinanceConsentedAccount.consent_id)
            .where(FinanceConsentedAccount.organisation_id == actor.organisation_id)
            .order_by(FinanceConsentedAccount.created_at)
        ).all()
        seeds = [
            ConsentedSeed(row.id, record.expires_on)
            for row, record in rows
            if consented_seed_decision(actor, consent_facts(record), row.organisation_id, today)
        ]
        _audit(session, db, actor, "finance.consented_seeds", None, shown=str(len(seeds)))
    return seeds


def _consented_account(db: Database, actor: Actor, seed: str) -> str:
    """Her account's identifier behind a consented seed, if the actor may trace from it today; refused
    (audited) otherwise, the same for an absent record and one whose consent has ended."""
    record_id = seed.removeprefix(CONSENTED_SEED)
    with db.transaction() as session:
        row = session.get(FinanceConsentedAccount, record_id) if is_record_id(record_id) else None
        record = None if row is None else session.get(ConsentRecord, row.consent_id)
        decision = consented_seed_decision(
            actor,
            None if record is None else consent_facts(record),
            "" if row is None else row.organisation_id,
            dt.date.today(),
        )
        if row is not None and decision:
            return decrypt_text(db.keyring, _ACCOUNT, row.id, row.account_enc)
    # one answer for an absent record, another unit's and one whose consent has ended: the unit learns
    # nothing of her consent, or of a case, from a refusal (the seed leaves its list when the consent ends)
    refuse(
        db, actor, Action.FINANCE, _ACCOUNT, record_id if is_record_id(record_id) else None, SEED_UNAVAILABLE
    )


def masked(result: Any, account: str, label: str) -> Any:
    """The trace with her account's identifier replaced by ``label`` wherever it appears."""
    from opennrm.finance.trace import Trace

    def name(value: str) -> str:
        return label if value == account else value

    return Trace(
        seeds=tuple(name(s) for s in result.seeds),
        direction=result.direction,
        hops=result.hops,
        destinations=[
            replace(d, account=name(d.account), path_accounts=tuple(name(a) for a in d.path_accounts))
            for d in result.destinations
        ],
        transactions=result.transactions,
        seconds=result.seconds,
    )


def compensation_units(db: Database) -> list[tuple[str, str]]:
    """The organisations a consent for compensation may name (financial intelligence units): id and name."""
    with db.transaction() as session:
        rows = session.execute(select(Organisation.id, Organisation.name, Organisation.type)).all()
    return sorted(
        (
            (i, n)
            for i, n, t in rows
            if consent_recipient_through_firewall([ConsentPurpose.COMPENSATION.value], t)
        ),
        key=lambda pair: pair[1],
    )


def may_record_account(db: Database, actor: Actor, case_id: str) -> bool:
    """Whether pages offer the actor to record her account with her consent (the services check again)."""
    with db.transaction() as session:
        case = session.get(Case, case_id) if is_record_id(case_id) else None
        return case is not None and bool(decide(actor, Action.CONSENT_RECORD, relation_of(session, case)))
