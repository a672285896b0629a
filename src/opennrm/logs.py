"""Logging: to ``OPENNRM_HOME/logs/opennrm.log``. Messages carry ids and codes, never personal data:
no request bodies, no query strings, no decrypted values and no client addresses are passed to a logger."""

from __future__ import annotations

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
            if getattr(handler, "baseFilename", None) == str(path.resolve()):
                return
            root.removeHandler(handler)
            handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    os.chmod(path, 0o600)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.setLevel(level)
    root.addHandler(handler)
