"""Typed, immutable configuration, built once by the CLI entry point or the app factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from opennrm.domain.vocabularies import OrganisationType

DEFAULT_ENFORCEMENT_TYPES = frozenset({OrganisationType.IMMIGRATION_SERVICE})


class ConfigurationError(Exception):
    """The environment does not describe a usable installation."""


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    key_file: Path
    key_env: str | None = field(default=None, repr=False)
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    default_organisation: str = "Default organisation"
    hotline: str = "+000 0000 0000"
    ads_model: Path | None = None
    """The model folder (``opennrm ads train``) the review page scans uploads with; None: the shipped one."""
    procedure: str = "default"
    """The identification procedure: a shipped one (``default``, ``uk-nrm``) or a YAML file's path."""
    country: str | None = None
    """ISO 3166-1 country whose public holidays count deadlines in working days (``OPENNRM_COUNTRY``, with
    ``OPENNRM_COUNTRY_SUBDIVISION``); None: the procedure's country, else weekends only."""
    country_subdivision: str | None = None

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "opennrm.log"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        home = Path(env.get("OPENNRM_HOME") or Path.home() / ".local" / "share" / "opennrm").expanduser()
        database_url = env.get("OPENNRM_DATABASE_URL") or f"sqlite:///{home / 'opennrm.sqlite'}"
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
        return cls(
            home=home,
            database_url=database_url,
            key_file=Path(env.get("OPENNRM_KEY_FILE") or home / "opennrm.key"),
            key_env=env.get("OPENNRM_KEY") or None,
            default_organisation=env.get("OPENNRM_DEFAULT_ORG") or "Default organisation",
            hotline=env.get("OPENNRM_HOTLINE") or "+000 0000 0000",
            ads_model=Path(env["OPENNRM_ADS_MODEL"]).expanduser() if env.get("OPENNRM_ADS_MODEL") else None,
            procedure=env.get("OPENNRM_PROCEDURE") or "default",
            country=(env.get("OPENNRM_COUNTRY") or "").strip().upper() or None,
            country_subdivision=(env.get("OPENNRM_COUNTRY_SUBDIVISION") or "").strip().upper() or None,
        )
