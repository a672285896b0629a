"""A caseworker's first steps in Chromium, in English (issue 13, items 3, 5 and 6): she logs in and lands on
her tasks, records a new case picking her citizenship and language by their names, screens her with the
guided form (one section at a time), saves a draft, resumes it from her tasks, finishes, and sees the case
become "presumed victim". Every page passes axe-core with no serious or critical violation; the clicks are
counted (indicator answers excluded) and printed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Locator, Page, expect

from opennrm.web import i18n
from opennrm.web.labels import label
from tests.browser.test_languages import AXE, axe_violations
from tests.conftest import Installation
from tests.support import PASSWORD, make_org, make_user

pytestmark = pytest.mark.browser


@dataclass
class Walk:
    page: Page
    clicks: int = 0
    axe: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def click(self, locator: Locator) -> None:
        locator.click()
        self.clicks += 1
        self.page.wait_for_load_state()

    def button(self, name: str) -> None:
        self.click(self.page.get_by_role("button", name=name, exact=True))

    def check(self, name: str) -> None:
        if AXE.exists():
            self.axe[name] = axe_violations(self.page)

    def answer_yes(self, *indicators: str) -> None:
        for indicator in indicators:  # answers are not counted as clicks
            self.page.locator(f'input[name="q-{indicator}"][value="yes"]').check()

    def progress(self) -> str:
        return self.page.locator("#progress").inner_text()


def test_a_caseworker_lands_on_her_tasks_records_a_case_and_screens_her_with_a_draft(
    sqlite_inst: Installation, live_server: str, browser_page: Page
) -> None:
    make_org(sqlite_inst.db, "Safe Harbour Women's Network")
    amina = make_user(sqlite_inst.db, "amina", "Safe Harbour Women's Network", "caseworker")
    page = browser_page
    walk = Walk(page)

    page.goto(f"{live_server}/login")
    page.get_by_label("Username", exact=True).fill("amina")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("One-time code from your authenticator app").fill(amina.code())
    walk.button("Log in")
    page.wait_for_url(re.compile(r"/tasks$"))  # her home is her tasks
    expect(page.get_by_role("heading", level=1)).to_have_text("Your tasks")
    expect(page.get_by_text("Nothing waits for you now.")).to_be_visible()
    walk.check("tasks")

    # a new case: the country and languages picked by their names, the codes stored
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="New case"))
    page.get_by_label("Given name", exact=True).fill("Blessing")
    page.get_by_label("Age when trafficked", exact=True).fill("24")
    page.get_by_label("Citizenship", exact=True).select_option(label="Nigeria")
    page.get_by_label("Languages", exact=True).select_option(label="English")
    page.get_by_label("Country of exploitation", exact=True).select_option(label="Italy")
    page.get_by_label("forced labour", exact=True).check()
    walk.check("intake")
    walk.button("Save case")
    expect(page.locator("h1 .code")).to_have_text(re.compile(r"^S-"))
    main = page.locator("main").inner_text()
    assert "Nigeria" in main and "English" in main and "Italy" in main  # names, not codes
    case_url = page.url.split("?")[0]
    walk.check("case")

    # the guided screening: what intake knows is filled in; one section at a time
    walk.click(page.locator("p.next-step a.button"))
    assert walk.progress().startswith("Section 1 of 7")
    expect(page.get_by_label("Age", exact=True)).to_have_value("24")
    expect(page.get_by_label("forced labour", exact=True)).to_be_checked()
    page.locator("#acts").get_by_label("recruitment", exact=True).check()
    page.locator("#means").get_by_label("deception", exact=True).check()
    walk.check("screening-1")
    walk.button("Continue")
    assert walk.progress().startswith("Section 2 of 7")
    walk.answer_yes("DR01")
    walk.check("screening-2")
    walk.button("Save draft")
    expect(page.get_by_role("status")).to_contain_text("The draft was saved.")

    # later: her tasks lead back to the draft, where she left it
    walk.click(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tasks"))
    task = page.get_by_role("link", name=re.compile(r"^Continue the screening you saved on "))
    expect(task).to_be_visible()
    walk.check("tasks-with-draft")
    walk.click(task)
    assert walk.progress().startswith("Section 2 of 7")
    expect(page.locator('input[name="q-DR01"][value="yes"]')).to_be_checked()
    expect(page.locator('input[name="q-DR02"][value="not_asked"]')).to_be_checked()
    walk.button("Continue")  # 3
    walk.button("Continue")  # 4
    walk.button("Continue")  # 5: exploitation
    walk.answer_yes("EXP01")
    walk.button("Continue")  # 6: coercion at destination
    walk.answer_yes("CD03")
    walk.button("Continue")  # 7: abuse of vulnerability at destination
    assert walk.progress().startswith("Section 7 of 7")
    walk.answer_yes("AVD01")
    walk.check("screening-7")
    walk.button("Screen")
    expect(page.get_by_role("status")).to_contain_text("Presumed victim of trafficking.")
    walk.check("result")

    walk.click(page.get_by_role("link", name="Back to the case"))
    assert page.url.split("?")[0] == case_url
    with i18n.activated("en"):
        presumed = label("presumed_victim")
    expect(page.locator("main")).to_contain_text(presumed)
    expect(page.get_by_role("link", name="Continue the screening")).to_have_count(0)  # the draft is gone
    walk.check("case-presumed")

    failures = {where: found for where, found in walk.axe.items() if found}
    assert failures == {}, failures
    print(
        f"\ncaseworker path (log in → tasks → new case → guided screening with a draft): {walk.clicks} clicks"
    )
    print(f"axe checked {len(walk.axe)} pages, 0 serious or critical violations")
    assert walk.clicks <= 25
