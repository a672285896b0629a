"""Remedies (GR38 §101, §108), end to end on both backends: a claim recorded with its amounts in integer minor
units, awarded and paid in several payments; her notes and the source of allocated proceeds encrypted; no
claim depends on confiscation; open to the owning side and to legal aid under a consent covering remedies,
never to an enforcement organisation; counted with small cells suppressed; every access audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import inspect, select

from opennrm.domain.remedies import AllocationIn, AwardIn, PaymentIn, RemedyClaimIn, StatusIn
from opennrm.services import cases, consent, firewall, installation, keys, non_punishment, remedies
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, ProceedsAllocation, RemedyClaim
from tests.conftest import Installation
from tests.support import SAMPLE_ID, StaffUser, client_for, intake, make_org, make_user

NOTES = "Wages withheld for eleven months at the packing plant; the payslips are with her lawyer."
CLAIM: dict[str, Any] = {
    "route": "labour",
    "kind": "back_wages",
    "payer": "employer",
    "currency": "EUR",
    "amount_claimed": "12500.50",
    "status": "filed",
    "filed_on": "2025-01-10",
    "notes": NOTES,
}


class World:
    def __init__(self, inst: Installation) -> None:
        db = self.db = inst.db
        self.inst = inst
        make_org(db, "Safe Harbour")
        self.law_centre = make_org(db, "Law Centre", "legal_aid")
        self.shelter = make_org(db, "Night Shelter", "shelter")
        self.other_law = make_org(db, "Other Law Centre", "legal_aid")
        make_org(db, "City Police", "police")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.lawyer = make_user(db, "lawyer", "Law Centre", "caseworker")
        self.shelter_worker = make_user(db, "sheltr", "Night Shelter", "caseworker")
        self.other_lawyer = make_user(db, "lawyer2", "Other Law Centre", "caseworker")
        self.officer = make_user(db, "officer", "City Police", "caseworker", enforcement=True)
        self.case = cases.intake(db, self.amina.actor, intake())
        self.consent = consent.record_consent(
            db,
            self.amina.actor,
            self.case,
            consent.parse_consent(
                {
                    "purposes": ["referral", "remedies"],
                    "recipient_organisation_ids": [self.law_centre, self.shelter],
                    "language": "ar",
                }
            ),
        )
        consent.record_consent(
            db,
            self.amina.actor,
            self.case,
            consent.parse_consent(
                {"purposes": ["referral"], "recipient_organisation_ids": [self.other_law], "language": "ar"}
            ),
        )
        for org in (self.law_centre, self.shelter, self.other_law):
            consent.disclose(db, self.amina.actor, self.case, org, "referral")

    def claim(self, **change: Any) -> str:
        return remedies.record_claim(
            self.db, self.amina.actor, self.case, parse(RemedyClaimIn, {**CLAIM, **change})
        )

    def audited(self, action: str) -> list[AuditEvent]:
        with self.db.transaction() as session:
            return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


@pytest.fixture
def world(inst: Installation) -> World:
    return World(inst)


def test_a_claim_is_awarded_and_paid_in_several_payments(world: World) -> None:
    claim_id = world.claim()
    actor = world.amina.actor
    remedies.record_award(
        world.db, actor, claim_id, parse(AwardIn, {"amount_awarded": "10000", "awarded_on": "2025-05-01"})
    )
    remedies.record_payment(
        world.db,
        actor,
        claim_id,
        parse(PaymentIn, {"amount_paid": "4000.25", "paid_on": "2025-06-01", "payer": "state_fund"}),
    )
    [claim] = remedies.view_claims(world.db, actor, world.case).claims
    assert (claim.status, claim.claimed_minor, claim.awarded_minor, claim.paid_minor) == (
        "paid_in_part",
        1_250_050,
        1_000_000,
        400_025,
    )
    assert (claim.claimed, claim.awarded, claim.paid) == ("12500.50", "10000.00", "4000.25")
    remedies.record_payment(
        world.db,
        actor,
        claim_id,
        parse(PaymentIn, {"amount_paid": "5999.75", "paid_on": "2025-07-15", "payer": "employer"}),
    )
    [claim] = remedies.view_claims(world.db, actor, world.case).claims
    assert (
        claim.status == "paid" and claim.paid_minor == 1_000_000 and claim.closed_on == dt.date(2025, 7, 15)
    )
    assert [(p.amount, p.payer) for p in claim.payments] == [
        ("4000.25", "state_fund"),
        ("5999.75", "employer"),
    ]
    with pytest.raises(InvalidInput) as closed:  # a paid claim is over
        remedies.record_payment(
            world.db,
            actor,
            claim_id,
            parse(PaymentIn, {"amount_paid": "1", "paid_on": "2025-07-16", "payer": "other"}),
        )
    assert closed.value.field == "status"
    assert [e.object_id for e in world.audited("remedy.payment")] == [world.case, world.case]
    assert world.audited("remedy.add") and world.audited("remedy.award") and world.audited("remedy.read")


def test_amounts_are_never_floats_and_fit_the_currency(world: World) -> None:
    for change, field in (
        ({"amount_claimed": 12500.5}, "amount_claimed"),
        ({"amount_claimed": "12.345"}, "amount_claimed"),
        ({"currency": "JPY", "amount_claimed": "100.5"}, "amount_claimed"),
        ({"amount_claimed": "0"}, "amount_claimed"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XAU"}, "currency"),
        ({"status": "paid"}, "status"),
        ({"filed_on": None}, "filed_on"),
    ):
        with pytest.raises(InvalidInput) as refused:
            parse(RemedyClaimIn, {**CLAIM, **change})
        assert refused.value.field == field, change
    yen = world.claim(currency="jpy", amount_claimed="1500000")
    kwd = world.claim(currency="KWD", amount_claimed="250.125")
    claims = {c.id: c for c in remedies.view_claims(world.db, world.amina.actor, world.case).claims}
    assert (claims[yen].currency, claims[yen].claimed_minor, claims[yen].claimed) == (
        "JPY",
        1_500_000,
        "1500000",
    )
    assert (claims[kwd].claimed_minor, claims[kwd].claimed) == (250_125, "250.125")


def test_no_claim_depends_on_assets_being_confiscated(world: World) -> None:
    """GR38 §101, §108: a claim is filed, awarded and paid in full with nothing confiscated; no input or column
    speaks of confiscation; an allocation of confiscated proceeds shows on her claim and changes nothing."""
    for key in ("assets_confiscated", "confiscation_order", "assets_frozen"):
        with pytest.raises(InvalidInput) as refused:
            parse(RemedyClaimIn, {**CLAIM, key: True})
        assert refused.value.field == key
    with world.db.transaction() as session:
        columns = {c["name"] for c in inspect(session.connection()).get_columns("remedy_claims")}
        columns |= {c["name"] for c in inspect(session.connection()).get_columns("remedy_payments")}
    assert not [c for c in columns if "confisc" in c or "asset" in c or "seiz" in c or "frozen" in c]

    actor = world.amina.actor
    claim_id = world.claim(route="administrative", payer="state_fund")
    remedies.record_award(
        world.db, actor, claim_id, parse(AwardIn, {"amount_awarded": "3000", "awarded_on": "2025-02-01"})
    )
    remedies.record_payment(
        world.db,
        actor,
        claim_id,
        parse(PaymentIn, {"amount_paid": "3000", "paid_on": "2025-02-20", "payer": "state_fund"}),
    )
    [claim] = remedies.view_claims(world.db, actor, world.case).claims
    assert claim.status == "paid" and claim.allocations == []

    source = "Confiscation order 17/2025 against the recruitment agency, Lyon criminal court"
    allocation = remedies.record_allocation(
        world.db,
        world.lawyer.actor,
        claim_id,
        parse(
            AllocationIn, {"amount": "800", "currency": "EUR", "source": source, "allocated_on": "2025-03-01"}
        ),
    )
    [after] = remedies.view_claims(world.db, actor, world.case).claims
    assert (after.status, after.awarded_minor, after.paid_minor) == ("paid", 300_000, 300_000)
    assert [(a.amount, a.currency, a.source) for a in after.allocations] == [("800.00", "EUR", source)]
    with world.db.transaction() as session:
        row = session.get(ProceedsAllocation, allocation)
        assert row is not None and b"Lyon" not in row.source_enc


def test_her_notes_are_encrypted_at_rest(world: World) -> None:
    claim_id = world.claim()
    with world.db.transaction() as session:
        row = session.get(RemedyClaim, claim_id)
        assert row is not None and row.notes_enc is not None and b"packing" not in row.notes_enc
    [claim] = remedies.view_claims(world.db, world.amina.actor, world.case).claims
    assert claim.notes == NOTES


def test_her_claims_stay_readable_after_a_key_rotation(world: World) -> None:
    """Rotation re-encrypts every registered column and retires the old key: her claim's notes and the
    source of allocated proceeds must survive it."""
    claim_id = world.claim()
    source = "Confiscation order 3/2026"
    allocation = parse(
        AllocationIn, {"amount": "50", "currency": "EUR", "source": source, "allocated_on": "2025-03-01"}
    )
    remedies.record_allocation(world.db, world.lawyer.actor, claim_id, allocation)
    world.db.dispose()
    keys.rotate_key(world.inst.settings)
    db = installation.open_database(world.inst.settings)
    try:
        [claim] = remedies.view_claims(db, world.amina.actor, world.case).claims
    finally:
        db.dispose()
    assert claim.notes == NOTES and [a.source for a in claim.allocations] == [source]


def test_legal_aid_under_a_consent_covering_remedies_reads_files_and_updates(world: World) -> None:
    lawyer = world.lawyer.actor
    claim_id = remedies.record_claim(world.db, lawyer, world.case, parse(RemedyClaimIn, CLAIM))
    remedies.update_status(world.db, lawyer, claim_id, parse(StatusIn, {"status": "refused"}))
    remedies.update_status(world.db, lawyer, claim_id, parse(StatusIn, {"status": "appealed"}))
    view = remedies.view_claims(world.db, lawyer, world.case)
    assert [c.status for c in view.claims] == ["appealed"] and view.may_add and view.may_update


@pytest.mark.parametrize(
    "who",
    ["shelter_worker", "other_lawyer", "officer"],
    ids=["a shelter", "legal aid under a referral-only consent", "the police"],
)
def test_no_one_else_sees_her_claims(world: World, who: str) -> None:
    claim_id = world.claim()
    actor: StaffUser = getattr(world, who)
    with pytest.raises(Forbidden):
        remedies.view_claims(world.db, actor.actor, world.case)
    with pytest.raises(Forbidden):
        remedies.record_payment(
            world.db,
            actor.actor,
            claim_id,
            parse(PaymentIn, {"amount_paid": "1", "paid_on": "2025-02-20", "payer": "other"}),
        )
    assert remedies.marker(world.db, actor.actor, world.case) is None
    assert [e.outcome for e in world.audited("remedy.read")] == ["denied"]


@pytest.mark.parametrize("who", ["other_lawyer", "officer"], ids=["another legal aid", "the police"])
def test_an_unknown_case_or_claim_is_refused_like_one_she_may_not_reach(world: World, who: str) -> None:
    """Trying ids tells nobody whether a case or a claim exists (the same 403, audited either way); the same
    holds for her non-punishment matters and clearance requests."""
    actor: StaffUser = getattr(world, who)
    real_claim, unknown = world.claim(), SAMPLE_ID
    payment = parse(PaymentIn, {"amount_paid": "1", "paid_on": "2025-02-20", "payer": "other"})
    for case_id, claim_id in ((world.case, real_claim), (unknown, unknown)):
        with pytest.raises(Forbidden):
            remedies.view_claims(world.db, actor.actor, case_id)
        with pytest.raises(Forbidden):
            remedies.record_payment(world.db, actor.actor, claim_id, payment)
        with pytest.raises(Forbidden):
            non_punishment.view_matters(world.db, actor.actor, case_id)
    denied = [e for e in world.audited("remedy.read") if e.object_id == unknown]
    assert [e.outcome for e in denied] == ["denied"]
    client = client_for(world.inst.settings, actor)
    for path in (
        f"/api/cases/{unknown}/remedies",
        f"/remedies/{unknown}",
        f"/api/cases/{unknown}/non-punishment",
    ):
        assert client.get(path, follow_redirects=False).status_code == 403, path


def test_a_revoked_consent_or_a_firewall_change_closes_the_claims_to_legal_aid(world: World) -> None:
    world.claim()
    firewall.set_enforcement_types(world.db, [*firewall.ALWAYS, "legal_aid"])
    with pytest.raises(Forbidden, match="firewall"):
        remedies.view_claims(world.db, world.lawyer.actor, world.case)
    firewall.set_enforcement_types(world.db, list(firewall.ALWAYS))
    consent.revoke_consent(world.db, world.amina.actor, world.consent)
    with pytest.raises(Forbidden):
        remedies.view_claims(world.db, world.lawyer.actor, world.case)


def test_withdrawn_is_final_and_appeals_follow_a_decision(world: World) -> None:
    claim_id = world.claim(status="planned", filed_on=None)
    actor = world.amina.actor
    with pytest.raises(InvalidInput) as early:
        remedies.update_status(world.db, actor, claim_id, parse(StatusIn, {"status": "appealed"}))
    assert early.value.field == "status"
    with pytest.raises(InvalidInput) as unfiled:
        remedies.record_award(
            world.db, actor, claim_id, parse(AwardIn, {"amount_awarded": "5", "awarded_on": "2025-02-01"})
        )
    assert unfiled.value.field == "status"
    with pytest.raises(InvalidInput) as no_award:
        remedies.record_payment(
            world.db,
            actor,
            claim_id,
            parse(PaymentIn, {"amount_paid": "1", "paid_on": "2025-02-20", "payer": "other"}),
        )
    assert no_award.value.field == "amount_paid"
    remedies.update_status(world.db, actor, claim_id, parse(StatusIn, {"status": "withdrawn"}))
    with pytest.raises(InvalidInput):
        remedies.update_status(world.db, actor, claim_id, parse(StatusIn, {"status": "filed"}))
    [claim] = remedies.view_claims(world.db, actor, world.case).claims
    assert claim.status == "withdrawn" and claim.closed_on == dt.date.today()


def test_counts_for_statistics_suppress_small_cells(world: World) -> None:
    claim_id = world.claim()
    actor = world.amina.actor
    remedies.record_award(
        world.db, actor, claim_id, parse(AwardIn, {"amount_awarded": "100", "awarded_on": "2025-02-01"})
    )
    remedies.record_payment(
        world.db,
        actor,
        claim_id,
        parse(PaymentIn, {"amount_paid": "100", "paid_on": "2025-03-01", "payer": "employer"}),
    )
    counted = remedies.counts(world.db, "cli")
    assert counted.claims == "<11" and counted.by_route["labour"].claims == "<11"
    assert counted.paid_by_currency == {"other": "x"} and counted.median_days_to_payment == "x"
    assert world.audited("remedy.count")


# -- through HTTP -------------------------------------------------------------------------------------


def test_the_api_answers_problem_json_naming_the_field_and_changes_nothing(world: World) -> None:
    client = client_for(world.inst.settings, world.amina)
    for change, field in (
        ({"amount_claimed": 10.5}, "amount_claimed"),
        ({"currency": "ZZZ"}, "currency"),
        ({"route": "police"}, "route"),
        ({"assets_confiscated": True}, "assets_confiscated"),
    ):
        answer = client.post(f"/api/cases/{world.case}/remedies", json={**CLAIM, **change})
        assert answer.status_code == 422, change
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["field"] == field
    assert client.get(f"/api/cases/{world.case}/remedies").json()["claims"] == []
    made = client.post(f"/api/cases/{world.case}/remedies", json=CLAIM)
    assert made.status_code == 201
    claim_id = made.json()["id"]
    early = client.post(
        f"/api/remedies/{claim_id}/payments",
        json={"amount_paid": "1", "paid_on": "2025-02-01", "payer": "employer"},
    )
    assert early.status_code == 422 and early.json()["field"] == "amount_paid"
    assert (
        client.post(
            f"/api/remedies/{claim_id}/award", json={"amount_awarded": "900", "awarded_on": "2025-02-01"}
        ).status_code
        == 204
    )
    assert (
        client.post(
            f"/api/remedies/{claim_id}/payments",
            json={"amount_paid": "900", "paid_on": "2025-02-02", "payer": "employer"},
        ).status_code
        == 201
    )
    [claim] = client.get(f"/api/cases/{world.case}/remedies").json()["claims"]
    assert (claim["status"], claim["paid_minor"], claim["paid"]) == ("paid", 90000, "900.00")
    police = client_for(world.inst.settings, world.officer)
    assert police.get(f"/api/cases/{world.case}/remedies").status_code == 403


def test_the_pages_record_a_claim_a_payment_and_ask_before_withdrawing(world: World) -> None:
    client = client_for(world.inst.settings, world.amina)
    hub = client.get(f"/cases/{world.case}")
    assert f"/cases/{world.case}/remedies" in hub.text
    page = client.get(f"/cases/{world.case}/remedies")
    assert page.status_code == 200 and "New claim" in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {k: str(v) for k, v in CLAIM.items()}
    refused = client.post(
        f"/cases/{world.case}/remedies",
        data={**form, "amount_claimed": "12,5.x", "currency": "", "csrf": csrf},
    )
    assert refused.status_code == 422
    assert 'class="error-summary"' in refused.text
    assert 'href="#amount_claimed"' in refused.text and 'href="#currency"' in refused.text
    assert 'aria-describedby="currency-error"' in refused.text
    assert remedies.view_claims(world.db, world.amina.actor, world.case).claims == []
    done = client.post(f"/cases/{world.case}/remedies", data={**form, "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303 and "done=claim" in done.headers["location"]
    assert "The claim was saved." in client.get(done.headers["location"]).text
    [claim] = remedies.view_claims(world.db, world.amina.actor, world.case).claims
    awarded = client.post(
        f"/remedies/{claim.id}/award",
        data={"csrf": csrf, "amount_awarded": "9000", "awarded_on": "2025-04-01"},
        follow_redirects=False,
    )
    assert awarded.status_code == 303
    paid = client.post(
        f"/remedies/{claim.id}/payments",
        data={"csrf": csrf, "amount_paid": "1500", "paid_on": "2025-04-20", "payer": "employer"},
        follow_redirects=False,
    )
    assert paid.status_code == 303 and "done=payment" in paid.headers["location"]
    bad_payment = client.post(
        f"/remedies/{claim.id}/payments",
        data={"csrf": csrf, "amount_paid": "", "paid_on": "", "payer": "employer"},
    )
    assert bad_payment.status_code == 422 and 'href="#amount_paid' in bad_payment.text
    ask = client.get(f"/remedies/{claim.id}/withdraw")
    assert ask.status_code == 200 and "Yes, withdraw the claim" in ask.text
    assert remedies.view_claims(world.db, world.amina.actor, world.case).claims[0].status == "paid_in_part"
    withdrawn = client.post(f"/remedies/{claim.id}/withdraw", data={"csrf": csrf}, follow_redirects=False)
    assert withdrawn.status_code == 303
    assert remedies.view_claims(world.db, world.amina.actor, world.case).claims[0].status == "withdrawn"
