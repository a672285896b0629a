"""Statistics that cannot be subtracted, releases that say nothing exact, and HTCDS exports that carry only
what a consent covers (issue 12, items 6 and 7).

- Only the statistics office's analyst of a non-enforcement organisation sees exact counts; an enforcement
  user and every other role see rounded counts with suppression, so one more case changes nothing they see
  beyond the rounding.
- ``release.json`` holds nothing exact about the data, and its categories are the configured ones.
- ``opennrm htcds export`` is de-identified by default, with keys drawn afresh for each export, and carries
  only cases whose valid consent covers statistics or research; identifying fields need ``--identifying``
  and a stated ``--purpose``, and the export is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from opennrm.services import consent, statistics
from opennrm.services.cases import intake as open_case
from opennrm.services.demo import load_demo_cases
from opennrm.store.tables import AuditEvent, Case, ConsentRecord, Person
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.integration.test_statistics import consent_all, run
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user


@pytest.fixture
def staff(inst: Installation) -> dict[str, StaffUser]:
    make_org(inst.db, "Safe Harbour")
    make_org(inst.db, "Stats Office", "nrm_secretariat")
    make_org(inst.db, "Border Agency", "immigration_service")
    return {
        "supervisor": make_user(inst.db, "li.wei", "Safe Harbour", "supervisor"),
        "caseworker": make_user(inst.db, "amina", "Safe Harbour", "caseworker"),
        "analyst": make_user(inst.db, "analyst", "Stats Office", "analyst"),
        "coordinator": make_user(inst.db, "coord", "Stats Office", "nrm_coordinator"),
        "liaison": make_user(inst.db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True),
        "enforcement_analyst": make_user(inst.db, "b.analyst", "Border Agency", "analyst", enforcement=True),
    }


def view(inst: Installation, user: StaffUser) -> list[str]:
    """Every figure the statistics page gives this user (total first)."""
    classification = statistics.classification_in_home(inst.settings.home)
    made = statistics.statistics_view(inst.db, user.actor, None, classification)
    return [made.total] + [cell for table in made.tables for row in table.cells for cell in row]


def add_consenting_case(inst: Installation, user: StaffUser) -> None:
    case_id = open_case(inst.db, user.actor, intake(case__identified_on=dt.date.today().isoformat()))
    consent.record_consent(
        inst.db, user.actor, case_id, consent.parse_consent({"purposes": ["statistics"], "language": "en"})
    )


@pytest.mark.parametrize("who", ["liaison", "enforcement_analyst", "caseworker", "coordinator"])
def test_one_more_case_changes_nothing_but_rounding_for_those_without_exact_counts(
    inst: Installation, staff: dict[str, StaffUser], who: str
) -> None:
    load_demo_cases(inst.db, 150, organisation_ids=[inst.default_org], user_ids=[None], seed=6)
    before = view(inst, staff[who])
    add_consenting_case(inst, staff["supervisor"])
    after = view(inst, staff[who])
    assert len(before) == len(after)
    assert any(f == "x" for f in before)  # small cells are withheld
    for old, new in zip(before, after, strict=True):
        for figure in (old, new):
            assert figure == "x" or int(figure) % 5 == 0  # never an exact count
        if old != "x" and new != "x":
            assert (int(new) - int(old)) % 5 == 0  # no cell moves by one
    # the analyst of the statistics office sees the exact total move by one
    analyst_before = int(view(inst, staff["analyst"])[0])
    add_consenting_case(inst, staff["supervisor"])
    assert int(view(inst, staff["analyst"])[0]) == analyst_before + 1


def test_the_statistics_page_withholds_and_rounds_for_an_enforcement_user(
    inst: Installation, staff: dict[str, StaffUser]
) -> None:
    load_demo_cases(inst.db, 150, organisation_ids=[inst.default_org], user_ids=[None], seed=6)
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    assert client.post("/api/session", json={"username": "liaison", "password": PASSWORD}).status_code == 201
    page = client.get("/statistics")
    assert page.status_code == 200 and "Exact counts" not in page.text
    cells = [c for c in re.findall(r"<td>([^<]*)</td>", page.text) if c]
    assert cells and all(c == "x" or int(c) % 5 == 0 for c in cells)
    assert any(c != "x" and int(c) > 0 for c in cells)
    with inst.db.transaction() as s:
        details = list(
            s.execute(select(AuditEvent.detail).where(AuditEvent.action == "stats.view")).scalars()
        )
    assert details and json.loads(details[-1]) == {"exact": False}


def test_the_statistics_page_is_computed_once_per_data_version(
    inst: Installation, staff: dict[str, StaffUser], monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo_cases(inst.db, 30, organisation_ids=[inst.default_org], user_ids=[None], seed=6)
    made: list[bool] = []
    original = statistics.make_view

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        made.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(statistics, "make_view", counting)
    statistics.VIEWS.clear()
    first = view(inst, staff["liaison"])
    assert view(inst, staff["liaison"]) == first and len(made) == 1
    add_consenting_case(inst, staff["supervisor"])
    view(inst, staff["liaison"])
    assert len(made) == 2  # a new case is a new data version


def test_release_metadata_holds_nothing_exact_and_its_categories_are_configured(
    inst: Installation, staff: dict[str, StaffUser], tmp_path: Path
) -> None:
    stats_dir = inst.settings.home / "stats"
    stats_dir.mkdir(parents=True, exist_ok=True)
    (stats_dir / "domains.toml").write_text('years = [2023, 2024, 2025]\nregions = ["North", "South"]\n')
    load_demo_cases(inst.db, 60, organisation_ids=[inst.default_org], user_ids=[None], seed=9)
    consent_all(inst, staff["supervisor"])
    # one person on an island, in a year of her own: neither may appear as a category
    case_id = open_case(
        inst.db,
        staff["supervisor"].actor,
        intake(case__region="Isle of Mull", case__identified_on="2009-04-02"),
    )
    consent.record_consent(
        inst.db,
        staff["supervisor"].actor,
        case_id,
        consent.parse_consent({"purposes": ["statistics"], "language": "en"}),
    )
    first = run(inst, "stats", "release", "--epsilon", "0.5", "--out", str(tmp_path / "a"))
    assert first.exit_code == 0, first.output
    add_consenting_case(inst, staff["supervisor"])
    second = run(inst, "stats", "release", "--epsilon", "0.5", "--out", str(tmp_path / "b"))
    assert second.exit_code == 0, second.output

    def metadata(folder: str) -> dict:  # type: ignore[type-arg]
        data = json.loads((tmp_path / folder / "release.json").read_text())
        return {k: v for k, v in data.items() if k not in ("created", "ledger")}

    a, b = metadata("a"), metadata("b")
    assert a == b  # one more person changes nothing in the metadata: it says nothing about the data
    assert not {"rows_read", "rows_left_out", "persons", "cases"} & set(a)
    assert a["dimensions"]["year"]["categories"] == ["2023", "2024", "2025", "unknown"]
    assert a["dimensions"]["region"]["categories"] == ["North", "South", "other", "unknown"]
    for folder in ("a", "b"):
        written = (tmp_path / folder / "release.json").read_text() + (
            tmp_path / folder / "release.csv"
        ).read_text()
        assert "Mull" not in written and "2009" not in written
    ledger = json.loads((tmp_path / "a" / "release.json").read_text())["ledger"]
    assert ledger["years"] == [2023, 2024, 2025]  # charged for the configured years


def test_a_bad_categories_file_stops_the_release_before_anything_is_spent(
    inst: Installation, tmp_path: Path
) -> None:
    (inst.settings.home / "stats").mkdir(parents=True, exist_ok=True)
    (inst.settings.home / "stats" / "domains.toml").write_text('regions = "North"\n')
    out = run(inst, "stats", "release", "--epsilon", "0.5", "--out", str(tmp_path / "a"))
    assert out.exit_code == 2 and "regions must be a list" in out.output
    assert not (inst.settings.home / "stats" / "privacy_ledger.jsonl").exists()


@pytest.fixture
def consents(inst: Installation, staff: dict[str, StaffUser]) -> dict[str, str]:
    """Cases by how their consent stands."""
    actor = staff["supervisor"].actor
    cases: dict[str, str] = {}
    for name, purposes in [
        ("statistics", ["statistics"]),
        ("research", ["research"]),
        ("referral", ["referral"]),
        ("revoked", ["statistics"]),
        ("expired", ["statistics", "research"]),
        ("none", None),
    ]:
        case_id = open_case(
            inst.db,
            actor,
            intake(
                person__given_name=f"Given{name}",
                person__birth_date="1990-02-03",
            ),
        )
        cases[name] = case_id
        if purposes is None:
            continue
        raw = {"purposes": purposes, "language": "en"}
        if purposes == ["referral"]:
            raw["recipient_types"] = ["shelter"]
        consent_id = consent.record_consent(inst.db, actor, case_id, consent.parse_consent(raw))
        if name == "revoked":
            consent.revoke_consent(inst.db, actor, consent_id)
        if name == "expired":
            with inst.db.transaction() as s:
                s.execute(
                    update(ConsentRecord)
                    .where(ConsentRecord.id == consent_id)
                    .values(
                        given_on=dt.date.today() - dt.timedelta(days=400),
                        expires_on=dt.date.today() - dt.timedelta(days=1),
                    )
                )
    return cases


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_default_htcds_export_is_de_identified_and_only_what_consent_covers(
    inst: Installation, consents: dict[str, str], tmp_path: Path
) -> None:
    out = run(inst, "htcds", "export", str(tmp_path / "one.csv"))
    assert out.exit_code == 0, out.output
    rows = read(tmp_path / "one.csv")
    text = (tmp_path / "one.csv").read_text()
    assert len(rows) == 2  # statistics and research; not referral-only, revoked, expired or none
    for row in rows:
        for column in (
            "prs_FirstName",
            "prs_MiddleName",
            "prs_SecondName",
            "prs_Birthdate",
            "opennrm_survivor_code",
        ):
            assert row[column] == ""
    assert "Given" not in text and "SC-" not in text and "1990" not in text and "7700" not in text
    # keys are drawn at random for each export: never our ids, and two exports cannot be joined
    with inst.db.transaction() as s:
        ours = set(s.execute(select(Case.id)).scalars()) | set(s.execute(select(Person.id)).scalars())
    keys = {r["opennrm_case_key"] for r in rows} | {r["opennrm_person_key"] for r in rows}
    assert keys and not keys & ours
    assert run(inst, "htcds", "export", str(tmp_path / "two.csv")).exit_code == 0
    again = {r["opennrm_case_key"] for r in read(tmp_path / "two.csv")} | {
        r["opennrm_person_key"] for r in read(tmp_path / "two.csv")
    }
    assert not keys & again


def test_identifying_fields_need_the_option_a_purpose_the_consent_covers_and_leave_an_audit_entry(
    inst: Installation, consents: dict[str, str], tmp_path: Path
) -> None:
    refused = run(inst, "htcds", "export", str(tmp_path / "x.csv"), "--identifying")
    assert refused.exit_code == 2 and "--purpose" in refused.output
    assert not (tmp_path / "x.csv").exists()
    bad = run(inst, "htcds", "export", str(tmp_path / "x.csv"), "--purpose", "prosecution")
    assert bad.exit_code == 2 and not (tmp_path / "x.csv").exists()
    out = run(inst, "htcds", "export", str(tmp_path / "id.csv"), "--identifying", "--purpose", "research")
    assert out.exit_code == 0, out.output
    rows = read(tmp_path / "id.csv")
    assert [(r["prs_FirstName"], r["prs_Birthdate"]) for r in rows] == [("Givenresearch", "1990-02-03")]
    assert rows[0]["opennrm_survivor_code"].startswith("S-")
    with inst.db.transaction() as s:
        details = [
            json.loads(d)
            for d in s.execute(select(AuditEvent.detail).where(AuditEvent.action == "htcds.export")).scalars()
        ]
    assert details == [{"cases": 1, "identifying": True, "purpose": "research"}]
