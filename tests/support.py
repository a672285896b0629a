"""Helpers the tests share: people and users with known secrets."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyotp
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Mount

from opennrm.access.policy import Actor
from opennrm.access.roles import Role
from opennrm.config import Settings
from opennrm.domain.records import Intake
from opennrm.services import admin
from opennrm.store.database import Database
from opennrm.store.tables import Organisation
from opennrm.web.app import create_app


def shared_dir() -> Path:
    """The project's shared reference data: ``<repo>/../shared`` unless ``OPENNRM_SHARED`` names another."""
    repo = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("OPENNRM_SHARED") or repo.parent / "shared").resolve()


PASSWORD = "correct horse battery staple"
SAMPLE_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class StaffUser:
    actor: Actor
    username: str
    totp_secret: str | None

    def code(self) -> str:
        assert self.totp_secret
        return pyotp.TOTP(self.totp_secret).now()


def client_for(settings: Settings, user: StaffUser) -> TestClient:
    """A client of a new app, logged in as ``user`` (password and, where enrolled, a one-time code)."""
    client = TestClient(create_app(settings), base_url="https://testserver")
    body = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        body["totp"] = user.code()
    answer = client.post("/api/session", json=body)
    assert answer.status_code == 201, answer.text
    return client


def make_org(db: Database, name: str, type_code: str = "ngo") -> str:
    return admin.add_organisation(db, name, type_code)


def make_user(
    db: Database,
    username: str,
    org_name: str,
    role: str,
    *,
    enforcement: bool = False,
    team: str | None = None,
) -> StaffUser:
    new = admin.add_user(db, username, org_name, role, PASSWORD, team=team)
    org_id = admin.organisation_ids_by_name(db)[org_name]
    with db.transaction() as session:
        org = session.get(Organisation, org_id)
        org_type = org.type if org is not None else None
    actor = Actor(new.id, org_id, Role(role), enforcement, team, organisation_type=org_type)
    return StaffUser(actor, username, new.totp_secret)


def intake(**overrides: Any) -> Intake:
    record: dict[str, Any] = {
        "person": {"given_name": "Mariam", "family_name": "Haddad", "phone": "+44 7700 900123"},
        "case": {
            "age_at_trafficking": 24,
            "sex": "female",
            "citizenship": ["SY"],
            "events": [
                {
                    "exploitation_types": ["forced_labour"],
                    "means_of_control": ["withholds_documents"],
                    "country": "GB",
                    "place": "A farm near the coast",
                }
            ],
        },
        "notes": ["First meeting at the clinic."],
    }
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        record[section][field] = value
    return Intake.model_validate(record)


# -- the app's routes ------------------------------------------------------------------------------------


def served_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, routes of included routers too (not static mounts, HEAD or
    OPTIONS)."""
    found: list[tuple[str, str]] = []
    for route in app.routes:
        if isinstance(route, Mount):
            continue
        contexts = getattr(route, "effective_route_contexts", None)
        entries = list(contexts() if callable(contexts) else contexts) if contexts is not None else [route]
        for entry in entries:
            for method in sorted(set(getattr(entry, "methods", None) or ()) - {"HEAD", "OPTIONS"}):
                found.append((method, entry.path))
    return found


#: GET routes that are not pages: the operator's probes and metrics, and the site's icon.
NOT_PAGES = frozenset({"/livez", "/readyz", "/metrics", "/favicon.ico"})


def page_paths(app: FastAPI) -> list[str]:
    """Every GET path of a server-rendered page (not the API, probes, static files, downloads), sorted."""
    return sorted(
        {
            path
            for method, path in served_routes(app)
            if method == "GET"
            and not path.startswith("/api")
            and path not in NOT_PAGES
            and not path.endswith((".csv", ".pdf", ".xlsx"))
        }
    )


def fill_path(path: str, values: dict[str, str] | None = None) -> str:
    """``path`` with each ``{parameter}`` replaced by its value in ``values``, else by ``SAMPLE_ID``."""
    known = values or {}
    return re.sub(r"\{([^}]+)\}", lambda m: known.get(m.group(1), SAMPLE_ID), path)


def csrf_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found
    return found.group(1)
