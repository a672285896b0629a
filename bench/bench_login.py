"""Log-in timing per path with the production argon2id parameters: an unknown name, a wrong password, a
right password with a wrong code, a recovery-shaped code, and an account in back-off should take the same
time (issue 12, item 10). Prints JSON: the median milliseconds of each path and the largest difference."""

from __future__ import annotations

import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from opennrm.config import Settings
from opennrm.services import admin, auth, installation
from opennrm.services.errors import Unauthenticated
from opennrm.store.database import Database

PASSWORD = "correct horse battery staple"  # noqa: S105 - a throwaway installation
ROUNDS = 7


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="opennrm-bench-login-"))
    settings = Settings.from_env({"OPENNRM_HOME": str(home)})
    installation.initialise(settings)
    db = installation.open_database(settings)
    admin.add_organisation(db, "Safe Harbour", "ngo")
    admin.add_user(db, "amina", "Safe Harbour", "caseworker", PASSWORD)
    admin.add_user(db, "locked", "Safe Harbour", "caseworker", PASSWORD)
    for _ in range(auth.FREE_FAILURES + 1):
        with contextlib.suppress(Unauthenticated):
            auth.log_in(db, "locked", PASSWORD, "000000")
    paths = {
        "unknown name": ("nobody", PASSWORD, "000000"),
        "wrong password": ("amina", "wrong password!", "000000"),
        "right password, wrong code": ("amina", PASSWORD, "000000"),
        "account backing off": ("locked", PASSWORD, "000000"),
        "unknown name, recovery-shaped code": ("nobody", PASSWORD, "AAAA-BBBB-CCCC-DDDD"),
        "right password, wrong recovery code": ("amina", PASSWORD, "AAAA-BBBB-CCCC-DDDD"),
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(ROUNDS):
        for name, (user, password, code) in paths.items():
            started = time.perf_counter()
            with contextlib.suppress(Unauthenticated):
                auth.log_in(db, user, password, code)
            times[name].append((time.perf_counter() - started) * 1000)
        auth_reset(db)
    medians = {name: round(statistics.median(values), 1) for name, values in times.items()}
    six = [medians[n] for n in list(paths)[:4]]
    json.dump(
        {"median_ms": medians, "spread_ms_six_digit_codes": round(max(six) - min(six), 1)},
        sys.stdout,
        indent=2,
    )
    print()
    db.dispose()


def auth_reset(db: Database) -> None:
    """Keep 'amina' out of back-off, so that her path stays 'wrong code' and not 'backing off'."""
    admin.reset_password(db, "amina", PASSWORD)


if __name__ == "__main__":
    main()
