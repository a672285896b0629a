"""The jurisdiction file: every threshold the detectors and the default ranking use (never in code).

The shipped ``jurisdictions/default.toml`` is generic; a jurisdiction passes its own file. Loading checks that
every section and number the detectors read is there, so a missing threshold is a clear error at start, not a
silent default."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

REQUIRED: dict[str, tuple[str, ...]] = {
    "currency": ("base", "rates"),
    "fan_in": ("min_counterparties", "window_hours", "source"),
    "fan_out": ("min_counterparties", "window_hours", "source"),
    "cycle": (
        "min_length",
        "max_length",
        "window_hours",
        "amount_ratio",
        "time_respecting",
        "max_out_degree",
        "source",
    ),
    "split_payments": ("min_count", "window_hours", "max_amount", "source"),
    "scatter_gather": ("min_intermediaries", "window_hours", "source"),
    "gather_scatter": ("min_in", "min_out", "window_hours", "source"),
    "bipartite": ("min_senders", "min_shared_receivers", "window_hours", "source"),
    "pass_through": ("window_hours", "min_share_out", "min_amount", "min_events", "source"),
    "structuring": ("margin", "min_count", "window_hours", "thresholds", "source"),
    "exploitation_spending": (
        "categories",
        "small_ad_amounts",
        "min_count",
        "min_categories",
        "window_hours",
        "source",
    ),
    "off_hours": (
        "channels",
        "start_hour",
        "end_hour",
        "utc_offset_hours",
        "min_count",
        "min_share",
        "source",
    ),
    "mobility": ("categories", "channels", "min_locations", "window_hours", "source"),
    "payroll": ("channels", "min_payers", "window_hours", "source"),
    "alternative_payments": ("channels", "min_count", "window_hours", "source"),
    "cross_border": ("countries", "window_hours", "source"),
    "shared_identifiers": ("fields", "source"),
    "ranking": ("weights",),
}


class JurisdictionError(ValueError):
    """The jurisdiction file is unreadable or lacks a threshold."""


@dataclass(frozen=True)
class Jurisdiction:
    name: str
    sections: dict[str, dict[str, Any]]

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.sections[section]

    @property
    def base_currency(self) -> str:
        return str(self.sections["currency"]["base"])

    @property
    def rates(self) -> dict[str, float]:
        return {str(k).upper(): float(v) for k, v in self.sections["currency"]["rates"].items()}

    def weight(self, rule: str) -> float:
        return float(self.sections["ranking"]["weights"].get(rule, 0.0))


def default_text() -> str:
    return resources.files("opennrm.finance").joinpath("jurisdictions/default.toml").read_text("utf-8")


def load(path: Path | None = None) -> Jurisdiction:
    """The jurisdiction in ``path``, or the shipped default."""
    try:
        text = default_text() if path is None else path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise JurisdictionError(f"jurisdiction file {path}: {exc}") from None
    sections: dict[str, dict[str, Any]] = {}
    for section, keys in REQUIRED.items():
        body = data.get(section)
        if not isinstance(body, dict):
            raise JurisdictionError(f"jurisdiction file lacks the [{section}] section")
        missing = [k for k in keys if k not in body]
        if missing:
            raise JurisdictionError(f"jurisdiction file: [{section}] lacks {', '.join(missing)}")
        sections[section] = body
    rates = sections["currency"]["rates"]
    if not isinstance(rates, dict) or not all(isinstance(v, int | float) and v > 0 for v in rates.values()):
        raise JurisdictionError("jurisdiction file: [currency] rates must be positive numbers")
    return Jurisdiction(str(data.get("name", "unnamed")), sections)
