"""Spam and flood defence of the anonymous reporting channel, kept in memory only (nothing is written).

- Counters per client and for the whole server, per clock hour. A client is told apart by an HMAC of its
  address under a key drawn at random each hour and never written down; when the hour turns, key and
  counters are dropped together, so no counter outlives the hour and none holds an address. Exceeding a
  counter answers 429 with ``Retry-After`` (the seconds left in the hour).
- A proof of work (ALTCHA v2, PBKDF2/SHA-256; ``altcha`` library) on the web form: the page carries a
  challenge signed with a key of this process; a small script of ours solves it in the browser. A solved
  challenge is accepted once. Without scripts (Tor Browser at its safest) the form still works, under a
  smaller allowance of its own (``NO_SCRIPT_SHARE`` of the hourly total). On the JSON API the proof of
  work is a setting, off by default (``Settings.report_api_proof_of_work``).
- Argon2id hashing of receipts (64 MiB each) runs on at most ``HASHING_CONCURRENCY`` worker threads at once.

The address itself is read from the ASGI scope by ``client_key`` and turned into the HMAC at once; no
other code of the public routes reads it, and no header is read at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import altcha
import anyio
import anyio.to_thread
from starlette.requests import Request

from opennrm.config import Settings
from opennrm.domain.text import N_
from opennrm.services.errors import InvalidInput, ServiceError

T = TypeVar("T")

HASHING_CONCURRENCY = 2
ACCESS_TOTAL_FACTOR = 20
NO_SCRIPT_SHARE = 4
"""Reports sent without a proof of work may use a quarter of the server's hourly allowance."""
POW_ALGORITHM = "PBKDF2/SHA-256"
POW_COST = 1_000
POW_MAX_COUNTER = 2_000
"""The counter the browser must find is drawn below this: about 1,000 PBKDF2 rounds × 1,000 tries on
average (a second or two on a phone), nothing for one report, a real cost for thousands."""
POW_MINUTES = 30
MAX_CLIENTS = 50_000


class TooManyReports(ServiceError):
    status = 429
    title = N_("Too many requests")

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many requests from here just now; please try again later")
        self.retry_after = retry_after


class PublicGuard:
    def __init__(
        self,
        *,
        reports_per_client: int,
        reports_total: int,
        access_per_client: int,
        api_proof_of_work: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._limits = {
            "report": (reports_per_client, reports_total),
            "report-noscript": (reports_per_client, max(1, reports_total // NO_SCRIPT_SHARE)),
            "access": (access_per_client, access_per_client * ACCESS_TOTAL_FACTOR * 10),
        }
        self.api_proof_of_work = api_proof_of_work
        self._clock = clock
        self._lock = threading.Lock()
        self._hour = -1
        self._key = b""
        self._counts: dict[tuple[str, bytes], int] = {}
        self._totals: dict[str, int] = {}
        self._pow_secret = secrets.token_hex(32)
        self._spent: dict[str, float] = {}
        self._limiter = anyio.CapacityLimiter(HASHING_CONCURRENCY)

    @classmethod
    def from_settings(cls, settings: Settings) -> PublicGuard:
        return cls(
            reports_per_client=settings.reports_per_client_hour,
            reports_total=settings.reports_per_hour,
            access_per_client=settings.report_access_per_client_hour,
            api_proof_of_work=settings.report_api_proof_of_work,
        )

    # -- counters -------------------------------------------------------------------------------------

    def _rotate(self, at: float) -> None:
        hour = int(at // 3600)
        if hour != self._hour:
            self._hour = hour
            self._key = secrets.token_bytes(32)
            self._counts.clear()
            self._totals.clear()

    def client_key(self, request: Request) -> bytes:
        """The salted hash of the client's address for this hour (the address is not kept)."""
        with self._lock:
            self._rotate(self._clock())
            address = request.scope.get("client") or ("", 0)
            return hmac.new(self._key, str(address[0]).encode(), hashlib.sha256).digest()[:16]

    def admit(self, kind: str, client: bytes) -> None:
        """Count one request of ``kind`` for the client and the server, or raise ``TooManyReports``."""
        per_client, total = self._limits[kind]
        with self._lock:
            at = self._clock()
            self._rotate(at)
            retry = max(1, int(3600 - at % 3600))
            if self._totals.get(kind, 0) >= total:
                raise TooManyReports(retry)
            bucket = "report" if kind.startswith("report") else kind
            if self._counts.get((bucket, client), 0) >= per_client:
                raise TooManyReports(retry)
            if len(self._counts) >= MAX_CLIENTS:
                raise TooManyReports(retry)
            self._totals[kind] = self._totals.get(kind, 0) + 1
            if kind == "report-noscript":
                self._totals["report"] = self._totals.get("report", 0) + 1
            self._counts[(bucket, client)] = self._counts.get((bucket, client), 0) + 1

    # -- proof of work ---------------------------------------------------------------------------------

    def challenge(self) -> dict[str, Any]:
        """A fresh signed challenge, as the page's script reads it."""
        expires = dt.datetime.fromtimestamp(self._clock(), dt.UTC) + dt.timedelta(minutes=POW_MINUTES)
        made = altcha.create_challenge(
            algorithm=POW_ALGORITHM,
            cost=POW_COST,
            counter=secrets.randbelow(POW_MAX_COUNTER),
            key_prefix_length=4,
            expires_at=expires,
            hmac_secret=self._pow_secret,
        )
        out: dict[str, Any] = made.to_dict()
        return out

    def check_proof(self, payload: str | None, *, field: str = "altcha") -> None:
        """Accept a solved challenge once; ``InvalidInput`` otherwise."""
        if not payload or len(payload) > 4000:
            raise InvalidInput("the anti-spam check is missing; reload the page and try again", field=field)
        try:
            result = altcha.verify_solution(payload, self._pow_secret)
            signature = altcha.Payload.from_base64(payload).challenge.signature or ""
        except Exception:  # a malformed payload of any kind is the same refusal
            raise InvalidInput(
                "the anti-spam check failed; reload the page and try again", field=field
            ) from None
        if not result.verified:
            raise InvalidInput("the anti-spam check failed; reload the page and try again", field=field)
        with self._lock:
            at = self._clock()
            for sig, until in list(self._spent.items()):
                if until < at:
                    del self._spent[sig]
            if signature in self._spent:
                raise InvalidInput("this form was already sent; reload the page", field=field)
            self._spent[signature] = at + POW_MINUTES * 60

    # -- hashing ----------------------------------------------------------------------------------------

    async def hashing(self, func: Callable[..., T], *args: Any) -> T:
        """Run ``func`` (which hashes a receipt) on a worker thread, ``HASHING_CONCURRENCY`` at once."""
        return await anyio.to_thread.run_sync(lambda: func(*args), limiter=self._limiter)


def solve_for_tests(challenge: dict[str, Any]) -> str:
    """Solve a challenge as the browser does (for tests and the API's clients in Python)."""
    parsed = altcha.Challenge.from_dict(challenge)
    solution = altcha.solve_challenge(parsed)
    if solution is None:
        raise RuntimeError("the challenge could not be solved")
    return str(altcha.Payload(parsed, solution).to_base64())
