"""The core journey in Chromium, in English, Arabic and Traditional Chinese (issue 13): a caseworker logs in, opens a case, tries to
refer her, is refused for want of consent, records her consent from the refusal in one click, comes back to
the referral as she left it, sends it, and sees it on the case page. Every page on the way passes axe-core
with no serious or critical violation; the clicks of the journey are counted and printed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Page, expect

from opennrm.services import cases, directory, screenings
from opennrm.services.parsing import parse
from opennrm.web import i18n, negotiation
from opennrm.web.labels import label
from tests.browser.pages import LANGUAGES, translated
from tests.browser.test_languages import AXE, axe_violations, direction
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user

pytestmark = pytest.mark.browser

PRESUMED = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
}


@dataclass
class Journey:
    page: Page
    base: str
    tag: str
    clicks: int = 0
    axe: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def t(self, message: str) -> str:
        return translated(self.tag, message)

    def click(self, locator: object) -> None:
        locator.click()  # type: ignore[attr-defined]
        self.clicks += 1
        self.page.wait_for_load_state()

    def check(self, name: str) -> None:
        """Accessibility of the page as it is now, and its language and direction."""
        assert self.page.locator("html").get_attribute("lang") == self.tag
        assert direction(self.page) == ("rtl" if self.tag == "ar" else "ltr")
        if AXE.exists():
            self.axe[name] = axe_violations(self.page)

    def main(self) -> str:
        return self.page.locator("main").inner_text()


@pytest.fixture
def setting(sqlite_inst: Installation) -> Iterator[tuple[Installation, StaffUser, str]]:
    db = sqlite_inst.db
    make_org(db, "Safe Harbour Women's Network")
    shelter = make_org(db, "Rose Shelter", "shelter")
    amina = make_user(db, "amina", "Safe Harbour Women's Network", "caseworker")
    directory.add_service(
        db,
        parse(
            directory.ServiceEntry,
            {
                "name": "Rose emergency shelter",
                "service_type": "shelter",
                "languages": ["ar", "en"],
                "available": 2,
                "place": "Northtown",
            },
        ),
        organisation_id=shelter,
    )
    case_id = cases.intake(db, amina.actor, intake(case__languages=["ar"]))
    screenings.screen_case(db, amina.actor, case_id, PRESUMED)
    yield sqlite_inst, amina, case_id


@pytest.mark.parametrize("tag", LANGUAGES)
def test_a_caseworker_records_consent_from_a_refused_referral_and_refers_her(
    setting: tuple[Installation, StaffUser, str], live_server: str, browser_page: Page, tag: str
) -> None:
    _inst, amina, case_id = setting
    page = browser_page
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": live_server}])
    j = Journey(page, live_server, tag)

    page.goto(f"{live_server}/login")
    page.get_by_label(j.t("Username"), exact=True).fill("amina")
    page.get_by_label(j.t("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(j.t("One-time code from your authenticator app")).fill(amina.code())
    j.click(page.get_by_role("button", name=j.t("Log in")))
    page.wait_for_url(re.compile(r"/tasks$"))  # a caseworker lands on her tasks
    j.click(
        page.get_by_role("navigation", name=j.t("Main")).get_by_role("link", name=j.t("Cases"), exact=True)
    )

    j.click(page.locator("table.list tbody td:first-child a").first)
    expect(page.locator("h1 .code")).to_have_text(re.compile(r"^S-"))
    next_step = page.locator("p.next-step a.button")
    expect(next_step).to_have_text(j.t("Record her consent"))  # presumed victim, no consent yet
    j.check("case")

    j.click(page.get_by_role("link", name=j.t("Refer to a service"), exact=True))
    page.get_by_label(j.t("Need"), exact=True).select_option("shelter")
    j.click(page.get_by_role("button", name=j.t("Find"), exact=True))
    expect(page.get_by_text(j.t("It will see:")).first).to_be_visible()  # before sending
    page.get_by_label(j.t("Urgency"), exact=True).select_option("urgent")
    page.get_by_label(j.t("Purpose"), exact=True).fill("A safe place tonight")
    j.click(page.get_by_role("button", name=j.t("Send the referral")))

    refusal = page.locator(".error-summary")
    expect(refusal).to_contain_text(j.t("No consent of hers is recorded yet."))
    box = refusal.bounding_box()
    assert box is not None and box["y"] < 400, f"the refusal shows {box} from the top"
    j.check("refused referral")

    j.click(page.get_by_role("link", name=j.t("Record her consent for this organisation")))
    expect(page.get_by_role("heading", level=1)).to_contain_text(j.t("Her consent"))
    expect(page.get_by_label("Rose Shelter", exact=False)).to_be_checked()
    expect(page.locator('input[name="purposes"][value="referral"]')).to_be_checked()
    assert page.locator("#language").input_value() == "ar"  # her language, from the case, shown by name
    j.check("consent form")
    j.click(page.get_by_role("button", name=j.t("Record her consent")))

    expect(page.get_by_role("status")).to_have_text(j.t("Her consent was recorded."))
    assert page.get_by_label(j.t("Purpose"), exact=True).input_value() == "A safe place tonight"
    assert page.get_by_label(j.t("Urgency"), exact=True).input_value() == "urgent"
    j.check("referral form, back")
    j.click(page.get_by_role("button", name=j.t("Send the referral")))

    expect(page.get_by_role("status")).to_have_text(j.t("The referral was sent."))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rose emergency shelter")
    j.check("referral")
    j.click(page.locator("main").get_by_role("link", name=re.compile(re.escape(j.t("The case")))))

    hub = j.main()
    assert "Rose emergency shelter" in hub
    with i18n.activated(tag):
        assert label("sent") in hub
    expect(page.locator("p.next-step a.button")).to_have_text(j.t("Follow her referrals"))
    j.check("case, after")
    journey_clicks = j.clicks

    # the other consent pages: list with revoke, its confirmation, the printable form in her language
    page.goto(f"{live_server}/cases/{case_id}/consents")
    j.check("consents")
    j.click(page.get_by_role("link", name=j.t("Revoke"), exact=True))
    expect(page.get_by_role("button", name=j.t("Yes, revoke her consent now"))).to_be_visible()
    j.check("revoke confirmation")
    page.goto(f"{live_server}/cases/{case_id}/consents/print/ar")
    assert page.locator("html").get_attribute("lang") == "ar"
    if AXE.exists():
        j.axe["print"] = axe_violations(page)
    page.emulate_media(media="print")
    assert not page.locator("header.bar").is_visible()
    page.emulate_media(media="screen")

    failures = {where: found for where, found in j.axe.items() if found}
    assert not failures, failures
    # log in 1 (she lands on her tasks), her cases 2, open the case 3, refer 4, find 5, send (refused) 6,
    # record consent 7, save 8, send 9, case 10
    assert journey_clicks == 10
    print(
        f"{tag}: the journey from log-in to a referral on the case page took {journey_clicks} clicks; "
        f"axe checked {len(j.axe)} pages, 0 serious or critical violations"
    )
