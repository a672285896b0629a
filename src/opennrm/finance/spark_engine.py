"""The Spark engine for scoring (``opennrm finance score --engine spark``): the local engine's scores.

What runs on Spark, over the whole file:

- **ingest validation**: the file read by Spark (CSV or Parquet, every column as text), each row checked with
  the local engine's rules in the same order (empty id, timestamp not ISO 8601, empty or identical source and
  target, amount not a positive number, currency without a rate, an id repeating an earlier row), rejected
  rows reported with their line (the header is line 1; a CSV field must not span lines);
- **per-account windowed aggregates**, with the local engine's hopping windows (length W, a new one every
  W/2, aligned on the epoch): distinct counterparts in and out, counts of the rows a rule selects, first in
  and last out; the busiest-week distinct senders of the ranking's tie-break;
- **the per-account detectors' threshold tests** (fan-in, fan-out, gather-scatter, structuring, split
  payments, exploitation spending, off-hours, mobility, payroll, alternative payments, cross-border,
  pass-through): the accounts that reach a rule's threshold in some window (for pass-through and
  cross-border, those that could: enough large inflows and some outflow; cash in and a payment abroad).

- **the graph-wide detectors' joins**: for scatter-gather, the two-hop join, its window and the count of
  intermediaries per originator and beneficiary; for bipartite and stacked layers, each window's distinct
  sender-receiver pairs (both sets of hopping windows at once), the popular receivers dropped and the pairs of
  senders sharing receivers; for cycles, every account's out-degree and the first rounds of
  ``detectors.cycle_edges`` (drop each payment whose payer received, or whose payee made, no remaining
  payment within amount_ratio² of its amount), until a round drops under ``SLOW_ROUND`` of what is left or
  fewer than ``DRIVER_ROWS`` payments are left.

What the driver does: it reads back (written by Spark as Parquet) the payments of the accounts a per-account
rule flagged — every accepted row only when a trained model is given, since its features describe every
account — numbered as in the whole file, and rebuilds the evidence of the accounts Spark flagged from their
own payments with the local engine's code (so explanations, named
transactions and strengths cannot drift between engines; an account's windows hold only its own payments,
so its evidence is the same on the whole data and on the flagged accounts' rows). For the graph-wide rules it
collects only what their hits need and builds them with the local engine's functions
(``detectors.scatter_gather_hits``, ``bipartite_layers`` and ``bipartite_hits``, ``cycle_edges`` and
``cycle_hits``): the scatter-gather groups that reach the threshold; the sender pairs of the layers and the
payments between the senders and receivers they name; for cycles, the payments left by the rounds on Spark
(the driver finishes the same rounds, so the same payments remain) with their payers' out-degrees, and the
bounded cycle search itself. Shared identifiers stay on the driver: they group the accounts file (one row
per account, far smaller than the payments), which the driver reads as the local engine does.

What must still fit on the driver: the list of accounts seen, the flagged accounts' payments (all accepted
rows with a trained model), the accounts file, and the graph-wide rules' reduced rows above; no join needs
the edge list in one process.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterable
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opennrm.finance import ranking
from opennrm.finance.detectors import (
    POPULAR,
    RUN_ORDER,
    Detectors,
    Hit,
    Layer,
    Report,
    _period,
    bipartite_hits,
    bipartite_layers,
    cycle_band,
    cycle_edges,
    cycle_hits,
    layer_step,
    missing_fields,
    scatter_gather_hits,
)
from opennrm.finance.ingest import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    IngestError,
    Rejection,
    Transactions,
    numbered,
    read_accounts,
)
from opennrm.finance.jurisdiction import Jurisdiction
from opennrm.finance.ranking import Score, TrainedModel

if TYPE_CHECKING:
    import polars as pl
    from pyspark.sql import Column, DataFrame, Row, SparkSession

# The graph-wide rules: an account's hits depend on other accounts' payments.
GRAPH_WIDE = ("cycle", "scatter_gather", "bipartite", "shared_identifiers")
# The graph-wide rules whose joins run on Spark (``shared_identifiers`` reads the accounts file, one row per
# account, on the driver).
ON_SPARK = ("cycle", "scatter_gather", "bipartite")
# The per-account rules: an account's hits depend on its own payments only (ported: tested on Spark).
PER_ACCOUNT = tuple(rule for rule in RUN_ORDER if rule not in GRAPH_WIDE)
_US = 1_000_000
_WS = r"(?U)^\s+|\s+$"
_ISO = r"^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})?$"
_SPACED = r"^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})()()$"
_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_NOT_FINITE = ("inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "nan", "+nan", "-nan")


class SparkEngineError(RuntimeError):
    """The Spark engine cannot do what was asked (one line, for the command line)."""


def local_session(cores: int = 2, memory: str = "1g") -> SparkSession:
    """A local Spark session (``local[cores]``, no web UI, small memory), as the ads engine makes one."""
    from opennrm.recruitment.spark_engine import local_session as ads_session

    session = ads_session(cores, app_name="opennrm-finance")
    session.sparkContext.setLogLevel("ERROR")
    _configure(session)
    return session


def _configure(session: SparkSession) -> None:
    session.conf.set("spark.sql.session.timeZone", "UTC")
    session.conf.set("spark.sql.ansi.enabled", "false")  # a bad value is null, then a rejection


# -- reading ------------------------------------------------------------------------------------------


def _strip(column: str) -> Column:
    from pyspark.sql import functions as F

    return F.regexp_replace(F.col(column), _WS, "")


def _blank(column: str) -> Column:
    from pyspark.sql import functions as F

    return F.col(column).isNull() | (_strip(column) == "")


def _read(session: SparkSession, path: Path) -> DataFrame:
    """The file with every column as text and ``line`` (the header is line 1)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType, StructField, StructType

    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            raw = session.read.parquet(str(path))
            raw = raw.select([F.col(c).cast("string").alias(c) for c in raw.columns])
        else:
            raw = session.read.csv(
                str(path), header=True, inferSchema=False, multiLine=False, escape='"', encoding="UTF-8"
            )
    except Exception as exc:  # Spark raises several kinds for a broken file
        raise IngestError(f"{path}: not a readable file ({exc.__class__.__name__})") from None
    schema = StructType([*raw.schema.fields, StructField("line", LongType(), False)])
    rows = raw.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 2))
    return session.createDataFrame(rows, schema)


