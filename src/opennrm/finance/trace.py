"""Tracing money from seed accounts: time-respecting forward and backward traces to k hops, with the value
attributed two ways side by side (GR38 §108, §112(e)).

**Time-respecting:** a payment continues a trace only if it leaves an account after money from the seed
reached it. **Hops:** the seed's own payments are hop 1; a payment by an account first reached at hop h is
hop h + 1; nothing beyond ``hops`` is followed.

**Attribution** of each payment leaving a traced account:

- *proportional* (haircut): the payment carries the traced share of the account's balance at that moment;
- *FIFO*: the payment spends the oldest money in the account first, traced or not.

An account's balance starts at its ``opening_balance`` (accounts file) plus what it received before the trace
reached it, less what it paid; money paid beyond a known balance is counted as coming from outside the trace.

A **backward** trace runs the same attribution on the flows reversed (payments turned round, time running
backwards): the seed's inflows are hop 1 and each earlier inflow of a payer is a candidate source. Reversed,
FIFO matches a payment with the most recent inflows before it.

Each reached account gets its traced value received, the value it kept (received less passed on: where the
money sits, for freezing requests), the first hop it was reached at, and the path of payments that reached it
first.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opennrm.finance.ingest import Transactions

FORWARD = "forward"
BACKWARD = "backward"
_EPS = 1e-9


class TraceError(ValueError):
    """The seed is not in the data, or an option is out of range."""


@dataclass(frozen=True)
class Destination:
    account: str
    hop: int
    proportional_received: float
    proportional_kept: float
    fifo_received: float
    fifo_kept: float
    path: tuple[str, ...]  # transaction ids, seed first
    path_accounts: tuple[str, ...]


@dataclass
class Trace:
    seeds: tuple[str, ...]
    direction: str
    hops: int
    destinations: list[Destination] = field(default_factory=list)
    transactions: int = 0
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "seeds": list(self.seeds),
            "direction": self.direction,
            "hops": self.hops,
            "transactions_followed": self.transactions,
            "attribution": ["proportional", "fifo"],
            "destinations": [
                {
                    "account": d.account,
                    "hop": d.hop,
                    "proportional": {
                        "received": round(d.proportional_received, 2),
                        "kept": round(d.proportional_kept, 2),
                    },
                    "fifo": {"received": round(d.fifo_received, 2), "kept": round(d.fifo_kept, 2)},
                    "path": list(d.path),
                    "path_accounts": list(d.path_accounts),
                }
                for d in self.destinations
            ],
        }


class Tracer:
    """Arrays of one set of transactions, built once and reused for many traces."""

    def __init__(self, transactions: Transactions, opening: dict[str, float] | None = None) -> None:
        f = transactions.frame
        self.accounts = transactions.accounts
        self.index = transactions.index()
        self.ids = f["id"].to_numpy()
        self.src = f["src"].to_numpy().astype(np.int64)
        self.dst = f["dst"].to_numpy().astype(np.int64)
        self.ts = f["ts"].dt.epoch("us").to_numpy()
        self.amount = f["amount"].to_numpy().astype(np.float64)
        self.opening = np.zeros(len(self.accounts))
        if opening is None and transactions.accounts_frame is not None:
            acc = transactions.accounts_frame
            if "opening_balance" in acc.columns:
                opening = {
                    a: float(b)
                    for a, b in acc.select("account", "opening_balance").iter_rows()
                    if b is not None
                }
        for account, value in (opening or {}).items():
            if account in self.index:
                self.opening[self.index[account]] = value
        n = len(self.accounts)
        # edges grouped by source (forward) and by target (backward), each group in time order
        self._by = {}
        for name, key in ((FORWARD, self.src), (BACKWARD, self.dst)):
            order = np.lexsort((self.ts, key))
            self._by[name] = (order, np.searchsorted(key[order], np.arange(n + 1)))

    def trace(self, seeds: list[str], direction: str = FORWARD, hops: int = 3) -> Trace:
        import time

        started = time.perf_counter()
        if direction not in (FORWARD, BACKWARD):
            raise TraceError("direction must be forward or backward")
        if not 1 <= hops <= 10:
            raise TraceError("hops must be between 1 and 10")
        unknown = [s for s in seeds if s not in self.index]
        if unknown:
            raise TraceError(f"seed account {unknown[0]} does not appear in the transactions")
        forward = direction == FORWARD
        head, tail = (self.src, self.dst) if forward else (self.dst, self.src)
        sign = 1 if forward else -1
        t = self.ts * sign  # backward: time runs the other way
        order, starts = self._by[direction]
        seed_ids = {self.index[s] for s in seeds}
        # 1. which payments can carry the seed's money (time-respecting, up to `hops`)
        arrival: dict[int, int] = {s: np.iinfo(np.int64).min for s in seed_ids}
        hop_of: dict[int, int] = dict.fromkeys(seed_ids, 0)
        parent: dict[int, int] = {}
        frontier = set(seed_ids)
        for h in range(1, hops + 1):
            nxt: set[int] = set()
            for node in frontier:
                a, b = starts[node], starts[node + 1]
                edges = order[a:b]
                if not forward:
                    edges = edges[::-1]
                for e in edges:
                    if t[e] <= arrival[node] and node not in seed_ids:
                        continue
                    other = int(tail[e])
                    if other in seed_ids:
                        continue
                    if other not in arrival or t[e] < arrival[other]:
                        if other not in arrival:
                            hop_of[other] = h
                            nxt.add(other)
                        arrival[other] = int(t[e])
                        parent[other] = int(e)
            frontier = nxt
        # 2. the payments that matter: those out of reached accounts after they were reached, and those into
        #    reached accounts after they were reached (their balances); time order (reversed if backward)
        reached = np.zeros(len(self.accounts), dtype=bool)
        arr = np.full(len(self.accounts), np.iinfo(np.int64).max)
        for node, when in arrival.items():
            reached[node] = True
            arr[node] = when
        out_rel = reached[head] & (t >= arr[head])
        in_rel = reached[tail] & (t >= arr[tail])
        relevant = np.flatnonzero(out_rel | in_rel)
        relevant = relevant[np.argsort(t[relevant], kind="stable")]
        # balances on arrival: opening + inflows − outflows before the trace reached the account
        balance: dict[int, float] = {}
        nodes = np.array(sorted(arrival), dtype=np.int64)
        before_in = np.zeros(len(self.accounts))
        before_out = np.zeros(len(self.accounts))
        mask_in = reached[tail] & (t < arr[tail])
        np.add.at(before_in, tail[mask_in], self.amount[mask_in])
        mask_out = reached[head] & (t < arr[head])
        np.add.at(before_out, head[mask_out], self.amount[mask_out])
        for node in nodes:
            opening = self.opening[node] + before_in[node] - before_out[node]
            balance[int(node)] = max(0.0, float(opening)) if int(node) not in seed_ids else 0.0
        # 3. attribution, one payment at a time
        traced: dict[int, float] = defaultdict(float)  # proportional traced balance
        received_p: dict[int, float] = defaultdict(float)
        passed_p: dict[int, float] = defaultdict(float)
        received_f: dict[int, float] = defaultdict(float)
        passed_f: dict[int, float] = defaultdict(float)
        lots: dict[int, deque[list[float]]] = defaultdict(deque)  # [amount, traced?] oldest first
        for node, value in balance.items():
            if value > 0:
                lots[node].append([value, 0.0])
        followed = 0
        for e in relevant:
            u, v, amount = int(head[e]), int(tail[e]), float(self.amount[e])
            u_in = reached[u] and t[e] >= arr[u]
            if u in seed_ids:
                moved_p = moved_f = amount
            elif u_in and hop_of.get(u, hops) < hops:
                bal = balance.get(u, 0.0)
                base = max(bal, amount)
                moved_p = amount * traced[u] / base if base > _EPS else 0.0
                traced[u] = max(0.0, traced[u] - moved_p)
                # FIFO: spend the oldest lots first
                moved_f, need, queue = 0.0, amount, lots[u]
                while need > _EPS and queue:
                    lot = queue[0]
                    take = min(lot[0], need)
                    moved_f += take * lot[1]
                    lot[0] -= take
                    need -= take
                    if lot[0] <= _EPS:
                        queue.popleft()
            else:
                moved_p = moved_f = 0.0
                if u_in:  # a reached account at the last hop: its balance still falls
                    bal = balance.get(u, 0.0)
                    base = max(bal, amount)
                    traced[u] = max(0.0, traced[u] - (amount * traced[u] / base if base > _EPS else 0.0))
                    need, queue = amount, lots[u]
                    while need > _EPS and queue:
                        take = min(queue[0][0], need)
                        queue[0][0] -= take
                        need -= take
                        if queue[0][0] <= _EPS:
                            queue.popleft()
            if u in balance:
                balance[u] = max(0.0, balance[u] - amount)
                passed_p[u] += moved_p
                passed_f[u] += moved_f
            if moved_p > 0 or moved_f > 0:
                followed += 1
            if v in balance and t[e] >= arr[v]:
                balance[v] += amount
                traced[v] += moved_p
                received_p[v] += moved_p
                received_f[v] += moved_f
                if v not in seed_ids:
                    lots[v].append([amount, moved_f / amount if amount > 0 else 0.0])
        destinations = []
        for node in arrival:
            if node in seed_ids:
                continue
            path: list[str] = []
            accounts_path: list[str] = [self.accounts[node]]
            cur = node
            while cur in parent:
                e = parent[cur]
                path.append(str(self.ids[e]))
                cur = int(head[e])
                accounts_path.append(self.accounts[cur])
            destinations.append(
                Destination(
                    self.accounts[node],
                    hop_of[node],
                    received_p[node],
                    received_p[node] - passed_p[node],
                    received_f[node],
                    received_f[node] - passed_f[node],
                    tuple(reversed(path)),
                    tuple(reversed(accounts_path)),
                )
            )
        destinations.sort(key=lambda d: (-d.proportional_kept, -d.proportional_received, d.account))
        return Trace(tuple(seeds), direction, hops, destinations, followed, time.perf_counter() - started)


def trace(transactions: Transactions, seeds: list[str], direction: str = FORWARD, hops: int = 3) -> Trace:
    return Tracer(transactions).trace(seeds, direction, hops)
