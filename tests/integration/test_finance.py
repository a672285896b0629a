"""Financial investigations and the restitution ledger, end to end on both backends: an investigation is
seen by its own organisation's financial investigators only; uploads are scored and stored encrypted with
every rejected row reported; confiscated proceeds reach her claim only through those who keep it, never
beyond the confiscated amount; the investigation's side sees amounts only; every step audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from opennrm.domain.remedies import AwardIn, RemedyClaimIn, StatusIn
from opennrm.services import cases, finance, remedies
from opennrm.services.errors import Forbidden, InvalidInput, NotFound
from opennrm.services.parsing import parse
from opennrm.store.tables import (
    AuditEvent,
    FinanceDataset,
    FinanceInvestigation,
    FinanceRestitution,
    ProceedsAllocation,
    RemedyClaim,
)
from tests.conftest import Installation
from tests.support import intake, make_org, make_user

ROWS = (
    "id,timestamp,source,target,amount,currency\n"
    "t1,2025-01-01T10:00:00Z,MULE-1,BOSS,900,USD\n"
    "t2,2025-01-01T11:00:00Z,MULE-2,BOSS,900,USD\n"
    "t3,2025-01-01T12:00:00Z,MULE-3,BOSS,900,USD\n"
    "t4,2025-01-01T13:00:00Z,MULE-4,BOSS,900,USD\n"
    "t5,2025-01-01T14:00:00Z,MULE-5,BOSS,900,USD\n"
    "t6,2025-01-02T09:00:00Z,BOSS,OFFSHORE,4000,USD\n"
    "bad,not a time,A,B,1,USD\n"
)
CLAIM: dict[str, Any] = {
    "route": "criminal",
    "kind": "compensation",
    "payer": "trafficker",
    "currency": "USD",
    "amount_claimed": "5000.00",
    "status": "filed",
    "filed_on": "2025-03-01",
}


class World:
    def __init__(self, inst: Installation) -> None:
        db = self.db = inst.db
        make_org(db, "Financial Intelligence Unit", "financial_intelligence_unit")
        make_org(db, "Other Unit", "financial_intelligence_unit")
        make_org(db, "Safe Harbour")
        self.fiu = make_user(
            db, "analyst1", "Financial Intelligence Unit", "financial_investigator", enforcement=True
        )
        self.colleague = make_user(
            db, "analyst2", "Financial Intelligence Unit", "financial_investigator", enforcement=True
        )
        self.other = make_user(db, "analyst3", "Other Unit", "financial_investigator", enforcement=True)
        self.liaison = make_user(
            db, "liaison", "Financial Intelligence Unit", "enforcement_liaison", enforcement=True
        )
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.case = cases.intake(db, self.amina.actor, intake())

    def audited(self, action: str) -> list[AuditEvent]:
        with self.db.transaction() as session:
            return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_investigation_belongs_to_one_organisation(inst: Installation) -> None:
    w = World(inst)
    inv = finance.create_investigation(w.db, w.fiu.actor, "Operation Lantern: BOSS network")
    added = finance.add_dataset(w.db, w.fiu.actor, inv, "bank return", ROWS.encode())
    assert added.transactions == 6
    assert [(r.line, r.reason) for r in added.rejected] == [(8, "timestamp is not an ISO 8601 date and time")]
    assert [i.title for i in finance.list_investigations(w.db, w.colleague.actor)] == [
        "Operation Lantern: BOSS network"
    ]
    view = finance.view_investigation(w.db, w.colleague.actor, inv)
    assert view.datasets[0]["top"][0]["account"] == "BOSS"
    assert "fan_in" in view.datasets[0]["top"][0]["typologies"]
    account = finance.view_account(w.db, w.fiu.actor, inv, added.id, "BOSS")
    assert any(h["rule"] == "fan_in" and "t1" in h["transactions"] for h in account.hits)
    assert ("BOSS", "OFFSHORE", 4000.0, 1) in account.edges
    traced = finance.trace(w.db, w.fiu.actor, inv, added.id, "MULE-1", "forward", 2)
    assert {d.account for d in traced.destinations} == {"BOSS", "OFFSHORE"}
    # another unit, and other roles of the same unit, see nothing: same answer for absent and not theirs
    assert finance.list_investigations(w.db, w.other.actor) == []
    for who in (w.other, w.liaison, w.amina):
        with pytest.raises(Forbidden):
            finance.view_investigation(w.db, who.actor, inv)
    with pytest.raises(Forbidden):
        finance.view_investigation(w.db, w.other.actor, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(Forbidden):
        finance.create_investigation(w.db, w.amina.actor, "curious")
    # encrypted at rest
    with w.db.transaction() as session:
        row = session.execute(select(FinanceInvestigation)).scalar_one()
        data = session.execute(select(FinanceDataset)).scalar_one()
        assert b"Lantern" not in row.title_enc
        assert b"BOSS" not in data.transactions_enc and b"BOSS" not in data.results_enc
    assert len(w.audited("finance.upload")) == 1 and w.audited("finance.trace")
    assert [e.outcome for e in w.audited(str(finance.Action.FINANCE))].count("denied") >= 4


def test_bad_uploads_change_nothing(inst: Installation) -> None:
    w = World(inst)
    inv = finance.create_investigation(w.db, w.fiu.actor, "Empty")
    with pytest.raises(InvalidInput) as err:
        finance.add_dataset(w.db, w.fiu.actor, inv, "x", b"id,timestamp\n1,2\n")
    assert err.value.field == "transactions" and "missing column" in str(err.value)
    with pytest.raises(InvalidInput):
        finance.add_dataset(w.db, w.fiu.actor, inv, "x", b"id,timestamp,source,target,amount,currency\n")
    with pytest.raises(InvalidInput) as err:
        finance.create_investigation(w.db, w.fiu.actor, "   ")
    assert err.value.field == "title"
    with pytest.raises(NotFound):
        finance.view_investigation(w.db, w.fiu.actor, "not-an-id")
    with w.db.transaction() as session:
        assert session.execute(select(FinanceDataset)).first() is None


def test_restitution_ledger(inst: Installation) -> None:
    w = World(inst)
    inv = finance.create_investigation(w.db, w.fiu.actor, "Operation Lantern")
    # her claim is filed and stands whether or not anything is ever confiscated
    claim = remedies.record_claim(w.db, w.amina.actor, w.case, parse(RemedyClaimIn, CLAIM))
    conf = finance.record_confiscation(
        w.db, w.fiu.actor, inv, "3000.00", "USD", "Order 2025/17", "2025-04-01"
    )
    with pytest.raises(InvalidInput) as err:
        finance.record_confiscation(w.db, w.fiu.actor, inv, "-3", "USD", "x", "2025-04-01")
    assert err.value.field == "amount"
    with pytest.raises(Forbidden):
        finance.record_confiscation(w.db, w.other.actor, inv, "1.00", "USD", "x", "2025-04-01")
    # the enforcement side never allocates and never sees a claim
    for who in (w.fiu, w.liaison):
        with pytest.raises(Forbidden):
            finance.allocate(w.db, who.actor, conf, claim, "100.00", "2025-04-02")
        with pytest.raises(Forbidden):
            finance.confiscations_available(w.db, who.actor)
    available = finance.confiscations_available(w.db, w.amina.actor)
    assert [(c.amount, c.remaining, c.order) for c in available] == [("3000.00", "3000.00", None)]
    line = finance.allocate(w.db, w.amina.actor, conf, claim, "2000.00", "2025-04-02")
    assert line
    with pytest.raises(InvalidInput) as err:
        finance.allocate(w.db, w.amina.actor, conf, claim, "1000.01", "2025-04-02")
    assert err.value.field == "amount" and "1000.00" in str(err.value)
    # a claim the actor may not update: refused by the remedies side, and the reservation is undone
    stranger = make_user(w.db, "stranger", "Financial Intelligence Unit", "caseworker", enforcement=True)
    with pytest.raises(Forbidden):
        finance.allocate(w.db, stranger.actor, conf, claim, "1.00", "2025-04-02")
    fiu_view = finance.view_investigation(w.db, w.fiu.actor, inv).confiscations
    assert [(c.amount, c.allocated, c.remaining, c.order) for c in fiu_view] == [
        ("3000.00", "2000.00", "1000.00", "Order 2025/17")
    ]
    with w.db.transaction() as session:
        allocation = session.execute(select(ProceedsAllocation)).scalar_one()
        assert allocation.amount_minor == 200000 and allocation.claim_id == claim
        stored = session.get(RemedyClaim, claim)
        assert stored is not None and stored.status == "filed"  # the claim is unchanged by the allocation
    assert len(w.audited("finance.restitution")) == 1 and len(w.audited("remedy.allocation")) == 1


def test_proceeds_go_only_where_she_is_owed_them(inst: Installation) -> None:
    """One claim cannot take what other victims are owed (GR38 §108): never beyond what she claimed or was
    awarded, never to a withdrawn claim, never across currencies; each refusal names its field, writes no
    ledger line and leaves the confiscation whole."""
    w = World(inst)
    inv = finance.create_investigation(w.db, w.fiu.actor, "Operation Lantern")
    usd = finance.record_confiscation(w.db, w.fiu.actor, inv, "12500.00", "USD", "Order 1", "2025-04-01")
    eur = finance.record_confiscation(w.db, w.fiu.actor, inv, "900.00", "EUR", "Order 2", "2025-04-01")
    claim = remedies.record_claim(w.db, w.amina.actor, w.case, parse(RemedyClaimIn, CLAIM))  # 5000 USD
    finance.allocate(w.db, w.amina.actor, usd, claim, "4000.00", "2025-04-02")
    with pytest.raises(InvalidInput) as err:
        finance.allocate(w.db, w.amina.actor, usd, claim, "1000.01", "2025-04-02")
    assert err.value.field == "amount" and "1000.00 USD" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        finance.allocate(w.db, w.amina.actor, eur, claim, "10.00", "2025-04-02")
    assert err.value.field == "currency"
    # once awarded, the award is the ceiling
    remedies.record_award(
        w.db, w.amina.actor, claim, parse(AwardIn, {"amount_awarded": "4500", "awarded_on": "2025-05-01"})
    )
    with pytest.raises(InvalidInput) as err:
        finance.allocate(w.db, w.amina.actor, usd, claim, "500.01", "2025-05-02")
    assert err.value.field == "amount" and "500.00 USD" in str(err.value)
    withdrawn = remedies.record_claim(w.db, w.amina.actor, w.case, parse(RemedyClaimIn, CLAIM))
    remedies.update_status(w.db, w.amina.actor, withdrawn, parse(StatusIn, {"status": "withdrawn"}))
    with pytest.raises(InvalidInput) as err:
        finance.allocate(w.db, w.amina.actor, usd, withdrawn, "1.00", "2025-05-02")
    assert err.value.field == "status"
    left = {c.currency: c.remaining for c in finance.confiscations_available(w.db, w.amina.actor)}
    assert left == {"USD": "8500.00", "EUR": "900.00"}
    with w.db.transaction() as session:
        assert len(session.execute(select(FinanceRestitution)).all()) == 1
        assert len(session.execute(select(ProceedsAllocation)).all()) == 1


def test_an_upload_too_large_to_score_in_the_server_is_refused_before_it_is_read(
    inst: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small compressed Parquet file can hold millions of rows: the row count is checked first (from the
    footer), for Parquet and CSV alike, and nothing is stored."""
    import io

    import polars as pl

    w = World(inst)
    inv = finance.create_investigation(w.db, w.fiu.actor, "Too big")
    monkeypatch.setattr(finance, "MAX_UPLOAD_ROWS", 10)
    frame = pl.DataFrame(
        {
            "id": [f"t{n}" for n in range(11)],
            "timestamp": ["2025-01-01T00:00:00Z"] * 11,
            "source": ["A"] * 11,
            "target": ["B"] * 11,
            "amount": ["1"] * 11,
            "currency": ["USD"] * 11,
        }
    )
    parquet, text = io.BytesIO(), io.BytesIO()
    frame.write_parquet(parquet)
    frame.write_csv(text)
    for blob, filename in ((parquet.getvalue(), "t.parquet"), (text.getvalue(), "t.csv")):
        with pytest.raises(InvalidInput) as err:
            finance.add_dataset(w.db, w.fiu.actor, inv, "x", blob, transactions_filename=filename)
        assert err.value.field == "transactions" and "opennrm finance score" in str(err.value)
    with pytest.raises(InvalidInput) as err:
        finance.add_dataset(w.db, w.fiu.actor, inv, "x", b"not parquet", transactions_filename="t.parquet")
    assert err.value.field == "transactions"
    with w.db.transaction() as session:
        assert session.execute(select(FinanceDataset)).first() is None


