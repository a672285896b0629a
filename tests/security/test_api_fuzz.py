"""schemathesis over the whole OpenAPI schema, in process, with a fixed example budget reported in the output:
0 server errors and 0 responses that ignore missing or wrong credentials."""

from __future__ import annotations

import os

import pyotp
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth

from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, intake, make_org, make_user

EXAMPLES_PER_OPERATION = int(os.environ.get("OPENNRM_FUZZ_EXAMPLES", "60"))


def test_no_server_errors_and_no_ignored_credentials(sqlite_inst: Installation, capsys) -> None:  # type: ignore[no-untyped-def]
    make_org(sqlite_inst.db, "Safe Harbour")
    make_org(sqlite_inst.db, "Rose Shelter", "shelter")
    user = make_user(sqlite_inst.db, "amina", "Safe Harbour", "supervisor")
    from opennrm.services.cases import intake as do_intake

    do_intake(sqlite_inst.db, user.actor, intake())
    app = create_app(sqlite_inst.settings)
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url="https://testserver")
    assert user.totp_secret
    login = {"username": "amina", "password": PASSWORD, "totp": pyotp.TOTP(user.totp_secret).now()}
    token = client.post("/api/session", json=login).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}

    operations = [result.ok() for result in schema.get_all_operations()]
    calls = 0
    for operation in operations:
        if operation.path in {"/api/session"} and operation.method.upper() == "DELETE":
            continue  # logging out would end the fuzzing session; covered by test_auth

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=[not_a_server_error, ignored_auth])

        run()
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations, up to {EXAMPLES_PER_OPERATION} examples each, "
            f"{calls} calls, 0 failures"
        )
    assert calls >= len(operations)
