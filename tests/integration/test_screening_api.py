"""POST /api/screenings and `opennrm screen` take the same input and return the same result; the API stores
the screening on the case, encrypted and audited; the form asks plain questions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.screening import screen
from opennrm.store.tables import AuditEvent, Screening
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, make_org, make_user

VIGNETTE = {
    "age": 24,
    "exploitation_form": "labour",
    "acts": ["recruitment", "transportation"],
    "means": ["deception", "abuse_of_vulnerability"],
    "purposes": ["forced_labour"],
    "indicators": ["DR01", "EXP01", "CD03", "AVD01"],
    "context": {"consented_to_work": True, "cooperating_with_authorities": False},
}


@pytest.fixture
def client(inst: Installation) -> TestClient:
    return TestClient(create_app(inst.settings), base_url="https://testserver")


def logged_in(
    inst: Installation,
    client: TestClient,
    username: str = "amina",
    role: str = "caseworker",
    org: str = "Safe Harbour",
    org_type: str = "ngo",
) -> None:
    make_org(inst.db, org, org_type)
    user = make_user(inst.db, username, org, role, enforcement=org_type == "immigration_service")
    body = {"username": username, "password": PASSWORD}
    if user.totp_secret:
        body["totp"] = user.code()
    assert client.post("/api/session", json=body).status_code == 201


def new_case(client: TestClient) -> str:
    return str(client.post("/api/cases", json={"case": {"age_at_trafficking": 24}}).json()["id"])


def test_api_result_equals_the_cli_result_and_is_stored_encrypted(
    inst: Installation, client: TestClient, tmp_path: Path
) -> None:
    logged_in(inst, client)
    case_id = new_case(client)
    response = client.post(f"/api/screenings?case_id={case_id}&lang=zh-Hant", json=VIGNETTE)
    assert response.status_code == 201, response.text
    source = tmp_path / "input.json"
    source.write_text(json.dumps(VIGNETTE))
    _register()
    cli = CliRunner().invoke(app, ["screen", str(source), "--lang", "zh-Hant"])
    assert cli.exit_code == 0, cli.output
    assert response.json() == json.loads(cli.stdout) == screen(VIGNETTE, lang="zh-Hant")
    with inst.db.transaction() as s:
        stored = s.execute(select(Screening)).scalar_one()
        assert stored.case_id == case_id and stored.presumed_victim == response.json()["presumed_victim"]
        assert b"DR01" not in stored.record_enc
        actions = [e.action for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars()]
    assert actions[-1] == "screening.create"


def test_invalid_screening_input_is_a_422_naming_the_field(inst: Installation, client: TestClient) -> None:
    logged_in(inst, client)
    case_id = new_case(client)
    for body, field in (
        ({**VIGNETTE, "indicators": ["XX99"]}, "indicators"),
        ({**VIGNETTE, "shoe_size": 38}, "shoe_size"),
        ({**VIGNETTE, "age": -3}, "age"),
        ({"age": 20}, "exploitation_form"),
    ):
        response = client.post(f"/api/screenings?case_id={case_id}", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field
    with inst.db.transaction() as s:
        assert s.execute(select(Screening)).first() is None


def test_cooperation_with_authorities_never_changes_the_decision(
    inst: Installation, client: TestClient
) -> None:
    logged_in(inst, client)
    case_id = new_case(client)
    results = []
    for cooperating in (True, False):
        body = {
            **VIGNETTE,
            "context": {"consented_to_work": cooperating, "cooperating_with_authorities": cooperating},
        }
        result = client.post(f"/api/screenings?case_id={case_id}", json=body).json()
        results.append({k: v for k, v in result.items() if k != "input"})
    assert results[0] == results[1]


def test_enforcement_users_cannot_screen_or_see_screenings(inst: Installation, client: TestClient) -> None:
    logged_in(inst, client)
    case_id = new_case(client)
    other = TestClient(create_app(inst.settings), base_url="https://testserver")
    logged_in(inst, other, "liaison", "enforcement_liaison", "Border Agency", "immigration_service")
    assert other.post(f"/api/screenings?case_id={case_id}", json=VIGNETTE).status_code == 403
    assert other.get(f"/cases/{case_id}/screening").status_code == 403


def test_the_screening_form_asks_plain_questions_and_shows_the_explanation(
    inst: Installation, client: TestClient
) -> None:
    logged_in(inst, client)
    case_id = new_case(client)
    page = client.get(f"/cases/{case_id}/screening?section=2")  # the guided form's first dimension
    assert page.status_code == 200
    assert 'name="q-DR01" value="not_asked" checked' in page.text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert csrf
    form = {
        "csrf": csrf.group(1),
        "age": "24",
        "exploitation_form": "labour",
        "q-DR01": "yes",
        "q-EXP01": "yes",
        "q-CD03": "yes",
        "q-AVD01": "no",
        "acts": ["recruitment"],
        "means": ["deception"],
        "purposes": ["forced_labour"],
        "action": "screen",  # the guided form's last button; every posted answer counts
    }
    done = client.post(f"/cases/{case_id}/screening", data=form, follow_redirects=False)
    assert done.status_code == 303
    result = client.get(done.headers["location"])
    assert result.status_code == 200 and "Presumed victim of trafficking." in result.text
    bad = client.post(f"/cases/{case_id}/screening", data={**form, "age": "-3"})
    assert bad.status_code == 422 and 'role="alert"' in bad.text
