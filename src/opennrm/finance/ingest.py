"""Reading transactions and accounts in the canonical form, with every rejected row reported.

Transactions: CSV or Parquet with ``id,timestamp,source,target,amount,currency`` and optionally
``channel,merchant_category,location,country``. Accounts (optional): ``account`` and optionally
``opening_balance,phone,email,address,registration_number``.

The files are read by Polars' streaming engine with every column as text, then checked column by column:
a row that fails a check is set aside with its line number (the header is line 1) and the first reason it
failed; the rest go on. Amounts are converted to the jurisdiction's base currency with its rates; a row in a
currency without a rate is rejected. Rows come out sorted by time, with each account numbered (``src``,
``dst``) for the graph code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opennrm.finance.jurisdiction import Jurisdiction

if TYPE_CHECKING:
    import polars as pl

REQUIRED_COLUMNS = ("id", "timestamp", "source", "target", "amount", "currency")
OPTIONAL_COLUMNS = ("channel", "merchant_category", "location", "country")
ACCOUNT_COLUMNS = ("opening_balance", "phone", "email", "address", "registration_number")
# Timestamps are ISO 8601: a date and a time, with "Z", an offset, or none (then UTC).
_TS_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%:z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
)


class IngestError(ValueError):
    """The file as a whole cannot be read (absent, not CSV/Parquet, a required column missing)."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str


@dataclass
class Transactions:
    """Accepted transactions sorted by time, with the accounts numbered, and the rejected rows.

    ``frame`` columns: ``id, ts (UTC), source, target, src, dst, amount (base currency), amount_original,
    currency`` and the optional columns present (``channel``, ``merchant_category``, ``location``,
    ``country``,
    as text, blank → null)."""

    frame: pl.DataFrame
    accounts: list[str]
    rejects: list[Rejection] = field(default_factory=list)
    accounts_frame: pl.DataFrame | None = None
    account_rejects: list[Rejection] = field(default_factory=list)

    def index(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.accounts)}

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c for c in OPTIONAL_COLUMNS if c in self.frame.columns)


def _scan(path: Path) -> pl.LazyFrame:
    import polars as pl

    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    if path.suffix.lower() in {".parquet", ".pq"}:
        try:
            lf = pl.scan_parquet(path)
            schema = lf.collect_schema()
        except Exception as exc:  # polars raises several kinds for a broken file
            raise IngestError(f"{path}: not a readable Parquet file ({exc.__class__.__name__})") from None
        return lf.select([pl.col(c).cast(pl.String) for c in schema.names()])
    try:
        lf = pl.scan_csv(path, infer_schema=False, encoding="utf8-lossy")
        lf.collect_schema()
    except Exception as exc:
        raise IngestError(f"{path}: not a readable CSV file ({exc.__class__.__name__})") from None
    return lf


def _blank(name: str) -> pl.Expr:
    import polars as pl

    return pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")


def _timestamp() -> pl.Expr:
    import polars as pl

    text = pl.col("timestamp").str.strip_chars()
    parsed = [
        text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
        if f.endswith("z") or f.endswith("Z")
        else text.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone("UTC")
        for f in _TS_FORMATS
    ]
    return pl.coalesce(parsed)