def test_a_decimal_comma_or_an_allocation_before_the_confiscation_is_refused(inst: Installation) -> None:
    """ "1,5" is not read as 15 (a comma stands only between thousands: 1,250.50), and proceeds are not
    allocated before they were confiscated; nothing is written on either refusal."""
    w = World(inst)
    inv = finance.create_investigation(w.db, w.fiu.actor, "Operation Lantern")
    for typed in ("1,5", "1.250,50", "12,50abc"):
        with pytest.raises(InvalidInput) as err:
            finance.record_confiscation(w.db, w.fiu.actor, inv, typed, "EUR", "Order 1", "2025-06-01")
        assert err.value.field == "amount", typed
    conf = finance.record_confiscation(w.db, w.fiu.actor, inv, "1,250.50", "USD", "Order 1", "2025-06-01")
    claim = remedies.record_claim(w.db, w.amina.actor, w.case, parse(RemedyClaimIn, CLAIM))
    with pytest.raises(InvalidInput) as err:
        finance.allocate(w.db, w.amina.actor, conf, claim, "100.00", "2025-05-31")
    assert err.value.field == "allocated_on" and "2025-06-01" in str(err.value)
    [left] = finance.confiscations_available(w.db, w.amina.actor)
    assert (left.amount, left.remaining) == ("1250.50", "1250.50")
