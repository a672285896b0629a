"""The privacy-budget ledger: how much ε each data controller has spent on each year's persons.

Privacy loss adds up over releases (sequential composition), so every release is charged here *before*
any noise is drawn, and a release that would take a controller's spending for a year above its cap is
refused, changing nothing. Years are the years persons were first identified (``records`` counts each
person in one year only), so a release that covers several years charges each of them (parallel
composition across years); a source without years (CTDC) is charged to the year given.

Storage: an append-only JSON Lines file (``<data dir>/stats/privacy_ledger.jsonl``). Each line is one entry
(a cap set or a charge) carrying the SHA-256 of the previous line, so an edited or removed line is detected
and the ledger refuses to be used until someone looks. Writers take an exclusive ``flock`` on the file,
re-read it, decide, append and ``fsync`` before releasing the lock, so two releases at once cannot both
pass the check. ``PrivacyBudgetLedger`` is the interface the rest of the code uses; a database-backed
ledger can replace this file later.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Protocol

#: The cap used when a controller has none on record for a year (ε per controller per year).
DEFAULT_ANNUAL_CAP = Decimal("2")
LEDGER_FILE = Path("stats") / "privacy_ledger.jsonl"
_GENESIS = "0" * 64


class LedgerError(Exception):
    """The ledger cannot be used (unreadable, or its hash chain is broken)."""


class BudgetExceeded(Exception):
    """A charge would take a controller's spending for a year above its cap."""

    def __init__(self, controller: str, year: int, cap: Decimal, spent: Decimal, requested: Decimal) -> None:
        self.controller, self.year, self.cap, self.spent, self.requested = (
            controller,
            year,
            cap,
            spent,
            requested,
        )
        left = max(cap - spent, Decimal(0))
        super().__init__(
            f"privacy budget exceeded for {controller!r} in {year}: cap ε = {cap}, already spent {spent},"
            f" this release needs {requested}, {left} left; nothing was released"
        )


@dataclass(frozen=True)
class LedgerEntry:
    kind: str  # "cap" or "charge"
    controller: str
    year: int
    epsilon: str  # a decimal number, kept as text so sums are exact
    release_id: str
    purpose: str
    recorded_at: str
    previous: str
    digest: str

    @property
    def amount(self) -> Decimal:
        return Decimal(self.epsilon)


class PrivacyBudgetLedger(Protocol):
    """What releases need from a ledger, wherever it is stored."""

    def cap(self, controller: str, year: int) -> Decimal: ...

    def spent(self, controller: str, year: int) -> Decimal: ...

    def set_cap(self, controller: str, year: int, epsilon: Decimal, purpose: str) -> LedgerEntry: ...

    def charge(
        self, controller: str, years: Sequence[int], epsilon: Decimal, release_id: str, purpose: str
    ) -> list[LedgerEntry]: ...

    def entries(self) -> list[LedgerEntry]: ...


