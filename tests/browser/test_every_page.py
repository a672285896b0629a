"""Every page a user of each role can reach, in English, Arabic and Traditional Chinese, in Chromium (issue 13):
the user logs in, and the test follows the links of her menu and of every page it reaches (one page of each
kind: the same path with another record's id is the same page), runs axe-core on each and requires 0 serious
or critical violations. The caseworker's round starts on a case with something on every page of the hub
(consent, referral, identification, non-punishment, entitlements, hand-over). The login page and the rights
leaflet are checked before log-in. On a Traditional Chinese page, no text may be an English sentence of the
catalogue (a string shown without its translation); the page weight stays under 200 KB.

One installation (tests/browser/world.py) and one server serve every case of the module."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, BrowserContext, Page

from opennrm.access.roles import Role
from opennrm.web import i18n, negotiation
from tests.browser.conftest import VIEWPORT
from tests.browser.pages import LANGUAGES, log_in
from tests.browser.test_languages import AXE, MAX_PAGE_BYTES, WireMeter, axe_violations, direction
from tests.browser.world import World, built
from tests.conftest import serving
from tests.support import StaffUser

# one worker runs the whole module: its installation and server are built once
pytestmark = pytest.mark.browser


def half(i: int) -> pytest.MarkDecorator:
    """The walks are the suite's longest work: split between two test workers (each builds its own world),
    so that neither waits on a single worker doing all of them."""
    return pytest.mark.xdist_group(f"every_page_{i % 2}")


REPO = Path(__file__).resolve().parents[2]
POT = REPO / "src" / "opennrm" / "web" / "translations" / "messages.pot"
MAX_PAGES_PER_ROLE = 40
ID_SEGMENT = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f-]{27}|S-[A-Z0-9]+|\d+|[0-9a-f]{16,}|[A-Za-z0-9_-]{22,})$")
NAMED_BY_DATA = {"accounts"}  # segments after these name a record by its data (an account number), not an id
KEPT_QUERY_VALUES = {"view", "direction", "need"}  # query parameters that make another kind of page
SKIPPED = re.compile(r"^/(?:api|static|logout)(?:/|$)|\.(?:pdf|xlsx)$|/print/|/statement$|/document$")

# axe's findings by (language, page kind, the page's element types): a page that another role already
# reached with the same kinds of elements is not checked again (the module's rounds share it)
CHECKED: dict[tuple[str, str, str], list[dict[str, object]]] = {}
SIGNATURE = """() => Array.from(new Set(Array.from(document.querySelectorAll('body *'), e =>
    [e.tagName, e.getAttribute('class') || '', e.getAttribute('role') || '', e.getAttribute('type') || '',
     e.hasAttribute('aria-invalid') ? 'invalid' : ''].join('.')))).sort().join(' ')"""


def kind(url: str) -> str:
    """What kind of page a URL opens: its path with record ids (and locales) replaced, and the query
    parameters that change what the page is."""
    parts = urlsplit(url)
    tags = set(i18n.available())
    path = parts.path.split("/")
    segments = [
        "{id}" if ID_SEGMENT.match(s) or before in NAMED_BY_DATA else "{locale}" if s in tags else s
        for before, s in zip(["", *path], path, strict=False)
    ]
    query = sorted(f"{k}={v}" for k, v in parse_qsl(parts.query) if k in KEPT_QUERY_VALUES)
    return "/".join(segments) + ("?" + "&".join(query) if query else "")


def english_sentences() -> set[str]:
    """The catalogue's English messages of two words or more, without placeholders."""
    with POT.open("rb") as handle:
        catalogue = read_po(handle)
    found: set[str] = set()
    for message in catalogue:
        text = message.id if isinstance(message.id, str) else message.id[0]
        if text and "%(" not in text and len(text.split()) >= 2 and re.search(r"[a-z]", text):
            found.add(text)
    return found


