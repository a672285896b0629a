"""Logging: to ``OPENNRM_HOME/logs/opennrm.log`` and stderr. Messages carry ids and codes, never personal
data: no request bodies, no query strings, no decrypted values are ever passed to a logger."""

from __future__ import annotations

import logging
import os

from opennrm.config import Settings

_configured: set[str] = set()


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    path = settings.log_file
    if str(path) in _configured:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    os.chmod(path, 0o600)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("opennrm")
    root.setLevel(level)
    root.addHandler(handler)
    _configured.add(str(path))
