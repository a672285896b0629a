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

# the signal exchange takes a JSON Lines file as its body (POST /api/signals/exchange): sent as text
schemathesis.serializer.alias("application/x-ndjson", "text/plain")


def _fuzz(app, headers: dict[str, str], only_ads: bool = False) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Every operation (or only the job-ad ones), up to the example budget each; returns (operations, calls)."""
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    if only_ads:
        operations = [o for o in operations if o.path.startswith(("/api/ad-scans", "/api/ads"))]
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
    return len(operations), calls


def _bearer(app, username: str, totp_secret: str | None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    client = TestClient(app, base_url="https://testserver")
    assert totp_secret
    login = {"username": username, "password": PASSWORD, "totp": pyotp.TOTP(totp_secret).now()}
    return {"Authorization": f"Bearer {client.post('/api/session', json=login).json()['token']}"}


def test_no_server_errors_and_no_ignored_credentials(sqlite_inst: Installation, capsys) -> None:  # type: ignore[no-untyped-def]
    make_org(sqlite_inst.db, "Safe Harbour")
    make_org(sqlite_inst.db, "Rose Shelter", "shelter")
    user = make_user(sqlite_inst.db, "amina", "Safe Harbour", "supervisor")
    from opennrm.services.cases import intake as do_intake

    do_intake(sqlite_inst.db, user.actor, intake())
    app = create_app(sqlite_inst.settings)
    operations, calls = _fuzz(app, _bearer(app, "amina", user.totp_secret))
    with capsys.disabled():
        print(
            f"\nschemathesis: {operations} operations, up to {EXAMPLES_PER_OPERATION} examples each, "
            f"{calls} calls, 0 failures"
        )
    assert calls >= operations


def test_the_job_ad_operations_as_a_reviewer_with_a_scan(sqlite_inst: Installation, capsys) -> None:  # type: ignore[no-untyped-def]
    """As the role that reaches them, so fuzzed input goes past the access check into the handlers."""
    from opennrm.services.demo import seed_demo_ad_scan

    inspectorate = make_org(sqlite_inst.db, "Labour Inspectorate", "labour_inspectorate")
    user = make_user(sqlite_inst.db, "inspector", "Labour Inspectorate", "ad_reviewer")
    seed_demo_ad_scan(sqlite_inst.db, inspectorate, count=30, seed=2)
    app = create_app(sqlite_inst.settings)
    operations, calls = _fuzz(app, _bearer(app, "inspector", user.totp_secret), only_ads=True)
    with capsys.disabled():
        print(f"\nschemathesis (job ads, as a reviewer): {operations} operations, {calls} calls, 0 failures")
    assert operations == 9 and calls >= operations