def _timestamp_us() -> Column:
    """Epoch microseconds of an ISO 8601 text (the local engine's formats), or null."""
    from pyspark.sql import functions as F

    text = _strip("timestamp")
    iso = text.rlike(_ISO)

    def part(n: int) -> Column:
        return F.when(iso, F.regexp_extract(text, _ISO, n)).otherwise(F.regexp_extract(text, _SPACED, n))

    fraction = F.rpad(F.coalesce(part(7), F.lit("")), 6, "0").substr(1, 6)
    offset = part(8)
    seconds = F.concat(part(6), F.lit("."), fraction).cast("decimal(8,6)")
    base = F.make_timestamp(
        part(1).cast("int"),
        part(2).cast("int"),
        part(3).cast("int"),
        part(4).cast("int"),
        part(5).cast("int"),
        seconds,
        F.lit("UTC"),
    )
    sign = F.when(offset.startswith("-"), F.lit(-1)).otherwise(F.lit(1))
    minutes = F.when(
        offset.rlike(r"^[+-]\d{2}:\d{2}$"),
        sign * (offset.substr(2, 2).cast("int") * 60 + offset.substr(5, 2).cast("int")),
    ).otherwise(F.lit(0))
    valid = (text.rlike(_ISO) | text.rlike(_SPACED)) & (part(6).cast("int") < 60)
    return F.when(valid, F.unix_micros(base) - minutes.cast("long") * 60 * _US)


