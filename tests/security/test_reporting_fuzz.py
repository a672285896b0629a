"""schemathesis over the reporting routes (issue 15): the public ones without an account, the triage ones as a
caseworker of the receiving organisation with a report in the queue; 0 server errors, 0 responses that ignore
missing or wrong credentials."""

from __future__ import annotations

import dataclasses

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth

from opennrm.domain.reporting import ReportIn
from opennrm.services import reporting
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.security.test_api_fuzz import _bearer
from tests.support import make_user

EXAMPLES = 15


def test_reporting_routes(sqlite_inst: Installation, capsys) -> None:  # type: ignore[no-untyped-def]
    user = make_user(sqlite_inst.db, "triage", "Default organisation", "caseworker")
    pepper = reporting.Pepper.load(sqlite_inst.settings.reporting_pepper_file)
    reporting.submit_report(sqlite_inst.db, pepper, ReportIn(text="in the queue"))
    app = create_app(
        dataclasses.replace(sqlite_inst.settings, reports_per_client_hour=10_000, reports_per_hour=10_000)
    )
    headers = _bearer(app, "triage", user.totp_secret)
    schema = schemathesis.openapi.from_dict(app.openapi())
    schema.app = app
    operations = [
        o
        for o in (result.ok() for result in schema.get_all_operations())
        if o.path.startswith(("/api/reports", "/api/report-queue"))
    ]
    calls = 0
    for operation in operations:

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            case.call_and_validate(headers=headers, checks=[not_a_server_error, ignored_auth])

        run()
    with capsys.disabled():
        print(f"\nschemathesis (reporting): {len(operations)} operations, {calls} calls, 0 failures")
    assert len(operations) == 10 and calls >= len(operations)
