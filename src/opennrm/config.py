"""Typed, immutable configuration, built once by the CLI entry point or the app factory."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from opennrm.domain.consent import ConsentTerms
from opennrm.domain.vocabularies import OrganisationType

# The firewall's list (DESIGN invariant 2; GR38 §83, §78, §98(b)): immigration enforcement, the
# criminal-justice system and financial intelligence always count as enforcement; an administrator may add
# types, never remove these (``opennrm firewall set``).
DEFAULT_ENFORCEMENT_TYPES = frozenset(
    {
        OrganisationType.POLICE,
        OrganisationType.PROSECUTION,
        OrganisationType.IMMIGRATION_SERVICE,
        OrganisationType.FINANCIAL_INTELLIGENCE_UNIT,
    }
)


#: The PostgreSQL server of the development and CI machines (trust authentication, database ``test``).
#: Tests and benches use it unless ``OPENNRM_TEST_DATABASE_URL`` or ``OPENNRM_BENCH_DATABASE_URL`` name
#: another; the product itself never connects to it.
DEVELOPMENT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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
    hotline: str | None = None
    """The hotline on the public leaflet (``OPENNRM_HOTLINE``); None: the leaflet says none is configured."""
    ads_model: Path | None = None
    """The model folder (``opennrm ads train``) the review page scans uploads with; None: the shipped one."""
    max_body_bytes: int = 1024 * 1024
    """Largest request body accepted (JSON, forms), counted as it streams in and refused (413) before it is
    parsed. ``OPENNRM_MAX_BODY_BYTES``."""
    max_upload_bytes: int = 21 * 1024 * 1024
    """Largest body of an upload route (a 20 MB file and its multipart framing).
    ``OPENNRM_MAX_UPLOAD_BYTES``."""
    login_attempts_per_minute: int = 10
    """Log-in attempts a client address may make per minute (a burst of as many), in memory only."""
    login_concurrency: int = 2
    """Log-ins checked (argon2id hashed) at once by the whole server; more wait or get 429."""
    login_queue: int = 32
    """Log-ins that may wait for a place; any beyond are answered 429 at once."""
    consent_terms: ConsentTerms = field(default_factory=ConsentTerms)
    """How long a consent lasts when none is given, and at most (``OPENNRM_CONSENT_DEFAULT_MONTHS``,
    ``OPENNRM_CONSENT_MAX_MONTHS``; 12 and 24 by default)."""
    procedure: str = "default"
    """The identification procedure: a shipped one (``default``, ``uk-nrm``) or a YAML file's path."""
    country: str | None = None
    """ISO 3166-1 country whose public holidays count deadlines in working days (``OPENNRM_COUNTRY``, with
    ``OPENNRM_COUNTRY_SUBDIVISION``); None: the procedure's country, else weekends only."""
    country_subdivision: str | None = None
    linkage_legal_basis: str | None = None
    """The law that lets this installation link persons for statistics without their consent
    (``OPENNRM_LINKAGE_LEGAL_BASIS``, e.g. the statistics act and its article); None: only persons whose
    consent covers statistics are exported for record linkage (docs/linkage.md)."""
    report_retention_days: int = 90
    """Days a closed anonymous report is kept before it is deleted (``OPENNRM_REPORT_RETENTION_DAYS``)."""
    reports_per_client_hour: int = 5
    """New anonymous reports one client may send per hour (counted in memory, under a salted hash of its
    address rotated every hour; ``OPENNRM_REPORTS_PER_CLIENT_HOUR``)."""
    reports_per_hour: int = 200
    """New anonymous reports the whole server accepts per hour (``OPENNRM_REPORTS_PER_HOUR``)."""
    report_access_per_client_hour: int = 60
    """Receipt look-ups and messages one client may send per hour
    (``OPENNRM_REPORT_ACCESS_PER_CLIENT_HOUR``)."""
    report_api_proof_of_work: bool = False
    """Whether the JSON API of the reporting channel asks for a solved proof-of-work challenge (the web form
    always does when scripts run). Off by default: a partner's app cannot always solve a browser puzzle.
    ``OPENNRM_REPORT_API_PROOF_OF_WORK=1``."""
    report_origins: tuple[str, ...] = ()
    """Web sites whose pages may call the reporting channel's JSON API from the browser (a partner's site
    with its own report form): their origins, ``https://host[:port]``, comma-separated in
    ``OPENNRM_REPORT_ORIGINS``. Only ``/api/reports…`` answers them (CORS, never with cookies); empty:
    none."""
    public_url: str = "http://127.0.0.1:8000"
    """Where users reach the product (``OPENNRM_PUBLIC_URL``): the links in e-mails start with it."""
    smtp_host: str | None = None
    """The mail relay for notifications (``OPENNRM_SMTP_HOST``, ``OPENNRM_SMTP_PORT``, ``OPENNRM_SMTP_FROM``,
    ``OPENNRM_SMTP_STARTTLS=1``, ``OPENNRM_SMTP_USER`` and ``OPENNRM_SMTP_PASSWORD``); None: no e-mail."""
    smtp_port: int = 25
    smtp_from: str = "opennrm@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    ads_retention_days: int = 90
    """Ad scans older than this are deleted by the worker (``OPENNRM_ADS_RETENTION_DAYS``)."""
    backup_dir: Path | None = None
    """Where the worker writes a daily encrypted backup (``OPENNRM_BACKUP_DIR``); None: none."""
    backup_keep: int = 14
    """How many scheduled backups are kept (``OPENNRM_BACKUP_KEEP``)."""
    log_format: str = "text"
    """``json`` for one JSON object per log line (``OPENNRM_LOG_FORMAT``), else plain text."""
    metrics_token: str | None = field(default=None, repr=False)
    """The bearer token a Prometheus scrape of ``/metrics`` must present (``OPENNRM_METRICS_TOKEN``, or the
    first line of the file ``OPENNRM_METRICS_TOKEN_FILE`` names; at least 32 characters); None: ``/metrics``
    answers 404 (ADR 0014)."""

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "opennrm.log"

    @property
    def metrics_dir(self) -> Path:
        """Where ``opennrm serve --workers N`` keeps its processes' metric files (prometheus_client's
        multiprocess mode), one folder per port; emptied by ``serve`` when it starts."""
        return self.home / "metrics"

    @property
    def reporting_pepper_file(self) -> Path:
        """The pepper of receipt hashes: beside the key file, never in the database or its backups."""
        return self.key_file.with_name("reporting.pepper")

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
            hotline=(env.get("OPENNRM_HOTLINE") or "").strip() or None,
            ads_model=Path(env["OPENNRM_ADS_MODEL"]).expanduser() if env.get("OPENNRM_ADS_MODEL") else None,
            max_body_bytes=_positive(env, "OPENNRM_MAX_BODY_BYTES", cls.max_body_bytes),
            max_upload_bytes=_positive(env, "OPENNRM_MAX_UPLOAD_BYTES", cls.max_upload_bytes),
            login_attempts_per_minute=_positive(
                env, "OPENNRM_LOGIN_ATTEMPTS_PER_MINUTE", cls.login_attempts_per_minute
            ),
            login_concurrency=_positive(env, "OPENNRM_LOGIN_CONCURRENCY", cls.login_concurrency),
            login_queue=_positive(env, "OPENNRM_LOGIN_QUEUE", cls.login_queue),
            consent_terms=_consent_terms(env),
            procedure=env.get("OPENNRM_PROCEDURE") or "default",
            country=(env.get("OPENNRM_COUNTRY") or "").strip().upper() or None,
            country_subdivision=(env.get("OPENNRM_COUNTRY_SUBDIVISION") or "").strip().upper() or None,
            linkage_legal_basis=(env.get("OPENNRM_LINKAGE_LEGAL_BASIS") or "").strip() or None,
            report_retention_days=_positive(env, "OPENNRM_REPORT_RETENTION_DAYS", cls.report_retention_days),
            reports_per_client_hour=_positive(
                env, "OPENNRM_REPORTS_PER_CLIENT_HOUR", cls.reports_per_client_hour
            ),
            reports_per_hour=_positive(env, "OPENNRM_REPORTS_PER_HOUR", cls.reports_per_hour),
            report_access_per_client_hour=_positive(
                env, "OPENNRM_REPORT_ACCESS_PER_CLIENT_HOUR", cls.report_access_per_client_hour
            ),
            report_api_proof_of_work=(env.get("OPENNRM_REPORT_API_PROOF_OF_WORK") or "0").strip()
            in {"1", "true", "yes"},
            report_origins=_origins(env, "OPENNRM_REPORT_ORIGINS"),
            public_url=(env.get("OPENNRM_PUBLIC_URL") or cls.public_url).rstrip("/"),
            smtp_host=(env.get("OPENNRM_SMTP_HOST") or "").strip() or None,
            smtp_port=_positive(env, "OPENNRM_SMTP_PORT", cls.smtp_port),
            smtp_from=(env.get("OPENNRM_SMTP_FROM") or cls.smtp_from).strip(),
            smtp_starttls=(env.get("OPENNRM_SMTP_STARTTLS") or "").strip() in {"1", "true", "yes"},
            smtp_user=(env.get("OPENNRM_SMTP_USER") or "").strip() or None,
            smtp_password=env.get("OPENNRM_SMTP_PASSWORD") or None,
            ads_retention_days=_positive(env, "OPENNRM_ADS_RETENTION_DAYS", cls.ads_retention_days),
            backup_dir=Path(env["OPENNRM_BACKUP_DIR"]).expanduser()
            if env.get("OPENNRM_BACKUP_DIR")
            else None,
            backup_keep=_positive(env, "OPENNRM_BACKUP_KEEP", cls.backup_keep),
            log_format="json" if (env.get("OPENNRM_LOG_FORMAT") or "").strip().lower() == "json" else "text",
            metrics_token=_metrics_token(env),
        )


