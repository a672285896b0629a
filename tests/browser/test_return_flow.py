"""Return and follow-up in Chromium, in English, Arabic and Traditional Chinese (issue 14, item 5): a
caseworker opens the return page of an unaccompanied girl from the case page, records her little brother, is
refused a return that names the missing child steps in the error summary, records the steps, and records her
exit from services, after which the follow-ups show. Every page passes axe-core with no serious or critical
violation."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from opennrm.services import cases
from opennrm.web import i18n, negotiation
from tests.browser.test_languages import AXE, axe_violations, direction
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def girl(sqlite_inst: Installation) -> Iterator[tuple[StaffUser, str]]:
    db = sqlite_inst.db
    make_org(db, "Safe Harbour Women's Network")
    amina = make_user(db, "amina", "Safe Harbour Women's Network", "caseworker")
    case_id = cases.intake(
        db,
        amina.actor,
        intake(case__age_at_trafficking=None, case__age_uncertain=True, case__reasons_to_believe_minor=True),
    )
    yield amina, case_id


@pytest.mark.parametrize("tag", ["en", "ar", "zh-Hant"])
def test_the_return_page_names_the_missing_child_steps_and_schedules_follow_ups(
    girl: tuple[StaffUser, str], live_server: str, browser_page: Page, tag: str
) -> None:
    amina, case_id = girl
    page = browser_page
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": live_server}])
    axe: dict[str, list[dict[str, object]]] = {}

    def t(message: str) -> str:
        with i18n.activated(tag):
            return i18n.gettext(message)

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == tag
        assert direction(page) == ("rtl" if tag == "ar" else "ltr")
        if AXE.exists():
            axe[name] = axe_violations(page)

    page.goto(f"{live_server}/login")
    page.get_by_label(t("Username"), exact=True).fill("amina")
    page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(t("One-time code from your authenticator app")).fill(amina.code())
    page.get_by_role("button", name=t("Log in")).click()
    page.wait_for_url(re.compile(r"/tasks$"))  # a caseworker lands on her tasks

    page.goto(f"{live_server}/cases/{case_id}")
    check("case page with its return section")
    page.get_by_role("link", name=t("Return and follow-up"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Return and follow-up"))
    check("return page")

    page.get_by_label(t("Relationship to her"), exact=True).select_option("sibling")
    page.get_by_label(t("Age, if the birth date is not known (encrypted)"), exact=True).fill("6")
    page.get_by_role("button", name=t("Record the dependant")).click()
    expect(page.get_by_role("status").first).to_have_text(
        t("The dependant was recorded. She or he is entitled to assistance too.")
    )

    page.get_by_label(t("Move"), exact=True).select_option("transfer")
    page.locator("select#destination_country").select_option("GB")  # chosen by name, stored as a code
    page.get_by_label(t("Planned for"), exact=True).fill(dt.date.today().isoformat())
    page.get_by_label(t("The plan, agreed with her (encrypted)"), exact=True).fill("A foster family nearby.")
    page.get_by_role("button", name=t("Record the plan")).click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("family tracing, reunification assessment")
    expect(page.locator("#move")).to_have_attribute("aria-invalid", "true")
    check("refused move")

    today = dt.date.today().isoformat()
    for label in (
        "Guardian appointed on",
        "Best-interests determination made on",
        "Family tracing done on",
        "Reunification assessed on",
    ):
        page.get_by_label(t(label), exact=True).fill(today)
    page.get_by_role("button", name=t("Save the steps")).click()
    expect(page.get_by_role("status").first).to_have_text(t("The child steps were saved."))
    expect(page.locator("section[aria-labelledby=child-steps]")).to_contain_text(t("Every step is recorded."))

    page.get_by_label(t("Left the services on"), exact=True).fill(today)
    page.get_by_role("button", name=t("Record her exit from services")).click()
    expect(page.get_by_role("status").first).to_have_text(
        t("Her exit from services was recorded. Follow-up contacts at 1, 3, 6 and 12 months are scheduled.")
    )
    expect(page.locator("section[aria-labelledby=follow-ups] article")).to_have_count(4)
    check("follow-ups")

    failures = {where: found for where, found in axe.items() if found}
    assert not failures, failures
