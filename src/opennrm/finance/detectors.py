"""Typology detectors: each finds one pattern and names the transactions and the rule behind every hit.

Graph typologies (the AMLSim set, re-implemented from their published definitions): fan-in, fan-out, cycles,
scatter-gather, gather-scatter, bipartite layers and stacked layers. Behavioural indicators from the
trafficking red flags (``../shared/reference/financial-flows.md``, P2–P10): rapid pass-through, structuring
below reporting thresholds, exploitation spending, off-hours cash and card use, mobility, wages funnelled into
one account, alternative payment channels, cash-in then wires abroad, and identifiers shared between
accounts. A detector whose fields are absent from the data finds nothing and says so in ``Report.skipped``.

Every threshold comes from the jurisdiction file (``opennrm.finance.jurisdiction``). Windowed counts use
hopping windows (length W, a new one every W/2), so any burst that fits in W/2 is always seen whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from opennrm.domain.text import N_
from opennrm.finance.ingest import OPTIONAL_COLUMNS, Transactions
from opennrm.finance.jurisdiction import Jurisdiction

if TYPE_CHECKING:
    import polars as pl

SUSPECT = "suspect"
POSSIBLE_VICTIM = "possible_victim"
# A value filled into a hit's sentence: numbers written as the English sentence writes them, account names.
Param = str | int | float


@dataclass(frozen=True)
class Hit:
    """One account caught by one rule: the transactions that make the pattern, the other accounts in it,
    the thresholds applied and where the rule comes from. ``strength`` is 0.5 at the threshold and 1.0 at
    twice it or more. ``role`` is ``possible_victim`` where the pattern points at someone exploited (her
    wages taken), never a suspect.

    ``message`` is the hit's sentence in English with named placeholders (marked ``N_``, so the pages show it
    in the reader's language) and ``params`` fills them; ``explanation`` is the filled English sentence (the
    CLI and the evidence files)."""

    rule: str
    account: str
    transactions: tuple[str, ...]
    accounts: tuple[str, ...]
    strength: float
    explanation: str = field(init=False)  # message % params, filled in on creation
    message: str
    params: dict[str, Param]
    thresholds: dict[str, Any]
    source: str
    role: str = SUSPECT
    pattern: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "explanation", self.message % self.params)


@dataclass
class Report:
    hits: list[Hit] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    def by_account(self) -> dict[str, list[Hit]]:
        out: dict[str, list[Hit]] = defaultdict(list)
        for hit in self.hits:
            out[hit.account].append(hit)
        return dict(out)

    def rules(self) -> set[str]:
        return {h.rule for h in self.hits}


def _number(value: float) -> str:
    """Hours or an amount as the English sentence writes them (``%g``: 24, 0.5, 1e+06)."""
    return f"{value:g}"


def _percent(share: float) -> str:
    return f"{share:.0%}"


def _strength(value: float, threshold: float) -> float:
    if threshold <= 0:
        return 1.0
    return float(min(1.0, 0.5 * value / threshold))


def _period(hours: float) -> tuple[str, str]:
    minutes = max(2, round(float(hours) * 60))
    return f"{minutes}m", f"{max(1, minutes // 2)}m"


def _sides(frame: pl.DataFrame, condition: pl.Expr | None = None) -> pl.DataFrame:
    """Each transaction twice: seen from its target (direction ``in``) and from its source (``out``)."""
    import polars as pl

    base = frame if condition is None else frame.filter(condition)
    incoming = base.select(
        pl.col("target").alias("account"),
        pl.col("source").alias("other"),
        "ts",
        "id",
        "amount",
        pl.lit("in").alias("dir"),
    )
    outgoing = base.select(
        pl.col("source").alias("account"),
        pl.col("target").alias("other"),
        "ts",
        "id",
        "amount",
        pl.lit("out").alias("dir"),
    )
    return pl.concat([incoming, outgoing]).sort(["account", "ts"])


def _windows(sides: pl.DataFrame, hours: float, aggs: list[pl.Expr]) -> pl.DataFrame:
    period, every = _period(hours)
    return sides.group_by_dynamic("ts", every=every, period=period, group_by="account").agg(aggs)


def _merge(
    windows: pl.DataFrame, value: str, ids: str, others: str
) -> Iterable[tuple[str, float, list[str], list[str]]]:
    """Per account: the largest windowed value, and the union of the transactions and counterparts of the
    windows that reached the threshold."""
    import polars as pl

    merged = windows.group_by("account").agg(
        pl.col(value).max().alias("value"),
        pl.col(ids).list.explode(keep_nulls=False, empty_as_null=False).unique().sort().alias("ids"),
        pl.col(others).list.explode(keep_nulls=False, empty_as_null=False).unique().sort().alias("others"),
    )
    for account, val, tx, ot in merged.sort("account").iter_rows():
        yield str(account), float(val), [str(t) for t in tx], [str(o) for o in ot]


class Detectors:
    """All detectors over one set of transactions and one jurisdiction."""

    def __init__(self, transactions: Transactions, jurisdiction: Jurisdiction) -> None:
        self.tx = transactions
        self.j = jurisdiction
        self.frame = transactions.frame
        self._sides: pl.DataFrame | None = None

    # -- helpers ---------------------------------------------------------------------------------------
    @property
    def sides(self) -> pl.DataFrame:
        if self._sides is None:
            self._sides = _sides(self.frame)
        return self._sides

    def _has(self, *columns: str) -> bool:
        return all(
            c in self.frame.columns and self.frame[c].null_count() < self.frame.height for c in columns
        )

    # -- G1, G2: fan-in, fan-out -------------------------------------------------------------------------
    def fan(self, direction: str) -> list[Hit]:
        import polars as pl

        rule = "fan_in" if direction == "in" else "fan_out"
        cfg = self.j[rule]
        k = int(cfg["min_counterparties"])
        sides = self.sides.filter(pl.col("dir") == direction)
        w = _windows(
            sides, cfg["window_hours"], [pl.col("other").n_unique().alias("n"), pl.col("id"), pl.col("other")]
        ).filter(pl.col("n") >= k)
        message = (
            N_(
                "%(account)s received from %(n)s distinct accounts within %(hours)s h "
                "(rule fan_in: at least %(min)s)"
            )
            if direction == "in"
            else N_(
                "%(account)s paid %(n)s distinct accounts within %(hours)s h (rule fan_out: at least %(min)s)"
            )
        )
        hits = []
        for account, n, ids, others in _merge(w, "n", "id", "other"):
            hits.append(
                Hit(
                    rule,
                    account,
                    tuple(ids),
                    tuple(others),
                    _strength(n, k),
                    message,
                    {"account": account, "n": int(n), "hours": cfg["window_hours"], "min": k},
                    {"min_counterparties": k, "window_hours": cfg["window_hours"]},
                    str(cfg["source"]),
                )
            )
        return hits

    # -- G5: gather-scatter --------------------------------------------------------------------------------
    def gather_scatter(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["gather_scatter"]
        k_in, k_out = int(cfg["min_in"]), int(cfg["min_out"])
        is_in, is_out = pl.col("dir") == "in", pl.col("dir") == "out"
        w = _windows(
            self.sides,
            cfg["window_hours"],
            [
                pl.col("other").filter(is_in).n_unique().alias("n_in"),
                pl.col("other").filter(is_out).n_unique().alias("n_out"),
                pl.col("ts").filter(is_in).min().alias("first_in"),
                pl.col("ts").filter(is_out).max().alias("last_out"),
                pl.col("id"),
                pl.col("other"),
            ],
        ).filter(
            (pl.col("n_in") >= k_in) & (pl.col("n_out") >= k_out) & (pl.col("last_out") > pl.col("first_in"))
        )
        w = w.with_columns(pl.min_horizontal(pl.col("n_in") / k_in, pl.col("n_out") / k_out).alias("ratio"))
        hits = []
        for account, ratio, ids, others in _merge(w, "ratio", "id", "other"):
            hits.append(
                Hit(
                    "gather_scatter",
                    account,
                    tuple(ids),
                    tuple(others),
                    _strength(ratio, 1.0),
                    N_(
                        "%(account)s gathered from at least %(min_in)s accounts and then paid at least "
                        "%(min_out)s accounts within %(hours)s h (rule gather_scatter)"
                    ),
                    {"account": account, "min_in": k_in, "min_out": k_out, "hours": cfg["window_hours"]},
                    {"min_in": k_in, "min_out": k_out, "window_hours": cfg["window_hours"]},
                    str(cfg["source"]),
                )
            )
        return hits

    # -- G3: time-respecting cycles --------------------------------------------------------------------
    def cycles(self) -> list[Hit]:
        cfg = self.j["cycle"]
        edges = cycle_edges(self.frame, float(cfg["amount_ratio"]))
        degree = dict(self.frame.group_by("source").len().iter_rows())
        return cycle_hits(edges, degree, cfg)

    # -- G4: scatter-gather ----------------------------------------------------------------------------
    def scatter_gather(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["scatter_gather"]
        k = int(cfg["min_intermediaries"])
        window_us = int(float(cfg["window_hours"]) * 3600 * 1_000_000)
        e = self.frame.select("source", "target", "ts", "id")
        first = e.rename({"source": "s", "target": "m", "ts": "t1", "id": "id1"})
        second = e.rename({"source": "m", "target": "b", "ts": "t2", "id": "id2"})
        groups = (
            first.lazy()
            .join(second.lazy(), on="m")
            .filter(
                (pl.col("t2") > pl.col("t1"))
                & ((pl.col("t2") - pl.col("t1")).dt.total_microseconds() <= window_us)
                & (pl.col("s") != pl.col("b"))
            )
            .group_by("s", "b")
            .agg(
                pl.col("m").n_unique().alias("n"),
                pl.col("m").unique().alias("ms"),
                pl.concat_list("id1", "id2")
                .list.explode(keep_nulls=False, empty_as_null=False)
                .unique()
                .alias("ids"),
            )
            .filter(pl.col("n") >= k)
            .collect()
        )
        return scatter_gather_hits(groups.iter_rows(), cfg)

    # -- G6, G7: bipartite and stacked layers ----------------------------------------------------------
    def bipartite(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["bipartite"]
        k_send, k_recv = int(cfg["min_senders"]), int(cfg["min_shared_receivers"])
        step = layer_step(cfg)
        e = self.frame.select("source", "target", "id", pl.col("ts").dt.epoch("us").alias("us"))
        layers: list[Layer] = []
        seen: set[tuple[frozenset[str], frozenset[str]]] = set()
        for shift in (0, 1):
            bucket = ((pl.col("us") + shift * step) // (2 * step)).alias("w")
            distinct = e.with_columns(bucket).group_by("w", "source", "target").agg(pl.col("id"))
            # a receiver paid by very many accounts (a utility, a shop) is not a layer
            popular = distinct.group_by("w", "target").len().filter(pl.col("len") <= POPULAR * k_send)
            distinct = distinct.join(popular.select("w", "target"), on=["w", "target"])
            co = (
                distinct.select("w", "source", "target")
                .join(distinct.select("w", pl.col("source").alias("other"), "target"), on=["w", "target"])
                .filter(pl.col("source") < pl.col("other"))
                .group_by("w", "source", "other")
                .agg(pl.col("target").alias("shared"))
                .filter(pl.col("shared").list.len() >= k_recv)
            )
            layers.extend(bipartite_layers(co.iter_rows(), distinct, shift, k_send, seen))
        return bipartite_hits(layers, cfg)

    # -- P2: rapid pass-through ------------------------------------------------------------------------
    def pass_through(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["pass_through"]
        hours = float(cfg["window_hours"])
        share, minimum, events = float(cfg["min_share_out"]), float(cfg["min_amount"]), int(cfg["min_events"])
        f = self.frame
        out = (
            f.select(pl.col("source").alias("account"), "ts", "amount")
            .sort("account", "ts")
            .with_columns(pl.col("amount").cum_sum().over("account").alias("cum"))
        )
        inc = (
            f.filter(pl.col("amount") >= minimum)
            .select(pl.col("target").alias("account"), "ts", "amount", "id")
            .with_columns((pl.col("ts") + pl.duration(minutes=int(hours * 60))).alias("until"))
            .sort("account", "ts")
        )
        at_start = inc.join_asof(
            out.select("account", "ts", pl.col("cum").alias("c0")),
            on="ts",
            by="account",
            strategy="backward",
            check_sortedness=False,
        )
        at_end = at_start.sort("account", "until").join_asof(
            out.select("account", pl.col("ts").alias("until"), pl.col("cum").alias("c1")),
            on="until",
            by="account",
            strategy="backward",
            check_sortedness=False,
        )
        ev = at_end.with_columns(
            ((pl.col("c1").fill_null(0) - pl.col("c0").fill_null(0)) / pl.col("amount")).alias("share")
        ).filter(pl.col("share") >= share)
        per = ev.group_by("account").agg(pl.len().alias("n"), pl.col("id"), pl.col("ts"), pl.col("until"))
        per = per.filter(pl.col("n") >= events).sort("account")
        if per.is_empty():
            return []
        outs = f.select(pl.col("source").alias("account"), pl.col("target").alias("other"), "ts", "id").join(
            per.select("account"), on="account"
        )
        hits = []
        for account, n, ids, starts, ends in per.iter_rows():
            mine = outs.filter(pl.col("account") == account)
            inside = np.zeros(mine.height, dtype=bool)
            mts = mine["ts"].to_numpy()
            for a, b in zip(starts, ends, strict=True):
                inside |= (mts > np.datetime64(a.replace(tzinfo=None))) & (
                    mts <= np.datetime64(b.replace(tzinfo=None))
                )
            out_ids = mine.filter(pl.Series(inside))["id"].to_list()
            others = sorted(set(mine.filter(pl.Series(inside))["other"].to_list()))
            hits.append(
                Hit(
                    "pass_through",
                    account,
                    tuple(sorted([*ids, *out_ids])),
                    tuple(others),
                    _strength(n, events),
                    N_(
                        "%(account)s sent on at least %(share)s of %(n)s incoming payments within "
                        "%(hours)s h (rule pass_through: at least %(min)s such payments of %(amount)s "
                        "or more)"
                    ),
                    {
                        "account": account,
                        "share": _percent(share),
                        "n": int(n),
                        "hours": _number(hours),
                        "min": events,
                        "amount": _number(minimum),
                    },
                    {
                        "window_hours": hours,
                        "min_share_out": share,
                        "min_amount": minimum,
                        "min_events": events,
                    },
                    str(cfg["source"]),
                )
            )
        return hits

    # -- windowed counts on a filtered set of rows (P3–P6, P8–P9) ---------------------------------------
    def _counted(
        self,
        rule: str,
        condition: pl.Expr,
        hours: float,
        agg: pl.Expr,
        threshold: float,
        describe: Callable[[str, float], tuple[str, dict[str, Param]]],
        thresholds: dict[str, Any],
        sides: str = "both",
        extra: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    ) -> list[Hit]:
        import polars as pl

        rows = _sides(self.frame, condition)
        if sides != "both":
            rows = rows.filter(pl.col("dir") == sides)
        if rows.is_empty():
            return []
        w = _windows(rows, hours, [agg.alias("value"), pl.col("id"), pl.col("other")])
        if extra is not None:
            w = extra(w)
        w = w.filter(pl.col("value") >= threshold)
        source = str(self.j[rule]["source"])
        return [
            Hit(
                rule,
                account,
                tuple(ids),
                tuple(others),
                _strength(value, threshold),
                *describe(account, value),
                thresholds,
                source,
            )
            for account, value, ids, others in _merge(w, "value", "id", "other")
        ]

    def split_payments(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["split_payments"]
        n, hours, cap = int(cfg["min_count"]), float(cfg["window_hours"]), float(cfg["max_amount"])
        period, every = _period(hours)
        rows = (
            self.frame.filter(pl.col("amount") < cap)
            .select("source", "target", "ts", "id")
            .sort("source", "target", "ts")
        )
        w = (
            rows.group_by_dynamic("ts", every=every, period=period, group_by=["source", "target"])
            .agg(pl.len().alias("n"), pl.col("id"))
            .filter(pl.col("n") >= n)
            .group_by("source", "target")
            .agg(
                pl.col("n").max(),
                pl.col("id").list.explode(keep_nulls=False, empty_as_null=False).unique().sort(),
            )
            .sort("source", "target")
        )
        per: dict[str, list[tuple[str, int, list[str]]]] = defaultdict(list)
        for s, t, count, ids in w.iter_rows():
            per[s].append((t, count, ids))
            per[t].append((s, count, ids))
        hits = []
        for account in sorted(per):
            items = per[account]
            top = max(c for _, c, _ in items)
            ids = sorted({i for _, _, group in items for i in group})
            others = sorted({o for o, _, _ in items})
            hits.append(
                Hit(
                    "split_payments",
                    account,
                    tuple(ids),
                    tuple(others),
                    _strength(top, n),
                    N_(
                        "%(account)s paid or was paid by the same account %(n)s times within %(hours)s h, "
                        "with %(counterparts)s counterpart(s) (rule split_payments: at least %(min)s)"
                    ),
                    {
                        "account": account,
                        "n": int(top),
                        "hours": _number(hours),
                        "counterparts": len(others),
                        "min": n,
                    },
                    {"min_count": n, "window_hours": hours, "max_amount": cap},
                    str(cfg["source"]),
                )
            )
        return hits

    def structuring(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["structuring"]
        limits = {str(k).lower(): float(v) for k, v in cfg["thresholds"].items()}
        margin, n, hours = float(cfg["margin"]), int(cfg["min_count"]), float(cfg["window_hours"])
        channel = pl.col("channel") if "channel" in self.frame.columns else pl.lit(None, dtype=pl.String)
        limit = channel.replace_strict(limits, default=limits.get("default"), return_dtype=pl.Float64)
        limit = pl.when(channel.is_null()).then(pl.lit(limits.get("default"))).otherwise(limit)
        condition = (pl.col("amount") < limit) & (pl.col("amount") >= limit * (1 - margin))
        return self._counted(
            "structuring",
            condition,
            hours,
            pl.len(),
            n,
            lambda a, v: (
                N_(
                    "%(account)s had %(n)s payments just below a reporting threshold (within %(margin)s of "
                    "it) within %(hours)s h (rule structuring: at least %(min)s)"
                ),
                {"account": a, "n": int(v), "margin": _percent(margin), "hours": _number(hours), "min": n},
            ),
            {"thresholds": limits, "margin": margin, "min_count": n, "window_hours": hours},
        )

    def exploitation_spending(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["exploitation_spending"]
        if not self._has("merchant_category"):
            return []
        cats = [str(c).lower() for c in cfg["categories"]]
        small = [float(x) for x in cfg["small_ad_amounts"]]
        n, k, hours = int(cfg["min_count"]), int(cfg["min_categories"]), float(cfg["window_hours"])
        in_cat = pl.col("merchant_category").is_in(cats)
        rows = self.frame.with_columns(
            pl.any_horizontal([(pl.col("amount_original") % s).abs() < 1e-6 for s in small]).alias("small_ad")
        )
        d = Detectors.__new__(Detectors)
        d.__dict__.update(self.__dict__)
        d.frame = rows
        hits = d._counted(
            "exploitation_spending",
            in_cat,
            hours,
            pl.len(),
            n,
            lambda a, v: (
                N_(
                    "%(account)s made %(n)s payments at merchant categories that recur in "
                    "sexual-exploitation cases (ads, lodging, transport, pharmacy, cosmetics) within "
                    "%(hours)s h (rule exploitation_spending: at least %(min)s in %(categories)s categories)"
                ),
                {"account": a, "n": int(v), "hours": _number(hours), "min": n, "categories": k},
            ),
            {
                "categories": cats,
                "min_count": n,
                "min_categories": k,
                "window_hours": hours,
                "small_ad_amounts": small,
            },
            sides="out",
            extra=None,
        )
        # the categories condition: recount distinct categories over the hit's transactions
        cat_of = dict(zip(rows["id"].to_list(), rows["merchant_category"].to_list(), strict=True))
        return [h for h in hits if len({cat_of[t] for t in h.transactions}) >= k]

    def off_hours(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["off_hours"]
        if not self._has("channel"):
            return []
        chans = [str(c).lower() for c in cfg["channels"]]
        start, end = int(cfg["start_hour"]), int(cfg["end_hour"])
        shift = int(cfg["utc_offset_hours"])
        n, share = int(cfg["min_count"]), float(cfg["min_share"])
        hour = (pl.col("ts").dt.hour().cast(pl.Int32) + shift) % 24
        night = (hour >= start) | (hour < end)
        rows = self.frame.filter(pl.col("channel").is_in(chans)).with_columns(night.alias("night"))
        sides = _sides(rows.drop("night"))
        flags = dict(zip(rows["id"].to_list(), rows["night"].to_list(), strict=True))
        totals = sides.group_by("account").agg(pl.len().alias("all"), pl.col("id"), pl.col("other"))
        hits = []
        for account, total, ids, others in totals.sort("account").iter_rows():
            at_night = [t for t in ids if flags[t]]
            if len(at_night) >= n and len(at_night) / total >= share:
                hits.append(
                    Hit(
                        "off_hours",
                        account,
                        tuple(sorted(at_night)),
                        tuple(sorted({o for t, o in zip(ids, others, strict=True) if flags[t]})),
                        _strength(len(at_night), n),
                        N_(
                            "%(n)s of %(account)s's %(total)s cash or card payments were between "
                            "%(start)s:00 and %(end)s:00 (rule off_hours: at least %(min)s and %(share)s)"
                        ),
                        {
                            "n": len(at_night),
                            "account": account,
                            "total": int(total),
                            "start": start,
                            "end": end,
                            "min": n,
                            "share": _percent(share),
                        },
                        {
                            "channels": chans,
                            "start_hour": start,
                            "end_hour": end,
                            "min_count": n,
                            "min_share": share,
                        },
                        str(cfg["source"]),
                    )
                )
        return hits

    def mobility(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["mobility"]
        if not self._has("location"):
            return []
        cats = [str(c).lower() for c in cfg["categories"]]
        chans = [str(c).lower() for c in cfg["channels"]]
        cond = pl.col("location").is_not_null()
        parts = []
        if "merchant_category" in self.frame.columns:
            parts.append(pl.col("merchant_category").is_in(cats))
        if "channel" in self.frame.columns:
            parts.append(pl.col("channel").is_in(chans))
        if not parts:
            return []
        cond = cond & pl.any_horizontal(parts)
        k, hours = int(cfg["min_locations"]), float(cfg["window_hours"])
        rows = self.frame.filter(cond)
        loc = dict(zip(rows["id"].to_list(), rows["location"].to_list(), strict=True))
        hits = self._counted(
            "mobility",
            cond,
            hours,
            pl.col("id").count(),
            k,
            lambda a, v: ("", {}),
            {"categories": cats, "channels": chans, "min_locations": k, "window_hours": hours},
        )
        out = []
        for h in hits:
            places = sorted({loc[t] for t in h.transactions})
            if len(places) >= k:
                out.append(
                    Hit(
                        "mobility",
                        h.account,
                        h.transactions,
                        h.accounts,
                        _strength(len(places), k),
                        N_(
                            "%(account)s paid for lodging or made cash deposits in %(n)s places (%(places)s) "
                            "within %(hours)s h (rule mobility: at least %(min)s)"
                        ),
                        {
                            "account": h.account,
                            "n": len(places),
                            "places": ", ".join(places),
                            "hours": _number(hours),
                            "min": k,
                        },
                        h.thresholds,
                        h.source,
                    )
                )
        return out

    def payroll(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["payroll"]
        if not self._has("channel"):
            return []
        chans = [str(c).lower() for c in cfg["channels"]]
        k, hours = int(cfg["min_payers"]), float(cfg["window_hours"])
        hits = self._counted(
            "payroll",
            pl.col("channel").is_in(chans),
            hours,
            pl.col("other").n_unique(),
            k,
            lambda a, v: (
                N_(
                    "wages from %(n)s different payers went into %(account)s within %(hours)s h: the workers "
                    "whose wages these are may be victims (rule payroll: at least %(min)s)"
                ),
                {"n": int(v), "account": a, "hours": _number(hours), "min": k},
            ),
            {"channels": chans, "min_payers": k, "window_hours": hours},
            sides="in",
        )
        return hits

    def alternative_payments(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["alternative_payments"]
        if not self._has("channel"):
            return []
        chans = [str(c).lower() for c in cfg["channels"]]
        n, hours = int(cfg["min_count"]), float(cfg["window_hours"])
        return self._counted(
            "alternative_payments",
            pl.col("channel").is_in(chans),
            hours,
            pl.len(),
            n,
            lambda a, v: (
                N_(
                    "%(account)s made or received %(n)s prepaid, crypto or e-money payments within "
                    "%(hours)s h (rule alternative_payments: at least %(min)s)"
                ),
                {"account": a, "n": int(v), "hours": _number(hours), "min": n},
            ),
            {"channels": chans, "min_count": n, "window_hours": hours},
        )

    def cross_border(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["cross_border"]
        countries = [str(c) for c in cfg["countries"]]
        if not countries or not self._has("country", "channel"):
            return []
        hours = float(cfg["window_hours"])
        f = self.frame
        cash_in = (
            f.filter(pl.col("channel") == "cash")
            .select(pl.col("target").alias("account"), "ts", pl.col("id").alias("cash_id"))
            .sort("account", "ts")
        )
        wires = (
            f.filter(pl.col("country").is_in(countries))
            .select(pl.col("source").alias("account"), "ts", "id", "target")
            .sort("account", "ts")
        )
        j = wires.join_asof(
            cash_in,
            on="ts",
            by="account",
            strategy="backward",
            tolerance=f"{int(hours * 60)}m",
            check_sortedness=False,
        ).filter(pl.col("cash_id").is_not_null())
        per = j.group_by("account").agg(pl.col("id"), pl.col("cash_id"), pl.col("target")).sort("account")
        return [
            Hit(
                "cross_border",
                a,
                tuple(sorted({*ids, *cash})),
                tuple(sorted(set(tg))),
                1.0,
                N_(
                    "%(account)s received cash and then paid abroad to a listed country within %(hours)s h "
                    "(rule cross_border)"
                ),
                {"account": a, "hours": _number(hours)},
                {"countries": countries, "window_hours": hours},
                str(cfg["source"]),
            )
            for a, ids, cash, tg in per.iter_rows()
        ]

    def shared_identifiers(self) -> list[Hit]:
        import polars as pl

        cfg = self.j["shared_identifiers"]
        acc = self.tx.accounts_frame
        if acc is None:
            return []
        hits = []
        for name in [str(x) for x in cfg["fields"]]:
            if name not in acc.columns:
                continue
            groups = (
                acc.filter(pl.col(name).is_not_null())
                .with_columns(pl.col(name).str.to_lowercase().str.replace_all(r"\s+", "").alias("key"))
                .group_by("key")
                .agg(pl.col("account").unique().sort())
                .filter(pl.col("account").list.len() >= 2)
                .sort("key")
            )
            for _, members in groups.iter_rows():
                for m in members:
                    hits.append(
                        Hit(
                            "shared_identifiers",
                            m,
                            (),
                            tuple(x for x in members if x != m),
                            0.5,
                            N_(
                                "%(account)s shares its %(field)s with %(n)s other account(s) "
                                "(rule shared_identifiers)"
                            ),
                            {"account": m, "field": name, "n": len(members) - 1},
                            {"field": name},
                            str(cfg["source"]),
                        )
                    )
        return hits

    # -- all -----------------------------------------------------------------------------------------
    def run(self, rules: Iterable[str] | None = None) -> Report:
        table: dict[str, Callable[[], list[Hit]]] = {
            "fan_in": lambda: self.fan("in"),
            "fan_out": lambda: self.fan("out"),
            "cycle": self.cycles,
            "scatter_gather": self.scatter_gather,
            "gather_scatter": self.gather_scatter,
            "bipartite": self.bipartite,
            "pass_through": self.pass_through,
            "structuring": self.structuring,
            "split_payments": self.split_payments,
            "exploitation_spending": self.exploitation_spending,
            "off_hours": self.off_hours,
            "mobility": self.mobility,
            "payroll": self.payroll,
            "alternative_payments": self.alternative_payments,
            "cross_border": self.cross_border,
            "shared_identifiers": self.shared_identifiers,
        }
        assert tuple(table) == RUN_ORDER  # noqa: S101 - the Spark engine runs the rules in this order too
        report = Report()
        chosen = list(table) if rules is None else list(rules)
        for rule in chosen:
            why = self.missing(rule)
            if why is not None:
                report.skipped[rule] = why
                continue
            report.hits.extend(table[rule]())
        return report

    def missing(self, rule: str) -> str | None:
        """Why ``rule`` cannot run on this data (its fields absent), or ``None``."""
        filled = {c for c in OPTIONAL_COLUMNS if self._has(c)}
        return missing_fields(rule, filled, self.tx.accounts_frame is not None)


def missing_fields(rule: str, filled: Collection[str], accounts_file: bool) -> str | None:
    """Why ``rule`` cannot run on data whose optional columns ``filled`` hold a value somewhere (its fields
    absent), or ``None``; both engines ask this."""
    absent = [c for c in NEEDS.get(rule, ()) if c not in filled]
    if absent:
        return f"the data has no {', '.join(absent)}"
    if rule == "shared_identifiers" and not accounts_file:
        return "no accounts file"
    return None


# -- graph-wide rules: the parts both engines run ---------------------------------------------------------
# The Spark engine computes these rules' inputs on Spark (``finance.spark_engine``) and builds the hits with
# the functions below, as the local detectors do, so the two cannot drift.

# A receiver paid by more than POPULAR times ``min_senders`` accounts in one window is not a layer.
POPULAR = 50
# Per start payment, how many payments the cycle search may look at.
CYCLE_BUDGET = 2000
# On a cycle two consecutive payments are within amount_ratio² of each other; the margin keeps a pair at the
# limit despite rounding.
_ROUNDING = 1 - 1e-9
# One bipartite layer: senders, receivers, its payments, its window.
Layer = tuple[frozenset[str], frozenset[str], list[str], int]


def cycle_band(ratio: float) -> float:
    """The smallest ratio between two consecutive payments of a cycle the rule can find."""
    return ratio * ratio * _ROUNDING


def cycle_edges(frame: pl.DataFrame, ratio: float) -> pl.DataFrame:
    """The payments that can lie on a cycle (``id, ts, source, target, amount``, in the frame's order): the
    payments left when, repeatedly until nothing changes, a payment is dropped unless its payer received,
    and its payee made, a remaining payment within ``cycle_band`` of its amount. The cycle rule searches
    these only (both engines: the search's budget then does not depend on payments that cannot close a
    loop)."""
    import polars as pl

    band = cycle_band(ratio)
    edges = frame.select("id", "ts", "source", "target", "amount").with_row_index("row")
    while True:
        kept = _partnered(edges, "source", "target", band).join(
            _partnered(edges, "target", "source", band), on="row"
        )
        if kept.height == edges.height:
            return edges.drop("row")
        edges = edges.filter(pl.col("row").is_in(kept["row"].implode()))


def _partnered(edges: pl.DataFrame, at: str, partner: str, band: float) -> pl.DataFrame:
    """The ``row`` of each payment whose account ``at`` is the ``partner`` of another payment within
    ``band`` of its amount (the nearest amount below and above, per account)."""
    import polars as pl

    probe = edges.select("row", pl.col(at).alias("node"), "amount").sort("amount")
    pool = edges.select(pl.col(partner).alias("node"), pl.col("amount").alias("other")).sort("other")
    below, above = (
        probe.join_asof(
            pool, left_on="amount", right_on="other", by="node", strategy=way, check_sortedness=False
        )
        for way in ("backward", "forward")
    )
    near = below.select("row", "amount", pl.col("other").alias("below")).join(
        above.select("row", pl.col("other").alias("above")), on="row"
    )
    return near.filter(
        (pl.col("below") >= pl.col("amount") * band) | (pl.col("above") * band <= pl.col("amount"))
    ).select("row")


def cycle_hits(edges: pl.DataFrame, out_degree: dict[str, int], cfg: dict[str, Any]) -> list[Hit]:
    """The cycle rule over ``cycle_edges`` (sorted by time, then line), each account's out-degree counted on
    every payment: a bounded depth-first search from each payment (``CYCLE_BUDGET`` payments looked at, no
    step through an account making more than ``max_out_degree`` payments), each loop once, from its first
    account in name order."""
    import polars as pl

    lo, hi = int(cfg["min_length"]), int(cfg["max_length"])
    accounts = pl.concat([edges["source"], edges["target"]]).unique().sort()
    src = accounts.search_sorted(edges["source"]).to_numpy()
    dst = accounts.search_sorted(edges["target"]).to_numpy()
    degree = np.array([out_degree.get(a, 0) for a in accounts.to_list()], dtype=np.int64)
    ts = edges["ts"].dt.epoch("s").to_numpy().astype(np.float64)
    found = _loops(src, dst, ts, edges["amount"].to_numpy(), degree, cfg)
    names, ids = accounts.to_list(), edges["id"].to_list()
    ordered = bool(cfg["time_respecting"])
    hits = []
    for n, (nodes, loop_edges) in enumerate(sorted(found.items())):
        members = [names[i] for i in nodes]
        tx = tuple(sorted(ids[e] for e in loop_edges))
        message = (
            N_(
                "money of about the same amount went round %(loop)s, each payment later than the one before, "
                "within %(hours)s h (rule cycle: %(min)s to %(max)s accounts)"
            )
            if ordered
            else N_(
                "money of about the same amount went round %(loop)s within %(hours)s h "
                "(rule cycle: %(min)s to %(max)s accounts)"
            )
        )
        params: dict[str, Param] = {
            "loop": " → ".join([*members, members[0]]),
            "hours": cfg["window_hours"],
            "min": lo,
            "max": hi,
        }
        thresholds = {
            "min_length": lo,
            "max_length": hi,
            "window_hours": cfg["window_hours"],
            "amount_ratio": float(cfg["amount_ratio"]),
            "time_respecting": ordered,
        }
        for name in members:
            others = tuple(x for x in members if x != name)
            hits.append(
                Hit(
                    "cycle",
                    name,
                    tx,
                    others,
                    _strength(len(nodes), lo),
                    message,
                    params,
                    thresholds,
                    str(cfg["source"]),
                    pattern=f"cycle-{n}",
                )
            )
    return hits


def _loops(
    src: np.ndarray,
    dst: np.ndarray,
    ts: np.ndarray,
    amount: np.ndarray,
    degree: np.ndarray,
    cfg: dict[str, Any],
) -> dict[tuple[int, ...], set[int]]:
    """Each loop found (its accounts, from the smallest) and the payments that make it."""
    lo, hi = int(cfg["min_length"]), int(cfg["max_length"])
    window = float(cfg["window_hours"]) * 3600.0
    ratio = float(cfg["amount_ratio"])
    cap = int(cfg["max_out_degree"])
    ordered = bool(cfg["time_respecting"])
    order = np.lexsort((ts, src))
    starts = np.searchsorted(src[order], np.arange(len(degree) + 1))
    o_dst, o_ts, o_amt = dst[order], ts[order], amount[order]
    found: dict[tuple[int, ...], set[int]] = {}
    for e0 in range(len(src)):
        u, v, t0, a0 = int(src[e0]), int(dst[e0]), ts[e0], amount[e0]
        if v < u:
            continue
        amin, amax = a0 * ratio, a0 / ratio
        stack: list[tuple[int, float, list[int], list[int]]] = [(v, t0, [u, v], [e0])]
        budget = CYCLE_BUDGET
        while stack and budget > 0:
            node, t_last, path, edges = stack.pop()
            a, b = starts[node], starts[node + 1]
            if degree[node] > cap:
                continue
            if ordered:
                first = a + int(np.searchsorted(o_ts[a:b], t_last, side="right"))
            else:
                first = a + int(np.searchsorted(o_ts[a:b], t0 - window, side="left"))
            for pos in range(first, b):
                budget -= 1
                if o_ts[pos] > t0 + window:
                    break
                if int(order[pos]) == e0:
                    continue
                if not amin <= o_amt[pos] <= amax:
                    continue
                nxt = int(o_dst[pos])
                if nxt == u and len(path) >= lo:
                    found.setdefault(tuple(path), set()).update([*edges, int(order[pos])])
                elif nxt > u and nxt not in path and len(path) < hi:
                    stack.append((nxt, float(o_ts[pos]), [*path, nxt], [*edges, int(order[pos])]))
    return found


def scatter_gather_hits(
    groups: Iterable[tuple[str, str, int, list[str], list[str]]], cfg: dict[str, Any]
) -> list[Hit]:
    """The scatter-gather hits of the groups that reach the threshold: originator, beneficiary, the number of
    intermediaries, the intermediaries and the payments (in any order)."""
    k = int(cfg["min_intermediaries"])
    hits = []
    for n, (s, b, count, ms, ids) in enumerate(sorted(groups, key=lambda g: (g[0], g[1]))):
        members = [s, *sorted(ms), b]
        tx = tuple(sorted(ids))
        params: dict[str, Param] = {
            "originator": s,
            "n": int(count),
            "beneficiary": b,
            "hours": cfg["window_hours"],
            "min": k,
        }
        for name in members:
            hits.append(
                Hit(
                    "scatter_gather",
                    name,
                    tx,
                    tuple(x for x in members if x != name),
                    _strength(count, k),
                    N_(
                        "%(originator)s paid %(n)s accounts that each paid %(beneficiary)s within "
                        "%(hours)s h (rule scatter_gather: at least %(min)s intermediaries)"
                    ),
                    params,
                    {"min_intermediaries": k, "window_hours": cfg["window_hours"]},
                    str(cfg["source"]),
                    pattern=f"scatter_gather-{n}",
                )
            )
    return hits


def layer_step(cfg: dict[str, Any]) -> int:
    """Half the layer window in microseconds (windows of twice this, one every this)."""
    return int(float(cfg["window_hours"]) * 3600 * 1_000_000 / 2)


def bipartite_layers(
    co: Iterable[tuple[int, str, str, list[str]]],
    distinct: pl.DataFrame,
    shift: int,
    k_send: int,
    seen: set[tuple[frozenset[str], frozenset[str]]],
) -> list[Layer]:
    """The layers of one set of windows, not ``seen`` before: ``co`` holds each pair of senders paying at
    least ``min_shared_receivers`` of the same receivers in window ``w`` (``w, source, other, shared``);
    ``distinct`` the payments of each sender to each receiver per window (``w, source, target, id``)."""
    import polars as pl

    groups: dict[tuple[int, str], set[str]] = defaultdict(set)
    shared: dict[tuple[int, str], set[str]] = defaultdict(set)
    for w, s, o, recv in sorted(co, key=lambda row: (row[0], row[1], row[2])):
        for a, b in ((s, o), (o, s)):
            groups[(w, a)].add(b)
            shared[(w, a)].update(recv)
    layers: list[Layer] = []
    for (w, s), partners in groups.items():
        if len(partners) + 1 < k_send:
            continue
        senders = frozenset({s, *partners})
        receivers = frozenset(shared[(w, s)])
        key = (senders, receivers)
        if key in seen:
            continue
        seen.add(key)
        tx = (
            distinct.filter(
                (pl.col("w") == w)
                & pl.col("source").is_in(list(senders))
                & pl.col("target").is_in(list(receivers))
            )["id"]
            .explode()
            .sort()
            .to_list()
        )
        layers.append((senders, receivers, tx, int(w) * 2 + shift))
    return layers


def bipartite_hits(layers: list[Layer], cfg: dict[str, Any]) -> list[Hit]:
    """The bipartite hits of each layer, and the stack hits of each two layers where the receivers of one
    include at least ``min_senders`` senders of the other."""
    k_send, k_recv = int(cfg["min_senders"]), int(cfg["min_shared_receivers"])
    hours = float(cfg["window_hours"])
    thresholds = {"min_senders": k_send, "min_shared_receivers": k_recv, "window_hours": hours}
    hits: list[Hit] = []

    def add(
        rule: str,
        members: list[str],
        tx: tuple[str, ...],
        strength: float,
        text: tuple[str, dict[str, Param]],
        pattern: str,
    ) -> None:
        for name in members:
            others = tuple(m for m in members if m != name)
            hits.append(
                Hit(rule, name, tx, others, strength, *text, thresholds, str(cfg["source"]), pattern=pattern)
            )

    for n, (senders, receivers, tx, _) in enumerate(layers):
        text: tuple[str, dict[str, Param]] = (
            N_(
                "%(senders)s accounts each paid at least %(min)s of the same %(receivers)s accounts "
                "within %(hours)s h (rule bipartite)"
            ),
            {"senders": len(senders), "min": k_recv, "receivers": len(receivers), "hours": _number(hours)},
        )
        add(
            "bipartite",
            sorted(senders | receivers),
            tuple(tx),
            _strength(len(senders), k_send),
            text,
            f"bipartite-{n}",
        )
    # stacked layers: one layer's receivers pay as the senders of another
    for a, (s1, r1, tx1, _) in enumerate(layers):
        for b, (s2, r2, tx2, _) in enumerate(layers):
            if a == b or len(r1 & s2) < k_send:
                continue
            text = (
                N_(
                    "two layers of payments: %(senders)s accounts paid %(receivers)s, of which "
                    "%(relays)s then paid %(further)s more accounts (rule stack)"
                ),
                {"senders": len(s1), "receivers": len(r1), "relays": len(r1 & s2), "further": len(r2)},
            )
            both = tuple(sorted(set(tx1) | set(tx2)))
            add("stack", sorted(s1 | r1 | r2), both, _strength(len(r1 & s2), k_send), text, f"stack-{a}-{b}")
    return hits


# The fields a rule needs; without them it does not run, and the report says so.
NEEDS: dict[str, tuple[str, ...]] = {
    "exploitation_spending": ("merchant_category",),
    "off_hours": ("channel",),
    "mobility": ("location",),
    "payroll": ("channel",),
    "alternative_payments": ("channel",),
    "cross_border": ("country", "channel"),
}
# The order the rules run in (``stack`` is found with ``bipartite``).
RUN_ORDER = (
    "fan_in",
    "fan_out",
    "cycle",
    "scatter_gather",
    "gather_scatter",
    "bipartite",
    "pass_through",
    "structuring",
    "split_payments",
    "exploitation_spending",
    "off_hours",
    "mobility",
    "payroll",
    "alternative_payments",
    "cross_border",
    "shared_identifiers",
)


#: Every rule a hit can name: the run order, with ``stack`` (found with ``bipartite``) after it.
RULES = tuple(name for rule in RUN_ORDER for name in ((rule, "stack") if rule == "bipartite" else (rule,)))


def detect(
    transactions: Transactions, jurisdiction: Jurisdiction, rules: Iterable[str] | None = None
) -> Report:
    return Detectors(transactions, jurisdiction).run(rules)
