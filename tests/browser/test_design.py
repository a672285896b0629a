"""The design system on a phone and on a desk (issue 13, item 8): at 390 px wide — an outreach worker's
phone — no page of the caseworker's journey scrolls sideways, in English and in Arabic (right to left), and
axe-core finds no serious or critical violation (colour contrast included) at that width; at 1280 px the case
hub shows its summary in a second column. Screenshots at both widths go to ``OPENNRM_DESIGN_SHOTS`` (a
folder) when it is set."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page

from opennrm.web import negotiation
from tests.browser.test_languages import AXE, Network, Ui, _world_ids, axe_violations, direction
from tests.browser.test_languages import network as network  # the fixture

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
SHOTS = os.environ.get("OPENNRM_DESIGN_SHOTS")


def _journey(ids: dict[str, str], tag: str) -> list[tuple[str, str]]:
    """(name, path) of the pages a caseworker goes through, each with real data."""
    case = f"/cases/{ids['case_id']}"
    return [
        ("cases", "/cases"),
        ("case", case),
        ("intake", "/cases/new"),
        ("screening", f"{case}/screening"),
        ("screening-result", f"{case}/screening/{ids['screening_id']}"),
        ("consent", f"{case}/consents"),
        ("referral-new", f"{case}/referrals/new"),
        ("referral", f"/referrals/{ids['referral_id']}"),
        ("referrals", "/referrals"),
    ]


def _overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("tag", ["en", "ar"])
def test_no_page_scrolls_sideways_on_a_phone_and_axe_finds_nothing_serious(
    network: Network, live_server: str, browser_page: Page, tag: str
) -> None:
    page = browser_page
    ids = _world_ids(network, tag)
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": live_server}])
    checked: dict[str, int] = {}
    too_wide: dict[str, list[str]] = {}
    violations: dict[str, list[dict[str, object]]] = {}

    def look(name: str) -> None:
        assert page.locator("html").get_attribute("dir") == ("rtl" if tag == "ar" else "ltr")
        assert direction(page) == ("rtl" if tag == "ar" else "ltr")
        checked[name] = _overflow(page)
        if checked[name] > 0:
            too_wide[name] = _too_wide(page)
        if AXE.exists():
            violations[name] = axe_violations(page)
        _shot(page, f"{tag}-390-{name}")

    page.goto(f"{live_server}/rights/{tag}")
    look("rights")
    page.goto(f"{live_server}/login")
    look("login")
    ui = Ui(page, live_server, tag)
    ui.log_in(network.amina)
    # The menu is folded away on a phone and opens without JavaScript.
    menu = page.locator("header.bar details.menu")
    assert not page.locator("header.bar nav a", has_text=ui.t("Referrals")).first.is_visible()
    menu.locator("summary").click()
    assert page.locator("header.bar nav a", has_text=ui.t("Referrals")).first.is_visible()
    for name, path in _journey(ids, tag):
        page.goto(f"{live_server}{path}")
        look(name)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": live_server}])
    Ui(page, live_server, tag).log_in(network.coordinator)
    page.goto(f"{live_server}/statistics")
    look("statistics")

    assert len(checked) == 12
    wide = {name: px for name, px in checked.items() if px > 0}
    assert not wide, f"pages wider than a 390 px phone ({tag}): {wide}; what sticks out: {too_wide}"
    serious = {name: found for name, found in violations.items() if found}
    assert not serious, serious
    print(f"{tag}: {len(checked)} pages at 390 px, none scrolls sideways, axe checked {len(violations)}")


@pytest.mark.parametrize("tag", ["en", "ar"])
def test_on_a_wide_screen_the_case_hub_has_its_summary_beside_it(
    network: Network, live_server: str, browser_page: Page, tag: str
) -> None:
    page = browser_page
    ids = _world_ids(network, tag)
    page.set_viewport_size(DESK)
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": live_server}])
    ui = Ui(page, live_server, tag)
    ui.log_in(network.amina)
    # The whole menu shows in the bar, with no "Menu" button.
    assert page.locator("header.bar nav a", has_text=ui.t("Referrals")).first.is_visible()
    assert not page.locator("header.bar details.menu summary").is_visible()
    page.goto(f"{live_server}/cases/{ids['case_id']}")
    side = page.locator("main .side").bounding_box()
    heading = page.locator("main h1").bounding_box()
    assert side and heading
    assert side["y"] < heading["y"] + heading["height"] + 40  # beside the page, not below it
    if tag == "ar":
        assert side["x"] + side["width"] < heading["x"] + heading["width"]  # the side column is on the left
    else:
        assert side["x"] > heading["x"] + 200  # the side column is on the right
    # The status shows as a badge: words on a colour, the words in the page's language.
    badge = page.locator("main .side .badge").first
    assert badge.inner_text().strip() == ui.label("new")  # a case just taken in
    assert "tone-" in (badge.get_attribute("class") or "")
    _shot(page, f"{tag}-1280-case")
    for name, path in [
        ("cases", "/cases"),
        ("intake", "/cases/new"),
        ("screening", f"/cases/{ids['case_id']}/screening"),
        ("consent", f"/cases/{ids['case_id']}/consents"),
        ("referral", f"/referrals/{ids['referral_id']}"),
        ("referrals", "/referrals"),
    ]:
        page.goto(f"{live_server}{path}")
        assert _overflow(page) <= 0, name
        _shot(page, f"{tag}-1280-{name}")
    page.goto(f"{live_server}/rights/{tag}")
    _shot(page, f"{tag}-1280-rights")
    page.goto(f"{live_server}/login")


def _too_wide(page: Page) -> list[str]:
    """The first elements that reach past the window's right edge (for the failure message)."""
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 || e.getBoundingClientRect().left < -1)
            .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
        )
    )
