"""The whole journey in the browser's pages (issue 13): her consent recorded, seen and revoked on a page;
a refused referral leads to the consent form and back to the referral as it was; each role lands on its
work and sees only what it may use; refusals are plain sentences; the case page is the hub with the next
step; forms list every error at the top and say when something was saved."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opennrm.access.roles import Role
from opennrm.domain.services import ReferralRequest
from opennrm.services import admin, cases, consent, directory, referrals, screenings
from opennrm.services.parsing import parse
from opennrm.store.tables import ConsentRecord, Disclosure
from opennrm.web import formatting, i18n
from opennrm.web.app import create_app
from opennrm.web.pages.drafts import REFERRAL_DRAFT
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, csrf_of, intake, make_org, make_user

PRESUMED = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment"],
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
    users: dict[str, StaffUser]
    orgs: dict[str, str]
    shelter_service: str

    def client(self, who: str = "amina") -> TestClient:
        user = self.users[who]
        client = TestClient(create_app(self.inst.settings), base_url="https://testserver")
        login = {"username": user.username, "password": PASSWORD}
        if user.totp_secret:
            login["totp"] = user.code()
        assert client.post("/api/session", json=login).status_code == 201
        return client

    def case(self) -> str:
        return cases.intake(self.inst.db, self.users["amina"].actor, intake(case__languages=["ar"]))


@pytest.fixture
def world(inst: Installation) -> World:
    db = inst.db
    orgs = {
        "own": make_org(db, "Safe Harbour"),
        "shelter": make_org(db, "Rose Shelter", "shelter"),
        "clinic": make_org(db, "Riverside Clinic", "health_service"),
        "police": make_org(db, "City Police", "police"),
        "border": make_org(db, "Border Agency", "immigration_service"),
        "secretariat": make_org(db, "NRM Secretariat", "nrm_secretariat"),
        "inspectorate": make_org(db, "Labour Inspectorate", "labour_inspectorate"),
    }
    users = {
        "amina": make_user(db, "amina", "Safe Harbour", "caseworker"),
        "sara": make_user(db, "sara", "Safe Harbour", "supervisor"),
        "rose": make_user(db, "rose", "Rose Shelter", "service_provider"),
        "coord": make_user(db, "coord", "NRM Secretariat", "nrm_coordinator"),
        "analyst": make_user(db, "analyst", "NRM Secretariat", "analyst"),
        "liaison": make_user(db, "liaison", "City Police", "enforcement_liaison", enforcement=True),
        "reviewer": make_user(db, "reviewer", "Labour Inspectorate", "ad_reviewer"),
        "orgadmin": make_user(db, "orgadmin", "Rose Shelter", "org_admin"),
        "sysadmin": make_user(db, "sysadmin", "NRM Secretariat", "system_admin"),
    }
    service = directory.add_service(
        db,
        parse(
            directory.ServiceEntry,
            {
                "name": "Rose emergency shelter",
                "service_type": "shelter",
                "languages": ["ar"],
                "place": "Northtown",
            },
        ),
        organisation_id=orgs["shelter"],
    )
    return World(inst, users, orgs, service)


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


# -- 1. consent in the browser -------------------------------------------------------------------------


def test_the_consent_form_offers_no_enforcement_organisation_or_type(world: World) -> None:
    amina = world.client()
    case_id = world.case()
    page = amina.get(f"/cases/{case_id}/consents")
    assert page.status_code == 200
    html = page.text
    assert "Rose Shelter" in html and "Riverside Clinic" in html
    assert "City Police" not in html and "Border Agency" not in html
    assert world.orgs["police"] not in html and world.orgs["border"] not in html
    offered_types = set(re.findall(r'name="recipient_types" value="([a-z_]+)"', html))
    assert "shelter" in offered_types and not offered_types & {"police", "prosecution", "immigration_service"}
    # her language is picked by name, stored as its code: the case says she speaks Arabic
    assert re.search(r'<option value="ar" selected>Arabic</option>', html)
    french = amina.get(f"/cases/{case_id}/consents", headers={"accept-language": "fr"}).text
    assert '<option value="ar" selected>arabe</option>' in french
    assert "No consent is recorded yet." in html


def test_recording_consent_shows_it_active_with_a_success_message(world: World) -> None:
    amina = world.client()
    case_id = world.case()
    form = amina.get(f"/cases/{case_id}/consents").text
    saved = amina.post(
        f"/cases/{case_id}/consents",
        data={
            "csrf": csrf_of(form),
            "purposes": ["referral", "services"],
            "recipient_organisation_ids": [world.orgs["shelter"]],
            "recipient_types": ["health_service"],
            "language": "ar",
            "interpreter_used": "on",
            "given_by": "person",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/cases/{case_id}/consents?done=consent"
    page = amina.get(saved.headers["location"]).text
    assert 'role="status">Her consent was recorded.' in page
    listed = text_of(page)
    assert "active" in listed and "she herself" in listed and "with an interpreter" in listed
    assert "Rose Shelter" in listed and "health service" in listed and "referral to a service" in listed
    # the next step is one click away: her consent covers a referral
    assert f'<a class="button" href="/cases/{case_id}/referrals/new">Refer to a service</a>' in page
    stored = consent.list_consents(world.inst.db, world.users["amina"].actor, case_id)
    assert [(c["language"], c["status"], c["interpreter_used"]) for c in stored] == [("ar", "active", True)]


def test_a_wrong_consent_form_lists_every_error_at_the_top_and_records_nothing(world: World) -> None:
    amina = world.client()
    case_id = world.case()
    csrf = csrf_of(amina.get(f"/cases/{case_id}/consents").text)
    empty = amina.post(f"/cases/{case_id}/consents", data={"csrf": csrf, "expires_on": "someday"})
    assert empty.status_code == 422
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', empty.text, re.S)
    assert summary, "the error summary is at the top"
    assert empty.text.index("error-summary") < empty.text.index('<form method="post"')
    links = re.findall(r'<a href="#([a-z_]+)">', summary.group(0))
    assert set(links) == {"purposes", "language", "expires_on"}
    for name in links:
        assert f'id="{name}"' in empty.text and f'id="{name}-error"' in empty.text
        assert re.search(
            rf'id="{name}"[^>]*aria-invalid="true"[^>]*aria-describedby="{name}-error', empty.text
        )
    no_recipient = amina.post(
        f"/cases/{case_id}/consents", data={"csrf": csrf, "purposes": "referral", "language": "ar"}
    )
    assert no_recipient.status_code == 422
    assert 'href="#recipient_organisation_ids"' in no_recipient.text
    assert "Name the organisations, or the types of organisation" in no_recipient.text
    adult_bid = amina.post(
        f"/cases/{case_id}/consents",
        data={
            "csrf": csrf,
            "purposes": "statistics",
            "language": "ar",
            "given_by": "best_interests_determination",
            "basis": "She cannot be asked.",
        },
    )
    assert adult_bid.status_code == 422 and 'href="#given_by"' in adult_bid.text
    forced = amina.post(  # an enforcement organisation posted by hand is refused, never recorded
        f"/cases/{case_id}/consents",
        data={
            "csrf": csrf,
            "purposes": "referral",
            "language": "ar",
            "recipient_organisation_ids": world.orgs["border"],
        },
    )
    assert forced.status_code == 422
    assert "Enforcement organisations never receive her details" in forced.text
    with world.inst.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ConsentRecord)) == 0
    forged = amina.post(f"/cases/{case_id}/consents", data={"csrf": "forged", "purposes": "statistics"})
    assert forged.status_code == 403


def test_revoking_asks_first_then_ends_every_sharing_at_once(world: World) -> None:
    amina, rose = world.client(), world.client("rose")
    case_id = world.case()
    consent_id = consent.record_consent(
        world.inst.db,
        world.users["amina"].actor,
        case_id,
        consent.parse_consent(
            {
                "purposes": ["referral"],
                "recipient_organisation_ids": [world.orgs["shelter"]],
                "language": "ar",
            }
        ),
    )
    referrals.send_referral(
        world.inst.db,
        world.users["amina"].actor,
        case_id,
        ReferralRequest.model_validate({"service_id": world.shelter_service, "purpose": "Safe place"}),
    )
    assert rose.get(f"/cases/{case_id}").status_code == 200
    listing = amina.get(f"/cases/{case_id}/consents").text
    confirm_url = f"/cases/{case_id}/consents/{consent_id}/revoke"
    assert f'href="{confirm_url}"' in listing
    confirm = amina.get(confirm_url)
    assert confirm.status_code == 200
    assert (
        "It takes effect at once" in confirm.text
        and "Open referrals that rest on this consent end" in confirm.text
    )
    assert consent.list_consents(world.inst.db, world.users["amina"].actor, case_id)[0]["status"] == "active"
    revoked = amina.post(confirm_url, data={"csrf": csrf_of(confirm.text)}, follow_redirects=False)
    assert revoked.status_code == 303 and revoked.headers["location"].endswith("?done=revoked")
    assert "Every sharing that rested on it has ended." in amina.get(revoked.headers["location"]).text
    assert rose.get(f"/cases/{case_id}").status_code == 403  # at once
    with world.inst.db.transaction() as session:
        assert session.scalars(select(Disclosure.status)).all() == ["revoked"]
    assert "nothing to revoke" in amina.get(confirm_url).text
    other_case = world.case()
    assert amina.get(f"/cases/{other_case}/consents/{consent_id}/revoke").status_code == 404


@pytest.mark.parametrize("tag", i18n.UN_LANGUAGES)
def test_the_printable_consent_form_is_in_her_language(world: World, tag: str) -> None:
    amina = world.client()
    case_id = world.case()
    ends = dt.date.today() + dt.timedelta(days=200)
    consent_id = consent.record_consent(
        world.inst.db,
        world.users["amina"].actor,
        case_id,
        consent.parse_consent({"purposes": ["statistics"], "language": "ar", "expires_on": ends.isoformat()}),
    )
    page = amina.get(f"/cases/{case_id}/consents/print/{tag}?consent={consent_id}")
    assert page.status_code == 200
    assert f'<html lang="{tag}" dir="{"rtl" if tag == "ar" else "ltr"}">' in page.text
    with i18n.activated(tag):
        for sentence in (
            "Sharing your information: your consent",
            "Nothing is ever shared with the police, prosecutors or immigration authorities.",
            "You can change your mind at any time. Tell us, and we stop sharing at once.",
            "statistics",
        ):
            assert i18n.gettext(sentence) in unescape(page.text), sentence
        assert formatting.format_date(ends) in page.text
    blank = amina.get(f"/cases/{case_id}/consents/print/{tag}")
    assert blank.status_code == 200 and "☒" not in blank.text
    assert amina.get(f"/cases/{case_id}/consents/print/xx").status_code == 404


def test_a_refused_referral_leads_to_her_consent_and_back_to_the_referral_as_it_was(world: World) -> None:
    amina = world.client()
    case_id = world.case()
    form = amina.get(f"/cases/{case_id}/referrals/new?need=shelter&language=ar")
    assert "It will see:" in form.text and "Given name" in form.text  # before sending, what it will see
    refused = amina.post(
        f"/cases/{case_id}/referrals/new",
        data={
            "csrf": csrf_of(form.text),
            "need": "shelter",
            "language": "ar",
            "service_id": world.shelter_service,
            "urgency": "urgent",
            "purpose": "A safe place tonight",
        },
    )
    assert refused.status_code == 403
    top = refused.text.index('class="error-summary"')
    assert top < refused.text.index("1. Find a service")
    assert "No consent of hers is recorded yet." in refused.text
    assert REFERRAL_DRAFT in refused.headers["set-cookie"]
    assert "A safe place tonight" not in refused.headers["set-cookie"]  # encrypted
    link = re.search(
        r'<a class="button" href="([^"]+)">Record her consent for this organisation', refused.text
    )
    assert link
    consent_url = unescape(link.group(1))
    assert (
        consent_url
        == f"/cases/{case_id}/consents?recipient={world.orgs['shelter']}&purpose=referral&from=referral"
    )
    page = amina.get(consent_url).text
    assert re.search(rf'value="{world.orgs["shelter"]}" checked', page)
    assert re.search(r'name="purposes" value="referral" checked', page)
    saved = amina.post(
        f"/cases/{case_id}/consents",
        data={
            "csrf": csrf_of(page),
            "from": "referral",
            "purposes": "referral",
            "recipient_organisation_ids": world.orgs["shelter"],
            "language": "ar",
            "given_by": "person",
        },
        follow_redirects=False,
    )
    assert saved.headers["location"] == f"/cases/{case_id}/referrals/new?draft=1&done=consent"
    back = amina.get(saved.headers["location"])
    assert "Her consent was recorded." in back.text
    assert "A safe place tonight" in back.text
    assert re.search(rf'value="{world.shelter_service}" checked', back.text)
    assert re.search(r'<option value="urgent" selected>', back.text)
    assert "max-age=0" in back.headers["set-cookie"].lower()  # the draft is read once
    sent = amina.post(
        f"/cases/{case_id}/referrals/new",
        data={
            "csrf": csrf_of(back.text),
            "service_id": world.shelter_service,
            "urgency": "urgent",
            "purpose": "A safe place tonight",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?done=referral")
    assert "The referral was sent." in amina.get(sent.headers["location"]).text
    hub = text_of(amina.get(f"/cases/{case_id}").text)
    assert "Rose emergency shelter" in hub and "sent" in hub


def test_a_draft_is_bound_to_its_user_and_case(world: World) -> None:
    amina, sara = world.client(), world.client("sara")
    case_id, other = world.case(), world.case()
    form = amina.get(f"/cases/{case_id}/referrals/new?need=shelter")
    amina.post(
        f"/cases/{case_id}/referrals/new",
        data={"csrf": csrf_of(form.text), "service_id": world.shelter_service, "purpose": "Secret words"},
    )
    cookie = amina.cookies.get(REFERRAL_DRAFT)
    assert cookie
    assert "Secret words" not in amina.get(f"/cases/{other}/referrals/new?draft=1").text
    sara.cookies.set(REFERRAL_DRAFT, cookie)
    assert "Secret words" not in sara.get(f"/cases/{case_id}/referrals/new?draft=1").text
    amina.cookies.set(REFERRAL_DRAFT, "garbage")
    assert amina.get(f"/cases/{case_id}/referrals/new?draft=1").status_code == 200


# -- 2. role-aware navigation --------------------------------------------------------------------------

HOMES = {
    "amina": "/tasks",
    "sara": "/tasks",
    "rose": "/referrals?direction=received",
    "coord": "/dashboard",
    "analyst": "/statistics",
    "liaison": "/statistics",
    "reviewer": "/ads",
    "orgadmin": "/users",
    "sysadmin": "/users",
}


@pytest.mark.parametrize("who", sorted(HOMES))
def test_each_role_lands_on_its_work_and_its_menu_offers_only_what_it_may_use(world: World, who: str) -> None:
    client = world.client(who)
    home = client.get("/", follow_redirects=False)
    assert home.headers["location"] == HOMES[who]
    landed = client.get(home.headers["location"])
    assert landed.status_code == 200, (who, landed.text[:300])
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', landed.text, re.S)
    assert nav
    targets = [unescape(h) for h in re.findall(r'href="([^"]+)"', nav.group(1))]
    assert targets and targets[0] == HOMES[who]
    for target in targets:
        assert client.get(target).status_code == 200, (who, target)
    role = world.users[who].actor.role
    assert ("/cases/new" in targets) == (role in (Role.CASEWORKER, Role.SUPERVISOR))
    assert ("/dashboard" in targets) == (role is Role.NRM_COORDINATOR)
    assert "/statistics" in targets
    assert ("/users" in targets) == (role in (Role.ORG_ADMIN, Role.SYSTEM_ADMIN))


def test_an_organisations_administrator_sees_her_organisations_accounts_and_no_secret(world: World) -> None:
    page = world.client("orgadmin").get("/users")
    assert page.status_code == 200
    own = {
        u.username for u in admin.list_users(world.inst.db) if u.organisation == page_org(world, "orgadmin")
    }
    listed = set(re.findall(r"<tr><td><bdi>([^<]+)</bdi>", page.text))
    assert listed == own and "orgadmin" in listed
    assert "totp" not in page.text.lower() and "$argon2" not in page.text
    assert world.client("amina").get("/users").status_code == 403
    everyone = set(re.findall(r"<tr><td><bdi>([^<]+)</bdi>", world.client("sysadmin").get("/users").text))
    assert everyone == {u.username for u in admin.list_users(world.inst.db)}


def page_org(world: World, who: str) -> str:
    """The name of the organisation a world's user belongs to."""
    org_id = world.users[who].actor.organisation_id
    return next(o.name for o in admin.list_organisations(world.inst.db) if o.id == org_id)


