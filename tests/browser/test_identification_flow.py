"""Identification in Chromium, in English and Arabic: the case's caseworker convenes a panel, a member from
another organisation decides, the letter opens in the chosen language; axe-core finds no serious or critical
violation on the pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from opennrm.services import cases, consent, screenings
from tests.browser.test_languages import axe_violations
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user

SCREENING = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03"],
}
OUTCOME = {"en": "Positive decision", "ar": "قرار إيجابي"}


def _log_in(page: Page, base: str, user: StaffUser, lang: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.fill("#totp", user.code())
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_convene_decide_and_open_the_letter(
    sqlite_inst: Installation, live_server: str, browser_page: Page, lang: str
) -> None:
    db = sqlite_inst.db
    make_org(db, "Owner NGO")
    make_org(db, "Clinic", "health_service")  # the default organisation is offered too, without consent
    owner = make_user(db, "owner", "Owner NGO", "caseworker")
    member = make_user(db, "clinic", "Clinic", "supervisor")
    case_id = cases.intake(db, owner.actor, intake(case__languages=[lang]))
    screenings.screen_case(db, owner.actor, case_id, SCREENING)
    consent.record_consent(
        db,
        owner.actor,
        case_id,
        consent.parse_consent(
            {"purposes": ["identification"], "recipient_types": ["health_service"], "language": lang}
        ),
    )
    page = browser_page
    _log_in(page, live_server, owner, lang)
    page.goto(f"{live_server}/cases/{case_id}/identification")
    assert page.locator("html").get_attribute("lang") == lang
    assert axe_violations(page) == []
    for name in ("Owner NGO", "Clinic"):
        page.locator("label", has_text=name).locator("input[name=organisation_ids]").check()
    page.locator("form[action$='/identification/panel'] button").click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/identification/recusals']").count() == 1, page.inner_text("main")

    _log_in(page, live_server, member, lang)
    page.goto(f"{live_server}/cases/{case_id}/identification")
    page.select_option("#outcome", "positive")
    page.fill("#reasons", "Deceived about the job; documents taken.")
    page.locator("form[action$='/identification/decisions'] button").click()
    page.wait_for_load_state()
    assert axe_violations(page) == []
    page.locator("a[href*='/identification/letter?']").first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang
    assert OUTCOME[lang] in page.content()
    assert axe_violations(page) == []
