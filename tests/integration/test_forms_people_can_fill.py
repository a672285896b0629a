"""Forms people can fill (issue 13, item 6): countries and languages picked by their names in the reader's
language with the ISO codes stored; intake lists every error at once, each at its field; her language is
filled in on the referral form; the referral form shows, before anything is sent, exactly what the service
will see. On SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from opennrm.services import cases, consent
from opennrm.store.tables import AuditEvent, Referral
from opennrm.web import negotiation, pickers
from tests.integration.test_journey_pages import World, _hooks, csrf_of, text_of, world  # noqa: F401


def test_pickers_name_codes_in_the_readers_language() -> None:
    french = dict(pickers.country_names("fr"))
    assert french["DE"] == "Allemagne" and french["NG"] == "Nigeria"
    assert dict(pickers.country_names("zh-Hant"))["NG"] == "奈及利亞"
    assert dict(pickers.language_names("ar"))["en"] == "الإنجليزية"
    names = [name for _, name in pickers.country_names("en")]
    assert names == sorted(names, key=str.casefold)


def test_intake_with_pickers_stores_codes_and_lists_every_error_at_once(world: World) -> None:  # noqa: F811 - the fixture imported above
    amina = world.client()
    form = amina.get("/cases/new", headers={"accept-language": "fr"}).text
    assert (
        '<option value="NG" >Nigeria</option>' in form
        and '<select id="citizenship-2" name="citizenship"' in form
    )
    assert '<select id="languages" name="languages"' in form and '<select id="event_country"' in form
    bad = amina.post(
        "/cases/new",
        data={
            "csrf": csrf_of(form),
            "birth_date": "2999-01-01",
            "age_at_trafficking": "-4",
            "citizenship": ["NG", "ZZ"],
            "event_start": "2020-02-02",
            "event_end": "2019-01-01",
        },
    )
    assert bad.status_code == 422
    summary = bad.text[bad.text.index('class="error-summary"') : bad.text.index("</div>")]
    for field in ("birth_date", "age_at_trafficking", "citizenship", "event_start"):
        assert f'href="#{field}"' in summary, field
        assert f'aria-invalid="true" aria-describedby="{field}-error' in bad.text, field
    assert '<option value="ZZ" selected>ZZ</option>' in bad.text  # what she chose is kept to correct
    saved = amina.post(
        "/cases/new",
        data={
            "csrf": csrf_of(form),
            "citizenship": ["NG", "RO"],
            "languages": ["en", ""],
            "event_country": "IT",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    case_id = saved.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    view = cases.view_case(world.inst.db, world.users["amina"].actor, case_id)
    assert view.case["citizenship"] == ["NG", "RO"] and view.case["languages"] == ["en"]
    assert view.case["events"][0]["country"] == "IT"
    amina.cookies.set(negotiation.COOKIE, "zh-Hant")
    page = amina.get(f"/cases/{case_id}").text  # the case page shows the names, in the reader's language
    assert "奈及利亞" in page and "羅馬尼亞" in page and "義大利" in page


def test_her_language_is_filled_in_on_the_referral_form(world: World) -> None:  # noqa: F811 - the fixture imported above
    amina = world.client()
    case_id = world.case()  # she speaks Arabic
    page = amina.get(f"/cases/{case_id}/referrals/new").text
    assert '<option value="ar" selected>' in page
    chosen = amina.get(f"/cases/{case_id}/referrals/new?need=shelter&language=en").text
    assert '<option value="en" selected>' in chosen and '<option value="ar" selected>' not in chosen


def test_the_referral_form_shows_exactly_what_the_service_will_see_before_sending(world: World) -> None:  # noqa: F811 - the fixture imported above
    amina = world.client()
    case_id = world.case()
    raw = {"purposes": ["referral"], "recipient_organisation_ids": [world.orgs["shelter"]], "language": "ar"}
    consent.record_consent(world.inst.db, world.users["amina"].actor, case_id, consent.parse_consent(raw))
    form = amina.get(f"/cases/{case_id}/referrals/new?need=shelter&language=ar")
    data = {
        "csrf": csrf_of(form.text),
        "need": "shelter",
        "language": "ar",
        "service_id": world.shelter_service,
        "urgency": "urgent",
        "purpose": "A safe place tonight",
        "action": "preview",
    }
    preview = amina.post(f"/cases/{case_id}/referrals/new", data=data)
    assert preview.status_code == 200
    section = preview.text[preview.text.index('id="preview"') : preview.text.index("</section>")]
    shown = text_of(section)
    # a shelter needs her given name and phone (NEED_TO_KNOW), with the survivor code, purpose and urgency
    assert "Mariam" in shown and "+44 7700 900123" in shown and "A safe place tonight" in shown
    assert "Haddad" not in shown and "Family name" not in shown  # not what a shelter needs
    # and, said before sending, what it reads of her case record as well (the receiver's case fields)
    assert all(label in shown for label in ("Age when trafficked", "Languages", "Trafficking status"))
    code = cases.view_case(world.inst.db, world.users["amina"].actor, case_id).survivor_code
    assert code in shown
    assert re.search(rf'value="{world.shelter_service}" checked', preview.text)  # the choice is kept
    with world.inst.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 0  # nothing was sent
        assert session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "referral.preview")
        )
    sent = amina.post(
        f"/cases/{case_id}/referrals/new",
        data={**data, "csrf": csrf_of(preview.text), "action": "send"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    receiver = world.client("rose")
    seen = text_of(receiver.get(sent.headers["location"].split("?")[0]).text)
    assert "Mariam" in seen and "+44 7700 900123" in seen and "Haddad" not in seen
