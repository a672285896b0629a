"""The job queue survives a worker killed mid-job and completes the job once; two workers never run one job
twice; a periodic task is queued once per slot however many workers schedule it (ADR 0013)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from opennrm.services import jobs
from opennrm.services.jobs import Registry
from opennrm.store.tables import Job
from tests.conftest import Installation

WORKER = Path(__file__).with_name("job_worker.py")
ROOT = Path(__file__).resolve().parents[2]


def _worker(inst: Installation, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), *args],
        env={**inst.env(), "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _job(inst: Installation, job_id: str) -> Job:
    with inst.db.transaction() as s:
        row = s.get(Job, job_id)
        assert row is not None
        return row


def _wait(predicate: Callable[[], bool], seconds: float, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(
                f"the worker stopped: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}"
            )
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_job_survives_a_killed_worker_and_completes_once(inst: Installation, tmp_path: Path) -> None:
    marks = tmp_path / "marks.txt"
    marks.touch()
    job_id = jobs.enqueue(inst.db, "test.slow", {"file": str(marks), "seconds": 2.5})
    assert job_id is not None
    first = _worker(inst, "1.5")
    try:
        _wait(lambda: "start" in marks.read_text(), 120, first)
        first.kill()  # SIGKILL mid-job: no clean-up runs
        first.wait(10)
    finally:
        first.kill()
    assert _job(inst, job_id).status == jobs.RUNNING  # left claimed by the dead worker
    second = _worker(inst, "1.5")
    try:
        _wait(lambda: _job(inst, job_id).status == jobs.DONE, 120, second)
    finally:
        second.kill()
        second.wait(10)
    lines = marks.read_text().splitlines()
    assert lines.count(f"done {job_id}") == 1
    assert lines.count(f"start {job_id}") == 2  # started by the killed worker, then once more
    row = _job(inst, job_id)
    assert (row.attempts, row.claim_token, row.payload_enc) == (2, None, None)


def test_two_workers_never_run_one_job_twice(inst: Installation, tmp_path: Path) -> None:
    marks = tmp_path / "marks.txt"
    marks.touch()
    ids = {jobs.enqueue(inst.db, "test.mark", {"file": str(marks)}) for _ in range(60)}
    workers = [_worker(inst, "30", "idle") for _ in range(2)]
    for proc in workers:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()[-2000:]
    lines = marks.read_text().splitlines()
    ran = [line.split()[0] for line in lines]
    assert sorted(ran) == sorted(i for i in ids if i)  # every job once, none twice
    with inst.db.transaction() as s:
        statuses = {row.status for row in s.query(Job).all()}
    assert statuses == {jobs.DONE}


def test_a_finished_job_cannot_be_finished_again_by_a_worker_that_lost_its_lease(inst: Installation) -> None:
    job_id = jobs.enqueue(inst.db, "test.mark", {"file": "-"})
    start = dt.datetime.now(dt.UTC)
    first = jobs.claim(inst.db, "a", lease=dt.timedelta(seconds=1), at=start)
    assert first is not None and first.id == job_id
    assert jobs.claim(inst.db, "b", at=start) is None  # leased to a
    second = jobs.claim(inst.db, "b", at=start + dt.timedelta(seconds=5))  # a's lease ran out
    assert second is not None and second.attempt == 2
    assert jobs.finish(inst.db, second, {"ok": 1})
    assert not jobs.finish(inst.db, first, {"ok": 2})  # fenced by the claim token
    assert not jobs.renew(inst.db, first)
    assert _job(inst, job_id).result == {"ok": 1}


def test_attempts_are_bounded(inst: Installation) -> None:
    job_id = jobs.enqueue(inst.db, "test.mark", {"file": "-"}, max_attempts=2)
    at = dt.datetime.now(dt.UTC)
    for n in range(2):
        assert jobs.claim(inst.db, "w", lease=dt.timedelta(seconds=1), at=at + dt.timedelta(seconds=5 * n))
    assert jobs.claim(inst.db, "w", at=at + dt.timedelta(seconds=20)) is None
    row = _job(inst, job_id)
    assert row.status == jobs.FAILED and "attempts" in (row.error or "")


def test_a_periodic_task_is_queued_once_per_slot(inst: Installation) -> None:
    registry = Registry()
    registry.every("tick", dt.timedelta(minutes=5), lambda db, settings, at: {"ok": 1})
    at = dt.datetime(2026, 12, 7, 9, 1, tzinfo=dt.UTC)
    assert jobs.schedule_due(inst.db, registry, at) == 1
    assert jobs.schedule_due(inst.db, registry, at + dt.timedelta(minutes=2)) == 0  # another worker
    assert jobs.schedule_due(inst.db, registry, at + dt.timedelta(minutes=5)) == 1  # the next slot


def test_the_payload_is_encrypted_and_dropped_when_done(inst: Installation) -> None:
    canary = "CANARY-job-payload-7f3a"
    job_id = jobs.enqueue(inst.db, "test.mark", {"file": canary})
    row = _job(inst, job_id or "")
    assert row.payload_enc is not None and canary.encode() not in row.payload_enc
    claimed = jobs.claim(inst.db, "w")
    assert claimed is not None and claimed.payload == {"file": canary}
    jobs.finish(inst.db, claimed, None)
    assert _job(inst, job_id or "").payload_enc is None


@pytest.mark.parametrize("who", ["the creator", "someone else"])
def test_a_job_is_shown_only_to_whoever_started_it(inst: Installation, who: str) -> None:
    from opennrm.services.errors import NotFound
    from tests.support import make_user

    amina = make_user(inst.db, "amina", "Default organisation", "ad_reviewer")
    ken = make_user(inst.db, "ken", "Default organisation", "ad_reviewer")
    job_id = jobs.enqueue(inst.db, "ads.scan", {"x": 1}, created_by=amina.actor.user_id) or ""
    if who == "the creator":
        assert jobs.view_job(inst.db, amina.actor.user_id, job_id).status == jobs.QUEUED
    else:
        with pytest.raises(NotFound):
            jobs.view_job(inst.db, ken.actor.user_id, job_id)
