"""The list of command-group modules. Each module has ``register(app: typer.Typer) -> None``."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import typer

GROUPS: tuple[str, ...] = (
    # one line per command-group module under opennrm.cli
    "install",
    "admin",
    "records",
    "audit",
    "backup",
    "firewall",
    "screen",
    "stats",
    "htcds",
    "directory",
    "ads",
    "justice",
    "linkage",
    "reporting",
    "signals",
    "worker",
    "finance",
)


def all_groups() -> Iterator[Callable[[typer.Typer], None]]:
    for name in GROUPS:
        module = importlib.import_module(f"opennrm.cli.{name}")
        yield module.register
