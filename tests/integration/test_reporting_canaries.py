"""Nothing that identifies the sender is kept (issue 15, acceptance 1): reports and access calls sent over
loopback to a real server, each with a distinctive ``User-Agent`` and ``X-Forwarded-For``, leave no trace of
either in the database file, its WAL, the logs, a backup (its decrypted records too) or, on PostgreSQL, a
plain-text dump; and the report texts (canaries) appear nowhere in plain text.

Scaled for the suite: 50 reports and 20 access calls on each backend. The acceptance's full run (1,000
reports, 200 access calls) is ``OPENNRM_REPORTING_CANARIES=1000,200`` (``bench/bench_reporting.py
--canaries`` runs it)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from opennrm.services import backup
from tests.conftest import Installation, serving

REPORTS, ACCESSES = (int(n) for n in os.environ.get("OPENNRM_REPORTING_CANARIES", "50,20").split(","))
AGENT = "CanaryAgentXq7/{i} (Sender Device Zk{i})"
FORWARDED = "203.0.113.{n}"
TEXT = "CanaryReportTextHm4 number {i}: the agency kept my passport."


def needles() -> list[bytes]:
    values = ["CanaryAgentXq7", "Sender Device Zk", "203.0.113.", "CanaryReportTextHm4"]
    found = []
    for value in values:
        found += [value.encode("utf-8"), value.encode("utf-16-le")]
    return found


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_no_sender_trace_and_no_plain_text(inst: Installation, tmp_path: Path) -> None:
    settings = dataclasses.replace(
        inst.settings,
        reports_per_client_hour=REPORTS + 10,
        reports_per_hour=REPORTS + 10,
        report_access_per_client_hour=ACCESSES * 2 + 10,
    )
    (inst.settings.home / "logs").mkdir(parents=True, exist_ok=True)
    # every log record of every logger, at every level, for the length of the run
    capture = logging.FileHandler(inst.settings.home / "logs" / "capture.log", encoding="utf-8")
    capture.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(capture)
    receipts: list[str] = []
    try:
        with serving(settings) as base, httpx.Client(base_url=base, timeout=60) as client:
            for i in range(REPORTS):
                headers = {
                    "User-Agent": AGENT.format(i=i),
                    "X-Forwarded-For": FORWARDED.format(n=i % 250),
                    "X-Real-IP": FORWARDED.format(n=(i + 1) % 250),
                    "Forwarded": f"for={FORWARDED.format(n=(i + 2) % 250)}",
                }
                r = client.post(
                    "/api/reports", json={"text": TEXT.format(i=i), "locale": "en"}, headers=headers
                )
                assert r.status_code == 201, r.text
                receipts.append(r.json()["receipt"])
            for j in range(ACCESSES):
                headers = {"User-Agent": AGENT.format(i=10_000 + j), "X-Forwarded-For": FORWARDED.format(n=j)}
                receipt = receipts[j % len(receipts)]
                if j % 2:
                    r = client.post(
                        "/api/reports/access/messages",
                        json={"receipt": receipt, "text": TEXT.format(i=20_000 + j)},
                        headers=headers,
                    )
                    assert r.status_code == 201, r.text
                else:
                    r = client.post("/api/reports/access", json={"receipt": receipt}, headers=headers)
                    assert r.status_code == 200 and "CanaryReportTextHm4" in r.text
                # a wrong receipt and a bad request, which go down the error paths
                client.post("/api/reports/access", json={"receipt": "1" * 28}, headers=headers)
                client.post("/api/reports", json={"text": TEXT.format(i=j), "locale": "??"}, headers=headers)
            # the pages too
            page = client.get("/report/en", headers={"User-Agent": AGENT.format(i=99_999)})
            assert page.status_code == 200
    finally:
        root.removeHandler(capture)
        capture.close()
    backup_file = inst.settings.home / "backup.bin"
    backup.write_backup(inst.db, backup_file)
    decrypted = b"\n".join(
        json.dumps(record, default=str).encode() for record in backup._read_records(inst.db, backup_file)
    )
    home = inst.settings.home
    scanned = files_under(home)
    names = {p.name for p in scanned}
    assert {"backup.bin", "opennrm.log", "capture.log"} <= names
    if inst.backend == "sqlite":
        assert "opennrm.sqlite" in names
    hits = [(p.name, n) for p in scanned for n in needles() if n in p.read_bytes()]
    hits += [("backup (decrypted)", n) for n in needles()[:6] if n in decrypted]  # not the (encrypted) text
    assert hits == []
    # the log says what happened, without who
    log = (home / "logs" / "opennrm.log").read_text()
    assert "POST /api/reports 201" in log and "127.0.0.1" not in log
    if inst.backend == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.fail("pg_dump is needed to scan the PostgreSQL database")
        url = inst.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
        dump = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True, check=True).stdout
        assert [n for n in needles() if n in dump] == []
