"""Every single-row edit, deletion, reordering or insertion in the audit table is caught at the first bad
event, on SQLite and PostgreSQL; `opennrm audit verify` reports it and exits non-zero."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, update

from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.tables import AuditEvent, AuditHead
from tests.conftest import Installation

EVENTS = 12


def build_chain(inst: Installation) -> int:
    """A chain of EVENTS events after whatever initialisation wrote; returns the last sequence number."""
    with inst.db.transaction() as s:
        for i in range(EVENTS):
            audit.record_one(
                s, inst.db.keyring, AuditEntry(f"user-{i % 3}", "case.read", "case", f"case-{i}")
            )
        return int(s.scalar(select(AuditHead.seq)) or 0)


def verify(inst: Installation) -> audit.Verification:
    with inst.db.transaction() as s:
        return audit.verify(s, inst.db.keyring)


def row(inst: Installation, seq: int) -> dict:
    with inst.db.transaction() as s:
        return dict(s.execute(select(AuditEvent.__table__).where(AuditEvent.seq == seq)).mappings().one())


def tamper_edit(inst: Installation, seq: int, column: str, value: object) -> None:
    with inst.db.transaction() as s:
        s.execute(update(AuditEvent).where(AuditEvent.seq == seq).values({column: value}))


def test_untouched_chain_verifies(inst: Installation) -> None:
    last = build_chain(inst)
    result = verify(inst)
    assert result.ok and result.checked == last


@pytest.mark.parametrize(
    "column", ["actor_id", "action", "object_id", "outcome", "detail", "at", "hash", "seal", "prev_hash"]
)
def test_any_edited_field_is_caught_at_that_event(inst: Installation, column: str) -> None:
    last = build_chain(inst)
    target = last - 5
    value = {
        "detail": '{"x":1}',
        "at": "2000-01-01T00:00:00.000000Z",
        "actor_id": "intruder",
        "object_id": "x",
        "action": "case.update",
        "outcome": "denied",
    }.get(column, "f" * 64)
    tamper_edit(inst, target, column, value)
    result = verify(inst)
    assert not result.ok and result.first_bad_seq == target


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_a_deleted_event_is_caught(inst: Installation, position: str) -> None:
    last = build_chain(inst)
    target = {"first": 1, "middle": last // 2, "last": last}[position]
    with inst.db.transaction() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq == target))
    result = verify(inst)
    assert not result.ok and result.first_bad_seq == target


def test_swapped_events_are_caught_at_the_earlier(inst: Installation) -> None:
    last = build_chain(inst)
    a, b = last - 6, last - 3
    ra, rb = row(inst, a), row(inst, b)
    keep = ("seq",)
    with inst.db.transaction() as s:
        s.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == a)
            .values({k: v for k, v in rb.items() if k not in keep})
        )
        s.execute(
            update(AuditEvent)
            .where(AuditEvent.seq == b)
            .values({k: v for k, v in ra.items() if k not in keep})
        )
    result = verify(inst)
    assert not result.ok and result.first_bad_seq == a


def test_an_appended_event_with_a_correct_hash_but_no_key_is_caught(inst: Installation) -> None:
    last = build_chain(inst)
    prev = row(inst, last)
    forged = {**prev, "seq": last + 1, "prev_hash": prev["hash"], "object_id": "case-forged"}
    forged["hash"] = audit._digest(
        prev["hash"],
        last + 1,
        forged["at"],
        AuditEntry(
            forged["actor_id"],
            forged["action"],
            forged["object_type"],
            forged["object_id"],
            forged["outcome"],
        ),
        forged["detail"],
    )
    forged["seal"] = "0" * 64
    with inst.db.transaction() as s:
        s.execute(insert(AuditEvent).values(forged))
        s.execute(update(AuditHead).values(seq=last + 1, hash=forged["hash"]))
    result = verify(inst)
    assert not result.ok and result.first_bad_seq == last + 1


def test_cutting_events_off_the_end_is_caught(inst: Installation) -> None:
    last = build_chain(inst)
    with inst.db.transaction() as s:
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= last - 1))
    result = verify(inst)
    assert not result.ok and result.first_bad_seq == last - 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    target=st.integers(min_value=1, max_value=EVENTS),
    column=st.sampled_from(["actor_id", "action", "object_type", "object_id", "outcome", "detail"]),
    value=st.text(min_size=1, max_size=20),
)
def test_random_single_row_edits_are_always_caught(
    sqlite_inst: Installation, target: int, column: str, value: str
) -> None:
    with sqlite_inst.db.transaction() as s:
        s.execute(delete(AuditEvent))
        s.execute(delete(AuditHead))
    build_chain(sqlite_inst)
    original = row(sqlite_inst, target)[column]
    if original == value:
        return
    tamper_edit(sqlite_inst, target, column, value)
    result = verify(sqlite_inst)
    assert not result.ok and result.first_bad_seq == target


def test_audit_verify_command_prints_first_broken_event_and_exits_non_zero(inst: Installation) -> None:
    last = build_chain(inst)
    ok = subprocess.run(
        [sys.executable, "-m", "opennrm", "audit", "verify"],
        env=inst.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    tamper_edit(inst, last - 2, "detail", json.dumps({"tampered": True}))
    bad = subprocess.run(
        [sys.executable, "-m", "opennrm", "audit", "verify"],
        env=inst.env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"BROKEN at event {last - 2}")


def test_audit_details_refuse_free_text() -> None:
    with pytest.raises(ValueError, match="free text"):
        audit._check_detail({"note": "she said her name is Mariam"})
    with pytest.raises(ValueError, match="free text"):
        audit._check_detail({"contact": "mariam@example.org"})