def read_transactions(
    session: SparkSession, path: Path, jurisdiction: Jurisdiction
) -> tuple[DataFrame, list[Rejection], tuple[str, ...]]:
    """The accepted rows (``line, id, us, source, target, amount_original, amount, currency`` and the
    optional columns present), the rejected rows with their lines and reasons, and the optional columns."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    _configure(session)
    raw = _read(session, path)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise IngestError(f"{path}: missing column(s) {', '.join(missing)}")
    optional = tuple(c for c in OPTIONAL_COLUMNS if c in raw.columns)
    rates = session.createDataFrame(
        [(k, float(v)) for k, v in jurisdiction.rates.items()], "currency_key string, rate double"
    )
    amount_text = _strip("amount")
    df = raw.select(
        "line",
        *REQUIRED_COLUMNS,
        *optional,
    ).select(
        "line",
        _strip("id").alias("id"),
        _strip("source").alias("source"),
        _strip("target").alias("target"),
        F.upper(_strip("currency")).alias("currency_key"),
        _timestamp_us().alias("us"),
        F.when(amount_text.rlike(_NUMBER), amount_text.cast("double"))
        .when(F.lower(amount_text).isin(*_NOT_FINITE), F.lit(float("nan")))
        .alias("amount_original"),
        *[
            F.when(_blank(c), None).otherwise(F.lower(_strip(c))).alias(c)
            for c in optional
            if c in ("channel", "merchant_category")
        ],
        *[
            F.when(_blank(c), None).otherwise(_strip(c)).alias(c)
            for c in optional
            if c in ("location", "country")
        ],
        _blank("id").alias("_blank_id"),
        _blank("source").alias("_blank_source"),
        _blank("target").alias("_blank_target"),
    )
    df = df.join(F.broadcast(rates), on="currency_key", how="left")
    reason = (
        F.when(F.col("_blank_id"), F.lit("id is empty"))
        .when(F.col("us").isNull(), F.lit("timestamp is not an ISO 8601 date and time"))
        .when(F.col("_blank_source"), F.lit("source is empty"))
        .when(F.col("_blank_target"), F.lit("target is empty"))
        .when(F.col("source") == F.col("target"), F.lit("source and target are the same account"))
        .when(F.col("amount_original").isNull(), F.lit("amount is not a number"))
        .when(
            F.isnan("amount_original")
            | (F.abs("amount_original") == float("inf"))
            | (F.col("amount_original") <= 0),
            F.lit("amount must be a positive number"),
        )
        .when(
            F.col("rate").isNull(),
            F.concat(
                F.lit("currency "),
                F.coalesce(F.col("currency_key"), F.lit("")),
                F.lit(" has no rate in the jurisdiction file"),
            ),
        )
    )
    df = df.withColumn("reason", reason)
    df = df.withColumn(
        "reason",
        F.when(
            F.col("reason").isNull()
            & (F.row_number().over(Window.partitionBy("id", F.col("reason").isNull()).orderBy("line")) > 1),
            F.lit("id repeats an earlier row"),
        ).otherwise(F.col("reason")),
    )
    df = df.persist()
    rejects = [
        Rejection(int(r["line"]), str(r["reason"]))
        for r in df.where(F.col("reason").isNotNull()).select("line", "reason").orderBy("line").collect()
    ]
    good = df.where(F.col("reason").isNull()).select(
        "line",
        "id",
        "us",
        "source",
        "target",
        "amount_original",
        (F.col("amount_original") * F.col("rate")).alias("amount"),
        F.col("currency_key").alias("currency"),
        *optional,
    )
    return good, rejects, optional


# -- per-account windowed aggregates --------------------------------------------------------------------


def _sides(rows: DataFrame, direction: str = "both") -> DataFrame:
    """Each row twice: seen from its target (``in``) and from its source (``out``)."""
    from pyspark.sql import functions as F

    keep = [c for c in rows.columns if c not in ("source", "target")]
    incoming = rows.select(
        F.col("target").alias("account"), F.col("source").alias("other"), F.lit("in").alias("dir"), *keep
    )
    outgoing = rows.select(
        F.col("source").alias("account"), F.col("target").alias("other"), F.lit("out").alias("dir"), *keep
    )
    if direction == "in":
        return incoming
    if direction == "out":
        return outgoing
    return incoming.unionByName(outgoing)


def _floor_div(value: Column, divisor: int) -> Column:
    from pyspark.sql import functions as F

    return ((value - F.pmod(value, F.lit(divisor))) / F.lit(divisor)).cast("long")


def _windowed(rows: DataFrame, hours: float) -> DataFrame:
    """Each row once per hopping window holding it (the local engine's ``group_by_dynamic`` windows: length
    ``period``, one every ``every``, aligned on the epoch, closed on the left), as column ``w``. Windows that
    start before a group's first row are subsets of the first one the local engine makes, so the largest
    value and the union of the windows reaching a threshold are the same."""
    from pyspark.sql import functions as F

    period_text, every_text = _period(hours)
    period, every = int(period_text[:-1]) * 60 * _US, int(every_text[:-1]) * 60 * _US
    return rows.withColumn(
        "w",
        F.explode(F.sequence(_floor_div(F.col("us") - period, every) + 1, _floor_div(F.col("us"), every))),
    )


def candidates(good: DataFrame, jurisdiction: Jurisdiction, optional: tuple[str, ...]) -> dict[str, set[str]]:
    """Per per-account rule, the accounts that reach its threshold in some window (a superset for
    pass-through and cross-border): computed on Spark over every accepted row."""
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    j = jurisdiction
    has = set(optional)
    found: list[DataFrame] = []
    sides = _sides(good.select("id", "us", "source", "target", "amount", *optional)).persist()

    def flag(rule: str, accounts: DataFrame) -> None:
        found.append(accounts.select(F.lit(rule).alias("rule"), F.col("account")))

    def windows_reaching(rows: DataFrame, hours: float, value: Column, threshold: float) -> DataFrame:
        counted = _windowed(rows, hours).groupBy("account", "w").agg(value.alias("value"))
        return counted.where(F.col("value") >= threshold)

    for rule, direction in (("fan_in", "in"), ("fan_out", "out")):
        cfg = j[rule]
        flag(
            rule,
            windows_reaching(
                sides.where(F.col("dir") == direction),
                cfg["window_hours"],
                F.countDistinct("other"),
                int(cfg["min_counterparties"]),
            ),
        )
    cfg = j["gather_scatter"]
    is_in, is_out = F.col("dir") == "in", F.col("dir") == "out"
    gs = (
        _windowed(sides, cfg["window_hours"])
        .groupBy("account", "w")
        .agg(
            F.countDistinct(F.when(is_in, F.col("other"))).alias("n_in"),
            F.countDistinct(F.when(is_out, F.col("other"))).alias("n_out"),
            F.min(F.when(is_in, F.col("us"))).alias("first_in"),
            F.max(F.when(is_out, F.col("us"))).alias("last_out"),
        )
    )
    flag(
        "gather_scatter",
        (
            gs.where(
                (F.col("n_in") >= int(cfg["min_in"]))
                & (F.col("n_out") >= int(cfg["min_out"]))
                & (F.col("last_out") > F.col("first_in"))
            )
        ),
    )
    # structuring: just below the channel's reporting threshold
    cfg = j["structuring"]
    limits = {str(k).lower(): float(v) for k, v in cfg["thresholds"].items()}
    default = limits.get("default")
    limit: Column = F.lit(default).cast("double")
    if "channel" in has:
        for name, value in limits.items():
            limit = F.when(F.col("channel") == name, F.lit(value)).otherwise(limit)
    margin = float(cfg["margin"])
    below = (F.col("amount") < limit) & (F.col("amount") >= limit * (1 - margin))
    flag(
        "structuring",
        windows_reaching(sides.where(below), cfg["window_hours"], F.count("*"), int(cfg["min_count"])),
    )
    # split payments: the same two accounts, several payments within the window
    cfg = j["split_payments"]
    pairs = good.where(F.col("amount") < float(cfg["max_amount"])).select("source", "target", "us")
    split = (
        _windowed(pairs, cfg["window_hours"])
        .groupBy("source", "target", "w")
        .count()
        .where(F.col("count") >= int(cfg["min_count"]))
    )
    flag("split_payments", split.select(F.col("source").alias("account")))
    flag("split_payments", split.select(F.col("target").alias("account")))
    if "merchant_category" in has:
        cfg = j["exploitation_spending"]
        cats = [str(c).lower() for c in cfg["categories"]]
        flag(
            "exploitation_spending",
            windows_reaching(
                sides.where((F.col("dir") == "out") & F.col("merchant_category").isin(*cats)),
                cfg["window_hours"],
                F.count("*"),
                int(cfg["min_count"]),
            ),
        )
    if "channel" in has:
        cfg = j["off_hours"]
        chans = [str(c).lower() for c in cfg["channels"]]
        hour = F.pmod(
            F.hour(F.timestamp_micros(F.col("us"))) + F.lit(int(cfg["utc_offset_hours"])), F.lit(24)
        )
        night = (hour >= int(cfg["start_hour"])) | (hour < int(cfg["end_hour"]))
        totals = (
            sides.where(F.col("channel").isin(*chans))
            .groupBy("account")
            .agg(F.count("*").alias("all"), F.sum(F.when(night, 1).otherwise(0)).alias("night"))
        )
        flag(
            "off_hours",
            (
                totals.where(
                    (F.col("night") >= int(cfg["min_count"]))
                    & (F.col("night") / F.col("all") >= float(cfg["min_share"]))
                )
            ),
        )
        cfg = j["payroll"]
        flag(
            "payroll",
            windows_reaching(
                sides.where(
                    (F.col("dir") == "in") & F.col("channel").isin(*[str(c).lower() for c in cfg["channels"]])
                ),
                cfg["window_hours"],
                F.countDistinct("other"),
                int(cfg["min_payers"]),
            ),
        )
        cfg = j["alternative_payments"]
        flag(
            "alternative_payments",
            windows_reaching(
                sides.where(F.col("channel").isin(*[str(c).lower() for c in cfg["channels"]])),
                cfg["window_hours"],
                F.count("*"),
                int(cfg["min_count"]),
            ),
        )
    if "location" in has and ({"merchant_category", "channel"} & has):
        cfg = j["mobility"]
        parts = []
        if "merchant_category" in has:
            parts.append(F.col("merchant_category").isin(*[str(c).lower() for c in cfg["categories"]]))
        if "channel" in has:
            parts.append(F.col("channel").isin(*[str(c).lower() for c in cfg["channels"]]))
        chosen = parts[0] if len(parts) == 1 else (F.coalesce(parts[0], F.lit(False)) | parts[1])
        flag(
            "mobility",
            windows_reaching(
                sides.where(F.col("location").isNotNull() & chosen),
                cfg["window_hours"],
                F.count("*"),
                int(cfg["min_locations"]),
            ),
        )
    if "channel" in has and "country" in has:
        countries = [str(c) for c in j["cross_border"]["countries"]]
        cash = good.where(F.col("channel") == "cash").select(F.col("target").alias("account")).distinct()
        wires = good.where(F.col("country").isin(*countries)).select(F.col("source").alias("account"))
        if countries:
            flag("cross_border", wires.distinct().join(cash, "account"))
    cfg = j["pass_through"]
    large = (
        good.where(F.col("amount") >= float(cfg["min_amount"]))
        .groupBy(F.col("target").alias("account"))
        .count()
        .where(F.col("count") >= int(cfg["min_events"]))
    )
    payers = good.select(F.col("source").alias("account")).distinct()
    flag("pass_through", (large.join(payers, "account")))
    flagged: dict[str, set[str]] = {}
    for row in reduce(DataFrame.unionByName, found).distinct().collect():
        flagged.setdefault(str(row["rule"]), set()).add(str(row["account"]))
    sides.unpersist()
    return flagged


def busiest_week(good: DataFrame) -> dict[str, int]:
    """The ranking's tie-break: per account, the most distinct senders in any 7-day window (one a day)."""
    from pyspark.sql import functions as F

    day = 24 * 3600 * _US
    rows = good.select(F.col("target").alias("account"), F.col("source").alias("other"), "us")
    windows = rows.withColumn(
        "w", F.explode(F.sequence(_floor_div(F.col("us") - 7 * day, day) + 1, _floor_div(F.col("us"), day)))
    )
    best = (
        windows.groupBy("account", "w")
        .agg(F.countDistinct("other").alias("n"))
        .groupBy("account")
        .agg(F.max("n").alias("n"))
    )
    return {str(r["account"]): int(r["n"]) for r in best.collect()}


