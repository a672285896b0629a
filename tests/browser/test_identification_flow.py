"""Identification in Chromium, in English, Arabic and Traditional Chinese (issue 14): the case's caseworker
convenes a panel, a member from another organisation proposes the decision and the caseworker's organisation
confirms it (no organisation decides alone), the letter opens in the chosen language, she asks for
reconsideration, members of both organisations who took no part in the decision answer it, and the new
decision's letter says so. axe-core finds no serious or critical violation on any page of the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from opennrm.services import cases, consent, screenings
from tests.browser.pages import LANGUAGES, log_in, translated
from tests.browser.test_languages import axe_violations, direction
from tests.conftest import Installation
from tests.support import intake, make_org, make_user

pytestmark = pytest.mark.browser

SCREENING = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03"],
}


def _outcome(tag: str, outcome: str) -> str:
    """The start of the letter's outcome sentence, up to the standard of proof it names."""
    message = {
        "positive": "Positive decision: the panel found that %(standard)s.",
        "negative": "Negative decision: the panel did not find that %(standard)s.",
    }[outcome]
    return translated(tag, message).split("%(standard)s")[0].strip()


@pytest.mark.parametrize("tag", LANGUAGES)
def test_convene_decide_open_the_letter_and_reconsider(
    sqlite_inst: Installation, live_server: str, browser_page: Page, tag: str
) -> None:
    db = sqlite_inst.db
    make_org(db, "Owner NGO")
    make_org(db, "Clinic", "health_service")  # the default organisation is offered too, without consent
    owner = make_user(db, "owner", "Owner NGO", "caseworker")
    member = make_user(db, "clinic", "Clinic", "supervisor")
    second = make_user(db, "clinic2", "Clinic", "caseworker")
    supervisor = make_user(db, "owner2", "Owner NGO", "supervisor")
    # her language as the case records it (ISO 639-1): Chinese without a script, so her letter opens in
    # Simplified Chinese and the caseworker picks Traditional from the letter's languages
    case_id = cases.intake(db, owner.actor, intake(case__languages=[tag.split("-")[0]]))
    screenings.screen_case(db, owner.actor, case_id, SCREENING)
    consent.record_consent(
        db,
        owner.actor,
        case_id,
        consent.parse_consent(
            {"purposes": ["identification"], "recipient_types": ["health_service"], "language": tag[:2]}
        ),
    )
    owner_page = browser_page
    browser = owner_page.context.browser
    assert browser is not None
    # each person works in her own browser session: a one-time code is accepted once only
    others = [browser.new_context(viewport=owner_page.viewport_size) for _ in range(3)]
    member_page, second_page, supervisor_page = (context.new_page() for context in others)
    hub = f"{live_server}/cases/{case_id}/identification"
    axe: dict[str, list[dict[str, object]]] = {}

    def checked(page: Page, where: str) -> None:
        assert page.locator("html").get_attribute("lang") == tag, where
        assert direction(page) == ("rtl" if tag == "ar" else "ltr"), where
        axe[where] = axe_violations(page)

    def submit(page: Page, action: str) -> None:
        page.locator(f"form[action$='{action}'] button[type=submit]").first.click()
        page.wait_for_load_state()
        expect(page.locator(".error-summary")).to_have_count(0)

    def letter(page: Page, outcome: str) -> None:
        """Open the letter of the decision in force; her language is the case's (Chinese without a
        script gives Simplified), and the caseworker can pick another."""
        links = page.locator("a[href*='/identification/letter?']")
        expect(links).to_have_count(1)  # only the decision in force has a letter
        links.click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == ("zh-Hans" if tag == "zh-Hant" else tag)
        if tag == "zh-Hant":
            page.locator(f"nav a[lang='{tag}']").click()
            page.wait_for_load_state()
        expect(page.locator("p.outcome")).to_contain_text(_outcome(tag, outcome))
        checked(page, f"letter, {outcome}")

    try:
        # the case's caseworker convenes a panel of two organisations of different types
        log_in(owner_page, live_server, owner, tag)
        owner_page.goto(hub)
        checked(owner_page, "identification, no panel")
        for name in ("Owner NGO", "Clinic"):
            owner_page.locator("label", has_text=name).locator("input[name=organisation_ids]").check()
        submit(owner_page, "/identification/panel")
        expect(owner_page.locator("form[action$='/identification/recusals']")).to_have_count(1)
        checked(owner_page, "identification, panel convened")

        # a member from the clinic decides: negative (the panel closes, and with it the members' view)
        log_in(member_page, live_server, member, tag)
        member_page.goto(hub)
        checked(member_page, "identification, to decide")
        member_page.select_option("#outcome", "negative")
        member_page.fill("#reasons", "Not enough is known yet.")
        submit(member_page, "/identification/decisions")
        expect(member_page.locator("#h-proposal")).to_have_count(1)  # waits for another organisation

        # her caseworker's organisation confirms it; she opens the letter and, at her wish, asks for
        # reconsideration
        owner_page.goto(hub)
        checked(owner_page, "identification, proposal to confirm")
        expect(owner_page.locator("a[href*='/identification/letter?']")).to_have_count(0)
        owner_page.locator("input[name=read]").check()  # the step before it takes effect
        owner_page.locator("form[action$='/identification/confirmation'] input[value=yes]").locator(
            ".."
        ).locator("button[type=submit]").click()
        owner_page.wait_for_load_state()
        expect(owner_page.locator("#h-proposal")).to_have_count(0)
        checked(owner_page, "identification, decided")
        letter(owner_page, "negative")
        owner_page.goto(hub)
        owner_page.fill("#grounds", "A medical report came in.")
        submit(owner_page, "/identification/reconsiderations")
        expect(owner_page.locator("main")).to_contain_text("A medical report came in.")
        checked(owner_page, "identification, reconsideration asked")

        # someone else on the panel than the one who decided answers it: overturned
        log_in(second_page, live_server, second, tag)
        second_page.goto(hub)
        checked(second_page, "identification, reconsideration to answer")
        second_page.select_option("#result", "overturned")
        second_page.fill("#answer_reasons", "The report shows coercion.")
        second_page.locator("form[action*='/identification/reconsiderations/'] button[type=submit]").click()
        second_page.wait_for_load_state()
        expect(second_page.locator("#h-proposal")).to_have_count(1)

        # a member of the other organisation who took no part in the decision confirms the answer
        log_in(supervisor_page, live_server, supervisor, tag)
        supervisor_page.goto(hub)
        checked(supervisor_page, "identification, answer to confirm")
        supervisor_page.locator("input[name=read]").check()
        supervisor_page.locator("form[action$='/identification/confirmation'] input[value=yes]").locator(
            ".."
        ).locator("button[type=submit]").click()
        supervisor_page.wait_for_load_state()

        owner_page.goto(hub)
        expect(owner_page.locator("main")).to_contain_text("The report shows coercion.")
        checked(owner_page, "identification, reconsidered")
        letter(owner_page, "positive")
    finally:
        for context in others:
            context.close()

    failures = {where: found for where, found in axe.items() if found}
    assert not failures, failures
