"""SIGKILL of a process writing a stream of cases loses no acknowledged write; the database passes its
integrity check and the audit chain verifies after restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from opennrm.services.installation import open_database
from opennrm.store import audit
from opennrm.store.tables import Case
from tests.conftest import Installation
from tests.support import make_org, make_user

WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.mark.parametrize("acks_before_kill", [5, 40])
def test_sigkill_mid_stream_loses_no_acknowledged_case(inst: Installation, acks_before_kill: int) -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")
    inst.db.dispose()
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), user.actor.user_id, user.actor.organisation_id],
        env=inst.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged: list[str] = []
    assert proc.stdout is not None
    deadline = time.monotonic() + 120
    while len(acknowledged) < acks_before_kill and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(acknowledged) == acks_before_kill, proc.stderr.read() if proc.stderr else ""

    db = open_database(inst.settings)  # "restart"
    try:
        assert db.integrity_check() == "ok"
        with db.transaction() as s:
            stored = set(s.execute(select(Case.id)).scalars())
            assert set(acknowledged) <= stored
            assert audit.verify(s, db.keyring).ok
    finally:
        db.dispose()
