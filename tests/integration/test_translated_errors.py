"""What the services say about a form reaches the reader in her language (issue 21, item 6c): the intake
form's errors, the log-in refusal and the API's problem+json, in Arabic and Traditional Chinese, with the
values the English message carried (a date, a code) kept. On SQLite and PostgreSQL."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from opennrm.web import i18n, negotiation
from opennrm.web.app import create_app
from tests.integration.test_journey_pages import World, _hooks, csrf_of, world  # noqa: F401

EXPECTED = {
    "ar": {
        "future": "التاريخ 2999-01-01 في المستقبل",
        "order": "تاريخ النهاية (end_date) يسبق تاريخ البداية (start_date)",
        "login": "لم يُقبل اسم المستخدم أو كلمة المرور أو الرمز لمرة واحدة",
        "code": "لا يحمل رمز الناجية هذا أي شخص",
    },
    "zh-Hant": {
        "future": "日期 2999-01-01 尚未到來",
        "order": "結束日期（end_date）早於開始日期（start_date）",
        "login": "使用者名稱、密碼或一次性驗證碼未被接受",
        "code": "您可查閱的人之中沒有人使用此倖存者代碼",
    },
}


@pytest.mark.parametrize("tag", sorted(EXPECTED))
def test_the_intake_forms_errors_are_in_the_readers_language(world: World, tag: str) -> None:  # noqa: F811 - the fixture imported above
    amina = world.client()
    amina.cookies.set(negotiation.COOKIE, tag)
    form = amina.get("/cases/new").text
    bad = amina.post(
        "/cases/new",
        data={
            "csrf": csrf_of(form),
            "birth_date": "2999-01-01",
            "event_start": "2020-02-02",
            "event_end": "2019-01-01",
        },
    )
    assert bad.status_code == 422
    page = html.unescape(bad.text)
    assert EXPECTED[tag]["future"] in page
    assert EXPECTED[tag]["order"] in page
    assert "is in the future" not in page and "is before start_date" not in page


@pytest.mark.parametrize("tag", sorted(EXPECTED))
def test_the_log_in_refusal_is_in_the_readers_language(world: World, tag: str) -> None:  # noqa: F811 - the fixture imported above
    client = TestClient(create_app(world.inst.settings), base_url="https://testserver")
    client.cookies.set(negotiation.COOKIE, tag)
    answer = client.post(
        "/login",
        data={"username": "amina", "password": "not her password", "totp": ""},
        headers={"origin": "https://testserver"},
    )
    assert answer.status_code == 401
    assert EXPECTED[tag]["login"] in html.unescape(answer.text)


@pytest.mark.parametrize("tag", sorted(EXPECTED))
def test_problem_json_speaks_the_requests_language_and_keeps_the_field(world: World, tag: str) -> None:  # noqa: F811 - the fixture imported above
    amina = world.client()
    answer = amina.post(
        "/api/cases",
        json={"case": {"survivor_code": "S-NOBODY42"}},
        headers={"accept-language": tag},
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["content-language"] == tag
    body = answer.json()
    assert body["field"] == "case.survivor_code"
    assert EXPECTED[tag]["code"] in body["detail"]
    assert body["title"] == i18n.translations(tag).gettext("Invalid input") != "Invalid input"
    english = amina.post("/api/cases", json={"case": {"survivor_code": "S-NOBODY42"}}).json()
    assert english["title"] == "Invalid input" and english["detail"].startswith("no person you may read")