# -- graph-wide rules ----------------------------------------------------------------------------------


def _collect(frame: DataFrame) -> list[Row]:
    """The rows of a reduced frame on the driver: every graph-wide rule's collect goes through here."""
    return frame.collect()


def _polars(rows: list[Row], schema: dict[str, Any]) -> pl.DataFrame:
    """Collected rows as a Polars frame (the local engine's types)."""
    import polars as pl

    return pl.DataFrame([tuple(r) for r in rows], schema=schema, orient="row")


def graph_wide(good: DataFrame, jurisdiction: Jurisdiction, rules: Iterable[str]) -> dict[str, list[Hit]]:
    """Per graph-wide rule run on Spark (``ON_SPARK``), its hits: the heavy joins on Spark, the hits built on
    the driver from the reduced rows with the local engine's code."""
    run = {"cycle": _cycles, "scatter_gather": _scatter_gather, "bipartite": _bipartite}
    edges = good.select("line", "id", "us", "source", "target", "amount")
    return {rule: run[rule](edges, jurisdiction[rule]) for rule in rules if rule in run}


def _cycles(edges: DataFrame, cfg: dict[str, Any]) -> list[Hit]:
    """The cycle rule: ``detectors.cycle_edges`` started on Spark and finished on the driver (the same
    rounds, so the same payments), each account's out-degree on Spark; the search on the driver."""
    import polars as pl
    from pyspark.sql import functions as F

    ratio = float(cfg["amount_ratio"])
    kept = _cycle_rounds(edges, cycle_band(ratio))
    nodes = kept.select(F.col("source").alias("account")).union(kept.select(F.col("target").alias("account")))
    degree = (
        edges.groupBy(F.col("source").alias("account")).count().join(nodes.distinct(), "account", "left_semi")
    )
    out_degree = {str(r["account"]): int(r["count"]) for r in _collect(degree)}
    rows = _collect(kept.orderBy("us", "line").select("id", "us", "source", "target", "amount"))
    kept.unpersist()
    schema = {"id": pl.String, "us": pl.Int64, "source": pl.String, "target": pl.String, "amount": pl.Float64}
    frame = _polars(rows, schema).with_columns(
        pl.col("us").cast(pl.Datetime("us")).dt.replace_time_zone("UTC").alias("ts")
    )
    return cycle_hits(cycle_edges(frame, ratio), out_degree, cfg)


