"""What an anonymous client can make the server do by logging in: a rate per client and a cap on hashing.

Each log-in costs an argon2id hash (64 MiB, about 0.2 s of a core), whoever asks. Two limits keep a flood
from starving everyone else:

- per client: a token bucket of ``login_attempts_per_minute`` failed attempts (a successful log-in gives
  its attempt back). Clients are told apart by an HMAC
  of their address under a key made when the server starts and never written down, so the counters, kept
  in memory only, hold no address; a restart forgets them.
- for the whole server: at most ``login_concurrency`` log-ins are checked at once, on worker threads of
  their own (so the threads that answer other requests stay free); up to ``login_queue`` more wait their
  turn without holding a thread, and any beyond are refused at once.

Both refusals are 429 with ``Retry-After``. The per-account back-off (``services.auth.backoff``) is a
separate rule: it cannot be seen from outside and holds however many addresses an attacker has.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import anyio
import anyio.to_thread

from opennrm.config import Settings
from opennrm.domain.text import N_
from opennrm.services.errors import ServiceError

T = TypeVar("T")

MAX_CLIENTS = 10_000
"""Buckets kept at most; full (idle) buckets are dropped first, so memory stays bounded under a flood."""


class TooManyRequests(ServiceError):
    status = 429
    title = N_("Too many requests")

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many log-in attempts; wait a little and try again")
        self.retry_after = retry_after


@dataclass
class _Bucket:
    tokens: float
    updated: float


class LoginGuard:
    def __init__(self, attempts_per_minute: int, concurrency: int, queue: int) -> None:
        self._key = secrets.token_bytes(32)
        self._capacity = float(attempts_per_minute)
        self._refill = attempts_per_minute / 60.0
        self._buckets: dict[bytes, _Bucket] = {}
        self._lock = threading.Lock()
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._queue = queue
        self._waiting = 0
        self.busiest = 0
        """The most log-ins ever checked at once (the tests read it; never above ``concurrency``)."""
        self._running = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginGuard:
        return cls(settings.login_attempts_per_minute, settings.login_concurrency, settings.login_queue)

    def _client(self, address: str) -> bytes:
        return hmac.new(self._key, address.encode(), hashlib.sha256).digest()[:16]

    def admit(self, address: str) -> None:
        """Take one attempt from the client's bucket, or raise ``TooManyRequests``."""
        at = time.monotonic()
        key = self._client(address)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._forget_idle(at)
                bucket = self._buckets[key] = _Bucket(self._capacity, at)
            bucket.tokens = min(self._capacity, bucket.tokens + (at - bucket.updated) * self._refill)
            bucket.updated = at
            if bucket.tokens < 1:
                raise TooManyRequests(max(1, math.ceil((1 - bucket.tokens) / self._refill)))
            bucket.tokens -= 1

    def refund(self, address: str) -> None:
        """Give back the attempt of a log-in that succeeded: only failures use up a client's allowance, so
        an office whose staff share one address is not held up by its own colleagues."""
        with self._lock:
            bucket = self._buckets.get(self._client(address))
            if bucket is not None:
                bucket.tokens = min(self._capacity, bucket.tokens + 1)

    def _forget_idle(self, at: float) -> None:
        full = [
            k
            for k, b in self._buckets.items()
            if b.tokens + (at - b.updated) * self._refill >= self._capacity
        ]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= MAX_CLIENTS:  # all busy: forget the stalest half rather than grow
            stalest = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for key in stalest[: len(stalest) // 2]:
                del self._buckets[key]

    async def check(self, func: Callable[..., T], *args: object) -> T:
        """Run ``func`` (a log-in) on a worker thread once one of the ``concurrency`` places is free."""
        if self._waiting >= self._queue + self._limiter.total_tokens:
            raise TooManyRequests(1)
        self._waiting += 1
        try:
            return await anyio.to_thread.run_sync(self._counted, func, *args, limiter=self._limiter)
        finally:
            self._waiting -= 1

    def _counted(self, func: Callable[..., T], *args: object) -> T:
        with self._lock:
            self._running += 1
            self.busiest = max(self.busiest, self._running)
        try:
            return func(*args)
        finally:
            with self._lock:
                self._running -= 1
