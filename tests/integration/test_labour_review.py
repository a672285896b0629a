"""The labour-inspection pages after the walk review of issue 19: the plan on a phone in every language, the
XLSForm's translated labels, the ad flag's translated evidence, forms that tell every mistake at once and
confirm every save, wage and currency errors, the inspector's statistics and the public licence check."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.services import labour
from tests.conftest import Installation
from tests.integration.test_labour import World
from tests.support import client_for


@pytest.fixture
def world(inst: Installation) -> World:
    return World(inst)


def test_the_plan_is_a_list_with_the_inspect_link_first_and_reasons_joined_per_language(world: World) -> None:
    client = client_for(world.inst.settings, world.inspector)
    plan = labour.inspection_plan(world.db, world.inspector.actor)
    assert len(plan[0].reasons) >= 2
    en = client.get("/labour").text
    assert '<ol class="plan"' in en and "<table" not in en.split('id="plan"')[1].split("</section>")[0]
    item = en.split('class="plan-item"')[1]
    assert item.index("Inspect") < item.index("Hillside orchard")
    assert "Why: a sector GR38 names and never inspected" in en
    assert "The risk score adds 3 for a sector GR38 names" in en
    zh = client.get("/labour?lang=zh-Hant").text
    assert "和" in zh.split('class="plan-item"')[1].split("</li>")[0]
    ar = client.get("/labour?lang=ar").text
    assert " و" in ar.split('class="plan-item"')[1].split("</li>")[0]


def test_the_licence_flag_is_told_in_the_readers_language_with_the_day_it_took_effect_once_per_ad(
    world: World,
) -> None:
    from opennrm.recruitment.ads import JobAd
    from opennrm.services import ad_review
    from opennrm.services.parsing import parse
    from opennrm.web import formatting, i18n

    labour.change_licence(
        world.db,
        world.inspector.actor,
        world.licence,
        parse(
            labour.LicenceEventIn, {"status": "revoked", "effective_on": "2025-01-01", "decision_ref": "D-1"}
        ),
    )
    ads = [
        JobAd(id="a1", title="Orchard work", text="Golden Bridge Manpower Ltd, licence GB-1001, hires now"),
        JobAd(id="a2", title="Hotel work", text="Apply now, licence no. ZZ-9999"),
    ]
    scan = ad_review.store_scan(
        world.db,
        organisation_id=world.inspectorate,
        by=world.reviewer.actor.user_id,
        name="Crawl",
        model="test",
        scanned=[(ad, {"id": ad.id, "risk": 0.1, "flags": [], "lang": "en"}) for ad in ads],
    )
    flagged = {item.ad_ref: item for item in ad_review.ad_queue(world.db, world.reviewer.actor, scan).ads}
    one = ad_review.ad_detail(world.db, world.reviewer.actor, flagged["a1"].id)
    licence_flags = [f for f in one.flags if f.flag == "agency_licence"]
    assert len(licence_flags) == 1  # the agency and its licence number: one flag
    assert licence_flags[0].detail == {
        "case": "licence_not_in_force",
        "number": "GB-1001",
        "agency": "Golden Bridge Manpower Ltd",
        "status": "revoked",
        "since": "2025-01-01",
    }
    client = client_for(world.inst.settings, world.reviewer)
    en = client.get(f"/ads/{flagged['a1'].id}?lang=en").text
    assert "licence GB-1001 of Golden Bridge Manpower Ltd was revoked on Jan 1, 2025" in en
    for lang in ("ar", "zh-Hant"):
        with i18n.activated(lang):
            day = formatting.format_date("2025-01-01")
        page = client.get(f"/ads/{flagged['a1'].id}?lang={lang}").text
        assert day in page and "GB-1001" in page, lang
        assert "was revoked" not in page and " is revoked on " not in page, lang
        unknown = client.get(f"/ads/{flagged['a2'].id}?lang={lang}").text
        assert "ZZ-9999" in unknown and "is not in the registry" not in unknown, lang


def test_the_demo_scan_flags_the_ads_naming_the_demo_registrys_agencies(sqlite_inst: Installation) -> None:
    from opennrm.services import ad_review
    from opennrm.services.demo import create_demo_network, seed_demo_ad_scan, seed_demo_labour

    network = create_demo_network(sqlite_inst.db, "a long demo password")
    seed_demo_labour(sqlite_inst.db, network)
    inspectorate = network.organisations["Labour Inspectorate, Northern District"]
    scan = seed_demo_ad_scan(sqlite_inst.db, inspectorate, count=10, seed=4, agency_ads=True)
    reviewer = network.account("inspector")
    actor = Actor(
        reviewer.user_id,
        inspectorate,
        Role.AD_REVIEWER,
        enforcement=False,
        organisation_type="labour_inspectorate",
    )
    queue = ad_review.ad_queue(sqlite_inst.db, actor, scan).ads
    details = {}
    for ref in ("demo-licence-1", "demo-licence-2", "demo-licence-3"):
        found = [a for a in queue if a.ad_ref == ref]
        assert found, ref
        view = ad_review.ad_detail(sqlite_inst.db, actor, found[0].id)
        details[ref] = [f.detail for f in view.flags if f.flag == "agency_licence"]
    assert [(d["number"], d["status"]) for d in details["demo-licence-1"]] == [("SR-2002", "revoked")]
    assert [(d["number"], d["status"]) for d in details["demo-licence-2"]] == [("ES-3003", "suspended")]
    assert (
        details["demo-licence-1"][0]["since"]
        and details["demo-licence-1"][0]["since"] != dt.date.today().isoformat()
    )
    assert [d["case"] for d in details["demo-licence-3"]] == ["unknown_number"]


ORIGIN = {"Origin": "https://testserver"}


def test_a_new_licence_reports_every_mistake_at_once_with_its_dates_in_plain_words(world: World) -> None:
    from tests.support import csrf_of

    client = client_for(world.inst.settings, world.inspector)
    page = client.get(f"/labour/agencies/{world.agency}")
    csrf = csrf_of(page.text)
    post = {"csrf": csrf, "number": "", "issuing_authority": "Ministry", "issued_on": "2025-05-01"}
    bad = client.post(
        f"/labour/agencies/{world.agency}/licences", data={**post, "expires_on": "2025-04-01"}, headers=ORIGIN
    )
    assert bad.status_code == 422
    assert 'id="number-error"' in bad.text and 'id="expires_on-error"' in bad.text
    assert "The licence cannot expire before the day it was issued." in bad.text
    assert "expires_on is before issued_on" not in bad.text
    assert (
        f'action="/labour/agencies/{world.agency}/licences#errors"' in bad.text and 'id="errors"' in bad.text
    )
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    ahead = client.post(
        f"/labour/agencies/{world.agency}/licences",
        data={**post, "number": "GB-2002", "issued_on": future},
        headers=ORIGIN,
    )
    assert ahead.status_code == 422 and 'id="issued_on-error"' in ahead.text
    assert "The issue date cannot be in the future." in ahead.text
    # a change of status without its date: the error on the date field of that licence
    nodate = client.post(
        f"/labour/licences/{world.licence}/status",
        data={"csrf": csrf, "agency_id": world.agency, "status": "suspended"},
        headers=ORIGIN,
    )
    assert nodate.status_code == 422
    assert f'id="effective_on-{world.licence}-error"' in nodate.text
    assert f'href="#effective_on-{world.licence}"' in nodate.text
    assert '<details class="confirm">' in page.text


def test_an_error_on_the_inspection_page_brings_her_to_the_summary_of_the_form_that_failed(
    world: World,
) -> None:
    from tests.support import csrf_of

    inspection = world.inspect()
    client = client_for(world.inst.settings, world.inspector)
    page = client.get(f"/labour/inspections/{inspection}")
    csrf = csrf_of(page.text)
    for path in ("actions", "referrals"):
        assert f'action="/labour/inspections/{inspection}/{path}#errors"' in page.text
    bad = client.post(
        f"/labour/inspections/{inspection}/actions", data={"csrf": csrf, "kind": "fine"}, headers=ORIGIN
    )
    assert bad.status_code == 422 and bad.text.count('id="errors"') == 1 and 'href="#taken_on"' in bad.text
    made = client.post(
        f"/labour/inspections/{inspection}/actions",
        data={"csrf": csrf, "kind": "fine", "taken_on": dt.date.today().isoformat()},
        headers=ORIGIN,
    )
    assert made.status_code == 200
    action_id = made.text.split("/labour/actions/")[1].split("/")[0]
    # the outcome starts on "choose", not on an answer
    select = made.text.split(f'id="status-{action_id}"')[1].split("</select>")[0]
    assert '<option value="">' in select and "selected" not in select
    nothing = client.post(
        f"/labour/actions/{action_id}/outcome",
        data={"csrf": csrf, "inspection_id": inspection},
        headers=ORIGIN,
    )
    assert nothing.status_code == 422 and nothing.text.count('id="errors"') == 1
    assert f'id="status-{action_id}-error"' in nothing.text and f'id="on-{action_id}-error"' in nothing.text


def test_every_save_is_confirmed_and_the_referral_says_where_it_went(world: World) -> None:
    from tests.support import csrf_of

    client = client_for(world.inst.settings, world.inspector)
    csrf = csrf_of(client.get("/labour").text)
    today = dt.date.today().isoformat()

    def saved(path: str, data: dict[str, object], sentence: str) -> str:
        made = client.post(path, data={"csrf": csrf, **data}, headers=ORIGIN, follow_redirects=False)
        assert made.status_code == 303, (path, made.text.split("<ul>")[1][:500])
        page = client.get(made.headers["location"])
        assert f'<p class="flash" role="status">{sentence}' in page.text, path
        return str(made.headers["location"])

    where = saved(
        "/labour/inspections",
        {"workplace_id": world.workplace, "visited_on": today, "announced": "no", "women_met": "3"},
        "The inspection was saved.",
    )
    inspection = where.split("/labour/inspections/")[1].split("?")[0]
    saved(
        f"/labour/inspections/{inspection}/actions",
        {"kind": "advice", "taken_on": today},
        "The action was saved.",
    )
    action = labour.view_inspection(world.db, world.inspector.actor, inspection).actions[0].id
    saved(
        f"/labour/actions/{action}/outcome",
        {"inspection_id": inspection, "status": "complied", "on": today},
        "Where the action stands was saved.",
    )
    saved(
        f"/labour/agencies/{world.agency}/licences",
        {"number": "GB-3003", "issuing_authority": "Ministry", "issued_on": "2025-01-01"},
        "The licence was added to the registry.",
    )
    saved(
        f"/labour/licences/{world.licence}/status",
        {"agency_id": world.agency, "status": "suspended", "effective_on": today, "decision_ref": "D-9"},
        "The licence&#39;s new status was saved.",
    )
    case = saved(
        f"/labour/inspections/{inspection}/referrals",
        {"consent_given": "yes", "consent_language": "en", "service_id": world.shelter, "purpose": "Shelter"},
        "The referral was sent with her consent",
    )
    assert case.endswith("#h-referrals")
    shown = client.get(case).text
    assert shown.index('id="h-referrals"') < shown.index("Rose shelter")


def test_a_wage_or_currency_the_page_cannot_read_says_what_is_expected(world: World) -> None:
    from tests.support import csrf_of

    client = client_for(world.inst.settings, world.inspector)
    csrf = csrf_of(client.get("/labour/inspections/new").text)
    post = {
        "csrf": csrf,
        "workplace_id": world.workplace,
        "visited_on": dt.date.today().isoformat(),
        "announced": "no",
        "monthly_wage": "12,50abc",
        "minimum_wage": "12,50",
        "currency": "dollars",
        "women_met": "-1",
    }
    bad = client.post("/labour/inspections", data=post, headers=ORIGIN)
    assert bad.status_code == 422
    for name in ("monthly_wage", "minimum_wage"):
        error = bad.text.split(f'id="{name}-error">')[1].split("</p>")[0]
        assert error == "Enter the amount as a number, like 1250.50.", name
    assert (
        "three-letter currency code such as USD" in bad.text.split('id="currency-error">')[1].split("</p>")[0]
    )
    assert 'id="women_met-error"' in bad.text  # with every other mistake
    fee = client.post(
        f"/labour/agencies/{world.agency}/complaints",
        data={
            "csrf": csrf,
            "received_on": "2025-01-01",
            "source": "worker",
            "allegations": "deception",
            "fee_amount": "1.000,50",
            "fee_currency": "US",
        },
        headers=ORIGIN,
    )
    assert fee.status_code == 422
    assert 'id="fee_amount-error"' in fee.text and 'id="fee_currency-error"' in fee.text
    good = client.post(
        "/labour/inspections",
        data={**post, "monthly_wage": "1,250.50", "minimum_wage": "900", "currency": "usd", "women_met": "2"},
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert good.status_code == 303


def test_the_statistics_page_leads_a_labour_inspector_to_the_labour_figures(world: World) -> None:
    inspection = world.inspect()
    labour.refer_worker(world.db, world.inspector.actor, inspection, world.referral())
    client = client_for(world.inst.settings, world.inspector)
    stats = client.get("/statistics")
    assert stats.status_code == 200 and 'href="/labour/statistics"' in stats.text
    page = client.get("/labour/statistics")
    assert page.status_code == 200
    for part in (
        "Violations by recruitment agencies, by type",
        "Inspections and findings by sector",
        "Workers referred",
        "Agencies sanctioned",
        "documents held by the employer",
    ):
        assert part in page.text, part
    assert "<dd>&lt;11</dd>" in page.text and "<dd>1</dd>" not in page.text  # small cells hidden
    assert client.get(f"/labour/statistics?year={dt.date.today().year}").status_code == 200
    for lang in ("ar", "zh-Hant"):
        text = re.sub(r"<[^>]+>", " ", client.get(f"/labour/statistics?lang={lang}").text.split("<main")[1])
        assert not re.search(r"\b(?:Inspections|Violation|by type|sector|Workers)\b", text), lang
    caseworker = client_for(world.inst.settings, world.caseworker)
    assert 'href="/labour/statistics"' not in caseworker.get("/statistics").text


def test_the_public_check_warns_of_a_licence_not_in_force_asks_for_a_name_and_leads_to_help(
    world: World,
) -> None:
    from fastapi.testclient import TestClient

    from opennrm.services.parsing import parse
    from opennrm.web.app import create_app

    labour.change_licence(
        world.db,
        world.inspector.actor,
        world.licence,
        parse(
            labour.LicenceEventIn, {"status": "revoked", "effective_on": "2025-03-01", "decision_ref": "D-2"}
        ),
    )
    client = TestClient(create_app(world.inst.settings), base_url="https://testserver")
    page = client.post("/agencies/check/en", data={"q": "GB-1001"}, headers=ORIGIN).text
    card = page.split('class="card warning"')[1].split("</div>")[0]
    assert "Golden Bridge Manpower Ltd" in card and "Valid until" not in card
    assert 'href="/rights/en"' in card
    empty = client.post("/agencies/check/ar", data={"q": "  "}, headers=ORIGIN).text
    assert 'id="q-error"' in empty and 'aria-invalid="true"' in empty and 'id="h-results"' not in empty
    missing = client.post("/agencies/check/en", data={"q": "Blue Sky Jobs"}, headers=ORIGIN).text
    assert 'href="/rights/en"' in missing.split('id="h-results"')[1]
    ar = client.get("/agencies/check/ar").text
    assert "تحقّقي" in ar.split('<button type="submit">')[1].split("</button>")[0]