# The driver finishes the pruning for the cycle rule once a round on Spark drops less than this share of the
# payments left, or fewer than DRIVER_ROWS are left (each round on Spark costs a few shuffles; the last
# rounds drop few payments).
SLOW_ROUND = 0.05
DRIVER_ROWS = 10_000


def _cycle_rounds(edges: DataFrame, band: float) -> DataFrame:
    """The first rounds of ``detectors.cycle_edges`` on Spark (at least one): drop the payments whose payer
    received, or whose payee made, no remaining payment within ``band`` of their amount."""
    from pyspark.sql import functions as F

    current, count = edges, edges.count()
    while True:
        both = _partnered(current, "source", "target", band).unionByName(
            _partnered(current, "target", "source", band)
        )
        passed = both.groupBy("line").count().where(F.col("count") == 2).select("line")
        # cut the plan: each round names the last one three times
        kept = current.join(passed, "line", "left_semi").localCheckpoint()
        remaining = kept.count()
        if remaining <= DRIVER_ROWS or count - remaining < SLOW_ROUND * count:
            return kept
        current, count = kept, remaining


def _partnered(edges: DataFrame, at: str, partner: str, band: float) -> DataFrame:
    """``detectors._partnered`` on Spark (``line``): the nearest amount below and above among the payments
    whose ``partner`` is the payment's ``at`` account."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    probe = edges.select("line", F.col(at).alias("node"), "amount", F.lit(True).alias("probe"))
    pool = edges.select(
        F.lit(None).cast("long").alias("line"),
        F.col(partner).alias("node"),
        "amount",
        F.lit(False).alias("probe"),
    )
    order = Window.partitionBy("node").orderBy("amount")
    other = F.when(~F.col("probe"), F.col("amount"))
    below = F.max(other).over(order.rangeBetween(Window.unboundedPreceding, Window.currentRow))
    above = F.min(other).over(order.rangeBetween(Window.currentRow, Window.unboundedFollowing))
    near = probe.unionByName(pool).select(
        "line", "probe", "amount", below.alias("below"), above.alias("above")
    )
    amount = F.col("amount")
    return near.where(
        F.col("probe") & ((F.col("below") >= amount * band) | (F.col("above") * band <= amount))
    ).select("line")


def _scatter_gather(edges: DataFrame, cfg: dict[str, Any]) -> list[Hit]:
    """The scatter-gather rule: the two-hop join, the window and the count of intermediaries on Spark; only
    the groups reaching the threshold collected."""
    from pyspark.sql import functions as F

    k = int(cfg["min_intermediaries"])
    window_us = int(float(cfg["window_hours"]) * 3600 * 1_000_000)
    first = edges.select(
        F.col("source").alias("s"),
        F.col("target").alias("m"),
        F.col("us").alias("t1"),
        F.col("id").alias("id1"),
    )
    second = edges.select(
        F.col("source").alias("m"),
        F.col("target").alias("b"),
        F.col("us").alias("t2"),
        F.col("id").alias("id2"),
    )
    groups = (
        first.join(second, "m")
        .where(
            (F.col("t2") > F.col("t1"))
            & (F.col("t2") - F.col("t1") <= window_us)
            & (F.col("s") != F.col("b"))
        )
        .groupBy("s", "b")
        .agg(
            F.countDistinct("m").alias("n"),
            F.collect_set("m").alias("ms"),
            F.array_union(F.collect_set("id1"), F.collect_set("id2")).alias("ids"),
        )
        .where(F.col("n") >= k)
    )
    rows = _collect(groups)
    return scatter_gather_hits(((r["s"], r["b"], int(r["n"]), r["ms"], r["ids"]) for r in rows), cfg)


def _bipartite(edges: DataFrame, cfg: dict[str, Any]) -> list[Hit]:
    """The bipartite and stack rules: for both sets of windows at once (``shift``), each window's distinct
    sender-receiver pairs, the popular receivers and the pairs of senders sharing receivers on Spark;
    collected: those pairs and the payments between the senders and receivers they name. The layers and
    stacks built with the local engine's code."""
    import polars as pl
    from pyspark.sql import functions as F

    k_send, k_recv = int(cfg["min_senders"]), int(cfg["min_shared_receivers"])
    step = layer_step(cfg)
    shifted = edges.withColumn("shift", F.explode(F.array(F.lit(0), F.lit(1))))
    bucketed = shifted.withColumn("w", _floor_div(F.col("us") + F.col("shift") * step, 2 * step))
    window = ["shift", "w"]
    distinct = bucketed.groupBy(*window, "source", "target").agg(F.collect_list("id").alias("id"))
    popular = distinct.groupBy(*window, "target").count().where(F.col("count") <= POPULAR * k_send)
    distinct = distinct.join(popular.select(*window, "target"), [*window, "target"]).persist()
    co = (
        distinct.select(*window, "source", "target")
        .join(distinct.select(*window, F.col("source").alias("other"), "target"), [*window, "target"])
        .where(F.col("source") < F.col("other"))
        .groupBy(*window, "source", "other")
        .agg(F.collect_list("target").alias("shared"))
        .where(F.size("shared") >= k_recv)
        .persist()
    )
    pairs = _collect(co)
    senders = (
        co.select(*window, "source").union(co.select(*window, F.col("other").alias("source"))).distinct()
    )
    receivers = co.select(*window, F.explode("shared").alias("target")).distinct()
    involved = distinct.join(senders, [*window, "source"], "left_semi").join(
        receivers, [*window, "target"], "left_semi"
    )
    rows = _collect(involved.select("shift", "w", "source", "target", "id")) if pairs else []
    co.unpersist()
    distinct.unpersist()
    payments = _polars(
        rows,
        {
            "shift": pl.Int64,
            "w": pl.Int64,
            "source": pl.String,
            "target": pl.String,
            "id": pl.List(pl.String),
        },
    )
    layers: list[Layer] = []
    seen: set[tuple[frozenset[str], frozenset[str]]] = set()
    for shift in (0, 1):
        among = [
            (int(r["w"]), str(r["source"]), str(r["other"]), list(r["shared"]))
            for r in pairs
            if r["shift"] == shift
        ]
        frame = payments.filter(pl.col("shift") == shift).drop("shift")
        layers.extend(bipartite_layers(among, frame, shift, k_send, seen))
    return bipartite_hits(layers, cfg)