def _origins(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Web origins (``scheme://host[:port]``, nothing after), comma-separated."""
    found = []
    for raw in (env.get(name) or "").split(","):
        origin = raw.strip().rstrip("/")
        if not origin:
            continue
        parts = urlsplit(origin)
        if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query:
            raise ConfigurationError(f"{name}: {raw.strip()!r} is not an origin like https://example.org")
        found.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return tuple(found)


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigurationError(f"{name} must be a positive whole number, not {raw!r}")
    return int(raw)


#: The shortest metrics token accepted: ``openssl rand -hex 32`` gives 64 characters.
METRICS_TOKEN_MIN_LENGTH = 32


def _metrics_token(env: Mapping[str, str]) -> str | None:
    raw = env.get("OPENNRM_METRICS_TOKEN")
    where = "OPENNRM_METRICS_TOKEN"
    if not raw and env.get("OPENNRM_METRICS_TOKEN_FILE"):
        where = env["OPENNRM_METRICS_TOKEN_FILE"]
        try:
            lines = Path(where).expanduser().read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"OPENNRM_METRICS_TOKEN_FILE: cannot read {where}: {exc}") from None
        raw = lines[0] if lines else ""
        where = f"the first line of {where}"
    if raw is None or raw == "":
        return None
    token = raw.strip()
    if len(token) < METRICS_TOKEN_MIN_LENGTH or not token.isprintable() or " " in token:
        raise ConfigurationError(
            f"{where} must be one word of at least {METRICS_TOKEN_MIN_LENGTH} characters "
            "(make one with: openssl rand -hex 32)"
        )
    return token


def _consent_terms(env: Mapping[str, str]) -> ConsentTerms:
    default = ConsentTerms()
    months: dict[str, int] = {}
    for name, key, fallback in (
        ("default_months", "OPENNRM_CONSENT_DEFAULT_MONTHS", default.default_months),
        ("max_months", "OPENNRM_CONSENT_MAX_MONTHS", default.max_months),
    ):
        raw = env.get(key) or str(fallback)
        if not raw.strip().isdigit():
            raise ConfigurationError(f"{key} must be a whole number of months, not {raw!r}")
        months[name] = int(raw)
    try:
        return ConsentTerms(**months)
    except ValueError as exc:
        raise ConfigurationError(
            f"OPENNRM_CONSENT_DEFAULT_MONTHS/OPENNRM_CONSENT_MAX_MONTHS: {exc}"
        ) from None
