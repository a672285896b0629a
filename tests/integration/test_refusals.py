"""One way to refuse (issue 21, item 2): ``services.errors.refuse`` raises an error carrying its audit event,
and the database writes that event once the outermost transaction has ended, in a transaction of its own.
A refusal deep inside a larger unit of work rolls all of that work back and leaves exactly one audit event
— on SQLite and on PostgreSQL (DESIGN invariants 3 and 9; "no half-written record is ever left")."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import func, select

from opennrm.access.policy import Action
from opennrm.domain.services import ReferralRequest
from opennrm.services import cases, consent, directory, referrals
from opennrm.services.clock import now
from opennrm.services.errors import Forbidden, refuse
from opennrm.services.parsing import parse
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.ids import new_id
from opennrm.store.tables import AuditEvent, Disclosure, Referral, ServiceGap
from tests.conftest import Installation
from tests.support import StaffUser, intake, make_org, make_user


class World:
    def __init__(self, inst: Installation) -> None:
        self.db = inst.db
        make_org(self.db, "Safe Harbour")
        self.shelter_org = make_org(self.db, "Rose Shelter", "shelter")
        self.amina: StaffUser = make_user(self.db, "amina", "Safe Harbour", "caseworker")
        self.shelter = directory.add_service(
            self.db,
            parse(
                directory.ServiceEntry,
                {"name": "Rose shelter", "service_type": "shelter", "languages": ["en"], "place": "X"},
            ),
            organisation_id=self.shelter_org,
        )
        self.case_id = cases.intake(self.db, self.amina.actor, intake())  # no consent recorded

    def events(self) -> list[tuple[str, str]]:
        with self.db.transaction() as s:
            rows = s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
            assert audit.verify(s, self.db.keyring).ok
        return [(r.action, r.outcome) for r in rows]

    def count(self, table: type) -> int:
        with self.db.transaction() as s:
            return int(s.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def world(inst: Installation) -> World:
    return World(inst)


def _gap(world: World) -> ServiceGap:
    """Some work of the larger transaction, to see whether the refusal leaves it half-written."""
    return ServiceGap(
        id=new_id(),
        organisation_id=world.shelter_org,
        service_type="shelter",
        reason="no_capacity",
        recorded_at=now(),
    )


def test_a_referral_refused_by_the_consent_gate_leaves_one_audit_event_and_nothing_else(world: World) -> None:
    before = world.events()
    request = ReferralRequest.model_validate({"service_id": world.shelter, "purpose": "Safe place tonight"})
    with pytest.raises(Forbidden, match="referral refused: no consent"):
        referrals.send_referral(world.db, world.amina.actor, world.case_id, request)
    assert world.count(Referral) == 0 and world.count(Disclosure) == 0
    assert world.events() == [*before, ("case.disclose", "denied")]


def test_a_refusal_deep_in_a_larger_transaction_rolls_all_of_it_back(world: World) -> None:
    before, gaps = world.events(), world.count(ServiceGap)
    with pytest.raises(Forbidden) as refused, world.db.transaction() as session:
        session.add(_gap(world))
        audit.record_one(session, world.db.keyring, AuditEntry(world.amina.actor.user_id, "work.done", "x"))
        session.flush()
        consent.disclose(
            world.db,
            world.amina.actor,
            world.case_id,
            world.shelter_org,
            "referral",
            frozenset({"given_name"}),
            session=session,
        )
    assert refused.value.audit == AuditEntry(
        world.amina.actor.user_id, "case.disclose", "case", world.case_id, outcome="denied"
    )
    assert world.count(ServiceGap) == gaps
    assert world.events() == [*before, ("case.disclose", "denied")]


def test_a_refusal_caught_inside_a_transaction_is_still_audited_once(world: World) -> None:
    before, gaps = world.events(), world.count(ServiceGap)
    with world.db.transaction() as session:
        session.add(_gap(world))
        with contextlib.suppress(Forbidden):  # the caller goes on; its own work is its own
            refuse(world.db, world.amina.actor, Action.CASE_READ, "case", world.case_id, "not yours")
    assert world.count(ServiceGap) == gaps + 1
    assert world.events() == [*before, ("case.read", "denied")]


def test_a_refusal_outside_any_transaction_is_audited_at_once(world: World) -> None:
    before = world.events()
    with pytest.raises(Forbidden, match="not yours"):
        refuse(world.db, world.amina.actor, Action.CASE_READ, "case", None, "not yours")
    assert world.events() == [*before, ("case.read", "denied")]
