"""Synthetic transactions with planted typologies, for tests, benchmarks and demonstrations.

Background: accounts paying a few regular counterparts at random times in working hours, amounts from a
log-normal distribution. Planted: one instance (or more) of every pattern the detectors look for, including
the trafficking-specific ones AMLSim lacks (merchant categories, locations, channels). Every planted pattern
is returned with its accounts and transaction ids, so a test can check that the detector names them all.
Nothing here is drawn from real people; account names are random numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import polars as pl

EPOCH = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
CITIES = ("north", "south", "east", "west", "harbour", "airport")


@dataclass(frozen=True)
class Planted:
    rule: str
    accounts: tuple[str, ...]
    transactions: tuple[str, ...]
    subject: str  # the account the rule should name first


@dataclass
class Synthetic:
    transactions: pl.DataFrame
    accounts: pl.DataFrame
    planted: list[Planted] = field(default_factory=list)


class _Builder:
    def __init__(self, rng: np.random.Generator, first_account: int) -> None:
        self.rng = rng
        self.rows: list[tuple[str, dt.datetime, str, str, float, str, str, str, str]] = []
        self.next_account = first_account
        self.n = 0
        self.planted: list[Planted] = []

    def account(self) -> str:
        self.next_account += 1
        return f"AC{self.next_account:07d}"

    def pay(
        self,
        src: str,
        dst: str,
        when: dt.datetime,
        amount: float,
        channel: str = "transfer",
        category: str = "",
        location: str = "",
        country: str = "",
    ) -> str:
        self.n += 1
        tid = f"PT{self.n:07d}"
        self.rows.append((tid, when, src, dst, round(amount, 2), channel, category, location, country))
        return tid

    def plant(self, rule: str, accounts: list[str], ids: list[str], subject: str) -> None:
        self.planted.append(Planted(rule, tuple(accounts), tuple(ids), subject))


def _at(day: float, hour: float = 12.0) -> dt.datetime:
    return EPOCH + dt.timedelta(days=day, hours=hour)


def plant_all(b: _Builder, start_day: float, copies: int = 1) -> None:
    """Plant every pattern ``copies`` times, a few days apart."""
    rng = b.rng
    for c in range(copies):
        d0 = start_day + 7 * c
        # fan-in: 8 senders to one account within 3 days
        hub, senders = b.account(), [b.account() for _ in range(8)]
        ids = [
            b.pay(s, hub, _at(d0 + i * 0.3, 10 + i), float(rng.uniform(900, 990)))
            for i, s in enumerate(senders)
        ]
        b.plant("fan_in", [hub, *senders], ids, hub)
        # fan-out
        hub, receivers = b.account(), [b.account() for _ in range(8)]
        ids = [
            b.pay(hub, r, _at(d0 + i * 0.3, 11), float(rng.uniform(900, 990)))
            for i, r in enumerate(receivers)
        ]
        b.plant("fan_out", [hub, *receivers], ids, hub)
        # cycle of four
        ring = [b.account() for _ in range(4)]
        ids = [b.pay(ring[i], ring[(i + 1) % 4], _at(d0 + i, 13), 5000 - 50 * i) for i in range(4)]
        b.plant("cycle", ring, ids, ring[0])
        # scatter-gather: origin → 4 → beneficiary
        origin, beneficiary, mids = b.account(), b.account(), [b.account() for _ in range(4)]
        ids = [b.pay(origin, m, _at(d0, 9 + i), 2500) for i, m in enumerate(mids)]
        ids += [b.pay(m, beneficiary, _at(d0 + 1, 9 + i), 2450) for i, m in enumerate(mids)]
        b.plant("scatter_gather", [origin, *mids, beneficiary], ids, origin)
        # gather-scatter: 5 → hub → 5
        hub, ins, outs = b.account(), [b.account() for _ in range(5)], [b.account() for _ in range(5)]
        ids = [b.pay(s, hub, _at(d0, 8 + i), 1500) for i, s in enumerate(ins)]
        ids += [b.pay(hub, r, _at(d0 + 1, 8 + i), 1450) for i, r in enumerate(outs)]
        b.plant("gather_scatter", [hub, *ins, *outs], ids, hub)
        # bipartite layer, then a stack: layer 1 (4 → 4), layer 2 (those 4 → 4 more)
        l1, l2, l3 = (
            [b.account() for _ in range(4)],
            [b.account() for _ in range(4)],
            [b.account() for _ in range(4)],
        )
        ids1 = [
            b.pay(s, r, _at(d0 + 0.1 * i, 9 + j), 700) for i, s in enumerate(l1) for j, r in enumerate(l2)
        ]
        ids2 = [
            b.pay(s, r, _at(d0 + 1 + 0.1 * i, 9 + j), 680) for i, s in enumerate(l2) for j, r in enumerate(l3)
        ]
        b.plant("bipartite", [*l1, *l2], ids1, l1[0])
        b.plant("stack", [*l1, *l2, *l3], ids1 + ids2, l2[0])
        # rapid pass-through: 5 × 2000 in, 95 % out within 12 h each time
        mule, payers, payee = b.account(), [b.account() for _ in range(5)], b.account()
        ids = []
        for i, p in enumerate(payers):
            ids.append(b.pay(p, mule, _at(d0 + i, 9), 2000))
            ids.append(b.pay(mule, payee, _at(d0 + i, 18), 1900))
        b.plant("pass_through", [mule, *payers, payee], ids, mule)
        # structuring: 5 wires just under 3,000
        smurf, beneficiary = b.account(), b.account()
        ids = [
            b.pay(smurf, beneficiary, _at(d0 + i, 14), float(rng.uniform(2800, 2990)), channel="wire")
            for i in range(5)
        ]
        b.plant("structuring", [smurf, beneficiary], ids, smurf)
        # exploitation spending: ads in small multiples, lodging, taxis, pharmacy
        spender = b.account()
        shops = {k: b.account() for k in ("online_ads", "lodging", "taxi", "pharmacy")}
        ids = [
            b.pay(spender, shops["online_ads"], _at(d0 + 0.5 * i, 15), a, "card", "online_ads")
            for i, a in enumerate((12, 24, 12, 24))
        ]
        ids += [
            b.pay(spender, shops["lodging"], _at(d0 + 1, 20), 89, "card", "lodging"),
            b.pay(spender, shops["taxi"], _at(d0 + 1.5, 21), 31, "card", "taxi"),
            b.pay(spender, shops["pharmacy"], _at(d0 + 2, 16), 45, "card", "pharmacy"),
        ]
        b.plant("exploitation_spending", [spender, *shops.values()], ids, spender)
        # off-hours: 6 cash deposits between 01:00 and 04:00
        depositor, cash = b.account(), b.account()
        ids = [b.pay(cash, depositor, _at(d0 + i, 1 + i % 3), 300, "cash") for i in range(6)]
        b.plant("off_hours", [depositor, cash], ids, depositor)
        # mobility: lodging in four cities within five days
        traveller, hotels = b.account(), [b.account() for _ in range(4)]
        ids = [
            b.pay(traveller, h, _at(d0 + i, 19), 95, "card", "lodging", CITIES[i])
            for i, h in enumerate(hotels)
        ]
        b.plant("mobility", [traveller, *hotels], ids, traveller)
        # payroll: four employers pay wages into one account
        collector, employers = b.account(), [b.account() for _ in range(4)]
        ids = [b.pay(e, collector, _at(d0 + i, 9), 1200, "payroll") for i, e in enumerate(employers)]
        b.plant("payroll", [collector, *employers], ids, collector)
        # alternative payments: 6 crypto purchases
        buyer, exchange = b.account(), b.account()
        ids = [b.pay(buyer, exchange, _at(d0 + 0.5 * i, 13), 60, "crypto") for i in range(6)]
        b.plant("alternative_payments", [buyer, exchange], ids, buyer)
        # cash in, then a wire abroad (found when the jurisdiction lists country "ZZ")
        sender, cash, abroad = b.account(), b.account(), b.account()
        ids = [
            b.pay(cash, sender, _at(d0, 10), 4000, "cash"),
            b.pay(sender, abroad, _at(d0 + 1, 10), 3900, "wire", country="ZZ"),
        ]
        b.plant("cross_border", [sender, abroad], ids, sender)


def generate(
    n_accounts: int = 2_000,
    n_transactions: int = 10_000,
    days: int = 60,
    seed: int = 0,
    copies: int = 1,
    plant: bool = True,
) -> Synthetic:
    import polars as pl

    rng = np.random.default_rng(seed)
    # background: each account pays up to 3 regular counterparts
    src = rng.integers(0, n_accounts, n_transactions)
    partners = rng.integers(0, n_accounts, (n_accounts, 3))
    dst = partners[src, rng.integers(0, 3, n_transactions)]
    dst = np.where(dst == src, (dst + 1) % n_accounts, dst)
    seconds = rng.uniform(0, days, n_transactions) // 1 * 86400 + rng.uniform(8, 20, n_transactions) * 3600
    order = np.argsort(seconds, kind="stable")
    src, dst, seconds = src[order], dst[order], seconds[order]
    amounts = np.round(np.minimum(rng.lognormal(4.5, 0.8, n_transactions), 2000.0), 2)
    names = np.array([f"AC{i:07d}" for i in range(n_accounts)])
    home = rng.integers(0, len(CITIES), n_accounts)
    ts = (
        pl.Series("ts", (seconds * 1_000_000).astype(np.int64) + int(EPOCH.timestamp()) * 1_000_000)
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )
    background = pl.DataFrame(
        {
            "id": pl.Series([f"BT{i:08d}" for i in range(n_transactions)]),
            "timestamp": ts.dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "source": names[src],
            "target": names[dst],
            "amount": amounts,
            "currency": np.full(n_transactions, "USD"),
            "channel": np.where(rng.random(n_transactions) < 0.2, "card", "transfer"),
            "merchant_category": np.where(rng.random(n_transactions) < 0.2, "groceries", ""),
            "location": np.array(CITIES)[home[src]],
            "country": "",
        }
    )
    builder = _Builder(rng, n_accounts)
    if plant:
        plant_all(builder, start_day=min(10.0, days / 3), copies=copies)
    planted_rows = pl.DataFrame(
        {
            "id": [r[0] for r in builder.rows],
            "timestamp": [r[1].strftime("%Y-%m-%dT%H:%M:%SZ") for r in builder.rows],
            "source": [r[2] for r in builder.rows],
            "target": [r[3] for r in builder.rows],
            "amount": [r[4] for r in builder.rows],
            "currency": ["USD"] * len(builder.rows),
            "channel": [r[5] for r in builder.rows],
            "merchant_category": [r[6] for r in builder.rows],
            "location": [r[7] for r in builder.rows],
            "country": [r[8] for r in builder.rows],
        },
        schema=background.schema,
    )
    transactions = pl.concat([background, planted_rows]).sort("timestamp")
    all_accounts = sorted(set(names.tolist()) | {a for p in builder.planted for a in p.accounts})
    accounts = pl.DataFrame(
        {
            "account": all_accounts,
            "opening_balance": np.round(rng.uniform(100, 1000, len(all_accounts)), 2),
            "phone": [""] * len(all_accounts),
        }
    )
    if plant and len(all_accounts) > 2:
        # two planted accounts share a phone number (P7)
        shared = [builder.planted[0].subject, builder.planted[1].subject]
        accounts = accounts.with_columns(
            pl.when(pl.col("account").is_in(shared))
            .then(pl.lit("+15550100"))
            .otherwise(pl.col("phone"))
            .alias("phone")
        )
        builder.plant("shared_identifiers", shared, [], shared[0])
    return Synthetic(transactions, accounts, builder.planted)