# -- scoring -----------------------------------------------------------------------------------------


def _filled(good: DataFrame, optional: tuple[str, ...]) -> set[str]:
    """The optional columns that hold a value in some accepted row (what ``Detectors.missing`` asks)."""
    from pyspark.sql import functions as F

    if not optional:
        return set()
    counts = good.select([F.count(F.col(c)).alias(c) for c in optional]).first()
    return {c for c in optional if counts is not None and counts[c] > 0}


def _collected(
    good: DataFrame, optional: tuple[str, ...], folder: Path, touching: set[str] | None = None
) -> Transactions | None:
    """The accepted rows on the driver as the local engine's frame (written by Spark as Parquet); ``None``
    when there is none. With ``touching``, only the rows paying or paid by those accounts come back, with
    every account seen numbered as in the whole file (the rows of one account are all its evidence needs)."""
    import polars as pl
    from pyspark.sql import functions as F

    if touching is not None:
        seen = good.select(F.col("source").alias("a")).union(good.select(F.col("target").alias("a")))
        accounts_seen = sorted(str(r[0]) for r in seen.distinct().collect())
        if not accounts_seen:
            return None
        names = sorted(touching)
        good = good.where(F.col("source").isin(names) | F.col("target").isin(names))
    good.write.mode("overwrite").parquet(str(folder))
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return None
    frame = pl.read_parquet(files)
    frame = frame.with_columns(
        pl.col("us").cast(pl.Datetime("us")).dt.replace_time_zone("UTC").alias("ts"),
        *[pl.col(c).cast(pl.String) for c in optional],
    ).sort(["ts", "line"])
    return numbered(frame, optional, None if touching is None else accounts_seen)


