"""The financial-investigation pages on both backends: a financial investigator opens an investigation,
uploads transactions (rejected rows listed with their lines), reads an account's typology evidence with its
ego network drawn as SVG, traces funds and downloads the evidence pack, records a confiscation. Users of
other organisations and other roles get a refusal, and no case data reaches these pages."""

from __future__ import annotations

import html
import re

from opennrm.services import cases, finance
from opennrm.services.sealing import decrypt_json, encrypt_json
from opennrm.store.tables import FinanceDataset
from opennrm.web import negotiation
from tests.conftest import Installation
from tests.support import client_for, csrf_of, intake, make_org, make_user

ROWS = (
    "id,timestamp,source,target,amount,currency\n"
    + "".join(f"t{i},2025-01-01T1{i}:00:00Z,MULE-{i},BOSS,900,USD\n" for i in range(6))
    + "t9,2025-01-02T09:00:00Z,BOSS,OFFSHORE,4000,USD\n"
    + "bad,2025-01-02T09:00:00Z,BOSS,OFFSHORE,lots,USD\n"
)


def test_finance_pages(inst: Installation) -> None:
    db = inst.db
    make_org(db, "Financial Intelligence Unit", "financial_intelligence_unit")
    make_org(db, "Other Unit", "financial_intelligence_unit")
    make_org(db, "Safe Harbour")
    analyst = make_user(
        db, "analyst1", "Financial Intelligence Unit", "financial_investigator", enforcement=True
    )
    other = make_user(db, "analyst3", "Other Unit", "financial_investigator", enforcement=True)
    caseworker = make_user(db, "amina", "Safe Harbour", "caseworker")
    cases.intake(db, caseworker.actor, intake())
    client = client_for(inst.settings, analyst)
    listing = client.get("/finance")
    assert listing.status_code == 200 and "Financial investigations" in listing.text
    assert 'href="/finance"' in listing.text  # in the menu
    refused = client.post("/finance", data={"csrf": csrf_of(listing.text), "title": "  "})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    made = client.post(
        "/finance", data={"csrf": csrf_of(listing.text), "title": "Operation Lantern"}, follow_redirects=False
    )
    assert made.status_code == 303
    url = made.headers["location"]
    page = client.get(url)
    uploaded = client.post(
        f"{url}/datasets",
        data={"csrf": csrf_of(page.text), "name": "bank return"},
        files={"transactions": ("t.csv", ROWS.encode(), "text/csv")},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "line 9: amount is not a number" in uploaded.text
    assert "BOSS" in uploaded.text and "Fan-in" in uploaded.text
    account_link = re.search(r'href="(/finance/[^"]+/accounts/BOSS)"', uploaded.text)
    assert account_link
    account = client.get(account_link.group(1))
    assert account.status_code == 200
    assert "<svg" in account.text and "OFFSHORE" in account.text and "fan_in" in account.text
    dataset = account_link.group(1).split("/accounts/")[0]
    traced = client.get(f"{dataset}/trace", params={"seed": "MULE-1", "direction": "forward", "hops": "2"})
    assert traced.status_code == 200 and "OFFSHORE" in traced.text
    pack = client.get(f"{dataset}/trace", params={"seed": "MULE-1", "hops": "2", "format": "csv"})
    assert pack.headers["content-type"].startswith("text/csv") and "OFFSHORE" in pack.text
    pdf = client.get(f"{dataset}/trace", params={"seed": "MULE-1", "hops": "2", "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    bad = client.get(f"{dataset}/trace", params={"seed": "NOBODY"})
    assert bad.status_code == 422
    # a refused confiscation marks every field at fault and keeps what was typed
    wrong = client.post(
        f"{url}/confiscations",
        data={"csrf": csrf_of(page.text), "order": "Order <17>", "amount": "1,5", "currency": "dollars"},
    )
    assert wrong.status_code == 422
    summary = wrong.text.split('class="error-summary"')[1].split("</div>")[0]
    assert {"#amount", "#currency", "#confiscated_on"} <= set(re.findall(r'href="(#[a-z_]+)"', summary))
    for name in ("amount", "currency", "confiscated_on"):
        assert re.search(rf'<input id="{name}"[^>]*aria-invalid="true"', wrong.text), name
    assert 'value="Order &lt;17&gt;"' in wrong.text and 'value="1,5"' in wrong.text
    assert not re.search(r'<input id="order"[^>]*aria-invalid', wrong.text)
    conf = client.post(
        f"{url}/confiscations",
        data={
            "csrf": csrf_of(page.text),
            "order": "Order 17",
            "amount": "3000.00",
            "currency": "USD",
            "confiscated_on": "2025-04-01",
        },
        follow_redirects=True,
    )
    assert conf.status_code == 200 and "3000.00" in conf.text
    # no case data on any finance page
    for text in (listing.text, uploaded.text, account.text, traced.text, conf.text):
        assert "Mariam" not in text and "Haddad" not in text and "/cases" not in text
    # another unit and a caseworker: refused, the same for an absent investigation (one log-in each: a
    # one-time code is accepted once)
    for who in (other, caseworker):
        stranger = client_for(inst.settings, who)
        assert stranger.get(url).status_code == 403
        assert stranger.get(account_link.group(1)).status_code == 403
        assert stranger.get("/finance/00000000-0000-4000-8000-000000000000").status_code == 403
        listed = stranger.get("/finance")
        assert listed.status_code == (403 if who is caseworker else 200)
        assert "Operation Lantern" not in listed.text


def test_an_account_page_explains_each_hit_in_the_readers_language(inst: Installation) -> None:
    """The typology evidence of an account reads in the page's language (issue 17): each hit's sentence is
    translated and filled with its values, the account names as they are; a hit stored before hits carried
    their sentence's message still shows, in English."""
    db = inst.db
    make_org(db, "Financial Intelligence Unit", "financial_intelligence_unit")
    analyst = make_user(
        db, "analyst1", "Financial Intelligence Unit", "financial_investigator", enforcement=True
    )
    inv = finance.create_investigation(db, analyst.actor, "Operation Lantern")
    added = finance.add_dataset(db, analyst.actor, inv, "bank return", ROWS.encode())
    url = f"/finance/{inv}/datasets/{added.id}/accounts/BOSS"
    english = {
        "BOSS received from 6 distinct accounts within 240 h (rule fan_in: at least 5)",
        "BOSS sent on at least 80% of 6 incoming payments within 48 h (rule pass_through: at least 3 such "
        "payments of 100 or more)",
    }
    client = client_for(inst.settings, analyst)
    shown = client.get(url)
    assert shown.status_code == 200 and all(s in html.unescape(shown.text) for s in english)
    translated = {
        "ar": (
            "تلقّى الحساب BOSS أموالًا من حسابات مختلفة عددها 6 خلال 240 ساعة (القاعدة fan_in: 5 على الأقل)",
            "حوّل الحساب BOSS ما لا يقل عن 80% من مدفوعات واردة عددها 6 خلال 48 ساعة من ورودها",
        ),
        "zh-Hant": (
            "BOSS 在 240 小時內收到來自 6 個不同帳戶的款項（規則 fan_in：至少 5 個）",
            "BOSS 將 6 筆轉入款項中至少 80% 的金額在 48 小時內轉出（規則 pass_through：至少 3 筆此類款項，每筆 100 或以上）",
        ),
    }
    for tag, sentences in translated.items():
        client.cookies.set(negotiation.COOKIE, tag)
        page = client.get(url)
        assert page.status_code == 200 and f'<html lang="{tag}"' in page.text
        text = html.unescape(page.text)
        for sentence in sentences:
            assert sentence in text, (tag, sentence)
        assert not [s for s in english if s in text], tag
        assert "received from" not in text and "sent on at least" not in text
    # a dataset scored before hits carried their message: its stored hits have only the English sentence
    with db.transaction() as session:
        row = session.get(FinanceDataset, added.id)
        assert row is not None
        results = decrypt_json(db.keyring, finance._RESULTS, row.id, row.results_enc)
        for hits in results["hits"].values():
            for hit in hits:
                del hit["message"], hit["params"]
        row.results_enc = encrypt_json(db.keyring, finance._RESULTS, row.id, results)
    client.cookies.set(negotiation.COOKIE, "ar")
    old = client.get(url)
    assert old.status_code == 200
    assert all(s in html.unescape(old.text) for s in english)
