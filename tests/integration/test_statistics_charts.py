"""The statistics page and the coordinator's dashboard draw their tables as charts (issue 13, item 7): an
SVG with a title and a description beside its table, a CSV of exactly what the page shows, filters by year
and region, every label in the reader's language, and nothing more for enforcement users than before."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient

from opennrm.services import statistics
from opennrm.services.demo import load_demo_cases
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.integration.test_statistics_protection import staff  # noqa: F401 - fixture
from tests.support import PASSWORD, StaffUser


def client_for(inst: Installation, user: StaffUser, lang: str = "en") -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    login = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        login["totp"] = user.code()
    assert client.post("/api/session", json=login).status_code == 201
    client.cookies.set("lang", lang)
    return client


def shown_tables(page: str) -> list[list[list[str]]]:
    """Every table body of the page: rows of [row label, figures...]."""
    tables = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        rows = []
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)])
        tables.append(rows)
    return tables


@pytest.fixture
def loaded(inst: Installation) -> Installation:
    load_demo_cases(inst.db, 150, organisation_ids=[inst.default_org], user_ids=[None], seed=6)
    statistics.VIEWS.clear()
    return inst


def test_smoke(loaded: Installation, staff: dict[str, StaffUser]) -> None:  # noqa: F811
    c = client_for(loaded, staff["liaison"])
    page = c.get("/statistics")
    print(page.text[:20000])
    assert page.status_code == 200