def score(
    transactions: Path,
    accounts: Path | None,
    jurisdiction: Jurisdiction,
    model: TrainedModel | None = None,
    session: SparkSession | None = None,
    rules: Iterable[str] | None = None,
) -> tuple[list[Score], Report, Transactions]:
    """Read, check, detect and score on Spark (see the module docstring); the same scores and evidence as
    ``finance.pipeline.score`` on ``finance.pipeline.load``."""
    chosen = list(RUN_ORDER if rules is None else rules)
    unknown = [r for r in chosen if r not in RUN_ORDER]
    if unknown:
        raise SparkEngineError(f"the Spark engine has no detector {', '.join(unknown)}")
    own = session is None
    folder = Path(tempfile.mkdtemp(prefix="opennrm-finance-spark-"))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
        spark = local_session() if session is None else session
        try:
            good, rejects, optional = read_transactions(spark, transactions, jurisdiction)
            if good.isEmpty():
                raise IngestError(f"{transactions}: no valid transaction")
            flagged = candidates(good, jurisdiction, optional)
            filled = _filled(good, optional)
            tie = busiest_week(good)
            graph = graph_wide(good, jurisdiction, chosen)
            # the trained model's features read every account's payments; the default ranking needs only
            # the payments of the accounts a per-account rule flagged (their evidence is rebuilt from them)
            touching = None if model is not None else set().union(*flagged.values())
            collected = _collected(good, optional, folder / "accepted", touching)
            if collected is None:
                raise IngestError(f"{transactions}: no valid transaction")
            data = collected
            data.rejects = rejects
            if accounts is not None:
                data = read_accounts(accounts, data)
            good.unpersist()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            if own:
                spark.stop()
    report = _detect(data, jurisdiction, flagged, graph, chosen, filled)
    if model is not None:
        table = ranking.features(data, report)
        return ranking.trained_scores(model, table, report), report, data
    return ranking.default_scores(data, report, jurisdiction, tie=tie), report, data


