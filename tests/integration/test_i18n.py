"""Every page in every language: ``<html lang dir>`` right for the language (Arabic right to left), no
English left in a translated page, the switcher on every page and its choice kept, and the "Know your rights"
leaflet in all seven locales without log-in (issue 6; DESIGN rights invariant 8)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import update

from opennrm.domain.services import ReferralRequest
from opennrm.services import cases, consent, directory, referrals, screenings
from opennrm.services.parsing import parse
from opennrm.store.tables import User
from opennrm.web import formatting, i18n, negotiation
from opennrm.web.app import create_app
from opennrm.web.pages.public import RIGHTS_FILE
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, fill_path, intake, make_org, make_user, page_paths

LOCALES = i18n.UN_LANGUAGES
HTML_TAG = re.compile(r"<html lang=\"([^\"]+)\" dir=\"([^\"]+)\">")
SCREENING = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment", "transportation"],
    "means": ["deception"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
}


@pytest.fixture(autouse=True)
def _hooks() -> Iterator[None]:
    yield


@dataclass
class World:
    inst: Installation
    amina: StaffUser
    coordinator: StaffUser
    ids: dict[str, str]

    def client(self, user: StaffUser | None = None) -> TestClient:
        client = TestClient(create_app(self.inst.settings), base_url="https://testserver")
        if user is not None:
            login = {"username": user.username, "password": PASSWORD, "totp": user.code()}
            assert client.post("/api/session", json=login).status_code == 201
        return client


HOTLINE = "+44 800 555 0138"
NO_HOTLINE = (
    "No hotline has been set up here yet. Any health worker, social worker or women's organisation can help "
    "you find support."
)


@pytest.fixture
def world(sqlite_inst: Installation) -> World:
    db = sqlite_inst.db
    make_org(db, "Safe Harbour")
    shelter_org = make_org(db, "Rose Shelter", "shelter")
    make_org(db, "NRM Secretariat", "nrm_secretariat")
    amina = make_user(db, "amina", "Safe Harbour", "caseworker")
    coordinator = make_user(db, "coord", "NRM Secretariat", "nrm_coordinator")
    case_id = cases.intake(db, amina.actor, intake())
    screening_id, _ = screenings.screen_case(db, amina.actor, case_id, SCREENING)
    service = directory.add_service(
        db,
        parse(
            directory.ServiceEntry,
            {
                "name": "Rose shelter",
                "service_type": "shelter",
                "languages": ["ar", "en"],
                "place": "Northtown",
            },
        ),
        organisation_id=shelter_org,
    )
    consent.record_consent(
        db,
        amina.actor,
        case_id,
        consent.parse_consent(
            {"purposes": ["referral"], "recipient_organisation_ids": [shelter_org], "language": "ar"}
        ),
    )
    sent = referrals.send_referral(
        db,
        amina.actor,
        case_id,
        ReferralRequest.model_validate({"service_id": service, "purpose": "Safe place"}),
    )
    ids = {"case_id": case_id, "screening_id": screening_id, "referral_id": sent.id, "service_id": service}
    sqlite_inst.settings = replace(sqlite_inst.settings, hotline=HOTLINE)
    return World(sqlite_inst, amina, coordinator, ids)


def english_leaks(html: str, tag: str) -> list[str]:
    """Sentences of the English source that show untranslated in a page of ``tag``."""
    if tag == "en":
        return []
    language = i18n.language(tag)
    assert language.catalogue is not None
    with language.catalogue.open("rb") as handle:
        catalogue = read_po(handle)
    text = re.sub(r"<[^>]+>", " ", html)
    return [
        str(m.id)
        for m in catalogue
        if isinstance(m.id, str) and len(m.id.split()) >= 3 and m.string != m.id and m.id in text
    ]


@pytest.mark.parametrize("tag", LOCALES)
def test_every_page_has_the_lang_and_dir_of_its_language(world: World, tag: str) -> None:
    direction = "rtl" if tag == "ar" else "ltr"
    checked: list[str] = []
    for user in (world.amina, world.coordinator):
        client = world.client(user)
        client.cookies.set(negotiation.COOKIE, tag)
        for path in page_paths(client.app):  # type: ignore[arg-type]
            response = client.get(fill_path(path, {**world.ids, "locale": tag}), follow_redirects=False)
            if response.status_code in (303, 307, 308):
                continue
            assert response.headers["content-type"].startswith("text/html"), path
            found = HTML_TAG.search(response.text)
            assert found, path
            assert found.groups() == (tag, direction), (path, found.groups())
            assert response.headers["content-language"] == tag
            leaks = english_leaks(response.text, tag)
            assert not leaks, f"{path} in {tag} shows English: {leaks[:3]}"
            checked.append(path)
    assert len(checked) >= 20
    for must in (
        "/cases",
        "/cases/new",
        "/cases/{case_id}",
        "/cases/{case_id}/screening",
        "/referrals",
        "/rights/{locale}",
    ):
        assert must in checked


@pytest.mark.parametrize("tag", LOCALES)
def test_error_pages_and_the_login_page_speak_the_visitors_language(world: World, tag: str) -> None:
    client = world.client()
    accept = {"accept-language": f"{tag};q=0.9, en;q=0.1"}
    login = client.get("/login", headers=accept)
    assert HTML_TAG.search(login.text).groups()[0] == tag  # type: ignore[union-attr]
    with i18n.activated(tag):
        assert f"<h1>{i18n.gettext('Log in')}</h1>" in login.text
        missing = world.client(world.amina).get("/no-such-page", headers=accept)
        assert missing.status_code == 404
        assert f"<h1>{i18n.gettext('Not found')}</h1>" in missing.text
        assert HTML_TAG.search(missing.text).groups()[0] == tag  # type: ignore[union-attr]


def test_the_switcher_changes_the_language_and_remembers_it(world: World) -> None:
    client = world.client(world.amina)
    page = client.get("/cases?status=new&page=1", headers={"accept-language": "fr"})
    assert '<html lang="fr" dir="ltr">' in page.text
    links = dict(re.findall(r'<a href="([^"]+)" lang="([^"]+)" hreflang', page.text))
    assert set(links.values()) == set(LOCALES)
    arabic = next(href for href, tag in links.items() if tag == "ar").replace("&amp;", "&")
    assert arabic == "?status=new&page=1&lang=ar"  # query only: resolved against the page itself
    switched = client.get("/cases" + arabic, headers={"accept-language": "fr"})
    assert '<html lang="ar" dir="rtl">' in switched.text
    cookie = switched.headers["set-cookie"].lower()
    assert "lang=ar" in cookie and "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    later = client.get(f"/cases/{world.ids['case_id']}", headers={"accept-language": "fr"})
    assert '<html lang="ar" dir="rtl">' in later.text  # the switcher's choice beats Accept-Language
    again = client.get("/cases?lang=zh-Hant")
    assert '<html lang="zh-Hant" dir="ltr">' in again.text and "lang=zh-Hant" in again.headers["set-cookie"]
    ignored = client.get("/cases?lang=xx-evil")
    assert "set-cookie" not in ignored.headers and '<html lang="zh-Hant"' in ignored.text


def test_the_chosen_language_follows_the_user_to_another_device(world: World) -> None:
    def next_device() -> TestClient:
        # a later log-in: a one-time code is accepted once, so let its time step pass
        with world.inst.db.transaction() as session:
            session.execute(update(User).where(User.username == "amina").values(totp_last_step=None))
        return world.client(world.amina)

    first = world.client(world.amina)
    assert '<html lang="ar" dir="rtl">' in first.get("/cases?lang=ar").text
    elsewhere = next_device()  # a new browser: no language cookie, a French browser
    page = elsewhere.get("/cases", headers={"accept-language": "fr"})
    assert '<html lang="ar" dir="rtl">' in page.text
    elsewhere.get("/cases?lang=es")
    assert '<html lang="es"' in next_device().get("/cases").text
    stranger = world.client(world.coordinator)  # her choice is hers alone
    assert '<html lang="fr"' in stranger.get("/dashboard", headers={"accept-language": "fr"}).text


def test_vocabulary_labels_dates_and_numbers_follow_the_language(world: World) -> None:
    client = world.client(world.amina)
    client.cookies.set(negotiation.COOKIE, "es")
    listing = client.get("/cases")
    assert "trabajo forzoso" in listing.text and "forced labour" not in listing.text
    view = client.get(f"/cases/{world.ids['case_id']}")
    assert "retención de documentos" in view.text and "withholds documents" not in view.text
    with i18n.activated("es"):
        assert formatting.format_date(world_identified_on(world)) in view.text
    form = client.get("/cases/new")
    assert ">matrimonio forzado</label>" in form.text.replace("> matrimonio", ">matrimonio")


def world_identified_on(world: World) -> str:
    view = cases.view_case(world.inst.db, world.amina.actor, world.ids["case_id"])
    return str(view.case["identified_on"])


# -- the public leaflet --------------------------------------------------------------------------------


@pytest.mark.parametrize("tag", LOCALES)
def test_the_rights_leaflet_is_public_in_every_language(world: World, tag: str) -> None:
    (world.inst.settings.home / RIGHTS_FILE).write_text(
        "services:\n"
        "  - name: {en: Rose shelter, ar: مأوى الوردة, zh-Hant: 玫瑰庇護所}\n"
        "    phone: '+44 20 7946 0000'\n"
        "    hours: Day and night\n",
        encoding="utf-8",
    )
    response = world.client().get(f"/rights/{tag}")
    assert response.status_code == 200
    assert HTML_TAG.search(response.text).groups() == (tag, "rtl" if tag == "ar" else "ltr")  # type: ignore[union-attr]
    assert "set-cookie" not in response.headers and response.headers["cache-control"] == "no-store"
    html = response.text
    with i18n.activated(tag):
        for sentence in (
            "Know your rights",
            "Help with no conditions",
            "Free legal aid:",
            "Justice and compensation",
        ):
            assert i18n.gettext(sentence) in html
        assert (
            i18n.gettext(
                "You do not have to go to the police to get help. Shelter, health care and advice do not depend on reporting anyone or giving evidence."
            )
            in html
        )
        assert (
            i18n.gettext(
                "Asking for help will not be reported to immigration authorities. The services that help you do not share your information with immigration enforcement."
            )
            in html
        )
    assert world.inst.settings.hotline in html and 'href="tel:' in html
    assert {"ar": "مأوى الوردة", "zh-Hant": "玫瑰庇護所"}.get(tag, "Rose shelter") in html
    assert re.search(r'<a class="quick-exit" href="https://[^"]+" rel="noreferrer noopener">', html)
    assert '<script src="/static/quick-exit.js" defer></script>' in html
    assert "<script>" not in html and " on" + "click=" not in html
    assert not english_leaks(html, tag)
    others = re.findall(r'<a href="/rights/([^"]+)" lang=', html)
    assert sorted(others) == sorted(LOCALES)


def test_the_leaflet_address_finds_the_visitors_language(world: World) -> None:
    client = world.client()
    for header, expected in [
        ("zh-TW,zh;q=0.8", "zh-Hant"),
        ("ar-SA", "ar"),
        ("de-DE, ru;q=0.5", "ru"),
        ("de", "en"),
    ]:
        response = client.get("/rights", headers={"accept-language": header}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, f"/rights/{expected}")
        assert "Accept-Language" in response.headers["vary"]
    assert client.get("/rights/zh-tw", follow_redirects=False).headers["location"] == "/rights/zh-Hant"
    assert client.get("/rights/FR", follow_redirects=False).headers["location"] == "/rights/fr"
    assert client.get("/rights/klingon", follow_redirects=False).headers["location"] == "/rights"
    assert client.get("/rights/..%2Fetc", follow_redirects=False).status_code in (303, 404)


def test_the_leaflet_shows_the_hotline_even_when_the_services_file_is_broken(world: World) -> None:
    (world.inst.settings.home / RIGHTS_FILE).write_text("services: [{phone: 1}]", encoding="utf-8")
    html = world.client().get("/rights/fr").text
    assert world.inst.settings.hotline in html
    with i18n.activated("fr"):
        assert i18n.gettext("Ask the hotline for services near you.") in html


def test_the_quick_exit_script_is_served_from_this_site(world: World) -> None:
    script = world.client().get("/static/quick-exit.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "location.replace(" in script.text and "Escape" in script.text


def test_with_no_hotline_configured_the_leaflet_says_so_plainly(sqlite_inst: Installation) -> None:
    """Fail closed: never a placeholder number a woman in danger might call (issue 21.11)."""
    assert sqlite_inst.settings.hotline is None
    client = TestClient(create_app(sqlite_inst.settings), base_url="https://testserver")
    for tag in LOCALES:
        html = client.get(f"/rights/{tag}").text
        assert 'href="tel:' not in html and "0000" not in html
        with i18n.activated(tag):
            assert i18n.gettext(NO_HOTLINE) in html