def read_transactions(path: Path, jurisdiction: Jurisdiction, *, streaming: bool = True) -> Transactions:
    """Read, check and convert one transactions file."""
    import polars as pl

    lf = _scan(path)
    names = lf.collect_schema().names()
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise IngestError(f"{path}: missing column(s) {', '.join(missing)}")
    optional = [c for c in OPTIONAL_COLUMNS if c in names]
    rates = jurisdiction.rates
    rate_frame = pl.LazyFrame(
        {"currency_key": list(rates), "rate": list(rates.values())},
        schema={"currency_key": pl.String, "rate": pl.Float64},
    )
    lf = (
        lf.select([*REQUIRED_COLUMNS, *optional])
        .with_row_index("line", offset=2)
        .with_columns(
            pl.col("id").str.strip_chars(),
            pl.col("source").str.strip_chars(),
            pl.col("target").str.strip_chars(),
            pl.col("currency").str.strip_chars().str.to_uppercase().alias("currency_key"),
            _timestamp().alias("ts"),
            pl.col("amount").str.strip_chars().cast(pl.Float64, strict=False).alias("amount_original"),
            *[
                pl.when(_blank(c))
                .then(None)
                .otherwise(pl.col(c).str.strip_chars().str.to_lowercase())
                .alias(c)
                for c in optional
                if c in ("channel", "merchant_category")
            ],
            *[
                pl.when(_blank(c)).then(None).otherwise(pl.col(c).str.strip_chars()).alias(c)
                for c in optional
                if c in ("location", "country")
            ],
        )
        .join(rate_frame, on="currency_key", how="left")
    )
    reason = (
        pl.when(_blank("id"))
        .then(pl.lit("id is empty"))
        .when(pl.col("ts").is_null())
        .then(pl.lit("timestamp is not an ISO 8601 date and time"))
        .when(_blank("source"))
        .then(pl.lit("source is empty"))
        .when(_blank("target"))
        .then(pl.lit("target is empty"))
        .when(pl.col("source") == pl.col("target"))
        .then(pl.lit("source and target are the same account"))
        .when(pl.col("amount_original").is_null())
        .then(pl.lit("amount is not a number"))
        .when(~pl.col("amount_original").is_finite() | (pl.col("amount_original") <= 0))
        .then(pl.lit("amount must be a positive number"))
        .when(pl.col("rate").is_null())
        .then(pl.lit("currency ") + pl.col("currency_key") + pl.lit(" has no rate in the jurisdiction file"))
        .otherwise(None)
    )
    checked = lf.with_columns(reason.alias("reason"))
    frame = checked.collect(engine="streaming" if streaming else "auto").sort("line")
    # A repeated id: the first occurrence stands, later ones are rejected.
    first = frame.filter(pl.col("reason").is_null()).select(
        "line", pl.col("id").is_first_distinct().alias("first")
    )
    frame = frame.join(first, on="line", how="left").with_columns(
        pl.when(pl.col("reason").is_null() & ~pl.col("first").fill_null(True))
        .then(pl.lit("id repeats an earlier row"))
        .otherwise(pl.col("reason"))
        .alias("reason")
    )
    rejected = frame.filter(pl.col("reason").is_not_null()).select("line", "reason")
    rejects = [Rejection(int(line), str(why)) for line, why in rejected.iter_rows()]
    good = (
        frame.filter(pl.col("reason").is_null())
        .with_columns(
            (pl.col("amount_original") * pl.col("rate")).alias("amount"),
            pl.col("currency_key").alias("currency"),
        )
        .sort(["ts", "line"])
    )
    data = numbered(good, tuple(optional))
    data.rejects = rejects
    return data


def numbered(
    good: pl.DataFrame, optional: tuple[str, ...], accounts_seen: list[str] | None = None
) -> Transactions:
    """Accepted rows (sorted by time, then line) with each account numbered (``src``, ``dst``), in the
    canonical columns; the Spark engine builds its frame with this too, from part of the rows and every
    account seen (``accounts_seen``, sorted), so that the numbers are those of the whole file."""
    import polars as pl

    accounts = (
        pl.concat([good["source"], good["target"]]).unique().sort()
        if accounts_seen is None
        else pl.Series("account", accounts_seen, dtype=pl.String)
    )
    mapping = pl.DataFrame(
        {"account": accounts, "n": pl.arange(0, accounts.len(), eager=True, dtype=pl.Int64)}
    )
    good = (
        good.join(mapping.rename({"account": "source", "n": "src"}), on="source", how="left")
        .join(mapping.rename({"account": "target", "n": "dst"}), on="target", how="left")
        .select(
            "id", "ts", "source", "target", "src", "dst", "amount", "amount_original", "currency", *optional
        )
    )
    return Transactions(good, accounts.to_list())


def read_accounts(path: Path, transactions: Transactions) -> Transactions:
    """Attach an accounts file: ``account`` plus the optional columns present; rows rejected with reasons."""
    import polars as pl

    lf = _scan(path)
    names = lf.collect_schema().names()
    if "account" not in names:
        raise IngestError(f"{path}: missing column account")
    present = [c for c in ACCOUNT_COLUMNS if c in names]
    frame = (
        lf.select(["account", *present])
        .with_row_index("line", offset=2)
        .with_columns(
            pl.col("account").str.strip_chars(),
            *[pl.when(_blank(c)).then(None).otherwise(pl.col(c).str.strip_chars()).alias(c) for c in present],
        )
        .collect()
    )
    if "opening_balance" in present:
        frame = frame.with_columns(
            pl.col("opening_balance").cast(pl.Float64, strict=False).alias("balance_value")
        )
    checks: list[tuple[pl.Expr, str]] = [(_blank("account"), "account is empty")]
    if "opening_balance" in present:
        checks.append(
            (
                pl.col("opening_balance").is_not_null() & pl.col("balance_value").is_null(),
                "opening_balance is not a number",
            )
        )
    checks.append((~pl.col("account").is_first_distinct(), "account repeats an earlier row"))
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    for condition, text in reversed(checks):
        reason = pl.when(condition).then(pl.lit(text)).otherwise(reason)
    frame = frame.with_columns(reason.alias("reason"))
    rejected = frame.filter(pl.col("reason").is_not_null()).select("line", "reason")
    transactions.account_rejects = [Rejection(int(a), str(b)) for a, b in rejected.iter_rows()]
    good = frame.filter(pl.col("reason").is_null())
    if "opening_balance" in present:
        good = good.with_columns(pl.col("balance_value").alias("opening_balance"))
    transactions.accounts_frame = good.select(["account", *present])
    return transactions
