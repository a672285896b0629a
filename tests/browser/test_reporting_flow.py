"""Anonymous reporting and the hotline in Chromium, in English, Arabic and Traditional Chinese (issue 15): from
the rights leaflet to the report form (its proof of work solved by the page's script), the receipt, the
follow-up with the receipt; the organisation's triage (reply, open a case); the hotline's silent call from the
keyboard and a contact in danger that opens a case. axe-core finds no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import log_in
from tests.browser.test_languages import axe_violations
from tests.conftest import Installation
from tests.support import make_org, make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("tag", ["en", "ar", "zh-Hant"])
def test_report_follow_up_triage_and_hotline(
    sqlite_inst: Installation, live_server: str, browser_page: Page, tag: str
) -> None:
    db = sqlite_inst.db
    triage = make_user(db, "triage", "Default organisation", "supervisor")
    operator = make_user(db, "operator", "Default organisation", "hotline_operator")
    make_org(db, "Rose Shelter", "shelter")
    page = browser_page

    # from the leaflet to the form
    page.goto(f"{live_server}/rights/{tag}")
    page.locator(f"a[href='/report/{tag}']").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == tag
    assert axe_violations(page) == []
    page.locator("input[name=about][value=myself]").check()
    page.locator("input[name=concerns][value=work]").check()
    page.fill("#text", "The farm keeps our passports. 农场扣留护照。")
    page.select_option("#sector", "agriculture")
    page.fill("#region", "North")
    page.locator("input[name=help][value=talk]").check()
    page.locator("#report-form button[type=submit]").click()
    receipt_box = page.locator("#receipt")
    expect(receipt_box).to_be_visible(timeout=60_000)
    receipt = receipt_box.inner_text().strip()
    assert len(receipt.replace(" ", "")) == 28
    assert axe_violations(page) == []

    # back with the receipt
    page.goto(f"{live_server}/report/{tag}/follow-up")
    page.fill("#receipt", receipt)
    page.locator("form[action$='/follow-up'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "The farm keeps our passports." in page.locator("#thread").inner_text()
    assert axe_violations(page) == []

    # the organisation replies and opens a case
    log_in(page, live_server, triage, tag)
    page.goto(f"{live_server}/reports")
    assert axe_violations(page) == []
    page.locator("table.list tbody a").first.click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.fill("#reply-text", "We can help you. When is it safe to write?")
    page.locator("form[action$='/reply'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "We can help you." in page.locator("#thread").inner_text()
    page.locator("form[action$='/case'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/cases/" in page.url
    assert axe_violations(page) == []

    # she reads the reply
    page.context.clear_cookies()
    page.goto(f"{live_server}/report/{tag}/follow-up")
    page.fill("#receipt", receipt)
    page.locator("form[action$='/follow-up'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "We can help you." in page.locator("#thread").inner_text()

    # the hotline: a silent call from the keyboard, then a contact in danger that opens a case
    log_in(page, live_server, operator, tag)
    page.goto(f"{live_server}/hotline")
    assert axe_violations(page) == []
    page.locator("button[accesskey=s]").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator(".flash")).to_be_visible()
    page.locator("input[name=channel][value=chat]").check()
    page.locator("input[name=contact_type][value=data]").check()
    page.locator("input[name=categories][value=forced_labour]").check()
    protocol = page.locator("#danger details.protocol ol")
    expect(protocol).to_be_hidden()
    page.locator("input[name=immediate_danger]").check()
    expect(protocol).to_be_visible()  # during the call, not only after saving
    page.fill("#notes", "Locked in a dormitory.")
    page.locator("input[name=open_case]").check()
    page.locator("form[action='/hotline'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#h-emergency-now")).to_be_visible()
    assert page.locator(".flash a[href^='/cases/']").count() == 1
    assert axe_violations(page) == []
