"""Writes cases one transaction at a time and prints each case id once its commit returned.

Run by test_crash.py, which kills this process with SIGKILL mid-stream. Arguments: user id, organisation id."""

from __future__ import annotations

import sys

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.domain.records import Intake
from opennrm.services.cases import intake
from opennrm.services.installation import open_database


def main() -> None:
    user_id, org_id = sys.argv[1], sys.argv[2]
    db = open_database(Settings.from_env())
    actor = Actor(user_id, org_id, Role.SUPERVISOR, enforcement=False)
    n = 0
    while True:
        record = Intake.model_validate({"person": {"given_name": f"Crash {n}"}, "notes": ["x" * 2000]})
        case_id = intake(db, actor, record)
        print(case_id, flush=True)  # acknowledged: the commit has returned
        n += 1


if __name__ == "__main__":
    main()
