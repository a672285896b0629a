"""Her own account as a trace seed, only under her consent for compensation (issue 17, item 6), on both
backends: the caseworker records the account (encrypted) with her consent naming the financial intelligence
unit; the unit's investigators trace from it as an opaque label, never seeing her case or name; revoking or
the consent's end stops every use at once; another unit, another role and a consent for something else get
nothing; every step is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from opennrm.services import cases, consent, finance
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.store.tables import AuditEvent, ConsentRecord, FinanceConsentedAccount
from tests.conftest import Installation
from tests.support import client_for, csrf_of, intake, make_org, make_user

SAMPLE = "00000000-0000-4000-8000-000000000000"
HER_ACCOUNT = "GB29NWBK60161331926819"
ROWS = (
    "id,timestamp,source,target,amount,currency\n"
    f"w1,2025-01-01T10:00:00Z,EMPLOYER,{HER_ACCOUNT},1200,USD\n"
    f"t1,2025-01-01T12:00:00Z,{HER_ACCOUNT},BOSS,1100,USD\n"
    "t2,2025-01-02T09:00:00Z,BOSS,OFFSHORE,1000,USD\n"
)


class World:
    def __init__(self, inst: Installation) -> None:
        db = self.db = inst.db
        self.inst = inst
        self.unit = make_org(db, "Financial Intelligence Unit", "financial_intelligence_unit")
        self.other_unit = make_org(db, "Other Unit", "financial_intelligence_unit")
        self.police = make_org(db, "City Police", "police")
        make_org(db, "Safe Harbour")
        self.analyst = make_user(
            db, "analyst1", "Financial Intelligence Unit", "financial_investigator", enforcement=True
        )
        self.stranger = make_user(db, "analyst3", "Other Unit", "financial_investigator", enforcement=True)
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.case = cases.intake(db, self.amina.actor, intake())
        self.inv = finance.create_investigation(db, self.analyst.actor, "Operation Wages")
        self.dataset = finance.add_dataset(db, self.analyst.actor, self.inv, "bank return", ROWS.encode()).id

    def audited(self, action: str) -> list[AuditEvent]:
        with self.db.transaction() as session:
            return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


def test_her_account_is_a_seed_only_while_her_consent_is_in_force(inst: Installation) -> None:
    w = World(inst)
    # only a financial intelligence unit may be named, and only for compensation
    with pytest.raises(InvalidInput) as err:
        finance.record_consented_account(w.db, w.amina.actor, w.case, HER_ACCOUNT, w.police, "en")
    assert err.value.field == "organisation_id"
    with pytest.raises(InvalidInput) as err:
        finance.record_consented_account(w.db, w.amina.actor, w.case, "  ", w.unit, "en")
    assert err.value.field == "account"
    with pytest.raises(InvalidInput):  # a consent for anything else never names the unit (firewall)
        consent.record_consent(
            w.db,
            w.amina.actor,
            w.case,
            consent.parse_consent(
                {
                    "purposes": ["compensation", "referral"],
                    "recipient_organisation_ids": [w.unit],
                    "language": "en",
                }
            ),
        )
    # the unit's investigators cannot record it, nor read her case through it
    with pytest.raises(Forbidden):
        finance.record_consented_account(w.db, w.analyst.actor, w.case, HER_ACCOUNT, w.unit, "en")
    record = finance.record_consented_account(w.db, w.amina.actor, w.case, HER_ACCOUNT, w.unit, "ar")
    (shown,) = finance.consented_accounts(w.db, w.amina.actor, w.case)
    assert (
        shown.account == HER_ACCOUNT
        and shown.in_force
        and shown.organisation == "Financial Intelligence Unit"
    )
    with w.db.transaction() as session:
        row = session.get(FinanceConsentedAccount, record)
        assert row is not None and HER_ACCOUNT.encode() not in row.account_enc
        stored = session.get(ConsentRecord, row.consent_id)
        assert stored is not None and stored.purposes == ["compensation"]
    # a consent for compensation opens nothing of her case to the unit
    with pytest.raises(Forbidden):
        cases.view_case(w.db, w.analyst.actor, w.case)
    with pytest.raises(Forbidden):
        consent.disclose(w.db, w.amina.actor, w.case, w.unit, "compensation")

    (seed,) = finance.consented_seeds(w.db, w.analyst.actor)
    assert seed.id == record and seed.seed == finance.CONSENTED_SEED + record
    traced = finance.trace(w.db, w.analyst.actor, w.inv, w.dataset, seed.seed, "forward", 2)
    assert {d.account for d in traced.destinations} == {"BOSS", "OFFSHORE"}
    assert traced.seeds == (finance.CONSENTED_LABEL,)
    assert all(HER_ACCOUNT not in d.path_accounts for d in traced.destinations)
    assert HER_ACCOUNT not in str(traced.as_json())
    elsewhere = finance.add_dataset(
        w.db, w.analyst.actor, w.inv, "other bank", ROWS.replace(HER_ACCOUNT, "SOMEONE").encode()
    ).id
    with pytest.raises(InvalidInput) as err:
        finance.trace(w.db, w.analyst.actor, w.inv, elsewhere, seed.seed, "forward", 2)
    assert err.value.field == "seed" and HER_ACCOUNT not in str(err.value)
    back = finance.trace(w.db, w.analyst.actor, w.inv, w.dataset, seed.seed, "backward", 1)
    assert [d.account for d in back.destinations] == ["EMPLOYER"]
    # another unit: not listed, refused; a caseworker: refused
    assert finance.consented_seeds(w.db, w.stranger.actor) == []
    other_inv = finance.create_investigation(w.db, w.stranger.actor, "Elsewhere")
    other_ds = finance.add_dataset(w.db, w.stranger.actor, other_inv, "x", ROWS.encode()).id
    with pytest.raises(Forbidden):
        finance.trace(w.db, w.stranger.actor, other_inv, other_ds, seed.seed, "forward", 2)
    with pytest.raises(Forbidden):
        finance.consented_seeds(w.db, w.amina.actor)

    # her consent ends: expiry stops the use at once
    with w.db.transaction() as session:
        session.execute(
            update(ConsentRecord)
            .where(ConsentRecord.id == shown.consent_id)
            .values(expires_on=dt.date.today() - dt.timedelta(days=1))
        )
    assert finance.consented_seeds(w.db, w.analyst.actor) == []
    with pytest.raises(Forbidden):
        finance.trace(w.db, w.analyst.actor, w.inv, w.dataset, seed.seed, "forward", 2)
    assert not finance.consented_accounts(w.db, w.amina.actor, w.case)[0].in_force
    # a second consent, then revoked: the same
    again = finance.record_consented_account(w.db, w.amina.actor, w.case, HER_ACCOUNT, w.unit, "ar")
    assert [s.id for s in finance.consented_seeds(w.db, w.analyst.actor)] == [again]
    finance.trace(w.db, w.analyst.actor, w.inv, w.dataset, finance.CONSENTED_SEED + again, "forward", 2)
    with w.db.transaction() as session:
        consent_id = session.get(FinanceConsentedAccount, again).consent_id  # type: ignore[union-attr]
    consent.revoke_consent(w.db, w.amina.actor, consent_id)
    assert finance.consented_seeds(w.db, w.analyst.actor) == []
    with pytest.raises(Forbidden) as revoked:
        finance.trace(w.db, w.analyst.actor, w.inv, w.dataset, finance.CONSENTED_SEED + again, "forward", 2)
    # the refusal says no more than for a seed that never existed: nothing about her consent
    with pytest.raises(Forbidden) as absent:
        finance.trace(w.db, w.analyst.actor, w.inv, w.dataset, finance.CONSENTED_SEED + SAMPLE, "forward", 2)
    assert str(revoked.value) == str(absent.value)
    # audited with identifiers only
    assert len(w.audited("finance.consented_account")) == 2
    traces = [e for e in w.audited("finance.trace") if "consented" in e.detail]
    assert len(traces) == 4 and all(HER_ACCOUNT not in e.detail for e in traces)
    denied = [
        e for e in w.audited(str(finance.Action.FINANCE)) if e.object_type == "finance_consented_account"
    ]
    assert len(denied) >= 3 and all(e.outcome == "denied" for e in denied)


def test_pages_record_her_account_and_trace_from_it_without_her_name(inst: Installation) -> None:
    w = World(inst)
    caseworker = client_for(inst.settings, w.amina)
    page = caseworker.get(f"/cases/{w.case}/remedies")
    assert page.status_code == 200 and "Her own account, for tracing her money" in page.text
    assert "Other Unit" in page.text and "City Police" not in page.text
    refused = caseworker.post(
        f"/cases/{w.case}/remedies/account",
        data={"csrf": csrf_of(page.text), "account": HER_ACCOUNT, "organisation_id": "", "language": "ar"},
    )
    assert refused.status_code == 422 and 'href="#organisation_id"' in refused.text
    assert f'value="{HER_ACCOUNT}"' in refused.text and 'aria-invalid="true"' in refused.text
    saved = caseworker.post(
        f"/cases/{w.case}/remedies/account",
        data={
            "csrf": csrf_of(page.text),
            "account": HER_ACCOUNT,
            "organisation_id": w.unit,
            "language": "ar",
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Her account and her consent were recorded." in saved.text
    assert HER_ACCOUNT in saved.text and "Revoke her consent" in saved.text

    analyst = client_for(inst.settings, w.analyst)
    inv_page = analyst.get(f"/finance/{w.inv}")
    assert (
        "a victim&#39;s account (consented)" in inv_page.text
        or "a victim's account (consented)" in inv_page.text
    )
    (record,) = finance.consented_seeds(w.db, w.analyst.actor)
    traced = analyst.get(
        f"/finance/{w.inv}/datasets/{w.dataset}/trace",
        params={"seed": record.seed, "direction": "forward", "hops": "2"},
    )
    assert traced.status_code == 200 and "OFFSHORE" in traced.text
    pack = analyst.get(
        f"/finance/{w.inv}/datasets/{w.dataset}/trace",
        params={"seed": record.seed, "hops": "2", "format": "csv"},
    )
    for text in (inv_page.text, traced.text, pack.text):
        assert "Mariam" not in text and "Haddad" not in text and w.case not in text and "/cases" not in text
    assert HER_ACCOUNT not in traced.text and HER_ACCOUNT not in pack.text
    # the unit never reaches her claims' page
    assert analyst.get(f"/cases/{w.case}/remedies").status_code == 403
    assert (
        analyst.post(
            f"/cases/{w.case}/remedies/account",
            data={
                "csrf": csrf_of(inv_page.text),
                "account": "X",
                "organisation_id": w.unit,
                "language": "en",
            },
        ).status_code
        == 403
    )
