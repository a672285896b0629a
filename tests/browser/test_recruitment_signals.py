"""A platform reviewer sees, on an ad's page in Chromium, that a contact in it matches a signal another
platform shared, weighs it and disputes it; the page passes axe-core (issue 18)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from opennrm.recruitment.model import default_model
from opennrm.recruitment.pipeline import scan_ads
from opennrm.recruitment.reading import parse_record
from opennrm.recruitment.signals import read_exchange
from opennrm.services import ad_review, signals
from opennrm.store.tables import ScannedAd
from tests.browser.test_languages import axe_violations
from tests.conftest import Installation
from tests.support import PASSWORD, make_org, make_user

pytestmark = pytest.mark.browser
KEY = bytes.fromhex("5a" * 32)


def _store(inst: Installation, organisation_id: str, text: str, ad_id: str) -> str:
    ad = parse_record({"id": ad_id, "title": "Hostess work abroad", "text": text, "lang": "en"}, 1)
    results, _ = scan_ads([ad], default_model())
    scan_id = ad_review.store_scan(
        inst.db,
        organisation_id=organisation_id,
        by=ad_review.CLI,
        name=f"crawl {ad_id}",
        model="default",
        scanned=[(ad, results[0])],
    )
    with inst.db.transaction() as session:
        return str(session.scalar(select(ScannedAd.id).where(ScannedAd.scan_id == scan_id)))


def test_a_reviewer_sees_a_shared_signal_on_the_ad_and_disputes_it(
    sqlite_inst: Installation, live_server: str, browser_page: Page
) -> None:
    db = sqlite_inst.db
    a = make_org(db, "Platform A", "ngo")
    b = make_org(db, "Platform B", "ngo")
    reviewer_a = make_user(db, "reviewer_a", "Platform A", "ad_reviewer")
    reviewer_b = make_user(db, "reviewer_b", "Platform B", "ad_reviewer")
    source_ad = _store(sqlite_inst, a, "Dubai hostess, free flights, deposit. Call +44 7911 123461", "a1")
    ad_review.record_decision(db, reviewer_a.actor, source_ad, "deceptive")
    lines, _ = signals.export_signals(db, a, by="cli", key=KEY)
    target = _store(sqlite_inst, b, "Work abroad, call +447911123461", "b1")
    signals.import_signals(db, b, read_exchange(lines), by="cli", key=KEY)

    page = browser_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Username", exact=True).fill("reviewer_b")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("One-time code from your authenticator app").fill(reviewer_b.code())
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/ads")
    page.goto(f"{live_server}/ads/{target}")
    flag = page.locator("li.signal-flag")
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text("Matches a signal shared by Platform A")
    expect(flag).to_contain_text("phone number")
    assert axe_violations(page) == []
    flag.get_by_role("button", name="Mark as seen").click()
    expect(page.locator("li.signal-flag")).to_contain_text("seen, no opinion")
    page.locator("li.signal-flag").get_by_role("button", name="Dispute the signal").click()
    expect(page.locator("li.signal-flag")).to_contain_text("disputed")
    # the opinion travels back to Platform A with B's next export; nothing was decided about the ad
    assert ad_review.ad_detail(db, reviewer_b.actor, target).decision is None
    assert [line for line in signals.export_signals(db, b, by="cli", key=KEY)[0] if '"disputed"' in line]