def english_left(page: Page, sentences: set[str]) -> list[str]:
    """Texts on the page (outside elements marked as another language) that are English catalogue
    sentences: shown without their translation."""
    texts: list[str] = page.evaluate(
        """() => {
            const out = [];
            const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const owner = node.parentElement;
                if (!owner || owner.closest('[lang]:not(html)') || owner.closest('script,style')) continue;
                const text = node.textContent.trim();
                if (text) out.push(text);
            }
            for (const el of document.querySelectorAll('[aria-label],[title],input[placeholder]')) {
                for (const a of ['aria-label', 'title', 'placeholder']) {
                    const v = el.getAttribute(a); if (v) out.push(v.trim());
                }
            }
            return out;
        }"""
    )
    return sorted({t for t in texts if t in sentences or t.rstrip(":") in sentences})


@dataclass
class Round:
    """One user's walk through the pages she can reach, in one language."""

    page: Page
    base: str
    tag: str
    sentences: set[str]
    axe: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    english: dict[str, list[str]] = field(default_factory=dict)
    seen: dict[str, str] = field(default_factory=dict)  # kind → the URL checked
    hidden: tuple[str, ...] = ()  # what no page may show (the world's cross-organisation link)
    leaks: dict[str, list[str]] = field(default_factory=dict)

    def check(self, url: str) -> None:
        self.page.goto(url)
        where = kind(self.page.url.removeprefix(self.base))
        html = self.page.content()
        shown = [h for h in self.hidden if h in html]
        if shown:
            self.leaks[where] = shown
        assert self.page.locator("html").get_attribute("lang") == self.tag, url
        assert direction(self.page) == ("rtl" if self.tag == "ar" else "ltr"), url
        key = (self.tag, where, str(self.page.evaluate(SIGNATURE)))
        if key not in CHECKED:
            CHECKED[key] = axe_violations(self.page)
        self.axe[where] = CHECKED[key]
        if self.tag == "zh-Hant":
            left = english_left(self.page, self.sentences)
            if left:
                self.english[where] = left

    def links(self) -> list[str]:
        hrefs: list[str] = self.page.evaluate(
            """() => Array.from(document.querySelectorAll('a[href]'))
                .filter(a => !a.closest('nav.langs') && !a.hasAttribute('download') && !a.hasAttribute('hreflang'))
                .map(a => a.href)"""
        )
        return [h.split("#")[0] for h in hrefs if h.startswith(self.base)]

    def walk(self, starts: list[str]) -> None:
        queue = list(starts)
        while queue and len(self.seen) < MAX_PAGES_PER_ROLE:
            url = queue.pop(0)
            path = url.removeprefix(self.base)
            if SKIPPED.search(urlsplit(path).path) or "lang=" in path:
                continue
            public = ("/rights/", "/report/")  # public pages carry their language in the address
            if path.startswith(public) and not path.startswith(tuple(p + self.tag for p in public)):
                continue
            if kind(path) in self.seen:
                continue
            self.check(url)
            self.seen[kind(path)] = path
            self.seen.setdefault(kind(self.page.url.removeprefix(self.base)), path)  # after redirects
            queue.extend(self.links())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with built(tmp_path_factory.mktemp("world") / "home") as made:
        yield made


@pytest.fixture(scope="module")
def server(world: World) -> Iterator[str]:
    with serving(world.settings) as base:
        yield base


@pytest.fixture(scope="module")
def sentences() -> set[str]:
    return english_sentences()


def _context(browser: Browser, base: str, tag: str) -> BrowserContext:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")  # type: ignore[arg-type]
    context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": base}])
    return context


class Sessions:
    """One logged-in browser session per user for the whole module: a one-time code is accepted once."""

    def __init__(self, browser: Browser, base: str) -> None:
        self.browser, self.base = browser, base
        self.pages: dict[str, Page] = {}

    def page(self, user: StaffUser, tag: str = "en") -> Page:
        if user.username not in self.pages:
            page = _context(self.browser, self.base, "en").new_page()
            log_in(page, self.base, user, "en")
            self.pages[user.username] = page
        page = self.pages[user.username]
        page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": self.base}])
        return page

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture(scope="module")
def sessions(server: str, chromium: Browser) -> Iterator[Sessions]:
    made = Sessions(chromium, server)
    yield made
    made.close()