def _detect(
    data: Transactions,
    jurisdiction: Jurisdiction,
    flagged: dict[str, set[str]],
    graph: dict[str, list[Hit]],
    rules: list[str],
    filled: set[str],
) -> Report:
    """The local engine's report: each per-account rule rebuilt from the payments of the accounts Spark
    flagged for it (and kept for those accounts only), the graph-wide rules Spark ran as they came, shared
    identifiers from the accounts file; rules in the local engine's order."""
    import polars as pl

    whole = Detectors(data, jurisdiction)
    report = Report()
    for rule in rules:
        if (why := missing_fields(rule, filled, data.accounts_frame is not None)) is not None:
            report.skipped[rule] = why
            continue
        if rule in graph:
            report.hits.extend(graph[rule])
            continue
        if rule not in PER_ACCOUNT:
            part = whole.run([rule])
        else:
            accounts = sorted(flagged.get(rule, set()))
            if not accounts:
                continue
            rows = data.frame.filter(pl.col("source").is_in(accounts) | pl.col("target").is_in(accounts))
            own = Transactions(rows, data.accounts, accounts_frame=data.accounts_frame)
            part = Detectors(own, jurisdiction).run([rule])
            keep = set(accounts)
            part.hits = [h for h in part.hits if h.account in keep]
        report.hits.extend(part.hits)
        report.skipped.update(part.skipped)
    return report


__all__ = [
    "GRAPH_WIDE",
    "ON_SPARK",
    "PER_ACCOUNT",
    "SparkEngineError",
    "busiest_week",
    "candidates",
    "graph_wide",
    "local_session",
    "read_transactions",
    "score",
]
