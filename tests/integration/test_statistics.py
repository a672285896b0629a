"""Statistics from the case records: persons counted once across cases, only with consent to statistical
use; an HTCDS export re-imports to the same data; a release from the database never prints a small cell."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.config import Settings
from opennrm.services import consent, installation, statistics
from opennrm.services.cases import intake as open_case
from opennrm.services.cases import view_case
from opennrm.services.demo import load_demo_cases
from opennrm.stats.records import count_persons
from tests.conftest import Installation
from tests.support import intake, make_org, make_user


def run(inst: Installation, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    _register()
    environment = env or inst.env()
    cleared = {k: None for k in os.environ if k.startswith("OPENNRM_") and k not in environment}
    return CliRunner().invoke(app, list(args), env={**cleared, **environment})


def consent_to_statistics(inst: Installation, user, case_id: str) -> None:  # type: ignore[no-untyped-def]
    consent.record_consent(
        inst.db, user.actor, case_id, consent.parse_consent({"purposes": ["statistics"], "language": "en"})
    )


def consent_all(inst: Installation, user, purposes: tuple[str, ...] = ("statistics",)) -> None:  # type: ignore[no-untyped-def]
    """A consent with ``purposes`` on every case (inserted directly: the cases may belong to any
    organisation)."""
    from sqlalchemy import insert, select

    from opennrm.store.tables import Case, ConsentRecord, table_of

    with inst.db.transaction() as s:
        case_ids = list(s.execute(select(Case.id)).scalars())
        rows = [{**statistics.statistics_consent_row(c, "en"), "purposes": list(purposes)} for c in case_ids]
        s.connection().execute(insert(table_of(ConsentRecord)), rows)


def test_persons_are_counted_once_across_cases_and_only_with_consent(inst: Installation) -> None:
    make_org(inst.db, "Safe Harbour")
    li = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")
    first = open_case(inst.db, li.actor, intake(case__identified_on="2024-03-01"))
    code = view_case(inst.db, li.actor, first).survivor_code
    second = open_case(inst.db, li.actor, intake(case__survivor_code=code, case__identified_on="2025-06-01"))
    no_consent = open_case(inst.db, li.actor, intake())
    for case_id in (first, second):
        consent_to_statistics(inst, li, case_id)
    counted = count_persons(statistics.stat_records(inst.db, "GB"))
    assert counted.cases_read == 3
    assert counted.counted == 1  # P-1 once; P-2 has not consented
    person = counted.persons[0]
    assert person.year == 2024 and person.national is False and "forced_labour" in person.exploitation_types
    assert no_consent not in {p.case_key for p in counted.persons}


def test_an_htcds_export_re_imports_to_the_same_data(inst: Installation, tmp_path: Path) -> None:
    make_org(inst.db, "Safe Harbour")
    li = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")
    load_demo_cases(inst.db, 40, organisation_ids=[inst.default_org], user_ids=[None], seed=3)
    same = open_case(inst.db, li.actor, intake())
    open_case(inst.db, li.actor, intake(case__survivor_code=view_case(inst.db, li.actor, same).survivor_code))
    consent_all(inst, li)
    exported = tmp_path / "cases.csv"
    out = run(inst, "htcds", "export", str(exported), "--identifying", "--purpose", "statistics")
    assert out.exit_code == 0, out.output
    assert exported.stat().st_mode & 0o777 == 0o600
    with exported.open() as fh:
        header = next(csv.reader(fh))
    assert "vic_TypeOfExploitation" in header and "prs_Gender" in header

    # a fresh installation on SQLite, importing into its default organisation
    fresh = Settings.from_env({"OPENNRM_HOME": str(tmp_path / "fresh")})
    installation.initialise(fresh)
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENNRM_")}
    env["OPENNRM_HOME"] = str(fresh.home)
    done = run(inst, "htcds", "import", str(exported), env=env)
    assert done.exit_code == 0, done.output
    assert "Imported 42 cases" in done.output
    db = installation.open_database(fresh)
    try:

        def comparable(records):  # type: ignore[no-untyped-def]
            """Records without their internal keys; lists compared as sets (their order carries nothing)."""
            skip = {"person_key", "case_key"}
            return sorted(
                tuple(
                    sorted(
                        (k, str(sorted(v) if isinstance(v, list) else v))
                        for k, v in r.items()
                        if k not in skip
                    )
                )
                for r in records
            )

        def records(database):  # type: ignore[no-untyped-def]
            return statistics.htcds_records(database, identifying=True, purpose="statistics")

        assert comparable(records(db)) == comparable(records(inst.db))
        persons = {r["person_key"] for r in records(db)}
        assert len(persons) == 41  # the two SAME-1 cases stay one person
    finally:
        db.dispose()


def test_htcds_rows_that_do_not_fit_are_reported_and_nothing_is_imported(
    inst: Installation, tmp_path: Path
) -> None:
    load_demo_cases(inst.db, 5, organisation_ids=[inst.default_org], user_ids=[None], seed=4)
    make_org(inst.db, "Safe Harbour")
    consent_all(inst, make_user(inst.db, "li.wei", "Safe Harbour", "supervisor"))
    exported = tmp_path / "cases.csv"
    assert run(inst, "htcds", "export", str(exported)).exit_code == 0
    rows = list(csv.DictReader(exported.open()))
    rows[2]["prs_Gender"] = "Robot"
    broken = tmp_path / "broken.csv"
    with broken.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = run(inst, "htcds", "import", str(broken))
    assert out.exit_code == 2
    assert "row 4" in out.output and "nothing was imported" in out.output


def test_a_release_from_the_database_hides_small_cells(inst: Installation, tmp_path: Path) -> None:
    load_demo_cases(inst.db, 300, organisation_ids=[inst.default_org], user_ids=[None], seed=5)
    make_org(inst.db, "Stats Office")
    # consent to statistics on every case (the demo generator records none)
    from sqlalchemy import select

    from opennrm.store.tables import Case

    with inst.db.transaction() as s:
        case_ids = list(s.execute(select(Case.id)).scalars())
    supervisor = make_user(inst.db, "li.wei", "Default organisation", "supervisor")
    for case_id in case_ids:
        consent_to_statistics(inst, supervisor, case_id)
    out_dir = tmp_path / "release"
    result = run(inst, "stats", "release", "--epsilon", "1", "--out", str(out_dir), "--country", "US")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out_dir / "release.csv").open()))
    assert {r["table"] for r in rows} >= {"year×sex×age_group", "sex"}
    for row in rows:
        if row["count"] != "<11":
            assert int(row["count"]) >= 11
    again = run(inst, "stats", "release", "--epsilon", "1.5", "--out", str(tmp_path / "second"))
    assert again.exit_code == 3  # the year's budget (2 by default) would be overspent
