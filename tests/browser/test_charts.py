"""The charts in Chromium (issue 13, item 7): the statistics page (the statistics office's analyst, with a
filter) and the coordinator's dashboard, in English, Arabic and Traditional Chinese, pass axe-core with no serious or critical
violation; the charts are there, named, and in Arabic laid out right to left."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from opennrm.services import statistics
from opennrm.services.demo import load_demo_cases
from tests.browser.pages import LANGUAGES, log_in
from tests.browser.test_languages import axe_violations, direction
from tests.conftest import Installation
from tests.support import make_org, make_user


@pytest.mark.parametrize("lang", LANGUAGES)
def test_statistics_and_dashboard_charts_pass_axe(
    sqlite_inst: Installation, live_server: str, browser_page: Page, lang: str
) -> None:
    db = sqlite_inst.db
    make_org(db, "Stats Office", "nrm_secretariat")
    analyst = make_user(db, "analyst", "Stats Office", "analyst")
    coordinator = make_user(db, "coord", "Stats Office", "nrm_coordinator")
    load_demo_cases(db, 150, organisation_ids=[sqlite_inst.default_org], user_ids=[None], seed=6)
    statistics.VIEWS.clear()
    page = browser_page
    checked = {}
    for user, paths in (
        (analyst, ["/statistics", "/statistics?year=unknown"]),
        (coordinator, ["/dashboard"]),
    ):
        log_in(page, live_server, user, lang)
        for path in paths:
            page.goto(f"{live_server}{path}")
            assert page.locator("svg.chart").count() >= 3
            assert (page.locator("svg.chart > title").first.text_content() or "").strip()
            assert direction(page) == ("rtl" if lang == "ar" else "ltr")
            checked[path] = axe_violations(page)
    assert all(found == [] for found in checked.values()), checked
    print(f"axe checked {len(checked)} pages in {lang}, 0 serious or critical violations")