def _require_axe() -> None:
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (run `npm ci` in the repository; the Makefile does)"
        if os.environ.get("OPENNRM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


def _report(rounds: list[Round]) -> None:
    failures = {f"{r.tag} {where}": found for r in rounds for where, found in r.axe.items() if found}
    english = {f"{r.tag} {where}": left for r in rounds for where, left in r.english.items()}
    leaks = {f"{r.tag} {where}": shown for r in rounds for where, shown in r.leaks.items()}
    assert not leaks, f"a page shows a cross-organisation link (issue 16): {leaks}"
    assert not failures, failures
    assert not english, f"English left on Traditional Chinese pages: {english}"


@pytest.mark.parametrize("tag", [pytest.param(t, marks=half(i)) for i, t in enumerate(LANGUAGES)])
def test_login_and_the_rights_leaflet_before_log_in(
    server: str, chromium: Browser, sentences: set[str], tag: str
) -> None:
    _require_axe()
    context = _context(chromium, server, tag)
    page = context.new_page()
    meter = WireMeter(page)
    walk = Round(page, server, tag, sentences)
    walk.check(f"{server}/login")
    walk.check(f"{server}/rights/{tag}")
    walk.check(f"{server}/report/{tag}")  # the anonymous report form and the way back (issue 15)
    walk.check(f"{server}/report/{tag}/follow-up")
    context.close()
    _report([walk])
    assert meter.heaviest().bytes < MAX_PAGE_BYTES


@pytest.mark.parametrize("role", [pytest.param(r, id=r.value, marks=half(i)) for i, r in enumerate(Role)])
def test_every_page_of_each_role_is_accessible_in_three_languages(
    world: World, server: str, sessions: Sessions, sentences: set[str], role: Role
) -> None:
    """The user walks from her home and her menu through every page she can reach, in each language."""
    _require_axe()
    page = sessions.page(world.user(role))
    meter = WireMeter(page)
    page.goto(f"{server}/")
    starts = [page.url]
    starts += [
        server + href
        for href in page.locator("header nav a").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    ]
    # her case: the hub and every page of it for the caseworker and her supervisor, a refusal for others
    starts.insert(0, f"{server}/cases/{world.case_id}")
    if role is Role.SERVICE_PROVIDER:
        starts.insert(0, f"{server}/referrals/{world.referral_id}")
    rounds: list[Round] = []
    for tag in LANGUAGES:
        page.context.add_cookies([{"name": negotiation.COOKIE, "value": tag, "url": server}])
        walk = Round(page, server, tag, sentences, hidden=world.hidden)
        # the pages found in the first language are the pages of the others
        walk.walk(starts if not rounds else [server + path for path in rounds[0].seen.values()])
        rounds.append(walk)
    page.context.add_cookies([{"name": negotiation.COOKIE, "value": "en", "url": server}])
    counts = {r.tag: len(r.seen) for r in rounds}
    print(f"{role.value}: pages checked per language {counts}: {sorted(rounds[0].axe)}")
    assert len(set(counts.values())) == 1, counts  # the same pages in every language
    _report(rounds)
    heaviest = meter.heaviest()
    assert heaviest.bytes < MAX_PAGE_BYTES, f"{heaviest.url} weighs {heaviest.bytes} bytes"


# -- every form shows its errors ----------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    """One form given bad input: where it is (``{case}`` etc. are the world's ids), who opens it, what is
    typed (``selector → value``; checkboxes given ``False`` are unticked), the fields that must be marked,
    and what must still be there afterwards."""

    name: str
    path: str
    role: Role | None  # None: logged out; Role.CASEWORKER with member=True: the clinic's panel member
    form: str
    typed: tuple[tuple[str, str | bool], ...]
    fields: tuple[str, ...]
    kept: tuple[tuple[str, str], ...] = ()
    member: bool = False


FORMS: tuple[BadInput, ...] = (
    BadInput(
        "anonymous report",
        "/report/en",
        None,
        "form[action='/report/en']",
        (("#text", ""), ("#region", "North Valley")),
        ("text",),
        kept=(("#region", "North Valley"),),
    ),
    BadInput(
        "login",
        "/login",
        None,
        "form[action='/login']",
        (("#username", "amina"), ("#password", "not her password"), ("#totp", "123456")),
        ("username", "password", "totp"),
        kept=(("#username", "amina"),),
    ),
    BadInput(
        "intake",
        "/cases/new",
        Role.CASEWORKER,
        "form[action='/cases/new']",
        (("#given_name", "Mariam"), ("#birth_date", "2999-01-01")),
        ("birth_date",),
        kept=(("#given_name", "Mariam"),),
    ),
    BadInput(
        "screening",
        "/cases/{case}/screening",
        Role.CASEWORKER,
        "form[action*='/screening']",
        (("#age", "-4"),),
        ("age",),
        kept=(("#age", "-4"),),
    ),
    BadInput(
        "consent",
        "/cases/{case}/consents",
        Role.CASEWORKER,
        "form[action$='/consents']",
        (("#expires_on", "2001-01-01"), ("#basis", "She said yes at the clinic.")),
        ("purposes", "expires_on"),
        kept=(("#expires_on", "2001-01-01"),),
    ),
    BadInput(
        "referral",
        "/cases/{case}/referrals/new?need=shelter",
        Role.CASEWORKER,
        "form[method=post][action$='/referrals/new']",
        (("#urgency", "urgent"), ("#purpose", "")),
        ("purpose",),
        kept=(("#urgency", "urgent"),),
    ),
    BadInput(
        "entitlements",
        "/cases/{case}/entitlements",
        Role.CASEWORKER,
        "form[action$='/entitlements']",
        (("#reflection_days", "3"),),
        ("reflection_days",),
        kept=(("#reflection_days", "3"),),
    ),
    BadInput(
        "dependant",
        "/cases/{case}/return",
        Role.CASEWORKER,
        "form[action$='/dependants']",
        (("#given_name", "Ada"), ("#age", "7")),
        ("relationship",),
        kept=(("#given_name", "Ada"), ("#age", "7")),
    ),
    BadInput(
        "directory entry",
        "/directory/new",
        Role.SUPERVISOR,
        "form[action='/directory/new']",
        (("#name", "Night shelter"), ("#capacity", "-1")),
        ("capacity",),
        kept=(("#name", "Night shelter"),),
    ),
    BadInput(
        "identification panel",
        "/cases/{unconvened_case}/identification",
        Role.CASEWORKER,
        "form[action$='/identification/panel']",
        (),
        ("organisation_ids",),
    ),
    BadInput(
        "identification decision",
        "/cases/{case}/identification",
        Role.CASEWORKER,
        "form[action$='/identification/decisions']",
        (("#reasons", ""), ("#dissent", "One member saw no coercion.")),
        ("reasons",),
        kept=(("#dissent", "One member saw no coercion."),),
        member=True,
    ),
    BadInput(
        "reconsideration",
        "/cases/{decided_case}/identification",
        Role.CASEWORKER,
        "form[action$='/identification/reconsiderations']",
        (("#grounds", ""),),
        ("grounds",),
    ),
    BadInput(
        "non-punishment",
        "/cases/{case}/non-punishment",
        Role.CASEWORKER,
        "form[action$='/non-punishment']",
        (("#jurisdiction", "Magistrates' court"), ("input[name=consent]", False)),
        ("consent",),
        kept=(("#jurisdiction", "Magistrates' court"),),
    ),
    BadInput(
        "hand-over document",
        "/cases/{case}/handover",
        Role.CASEWORKER,
        "form[action$='/handover']",
        (),
        ("fields",),
    ),
    BadInput(
        "ads upload",
        "/ads",
        Role.AD_REVIEWER,
        "form[action='/ads']",
        (("#name", "Crawl of 1 May"),),
        ("file",),
        kept=(("#name", "Crawl of 1 May"),),
    ),
    BadInput(
        "inspection",
        "/labour/inspections/new",
        Role.LABOUR_INSPECTOR,
        "form[action='/labour/inspections']",
        (("#women_met", "-1"),),
        ("workplace_id", "women_met"),
        kept=(("#women_met", "-1"),),
    ),
    BadInput(
        "hotline contact",
        "/hotline",
        Role.HOTLINE_OPERATOR,
        "form[action='/hotline']",
        (
            ("input[name=channel][value=call]", True),
            ("input[name=contact_type][value=data]", True),
            ("#people_at_risk", "-3"),
            ("#phone", "call me maybe"),
        ),
        ("people_at_risk", "phone"),
        kept=(("#phone", "call me maybe"),),
    ),
    BadInput(
        "financial investigation",
        "/finance",
        Role.FINANCIAL_INVESTIGATOR,
        "form[action='/finance']",
        (("#title", "   "),),
        ("title",),
    ),
    BadInput(
        "allocation from confiscated proceeds",
        "/remedies/{claim}",
        Role.CASEWORKER,
        "form[action$='/proceeds']",
        (("#proceeds_amount", "12.50"),),
        ("confiscation", "proceeds_on"),
        kept=(("#proceeds_amount", "12.50"),),
    ),
    BadInput(
        "recruitment agency",
        "/labour/agencies",
        Role.LABOUR_INSPECTOR,
        "form[action='/labour/agencies']",
        (("#country", "Z9"),),
        ("name", "country"),
        kept=(("#country", "Z9"),),
    ),
    BadInput(
        "notification preferences",
        "/notifications",
        Role.CASEWORKER,
        "form[action='/notifications/preferences']",
        (("#email", "not an address"),),
        ("email",),
        kept=(("#email", "not an address"),),
    ),
)


@pytest.mark.parametrize("bad", [pytest.param(f, id=f.name, marks=half(i)) for i, f in enumerate(FORMS)])
def test_every_form_shows_its_errors_marks_its_fields_and_keeps_the_input(
    world: World, server: str, chromium: Browser, sessions: Sessions, bad: BadInput
) -> None:
    if bad.role is None:
        context = _context(chromium, server, "en")
        page = context.new_page()
    else:
        page = sessions.page(world.member if bad.member else world.user(bad.role))
    try:
        page.goto(server + bad.path.format(**world.ids))
        form = page.locator(bad.form).first
        form.evaluate("f => { f.noValidate = true; }")  # the server's checks, not the browser's
        for selector, value in bad.typed:
            target = form.locator(selector).first
            if isinstance(value, bool):
                target.set_checked(value)
            elif target.evaluate("e => e.tagName") == "SELECT":
                target.select_option(value)
            else:
                target.fill(value)
        # a form may send itself a moment later (the report form first solves its proof of work)
        with page.expect_navigation(timeout=60_000):
            form.locator("button[type=submit]").first.click()
        page.wait_for_load_state()
        problems = page.evaluate(
            """(fields) => {
                const out = [];
                const summary = document.querySelector('.error-summary[role=alert]');
                if (!summary) out.push('no error summary (.error-summary with role=alert)');
                for (const name of fields) {
                    if (summary && !summary.querySelector(`a[href="#${name}"]`)) out.push(`${name}: no link in the summary`);
                    const el = document.getElementById(name);
                    if (!el) { out.push(`${name}: no element with this id`); continue; }
                    if (el.getAttribute('aria-invalid') !== 'true') out.push(`${name}: not aria-invalid`);
                    const said = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
                        .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent.trim()).join(' ');
                    if (!said) out.push(`${name}: aria-describedby names no message`);
                }
                return out;
            }""",
            list(bad.fields),
        )
        for selector, value in bad.kept:
            if page.locator(selector).first.input_value() != value:
                problems.append(f"{selector}: the typed {value!r} was not kept")
    finally:
        if bad.role is None:
            page.context.close()
    assert not problems, problems
