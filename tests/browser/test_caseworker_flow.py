"""A caseworker logs in with her one-time code, records a case, finds it and adds a note — in Chromium."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from opennrm.services.demo import load_demo_cases
from tests.browser.pages import LoginPage
from tests.conftest import Installation
from tests.support import PASSWORD, make_org, make_user

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SAVE_SCREENSHOTS = os.environ.get("OPENNRM_SCREENSHOTS") == "1"


def test_log_in_intake_find_and_annotate(
    sqlite_inst: Installation, live_server: str, browser_page: Page
) -> None:
    org = make_org(sqlite_inst.db, "Safe Harbour Women's Network")
    amina = make_user(sqlite_inst.db, "amina", "Safe Harbour Women's Network", "caseworker")
    load_demo_cases(sqlite_inst.db, 12, organisation_ids=[org], user_ids=[amina.actor.user_id], seed=7)

    login = LoginPage(browser_page, live_server).open()
    assert browser_page.locator("html").get_attribute("lang") == "en"
    cases = login.log_in("amina", PASSWORD, amina.code())
    assert len(cases.codes()) == 12
    if SAVE_SCREENSHOTS:
        browser_page.screenshot(path=str(DOCS / "case-list.png"), full_page=False)

    intake = cases.new_case()
    intake.fill(birth_date="2999-01-01").save()
    assert "in the future" in intake.field_error("birth_date")
    expect(browser_page.locator("#birth_date")).to_have_attribute("aria-invalid", "true")

    intake.fill(
        given_name="Mariam",
        family_name="Haddad",
        birth_date="2001-04-02",
        age="19",
        citizenship="SY",
        place="A farm near the coast",
        note="Came to the clinic with a friend.",
    )
    intake.choose_exploitation("forced labour")
    view = intake.save()
    code = view.code()
    assert code.startswith("S-")
    assert (
        "Mariam" in view.text() and "A farm near the coast" in view.text() and "forced labour" in view.text()
    )
    view.add_note("Interpreter booked for Tuesday.")
    assert "Interpreter booked for Tuesday." in view.text()
    if SAVE_SCREENSHOTS:
        view.screenshot(DOCS / "case-view.png")

    browser_page.goto(f"{live_server}/cases")
    found = cases.search(code.lower())
    assert found.codes() == [code]


def test_a_wrong_code_keeps_the_door_shut(
    sqlite_inst: Installation, live_server: str, browser_page: Page
) -> None:
    make_org(sqlite_inst.db, "Safe Harbour")
    make_user(sqlite_inst.db, "amina", "Safe Harbour", "caseworker")
    login = LoginPage(browser_page, live_server).open()
    browser_page.get_by_label("Username").fill("amina")
    browser_page.get_by_label("Password").fill(PASSWORD)
    browser_page.get_by_label("One-time code from your authenticator app").fill("000000")
    browser_page.get_by_role("button", name="Log in").click()
    assert "not accepted" in login.error()
    browser_page.goto(f"{live_server}/cases")
    expect(browser_page.get_by_role("heading", name="Log in")).to_be_visible()
