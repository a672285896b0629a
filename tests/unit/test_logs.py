"""JSON logs (``OPENNRM_LOG_FORMAT=json``): one object per line with time, level, logger, message and
process; an exception's type but never its text; the file readable by its owner only."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from opennrm.config import Settings
from opennrm.logs import JsonFormatter, configure_logging

CANARY = "Zephyrine-7731"


@pytest.fixture
def opennrm_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger("opennrm")
    before = list(root.handlers)
    yield root
    for handler in list(root.handlers):
        if handler not in before:
            root.removeHandler(handler)
            handler.close()


def test_json_logs_are_one_object_a_line_without_exception_text(
    tmp_path: Path, opennrm_logger: logging.Logger
) -> None:
    settings = Settings.from_env({"OPENNRM_HOME": str(tmp_path), "OPENNRM_LOG_FORMAT": "json"})
    configure_logging(settings)
    log = logging.getLogger("opennrm.web")
    log.info("GET %s %s", "/cases/{case_id}", 200)
    try:
        raise ValueError(f"could not parse {CANARY}")
    except ValueError:
        log.exception("unhandled %s", "ValueError")
    for handler in opennrm_logger.handlers:
        handler.flush()
    text = settings.log_file.read_text(encoding="utf-8")
    lines = text.splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["message"] for e in entries] == ["GET /cases/{case_id} 200", "unhandled ValueError"]
    assert set(entries[0]) == {"time", "level", "logger", "message", "process"}
    assert entries[0]["level"] == "INFO" and entries[0]["logger"] == "opennrm.web"
    assert entries[0]["time"].endswith("+00:00")
    assert entries[1]["exception"] == "ValueError"
    assert CANARY not in text and "Traceback" not in text
    assert stat.S_IMODE(settings.log_file.stat().st_mode) == 0o600


def test_changing_the_format_replaces_the_handler(tmp_path: Path, opennrm_logger: logging.Logger) -> None:
    text = Settings.from_env({"OPENNRM_HOME": str(tmp_path)})
    configure_logging(text)
    configure_logging(Settings.from_env({"OPENNRM_HOME": str(tmp_path), "OPENNRM_LOG_FORMAT": "json"}))
    ours = [h for h in opennrm_logger.handlers if h.get_name() == "opennrm-file"]
    assert len(ours) == 1 and isinstance(ours[0].formatter, JsonFormatter)
