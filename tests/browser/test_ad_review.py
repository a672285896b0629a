"""A platform reviewer works the job-ad queue in Chromium: she logs in and lands on the scans, opens the
riskiest ad, sees its evidence marked in the text and explained, decides, and is taken to the next ad;
the network page shows what joins the actor's ads (issue 8, part 6)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from opennrm.services import ad_review
from opennrm.services.demo import seed_demo_ad_scan
from tests.conftest import Installation
from tests.support import PASSWORD, make_org, make_user

pytestmark = pytest.mark.browser


def test_a_reviewer_decides_on_the_riskiest_ad_and_moves_to_the_next(
    sqlite_inst: Installation, live_server: str, browser_page: Page
) -> None:
    db = sqlite_inst.db
    inspectorate = make_org(db, "Labour Inspectorate", "labour_inspectorate")
    reviewer = make_user(db, "inspector", "Labour Inspectorate", "ad_reviewer")
    scan_id = seed_demo_ad_scan(db, inspectorate, count=80, seed=4)
    page = browser_page

    page.goto(f"{live_server}/login")
    page.get_by_label("Username", exact=True).fill("inspector")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("One-time code from your authenticator app").fill(reviewer.code())
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/ads")
    expect(page.get_by_role("heading", level=1)).to_have_text("Job ads")

    page.get_by_role("link", name="Demo crawl (synthetic ads)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review queue")
    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(50)
    risks = [int(re.sub(r"\D", "", text)) for text in rows.locator("td:first-child").all_inner_texts()]
    assert risks == sorted(risks, reverse=True)

    rows.first.locator("a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Job ad")
    marks = page.locator(".ad-text mark")
    assert marks.count() >= 1
    assert marks.first.get_attribute("title")
    expect(page.locator("ul.flags li").first).to_be_visible()
    first_url = page.url

    page.get_by_label("deceptive or fraudulent").check()
    page.get_by_label("Note (optional, encrypted)").fill("Asks for a deposit; passport kept")
    page.get_by_role("button", name="Save and open the next ad").click()
    page.wait_for_url(lambda url: url != first_url and "/ads/" in url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Job ad")

    first_id = first_url.rsplit("/", 1)[-1]
    view = ad_review.ad_detail(db, reviewer.actor, first_id)
    assert view.decision == "deceptive" and view.decisions[0].note == "Asks for a deposit; passport kept"

    page.goto(f"{live_server}/ads/scans/{scan_id}?view=networks")
    page.locator("table.list tbody tr a").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Actor network")
    expect(page.get_by_text("Shared contacts")).to_be_visible()
