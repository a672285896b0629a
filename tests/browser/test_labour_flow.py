"""Labour inspection in Chromium, in English, Arabic (right to left) and Traditional Chinese: a jobseeker
checks an agency on the public page without logging in; an inspector records an unannounced inspection on
the one-column form (a mistake is tied to its field), and refers a worker who consents; her case opens.
axe-core finds no serious or critical violation on any of these pages."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from opennrm.domain.labour import AgencyIn, LicenceIn, WorkplaceIn
from opennrm.services import directory, labour
from opennrm.services.parsing import parse
from opennrm.store.tables import InspectionReferral
from tests.browser.pages import log_in
from tests.browser.test_languages import axe_violations
from tests.conftest import Installation
from tests.support import make_org, make_user


@pytest.mark.parametrize("tag", ["en", "ar", "zh-Hant"])
def test_check_an_agency_record_an_inspection_and_refer_a_worker(
    sqlite_inst: Installation, live_server: str, browser_page: Page, tag: str
) -> None:
    db = sqlite_inst.db
    make_org(db, "Labour Inspectorate", "labour_inspectorate")
    shelter = make_org(db, "Rose Shelter", "shelter")
    service = directory.add_service(
        db,
        parse(
            directory.ServiceEntry,
            {"name": "Rose shelter", "service_type": "shelter", "languages": ["ar", "zh"], "place": "North"},
        ),
        organisation_id=shelter,
    )
    inspector = make_user(db, "ines", "Labour Inspectorate", "labour_inspector")
    agency = labour.add_agency(db, inspector.actor, parse(AgencyIn, {"name": "Golden Bridge Manpower"}))
    labour.add_licence(
        db,
        inspector.actor,
        agency,
        parse(
            LicenceIn,
            {"number": "GB-1001", "issuing_authority": "Ministry of Labour", "issued_on": "2024-01-01"},
        ),
    )
    workplace = labour.add_workplace(
        db,
        inspector.actor,
        parse(WorkplaceIn, {"name": "Hillside orchard", "sector": "agriculture", "region": "North"}),
    )
    page = browser_page

    # the public check: no log-in, the page in her language, the answer on the same page
    page.goto(f"{live_server}/agencies/check/{tag}")
    assert page.locator("html").get_attribute("lang") == tag
    assert page.locator("html").get_attribute("dir") == ("rtl" if tag == "ar" else "ltr")
    page.fill("#q", "gb 1001")
    page.locator("form[action^='/agencies/check'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "Golden Bridge Manpower" in page.locator("#main").inner_text()
    assert "gb 1001" not in page.url
    assert axe_violations(page) == []

    # the plan on a phone: nothing wider than the screen, and its Inspect link is not covered
    log_in(page, live_server, inspector, tag)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/labour")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    inspect = page.locator(f"a[href='/labour/inspections/new?workplace={workplace}']")
    inspect.scroll_into_view_if_needed()
    box = inspect.bounding_box()
    assert box is not None
    covered = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('a')?.getAttribute('href') || ''",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert covered == f"/labour/inspections/new?workplace={workplace}"
    assert axe_violations(page) == []

    # an unannounced inspection, on the phone-sized form
    page.goto(f"{live_server}/labour/inspections/new?workplace={workplace}")
    page.fill("#women_met", "6")
    page.check("input[name=indicators][value=CD01]")
    page.check("input[name=automatic_deductions][value=housing]")
    page.fill("#documents_held", "-2")
    page.locator("form[action='/labour/inspections'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#documents_held").get_attribute("aria-invalid") == "true"
    assert page.locator("input[name=indicators][value=CD01]").is_checked()
    assert axe_violations(page) == []
    page.fill("#documents_held", "3")
    page.locator("form[action='/labour/inspections'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/labour/inspections/" in page.url
    assert axe_violations(page) == []

    # her consented referral
    page.check("input[name=consent_given]")
    page.select_option("#service_id", service)
    page.fill("#purpose", "A safe place tonight")
    for indicator in ("DR01", "DR02", "EXP01", "EXP04", "CD01", "CD02"):
        page.check(f"input[name=worker_indicators][value={indicator}]")
    page.locator("form[action*='/referrals'] button[type=submit]").click()
    page.wait_for_load_state()
    assert "/cases/" in page.url
    assert axe_violations(page) == []
    with db.transaction() as session:
        assert session.query(InspectionReferral).count() == 1