def as_epsilon(value: float | str | Decimal) -> Decimal:
    """A positive, finite ε as an exact decimal (floats go through their shortest text form)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise ValueError(f"epsilon must be a positive number, got {value!r}")
    return amount


def _digest(previous: str, body: dict[str, object]) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous + "\n" + text).encode("utf-8")).hexdigest()


class JsonLinesLedger:
    """``PrivacyBudgetLedger`` kept in an append-only, hash-chained JSON Lines file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def in_home(cls, home: Path) -> JsonLinesLedger:
        return cls(home / LEDGER_FILE)

    # -- reading --------------------------------------------------------------------------------------

    def entries(self) -> list[LedgerEntry]:
        if not self.path.exists():
            return []
        with self._locked(exclusive=False) as fh:
            return self._read(fh)

    def cap(self, controller: str, year: int) -> Decimal:
        return _cap(self.entries(), controller, year)

    def spent(self, controller: str, year: int) -> Decimal:
        return _spent(self.entries(), controller, year)

    # -- writing --------------------------------------------------------------------------------------

    def set_cap(self, controller: str, year: int, epsilon: Decimal, purpose: str = "") -> LedgerEntry:
        amount = as_epsilon(epsilon)
        _check_names(controller, [year])
        with self._locked(exclusive=True) as fh:
            entries = self._read(fh)
            return self._append(fh, entries, [("cap", controller, year, amount, "", purpose)])[0]

    def charge(
        self, controller: str, years: Sequence[int], epsilon: Decimal, release_id: str, purpose: str = ""
    ) -> list[LedgerEntry]:
        """Record the spending of ``epsilon`` on each year, or raise ``BudgetExceeded`` and record nothing."""
        amount = as_epsilon(epsilon)
        years = sorted(set(years))
        _check_names(controller, years)
        with self._locked(exclusive=True) as fh:
            entries = self._read(fh)
            for year in years:
                cap, spent = _cap(entries, controller, year), _spent(entries, controller, year)
                if spent + amount > cap:
                    raise BudgetExceeded(controller, year, cap, spent, amount)
            rows = [("charge", controller, year, amount, release_id, purpose) for year in years]
            return self._append(fh, entries, rows)

    # -- file handling --------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[IO[str]]:
        created = not self.path.exists()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+", encoding="utf-8") as fh:
            if created:
                os.chmod(self.path, 0o600)
                _fsync_dir(self.path.parent)
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            try:
                yield fh
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def _read(self, fh: IO[str]) -> list[LedgerEntry]:
        fh.seek(0)
        text = fh.read()
        if text and not text.endswith("\n"):
            raise LedgerError(f"{self.path}: the last line is incomplete; the ledger needs checking")
        entries: list[LedgerEntry] = []
        previous = _GENESIS
        for number, line in enumerate(text.splitlines(), start=1):
            try:
                raw = json.loads(line)
                entry = LedgerEntry(**raw)
            except (json.JSONDecodeError, TypeError) as exc:
                raise LedgerError(f"{self.path}: line {number} is not a ledger entry ({exc})") from None
            body = {k: v for k, v in raw.items() if k != "digest"}
            if entry.previous != previous or _digest(previous, body) != entry.digest:
                raise LedgerError(f"{self.path}: line {number} breaks the hash chain; the ledger was altered")
            entries.append(entry)
            previous = entry.digest
        return entries

    def _append(
        self,
        fh: IO[str],
        entries: list[LedgerEntry],
        rows: Sequence[tuple[str, str, int, Decimal, str, str]],
    ) -> list[LedgerEntry]:
        previous = entries[-1].digest if entries else _GENESIS
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        written: list[LedgerEntry] = []
        lines: list[str] = []
        for kind, controller, year, amount, release_id, purpose in rows:
            body: dict[str, object] = {
                "kind": kind,
                "controller": controller,
                "year": year,
                "epsilon": str(amount),
                "release_id": release_id,
                "purpose": purpose,
                "recorded_at": now,
                "previous": previous,
            }
            digest = _digest(previous, body)
            entry = LedgerEntry(**body, digest=digest)  # type: ignore[arg-type]
            lines.append(json.dumps(asdict(entry), ensure_ascii=False, sort_keys=True) + "\n")
            written.append(entry)
            previous = digest
        fh.seek(0, os.SEEK_END)
        fh.write("".join(lines))
        fh.flush()
        os.fsync(fh.fileno())
        return written


def _check_names(controller: str, years: Sequence[int]) -> None:
    if not controller.strip():
        raise ValueError("the data controller's name is empty")
    for year in years:
        if not 1900 <= year <= 2200:
            raise ValueError(f"year {year} is out of range")


def _cap(entries: Sequence[LedgerEntry], controller: str, year: int) -> Decimal:
    caps = [e.amount for e in entries if e.kind == "cap" and e.controller == controller and e.year == year]
    return caps[-1] if caps else DEFAULT_ANNUAL_CAP


def _spent(entries: Sequence[LedgerEntry], controller: str, year: int) -> Decimal:
    return sum(
        (e.amount for e in entries if e.kind == "charge" and e.controller == controller and e.year == year),
        Decimal(0),
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def new_release_id() -> str:
    return uuid.uuid4().hex
