"""The whole NRM journey in Chromium, in English, Arabic and Traditional Chinese (issue 13, acceptance).

A caseworker logs in and lands on her tasks, records a case picking the countries and her language by their
names, screens her with the guided form (saving a draft and resuming it from her tasks), sees the case become
"presumed victim", is refused a referral for want of consent, records the consent from the refusal, and
refers her; the shelter's worker, in her own browser, lands on the referrals she received and accepts it; the
caseworker's case page then shows it all. The coordinator lands on the dashboard and the analyst on the
statistics, each with charts. Every page passes axe-core with no serious or critical violation; the
caseworker's clicks (indicator answers excluded) are counted and printed."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from babel import Locale
from playwright.sync_api import Locator, Page, expect

from opennrm.services import directory, statistics
from opennrm.services.demo import load_demo_cases
from opennrm.services.parsing import parse
from opennrm.web import i18n, negotiation
from opennrm.web.labels import label
from tests.browser.pages import LANGUAGES, log_in
from tests.browser.test_languages import AXE, axe_violations, direction
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, make_org, make_user

pytestmark = pytest.mark.browser

MOST_CLICKS = 25
SHOTS = os.environ.get("OPENNRM_JOURNEY_SHOTS")


@dataclass
class Walk:
    page: Page
    tag: str
    clicks: int = 0
    axe: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def t(self, message: str) -> str:
        with i18n.activated(self.tag):
            return i18n.gettext(message)

    def label(self, code: str) -> str:
        with i18n.activated(self.tag):
            return label(code)

    def click(self, locator: Locator) -> None:
        locator.click()
        self.clicks += 1
        self.page.wait_for_load_state()

    def button(self, message: str) -> None:
        self.click(self.page.get_by_role("button", name=self.t(message), exact=True))

    def menu(self, message: str) -> None:
        nav = self.page.get_by_role("navigation", name=self.t("Main"))
        self.click(nav.get_by_role("link", name=self.t(message), exact=True))

    def check(self, name: str) -> None:
        assert self.page.locator("html").get_attribute("lang") == self.tag
        assert direction(self.page) == ("rtl" if self.tag == "ar" else "ltr")
        if AXE.exists():
            self.axe[f"{self.tag} {name}"] = axe_violations(self.page)
        if SHOTS:  # OPENNRM_JOURNEY_SHOTS=folder keeps a screenshot of every step (for the README)
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            self.page.screenshot(path=str(Path(SHOTS) / f"{self.tag}-{slug}.png"), full_page=True)

    def answer_yes(self, *indicators: str) -> None:
        for indicator in indicators:  # answers are not counted as clicks
            self.page.locator(f'input[name="q-{indicator}"][value="yes"]').check()

    def progress(self) -> str:
        return self.page.locator("#progress").inner_text()


def _pick(page: Page, select: Locator, code: str, tag: str, names: str) -> None:
    """Choose an option whose text is the name of ``code`` in the reader's language (Babel's names)."""
    locale = Locale.parse(tag, sep="-")
    name = getattr(locale, names)[code]
    select.select_option(label=name)
    assert select.input_value() == code


def _first_login(page: Page, base: str, user: StaffUser, walk: Walk) -> None:
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": walk.tag, "url": base}])
    page.goto(f"{base}/login")
    page.get_by_label(walk.t("Username"), exact=True).fill(user.username)
    page.get_by_label(walk.t("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(walk.t("One-time code from your authenticator app")).fill(user.code())
    walk.button("Log in")


@pytest.mark.parametrize("tag", LANGUAGES)
def test_the_whole_journey_for_caseworker_receiver_coordinator_and_analyst(
    sqlite_inst: Installation, live_server: str, browser_page: Page, tag: str
) -> None:
    db = sqlite_inst.db
    make_org(db, "Safe Harbour Women's Network")
    shelter = make_org(db, "Rose Shelter", "shelter")
    make_org(db, "NRM Secretariat", "nrm_secretariat")
    amina = make_user(db, "amina", "Safe Harbour Women's Network", "caseworker")
    rosa = make_user(db, "rosa", "Rose Shelter", "service_provider")
    coordinator = make_user(db, "coord", "NRM Secretariat", "nrm_coordinator")
    analyst = make_user(db, "analyst", "NRM Secretariat", "analyst")
    directory.add_service(
        db,
        parse(
            directory.ServiceEntry,
            {
                "name": "Rose emergency shelter",
                "service_type": "shelter",
                "languages": ["ar", "en", "zh"],
                "available": 2,
                "place": "Northtown",
            },
        ),
        organisation_id=shelter,
    )
    page = browser_page
    walk = Walk(page, tag)
    her_language = {"en": "en", "ar": "ar", "zh-Hant": "zh"}[tag]

    # -- the caseworker: her tasks, a new case, the guided screening with a draft ---------------------
    _first_login(page, live_server, amina, walk)
    page.wait_for_url(re.compile(r"/tasks$"))
    walk.check("tasks")

    walk.menu("New case")
    page.get_by_label(walk.t("Given name"), exact=True).fill("Blessing")
    page.get_by_label(walk.t("Age when trafficked"), exact=True).fill("24")
    # (by id: in Chinese the language menu of the header and the Languages field share one word)
    _pick(page, page.locator("select#citizenship"), "NG", tag, "territories")
    _pick(page, page.locator("select#languages"), her_language, tag, "languages")
    _pick(page, page.locator("select#event_country"), "IT", tag, "territories")
    page.locator('input[name="exploitation_types"][value="forced_labour"]').check()
    walk.check("intake")
    walk.button("Save case")
    expect(page.locator("h1 .code")).to_have_text(re.compile(r"^S-"))
    case_url = page.url.split("?")[0]
    walk.check("case, new")

    walk.click(page.locator("p.next-step a.button"))  # screen her
    assert walk.progress().startswith(walk.t("Section %(n)s of %(total)s") % {"n": 1, "total": 7})
    expect(page.locator('input[name="age"]')).to_have_value("24")  # what intake knows is filled in
    page.locator('input[name="acts"][value="recruitment"]').check()
    page.locator('input[name="means"][value="deception"]').check()
    walk.check("screening, section 1")
    walk.button("Continue")
    walk.answer_yes("DR01")
    for secondary in ("Save draft", "Back"):  # outline buttons: their words must show on their background
        style = page.get_by_role("button", name=walk.t(secondary), exact=True).evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]"
        )
        assert style[0] != style[1], (secondary, style)
    walk.button("Save draft")
    expect(page.get_by_role("status")).to_be_visible()

    walk.menu("Tasks")  # later: her tasks lead back to the draft
    walk.click(page.locator('ul.tasks a[href$="/screening"]'))
    expect(page.locator('input[name="q-DR01"][value="yes"]')).to_be_checked()
    expect(page.locator('input[name="q-DR02"][value="not_asked"]')).to_be_checked()
    for answers in ((), (), ("EXP01",), ("CD03",), ("AVD01",)):
        walk.button("Continue")
        walk.answer_yes(*answers)
    assert walk.progress().startswith(walk.t("Section %(n)s of %(total)s") % {"n": 7, "total": 7})
    walk.check("screening, section 7")
    walk.button("Screen")
    walk.check("screening result")

    # -- consent and the referral, from the result page ---------------------------------------------------
    walk.click(page.get_by_role("link", name=walk.t("Refer her now"), exact=True))
    page.get_by_label(walk.t("Need"), exact=True).select_option("shelter")
    walk.button("Find")
    page.get_by_label(walk.t("Urgency"), exact=True).select_option("urgent")
    page.get_by_label(walk.t("Purpose"), exact=True).fill("A safe place tonight")
    walk.button("Send the referral")
    expect(page.locator(".error-summary")).to_contain_text(walk.t("No consent of hers is recorded yet."))
    walk.check("referral refused")
    walk.click(page.get_by_role("link", name=walk.t("Record her consent for this organisation")))
    assert page.locator("#language").input_value() == her_language  # her language, from the case
    walk.check("consent")
    walk.button("Record her consent")
    expect(page.get_by_role("status")).to_have_text(walk.t("Her consent was recorded."))
    walk.button("Send the referral")
    expect(page.get_by_role("status")).to_have_text(walk.t("The referral was sent."))
    referral_url = page.url.split("?")[0]
    walk.check("referral")
    walk.click(page.locator(f'main a[href="{case_url.removeprefix(live_server)}"]').first)  # the case
    assert page.url.split("?")[0] == case_url
    summary = page.locator("main").inner_text()
    assert walk.label("presumed_victim") in summary and "Rose emergency shelter" in summary
    caseworker_clicks = walk.clicks

    # -- the shelter's worker, in her own browser: her received referrals, accept -------------------------
    browser = page.context.browser
    assert browser is not None
    other = browser.new_context(viewport={"width": 1200, "height": 900})
    receiver_page = other.new_page()
    receiver = Walk(receiver_page, tag)
    _first_login(receiver_page, live_server, rosa, receiver)
    receiver_page.wait_for_url(re.compile(r"/referrals\?direction=received$"))
    receiver.check("received referrals")
    receiver.click(receiver_page.locator(f'main a[href="{referral_url.removeprefix(live_server)}"]').first)
    receiver.button("Accept")
    expect(receiver_page.get_by_role("status")).to_be_visible()
    receiver.check("referral, accepted")
    other.close()

    # -- back on the case page: the journey so far ------------------------------------------------------
    page.goto(case_url)
    hub = page.locator("main").inner_text()
    assert walk.label("accepted") in hub
    assert walk.label("presumed_victim") in hub
    # the journey so far: screened, presumed, consent, referred — served once the shelter begins
    assert page.locator("ol.journey li.done").count() == 4
    assert page.locator("ol.journey li.to-do").count() == 1
    walk.check("case, after")

    # -- the coordinator and the analyst land on their work, with charts ---------------------------------
    load_demo_cases(db, 60, organisation_ids=[sqlite_inst.default_org], user_ids=[None], seed=7)
    statistics.VIEWS.clear()
    for user, home in ((coordinator, "/dashboard"), (analyst, "/statistics")):
        log_in(page, live_server, user, tag)
        assert page.url.split("?")[0] == f"{live_server}{home}"
        assert page.locator("svg.chart").count() >= 1
        assert (page.locator("svg.chart > title").first.text_content() or "").strip()
        walk.check(home)

    failures = {where: found for where, found in {**walk.axe, **receiver.axe}.items() if found}
    assert not failures, failures
    print(
        f"\n{tag}: caseworker from log-in to a referral on her case page (guided screening with a draft, "
        f"consent from the refusal): {caseworker_clicks} clicks; axe checked "
        f"{len(walk.axe) + len(receiver.axe)} pages, 0 serious or critical violations"
    )
    assert caseworker_clicks <= MOST_CLICKS
