"""Page objects: what a caseworker sees and does, so tests read as her steps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support import StaffUser


@dataclass
class LoginPage:
    page: Page
    base: str

    def open(self) -> LoginPage:
        self.page.goto(f"{self.base}/login")
        return self

    def log_in(self, username: str, password: str, code: str) -> CaseListPage:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_label("One-time code from your authenticator app").fill(code)
        self.page.get_by_role("button", name="Log in").click()
        expect(self.page.get_by_role("heading", name="Your tasks")).to_be_visible()  # a caseworker's home
        self.page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases", exact=True).click()
        expect(self.page.get_by_role("heading", name="Cases")).to_be_visible()
        return CaseListPage(self.page, self.base)

    def error(self) -> str:
        return self.page.get_by_role("alert").inner_text()


@dataclass
class CaseListPage:
    page: Page
    base: str

    def new_case(self) -> IntakePage:
        self.page.get_by_role("link", name="New case").click()
        expect(self.page.get_by_role("heading", name="New case")).to_be_visible()
        return IntakePage(self.page, self.base)

    def codes(self) -> list[str]:
        return self.page.locator("table.list tbody td:first-child a").all_inner_texts()

    def search(self, code: str) -> CaseListPage:
        self.page.get_by_label("Survivor code").fill(code)
        self.page.get_by_role("button", name="Filter").click()
        return self


@dataclass
class IntakePage:
    page: Page
    base: str

    def fill(self, **fields: str) -> IntakePage:
        labels = {
            "given_name": "Given name",
            "family_name": "Family name",
            "age": "Age when trafficked",
            "citizenship": "Citizenship",
            "place": "Place (encrypted)",
            "note": "First note (encrypted)",
            "birth_date": "Birth date",
        }
        for key, value in fields.items():
            if key == "citizenship":  # a picker: the code is stored, the name shown
                self.page.get_by_label(labels[key], exact=True).select_option(value)
            else:
                self.page.get_by_label(labels[key], exact=True).fill(value)
        return self

    def choose_exploitation(self, label: str) -> IntakePage:
        self.page.get_by_label(label, exact=True).check()
        return self

    def save(self) -> CaseView:
        self.page.get_by_role("button", name="Save case").click()
        return CaseView(self.page, self.base)

    def field_error(self, field_id: str) -> str:
        return self.page.locator(f"#{field_id}-error").inner_text()


@dataclass
class CaseView:
    page: Page
    base: str

    def code(self) -> str:
        return self.page.get_by_role("heading", level=1).inner_text().removeprefix("Case ").strip()

    def text(self) -> str:
        return self.page.locator("main").inner_text()

    def add_note(self, text: str) -> CaseView:
        self.page.get_by_label("Add a note").fill(text)
        self.page.get_by_role("button", name="Save note").click()
        return self

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)


# -- in any language -------------------------------------------------------------------------------------

LANGUAGES = (
    "en",
    "ar",
    "zh-Hant",
)  # the acceptance languages of issues 13 and 14: English, right to left, CJK


def translated(tag: str, message: str) -> str:
    """``message`` as the catalogue of ``tag`` gives it."""
    from opennrm.web import i18n

    with i18n.activated(tag):
        return i18n.gettext(message)


def log_in(page: Page, base: str, user: StaffUser, tag: str) -> None:
    """A fresh session of ``user`` with the interface in ``tag`` (by the form's ids, so any language)."""
    from tests.support import PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base}/login?lang={tag}")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    if user.totp_secret:
        page.fill("#totp", user.code())
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("form.who")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == tag
