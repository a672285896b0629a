"""Restitution from the claim's side, on both backends (issue 17): on her claim's page, whoever keeps her claim
sees the confiscations with money left (amounts, currencies and days only) and allocates part of one; the
allocation is on the claim and in the ledger. Beyond what is left is refused with a field error, the input
kept and nothing written. The financial intelligence unit never sees the claim and never allocates. The JSON
API does the same."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from opennrm.domain.remedies import RemedyClaimIn
from opennrm.services import cases, finance, remedies
from opennrm.services.parsing import parse
from opennrm.store.tables import FinanceRestitution, ProceedsAllocation
from tests.conftest import Installation
from tests.support import client_for, csrf_of, intake, make_org, make_user

CLAIM: dict[str, Any] = {
    "route": "criminal",
    "kind": "compensation",
    "payer": "trafficker",
    "currency": "USD",
    "amount_claimed": "5000.00",
    "status": "filed",
    "filed_on": "2025-03-01",
}


def _counts(inst: Installation) -> tuple[int, int]:
    with inst.db.transaction() as session:
        return (
            session.execute(select(func.count()).select_from(FinanceRestitution)).scalar_one(),
            session.execute(select(func.count()).select_from(ProceedsAllocation)).scalar_one(),
        )


def test_allocate_from_confiscated_proceeds_on_her_claim(inst: Installation) -> None:
    db = inst.db
    make_org(db, "Financial Intelligence Unit", "financial_intelligence_unit")
    make_org(db, "Safe Harbour")
    analyst = make_user(
        db, "analyst1", "Financial Intelligence Unit", "financial_investigator", enforcement=True
    )
    amina = make_user(db, "amina", "Safe Harbour", "caseworker")
    case = cases.intake(db, amina.actor, intake())
    claim = remedies.record_claim(db, amina.actor, case, parse(RemedyClaimIn, CLAIM))
    inv = finance.create_investigation(db, analyst.actor, "Operation Lantern")
    conf = finance.record_confiscation(
        db, analyst.actor, inv, "3000.00", "USD", "Order 2025/17", "2025-04-01"
    )

    client = client_for(inst.settings, amina)
    page = client.get(f"/remedies/{claim}")
    assert page.status_code == 200
    assert "Allocate from confiscated proceeds" in page.text
    assert "3000.00" in page.text and "Order 2025/17" not in page.text and "Lantern" not in page.text
    # beyond what is left: a field error, the input kept, nothing written
    over = client.post(
        f"/remedies/{claim}/proceeds",
        data={
            "csrf": csrf_of(page.text),
            "confiscation": conf,
            "proceeds_amount": "3000.01",
            "proceeds_on": "2025-04-02",
        },
    )
    assert over.status_code == 422
    assert 'class="error-summary"' in over.text and 'href="#proceeds_amount"' in over.text
    assert 'id="proceeds_amount"' in over.text and 'aria-invalid="true"' in over.text
    assert 'value="3000.01"' in over.text and "3000.00 USD" in over.text
    assert _counts(inst) == (0, 0)
    empty = client.post(f"/remedies/{claim}/proceeds", data={"csrf": csrf_of(page.text)})
    assert empty.status_code == 422 and 'href="#confiscation"' in empty.text
    unknown = client.post(
        f"/remedies/{claim}/proceeds",
        data={
            "csrf": csrf_of(page.text),
            "confiscation": "00000000-0000-4000-8000-000000000000",
            "proceeds_amount": "1",
            "proceeds_on": "2025-04-02",
        },
    )
    assert unknown.status_code == 422 and 'href="#confiscation"' in unknown.text
    assert _counts(inst) == (0, 0)
    # allocated: on the claim and in the ledger, with a confirmation
    saved = client.post(
        f"/remedies/{claim}/proceeds",
        data={
            "csrf": csrf_of(page.text),
            "confiscation": conf,
            "proceeds_amount": "1200.50",
            "proceeds_on": "2025-04-02",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    shown = client.get(saved.headers["location"])
    assert "The confiscated proceeds were allocated to her claim." in shown.text
    assert "1200.50" in shown.text and "1799.50" in shown.text
    assert _counts(inst) == (1, 1)
    with db.transaction() as session:
        allocation = session.execute(select(ProceedsAllocation)).scalar_one()
        line = session.execute(select(FinanceRestitution)).scalar_one()
        assert allocation.claim_id == claim and allocation.amount_minor == 120050
        assert line.allocation_id == allocation.id and line.confiscation_id == conf
    # the JSON API: the list, an allocation, and a refusal beyond what is left
    listed = client.get("/api/confiscations")
    assert listed.status_code == 200
    assert [(c["id"], c["remaining"]) for c in listed.json()] == [(conf, "1799.50")]
    assert "order" not in listed.json()[0]
    made = client.post(
        f"/api/remedies/{claim}/proceeds",
        json={"confiscation_id": conf, "amount": "799.50", "allocated_on": "2025-04-03"},
    )
    assert made.status_code == 201, made.text
    refused = client.post(
        f"/api/remedies/{claim}/proceeds",
        json={"confiscation_id": conf, "amount": "1000.01", "allocated_on": "2025-04-03"},
    )
    assert refused.status_code == 422 and "amount" in refused.text
    assert _counts(inst) == (2, 2)
    view = finance.view_investigation(db, analyst.actor, inv).confiscations
    assert [(c.allocated, c.remaining) for c in view] == [("2000.00", "1000.00")]

    # the financial intelligence unit: never the claim, never an allocation, never the list
    fiu = client_for(inst.settings, analyst)
    assert fiu.get(f"/remedies/{claim}").status_code == 403
    assert fiu.get("/api/confiscations").status_code == 403
    assert (
        fiu.post(
            f"/api/remedies/{claim}/proceeds",
            json={"confiscation_id": conf, "amount": "1", "allocated_on": "2025-04-03"},
        ).status_code
        == 403
    )
    fiu_page = fiu.get(f"/finance/{inv}")
    assert fiu_page.status_code == 200 and claim not in fiu_page.text and "Mariam" not in fiu_page.text
    assert _counts(inst) == (2, 2)
