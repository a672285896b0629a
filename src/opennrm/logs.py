"""Logging: to ``OPENNRM_HOME/logs/opennrm.log``. Messages carry ids and codes, never personal data:
no request bodies, no query strings, no decrypted values and no client addresses are passed to a logger."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os

from opennrm.config import Settings

_HANDLER_NAME = "opennrm-file"


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    """Send the ``opennrm`` loggers to the installation's log file (mode 0600), replacing an earlier one."""
    path = settings.log_file
    root = logging.getLogger("opennrm")
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            same_file = getattr(handler, "baseFilename", None) == str(path.resolve())
            if same_file and isinstance(handler.formatter, JsonFormatter) == (settings.log_format == "json"):
                return
            root.removeHandler(handler)
            handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    os.chmod(path, 0o600)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter()
        if settings.log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root.setLevel(level)
    root.addHandler(handler)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (``OPENNRM_LOG_FORMAT=json``) for a log collector: time (UTC, ISO 8601),
    level, logger and message, and the exception's type when there is one (never its text or traceback,
    which could quote data)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)
