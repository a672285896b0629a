"""A partner's web site may carry its own report form and call the public reporting API from its pages
(issue 15: "JSON API, public, for a reporting app or a partner's website"), but only the sites the
installation names, only those four routes, and never with cookies; every other API route still refuses a
request from another site."""

from __future__ import annotations

import dataclasses

import pytest
from fastapi.testclient import TestClient

from opennrm.config import ConfigurationError, Settings
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import make_org

PARTNER = "https://partner.example"
CROSS_SITE = {"Origin": PARTNER, "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def client(sqlite_inst: Installation) -> TestClient:
    make_org(sqlite_inst.db, "Helpline", "ngo")
    settings = dataclasses.replace(sqlite_inst.settings, report_origins=(PARTNER,))
    return TestClient(create_app(settings), base_url="https://testserver")


def test_a_named_partner_site_sends_a_report_from_its_page(client: TestClient) -> None:
    preflight = client.options(
        "/api/reports",
        headers={
            **CROSS_SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == PARTNER
    assert "access-control-allow-credentials" not in preflight.headers
    sent = client.post(
        "/api/reports", json={"text": "They keep our passports.", "locale": "en"}, headers=CROSS_SITE
    )
    assert sent.status_code == 201 and sent.json()["receipt"]
    assert sent.headers["access-control-allow-origin"] == PARTNER
    read = client.post("/api/reports/access", json={"receipt": sent.json()["receipt"]}, headers=CROSS_SITE)
    assert read.status_code == 200 and read.headers["access-control-allow-origin"] == PARTNER


def test_another_site_or_another_route_is_refused(client: TestClient) -> None:
    stranger = {"Origin": "https://stranger.example", "Sec-Fetch-Site": "cross-site"}
    refused = client.post("/api/reports", json={"text": "spam", "locale": "en"}, headers=stranger)
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    # the partner reaches the reporting channel only: a staff route still refuses it
    login = client.post("/api/session", json={"username": "x", "password": "y"}, headers=CROSS_SITE)
    assert login.status_code == 403 and "access-control-allow-origin" not in login.headers


def test_without_partner_sites_no_page_elsewhere_may_send_a_report(sqlite_inst: Installation) -> None:
    make_org(sqlite_inst.db, "Helpline", "ngo")
    client = TestClient(create_app(sqlite_inst.settings), base_url="https://testserver")
    refused = client.post("/api/reports", json={"text": "help", "locale": "en"}, headers=CROSS_SITE)
    assert refused.status_code == 403 and "access-control-allow-origin" not in refused.headers
    # a reporting app (not a browser: no Origin, no Sec-Fetch-Site) is not a page from another site
    assert client.post("/api/reports", json={"text": "help", "locale": "en"}).status_code == 201


@pytest.mark.parametrize(
    "value", ["partner.example", "https://partner.example/form", "ftp://partner.example"]
)
def test_a_partner_site_that_is_not_an_origin_stops_the_start(value: str) -> None:
    with pytest.raises(ConfigurationError, match="OPENNRM_REPORT_ORIGINS"):
        Settings.from_env({"OPENNRM_HOME": "/tmp/x", "OPENNRM_REPORT_ORIGINS": value})
