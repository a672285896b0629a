"""Remedies in Chromium (English): her caseworker records a back-wage claim, a mistake is listed in the error
summary and tied to its field, the claim is saved, an award and a payment are recorded on it, and withdrawing
asks first; axe-core finds no serious or critical violation on the pages."""

from __future__ import annotations

from playwright.sync_api import Page

from opennrm.services import cases, remedies
from tests.browser.pages import log_in
from tests.browser.test_languages import axe_violations
from tests.conftest import Installation
from tests.support import intake, make_org, make_user


def test_record_a_claim_an_award_and_a_payment(
    sqlite_inst: Installation, live_server: str, browser_page: Page
) -> None:
    db = sqlite_inst.db
    make_org(db, "Owner NGO")
    owner = make_user(db, "owner", "Owner NGO", "caseworker")
    case_id = cases.intake(db, owner.actor, intake())
    page = browser_page
    log_in(page, live_server, owner, "en")

    page.goto(f"{live_server}/cases/{case_id}")
    page.locator("#remedies a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/cases/{case_id}/remedies")
    assert axe_violations(page) == []

    page.select_option("#route", "labour")
    page.select_option("#kind", "back_wages")
    page.select_option("#payer", "employer")
    page.fill("#currency", "EUR")
    page.fill("#amount_claimed", "1250.505")  # three decimals: EUR has two
    page.select_option("#status", "filed")
    page.fill("#filed_on", "2025-01-10")
    page.get_by_role("button", name="Save the claim").click()
    page.wait_for_load_state()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "Amount claimed" in summary.inner_text()
    assert page.locator("#amount_claimed").get_attribute("aria-invalid") == "true"
    assert axe_violations(page) == []

    page.fill("#amount_claimed", "1250.50")
    page.get_by_role("button", name="Save the claim").click()
    page.wait_for_load_state()
    assert "The claim was saved." in page.locator(".flash").inner_text()
    page.get_by_role("link", name="Open the claim").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []

    page.fill("#amount_awarded", "1000")
    page.fill("#awarded_on", "2025-03-01")
    page.get_by_role("button", name="Save the award").click()
    page.wait_for_load_state()
    assert "The award was saved." in page.locator(".flash").inner_text()

    page.fill("#amount_paid", "400")
    page.fill("#paid_on", "2025-04-01")
    page.select_option("#payer", "state_fund")
    page.get_by_role("button", name="Save the payment").click()
    page.wait_for_load_state()
    assert "The payment was saved." in page.locator(".flash").inner_text()
    assert "400.00 EUR" in page.locator("table").inner_text()
    [claim] = remedies.view_claims(db, owner.actor, case_id).claims
    assert (claim.status, claim.paid_minor) == ("paid_in_part", 40_000)

    page.get_by_role("link", name="Withdraw the claim").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Yes, withdraw the claim").is_visible()
    assert axe_violations(page) == []
    assert remedies.view_claims(db, owner.actor, case_id).claims[0].status == "paid_in_part"