@pytest.mark.parametrize("who", ["coord", "analyst", "liaison", "reviewer"])
def test_a_refusal_is_a_plain_sentence_never_a_role_name(world: World, who: str) -> None:
    client = world.client(who)
    case_id = world.case()
    for path in ("/cases", "/cases/new", f"/cases/{case_id}", f"/cases/{case_id}/consents"):
        page = client.get(path)
        assert page.status_code == 403, (who, path)
        alert = re.search(r'<p role="alert">([^<]*)</p>', page.text)
        assert alert, (who, path)
        assert str(world.users[who].actor.role) not in alert.group(1) and "role" not in alert.group(1)
        assert "aggregates only" not in page.text and "firewall:" not in page.text
    french = client.get("/cases", headers={"accept-language": "fr"}).text
    with i18n.activated("fr"):
        expected = (
            "Your organisation never sees the records of individual people."
            if who == "liaison"
            else "Your work is with figures, not with the records of individual people: see the statistics."
        )
        assert i18n.gettext(expected) in unescape(french)


def test_a_new_case_form_is_refused_before_it_is_filled_in(world: World) -> None:
    rose = world.client("rose")
    assert rose.get("/cases/new").status_code == 403
    assert "Your account cannot open cases." in rose.get("/cases/new").text


# -- 3. the case page as the hub -----------------------------------------------------------------------


