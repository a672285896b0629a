"""The web app: no route but log-in, health and public pages answers without a session; every response
carries the security headers; errors are problem+json naming the field, with no trace or SQL."""

from __future__ import annotations

import dataclasses
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opennrm.store.tables import Case, Person
from opennrm.web.app import create_app
from opennrm.web.deps import COOKIE
from tests.conftest import Installation
from tests.support import PASSWORD, SAMPLE_ID, fill_path, make_org, make_user, served_routes

PUBLIC = {
    ("GET", "/api/health"),
    ("POST", "/api/session"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/"),
    ("GET", "/rights"),
    ("GET", "/rights/{locale}"),
    ("GET", "/favicon.ico"),
    # the public agency check (issue 19): no log-in, nothing kept
    ("GET", "/agencies/check"),
    ("GET", "/agencies/check/{locale}"),
    ("POST", "/agencies/check/{locale}"),
    ("POST", "/api/agencies/check"),
    # liveness and readiness for the operator's probes (issue 20; no personal data, docs/operations.md)
    ("GET", "/livez"),
    ("GET", "/readyz"),
    # the anonymous reporting channel (issue 15): no account, nothing about the sender kept
    ("GET", "/api/reports/challenge"),
    ("POST", "/api/reports"),
    ("POST", "/api/reports/access"),
    ("POST", "/api/reports/access/messages"),
    ("GET", "/report"),
    ("GET", "/report/{locale}"),
    ("POST", "/report/{locale}"),
    ("GET", "/report/{locale}/follow-up"),
    ("POST", "/report/{locale}/follow-up"),
    ("POST", "/report/{locale}/follow-up/message"),
}


def test_the_site_has_an_icon(client: TestClient) -> None:
    moved = client.get("/favicon.ico", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


@pytest.fixture
def client(inst: Installation) -> TestClient:
    return TestClient(create_app(inst.settings), base_url="https://testserver")


def routes(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, including routes of included routers."""
    found = served_routes(client.app)  # type: ignore[arg-type]
    assert len(found) >= 12
    return found


def log_in(inst: Installation, client: TestClient, role: str = "caseworker") -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "amina", "Safe Harbour", role)
    r = client.post("/api/session", json={"username": "amina", "password": PASSWORD, "totp": user.code()})
    assert r.status_code == 201, r.text


#: Routes that take no session but a token of their own: Prometheus metrics (ADR 0014), routed only when a
#: token is configured (tests/integration/test_operations.py).
TOKEN_ONLY = {("GET", "/metrics")}


def test_every_route_but_the_public_ones_needs_a_session(inst: Installation, client: TestClient) -> None:
    assert not TOKEN_ONLY & set(routes(client))  # no token configured: no metrics route at all
    with_token = TestClient(
        create_app(dataclasses.replace(inst.settings, metrics_token="m" * 40)), base_url="https://testserver"
    )
    assert set(routes(with_token)) == set(routes(client)) | TOKEN_ONLY
    for method, path in TOKEN_ONLY:
        refused = with_token.request(method, path)
        assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    checked = 0
    for method, path in routes(client):
        if (method, path) in PUBLIC:
            continue
        response = client.request(method, fill_path(path), follow_redirects=False)
        if path.startswith("/api/"):
            assert response.status_code == 401, (method, path)
            assert response.headers["content-type"] == "application/problem+json"
        else:
            assert response.status_code in (303, 401, 403), (method, path)
            if response.status_code == 303:
                assert response.headers["location"] == "/login"
        checked += 1
    assert checked >= 8


def test_a_forged_or_garbage_session_is_refused(client: TestClient) -> None:
    client.cookies.set(COOKIE, "forged-token")
    assert client.get("/api/cases").status_code == 401
    assert client.get("/api/cases", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_security_headers_on_every_route(inst: Installation, client: TestClient) -> None:
    log_in(inst, client)
    for method, path in [*routes(client), ("GET", "/static/opennrm.css"), ("GET", "/no-such-page")]:
        response = client.request(method, fill_path(path), follow_redirects=False)
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"], path
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        if not path.startswith("/static/"):
            assert headers["cache-control"] == "no-store", path


def test_session_cookie_is_host_only_http_only_secure_and_strict(
    inst: Installation, client: TestClient
) -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "amina", "Safe Harbour", "caseworker")
    r = client.post("/api/session", json={"username": "amina", "password": PASSWORD, "totp": user.code()})
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("__Host-")  # browsers then refuse it without Secure, with a Domain or off path /
    attributes = cookie.lower()
    assert "httponly" in attributes and "secure" in attributes and "samesite=strict" in attributes
    assert "path=/;" in attributes and "domain=" not in attributes
    gone = client.delete("/api/session")
    cleared = gone.headers["set-cookie"]
    assert cleared.startswith(f"{COOKIE}=") and "secure" in cleared.lower() and "max-age=0" in cleared.lower()


def test_log_in_needs_the_second_factor(inst: Installation, client: TestClient) -> None:
    make_org(inst.db, "Safe Harbour")
    make_user(inst.db, "amina", "Safe Harbour", "caseworker")
    r = client.post("/api/session", json={"username": "amina", "password": PASSWORD})
    assert r.status_code == 401
    r = client.post("/api/session", json={"username": "amina", "password": PASSWORD, "totp": "123456"})
    assert r.status_code == 401
    assert r.json()["detail"] == "username, password or one-time code not accepted"


def test_api_round_trip_and_problem_details(inst: Installation, client: TestClient) -> None:
    log_in(inst, client)
    bad = client.post("/api/cases", json={"case": {"events": [{"end_date": "2999-01-01"}]}})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["field"] == "case.events.0.end_date"
    elsewhere = client.post("/api/cases", json={"organisation": "Other NGO"})
    assert elsewhere.status_code == 422 and elsewhere.json()["field"] == "organisation"
    unknown = client.post("/api/cases", json={"case": {"police_cooperation": True}})
    assert unknown.status_code == 422 and unknown.json()["field"] == "case.police_cooperation"
    assert client.get("/api/cases?per_page=1000").json()["field"] == "per_page"
    assert client.get("/api/cases?sex=robot").json()["field"] == "sex"
    created = client.post("/api/cases", json={"person": {"given_name": "Ana"}, "notes": ["hello"]})
    assert created.status_code == 201
    case_id = created.json()["id"]
    assert client.get(f"/api/cases/{case_id}").json()["person"] == {"given_name": "Ana"}
    assert client.post(f"/api/cases/{case_id}/notes", json={"text": ""}).status_code == 422
    missing_field = client.post(f"/api/cases/{case_id}/notes", json={})
    assert missing_field.status_code == 422 and missing_field.json()["field"] == "text"
    oversize = client.post(f"/api/cases/{case_id}/notes", json={"text": "x" * 20_001})
    assert oversize.status_code == 422 and oversize.json()["field"] == "text"
    assert client.post(f"/api/cases/{case_id}/notes", json={"text": "second"}).status_code == 201
    missing = client.get(f"/api/cases/{SAMPLE_ID}")  # answered like a case outside her scope
    assert missing.status_code == 403 and missing.headers["content-type"] == "application/problem+json"
    items = client.get("/api/cases").json()["items"]
    assert [i["id"] for i in items] == [case_id]


def test_bad_input_writes_nothing_and_shows_no_trace_or_sql(inst: Installation, client: TestClient) -> None:
    log_in(inst, client)
    bodies = (
        {"case": 5},
        [],
        "x",
        {"notes": [None]},
        {"person": {"birth_date": "31/12/1990"}},
        {"person": {"given_name": "Ana"}, "case": {"events": [{"country": "QQ"}]}},
        {"person": {"address": "x" * 1001}},
    )
    for body in bodies:
        response = client.post("/api/cases", json=body)
        assert response.status_code == 422
        text = response.text
        assert "Traceback" not in text and "SELECT" not in text and "sqlalchemy" not in text.lower()
    with inst.db.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(Person)) == 0


def test_pages_render_for_a_logged_in_caseworker(inst: Installation, client: TestClient) -> None:
    log_in(inst, client)
    page = client.get("/cases/new")
    assert page.status_code == 200 and '<html lang="en" dir="ltr">' in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf
    made = client.post(
        "/cases/new",
        data={"csrf": csrf.group(1), "given_name": "Ana", "age_at_trafficking": "16"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    view = client.get(made.headers["location"])
    assert view.status_code == 200 and "Ana" in view.text
    listing = client.get("/cases")
    assert listing.status_code == 200 and "S-" in listing.text
    refused = client.post("/cases/new", data={"csrf": "forged", "given_name": "Eve"}, follow_redirects=False)
    assert refused.status_code == 403
    invalid = client.post("/cases/new", data={"csrf": csrf.group(1), "birth_date": "2999-01-01"})
    assert invalid.status_code == 422 and 'id="birth_date-error"' in invalid.text
    assert 'aria-describedby="birth_date-error"' in invalid.text


def test_openapi_schema_is_behind_a_session(inst: Installation, client: TestClient) -> None:
    assert client.get("/api/openapi.json").status_code == 401
    log_in(inst, client)
    schema = client.get("/api/openapi.json").json()
    assert "/api/cases" in schema["paths"]
