"""The top-level command group, loading each command's module only when it runs.

``opennrm --help`` lists every command from ``COMMANDS`` (its module and the first paragraph of its help)
without importing the modules, whose imports (the database layer, the screening catalogues, statistics
libraries) take seconds; ``opennrm <command> …`` imports the one module that defines the command.
``tests/integration/test_cli.py`` checks that ``COMMANDS`` says what the modules register.

Help text is also tidied here, once for every command: a docstring's single line breaks become spaces, so
the help formatter wraps each paragraph to the terminal instead of breaking a sentence where the source
line ended.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from typer import _click as click  # the click that Typer bundles (its own copy, not the click package)
from typer.core import TyperCommand, TyperGroup, TyperOption

# command name → (module under opennrm.cli that registers it, first paragraph of its help)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "install",
        "Create the data directory, the encryption key file (mode 0600) and the database schema.",
    ),
    "serve": ("install", "Run the web application and API."),
    "worker": (
        "worker",
        "Run the scheduled work (consent expiry, referral deadlines, reminders, retention, backups) and "
        "queued jobs; any number may run against one database.",
    ),
    "demo": (
        "install",
        "Set up a demo installation with synthetic cases and demo accounts, then serve it.",
    ),
    "org": ("admin", "Organisations of the referral network."),
    "user": ("admin", "User accounts."),
    "import": ("records", "Import records from other systems."),
    "audit": ("audit", "The tamper-evident audit log."),
    "backup": ("backup", "Write an encrypted backup of the whole database and verify it reads back."),
    "restore": ("backup", "Replace the database's content with a backup (verified first; all or nothing)."),
    "key": ("backup", "The data-encryption key."),
    "firewall": (
        "firewall",
        "The firewall against immigration enforcement, criminal justice and financial intelligence.",
    ),
    "screen": (
        "screen",
        "Screen one person: is she or he a presumed victim of trafficking, by which rule, and why.",
    ),
    "report": (
        "stats",
        "Write report.html and report.pdf: SDG 16.2.2, charts, disaggregated tables, trends by year and a "
        "draft CEDAW periodic-report section.",
    ),
    "stats": ("stats", "Disaggregated statistics published with differential privacy (GR38 §§109–111)."),
    "htcds": (
        "htcds",
        "Exchange case records in the Human Trafficking Case Data Standard (HTCDS v2.0) CSV format.",
    ),
    "service": ("directory", "The service directory of the referral network."),
    "referrals": ("directory", "Referral deadlines: escalation and expiry."),
    "entitlements": ("directory", "Assistance entitlements: installation settings."),
    "ads": (
        "ads",
        "Online recruitment: job ads scored with evidence, linked into actor networks (GR38 §§36, 71, 73).",
    ),
    "signals": (
        "signals",
        "Signals about recruiters shared between platforms: keyed contact hashes, image hashes (GR38 §74).",
    ),
    "justice": (
        "justice",
        "Justice aggregates: perpetrators investigated, prosecuted and convicted per year (GR38 §110).",
    ),
    "linkage": (
        "linkage",
        "Count each person once nationally: privacy-preserving record linkage between organisations.",
    ),
    "reports": (
        "reporting",
        "The anonymous reporting channel: who receives reports, and deleting closed ones (GR38 §100).",
    ),
    "hotline": ("reporting", "Contacts of the 24/7 hotline as CSV: import and export (GR38 §99)."),
    "finance": (
        "finance",
        "Follow the money: typology detection, account ranking and tracing (GR38 §72, §108, §112(e)).",
    ),
}


def tidy_help(text: str | None) -> str | None:
    """One line per paragraph: single line breaks become spaces; a paragraph click must keep as written
    (starting with ``\\b``) stays as it is."""
    if not text:
        return text
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(p if p.startswith("\b") else " ".join(p.split()) for p in paragraphs)


def tidy(command: click.Command) -> click.Command:
    """Tidy the help of a command, its options and its subcommands."""
    command.help = tidy_help(command.help)
    command.short_help = tidy_help(command.short_help)
    for param in command.params:
        if isinstance(param, TyperOption):
            param.help = tidy_help(param.help)
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            tidy(sub)
    return command


def first_paragraph(command: click.Command) -> str:
    return (tidy_help(command.help) or "").split("\n\n")[0].strip()


class LazyGroup(TyperGroup):
    """The ``opennrm`` group: commands registered in advance are used as they are; the others come from
    ``COMMANDS`` and their module is imported when one of them is called."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for command in self.commands.values():
            tidy(command)
        self._loaded: set[str] = set()

    def list_commands(self, ctx: click.Context) -> list[str]:
        registered = super().list_commands(ctx)
        return registered + [name for name in COMMANDS if name not in self.commands]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name in COMMANDS:
            # listed in the help without importing its module; resolve_command loads the real one
            return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = str(args[0]) if args else ""
        if name and name not in self.commands:
            if name in COMMANDS:
                self.load(COMMANDS[name][0])
            elif not name.startswith("-"):
                self.load_all()  # a command not in the table: every module, then click says what it knows
        return super().resolve_command(ctx, args)

    def load(self, module_name: str) -> None:
        if module_name in self._loaded:
            return
        import typer
        import typer.main

        module = importlib.import_module(f"opennrm.cli.{module_name}")
        holder = typer.Typer()
        module.register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            self.commands.setdefault(name, tidy(command))
        self._loaded.add(module_name)

    def load_all(self) -> None:
        from opennrm.cli import registry

        for module_name in registry.GROUPS:
            self.load(module_name)