def test_the_case_page_shows_her_journey_and_the_next_step(world: World) -> None:
    amina = world.client()
    db, actor = world.inst.db, world.users["amina"].actor
    case_id = world.case()

    def next_step() -> tuple[str, str]:
        found = re.search(
            r'<p class="next-step"><a class="button" href="([^"]+)">([^<]+)</a>',
            amina.get(f"/cases/{case_id}").text,
        )
        assert found
        return unescape(found.group(1)), found.group(2)

    assert next_step() == (f"/cases/{case_id}/screening", "Screen her for indicators")
    screening_id, _ = screenings.screen_case(db, actor, case_id, PRESUMED)
    assert next_step() == (f"/cases/{case_id}/consents?purpose=referral", "Record her consent")
    consent.record_consent(
        db,
        actor,
        case_id,
        consent.parse_consent(
            {
                "purposes": ["referral"],
                "recipient_organisation_ids": [world.orgs["shelter"]],
                "language": "ar",
            }
        ),
    )
    assert next_step() == (f"/cases/{case_id}/referrals/new", "Presumed victim: refer her")
    referrals.send_referral(
        db,
        actor,
        case_id,
        ReferralRequest.model_validate({"service_id": world.shelter_service, "purpose": "Bed"}),
    )
    assert next_step() == (f"/referrals?case_id={case_id}", "Follow her referrals")
    page = text_of(amina.get(f"/cases/{case_id}").text)
    for section in ("Screenings", "Her consent", "Referrals", "Entitlements"):
        assert section in page
    assert "presumed victim" in page and "active" in page and "Rose emergency shelter" in page
    assert re.search(r"\d+ days left", page)
    assert f'href="/cases/{case_id}/screening/{screening_id}"' in amina.get(f"/cases/{case_id}").text
    result = amina.get(f"/cases/{case_id}/screening/{screening_id}").text
    assert f'<a class="button" href="/cases/{case_id}/referrals/new">Refer her now</a>' in result
    received = text_of(world.client("rose").get(f"/cases/{case_id}").text)
    assert (
        "Rose emergency shelter" in received
        and "Screenings" not in received
        and "Her consent" not in received
    )


# -- 4. forms people can fill --------------------------------------------------------------------------


def test_saves_say_so_and_withdrawing_a_referral_asks_first(world: World) -> None:
    amina = world.client()
    form = amina.get("/cases/new").text
    wrong = amina.post("/cases/new", data={"csrf": csrf_of(form), "birth_date": "2999-01-01"})
    assert wrong.status_code == 422
    assert re.search(r'class="error-summary" role="alert".*?<a href="#birth_date">', wrong.text, re.S)
    made = amina.post("/cases/new", data={"csrf": csrf_of(form), "given_name": "Ana"}, follow_redirects=False)
    assert made.headers["location"].endswith("?done=case")
    case_page = amina.get(made.headers["location"]).text
    assert 'role="status">The case was saved.' in case_page
    case_id = made.headers["location"].split("/")[2].split("?")[0]
    note = amina.post(
        f"/cases/{case_id}/notes",
        data={"csrf": csrf_of(case_page), "text": "Met her"},
        follow_redirects=False,
    )
    assert note.headers["location"] == f"/cases/{case_id}?done=note#notes"
    consent.record_consent(
        world.inst.db,
        world.users["amina"].actor,
        case_id,
        consent.parse_consent(
            {
                "purposes": ["referral"],
                "recipient_organisation_ids": [world.orgs["shelter"]],
                "language": "ar",
            }
        ),
    )
    sent = referrals.send_referral(
        world.inst.db,
        world.users["amina"].actor,
        case_id,
        ReferralRequest.model_validate({"service_id": world.shelter_service, "purpose": "Bed"}),
    )
    page = amina.get(f"/referrals/{sent.id}").text
    confirm = re.search(r'<details class="confirm">.*?</details>', page, re.S)
    assert confirm and "Withdrawing ends the referral at once" in confirm.group(0)
    assert 'action="/referrals/' + sent.id + '/revoke"' in confirm.group(0)
    withdrawn = amina.post(
        f"/referrals/{sent.id}/revoke", data={"csrf": csrf_of(page)}, follow_redirects=False
    )
    assert withdrawn.headers["location"] == f"/referrals/{sent.id}?done=referral-step"
    assert "The referral was updated." in amina.get(withdrawn.headers["location"]).text
    assert 'class="flash"' not in amina.get(f"/cases/{case_id}?done=unknown-flag").text
