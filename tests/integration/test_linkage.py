"""Record linkage across installations and inside one (issue 16): the CLI round trip, what an export holds
(no canary), who is exported (consent to statistics; never an enforcement organisation's persons), national
persons counted once in statistics, and ``import cases`` bringing consents."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.services import linkage, statistics
from opennrm.stats.records import count_persons
from opennrm.store.tables import Case, ConsentRecord, NationalPerson, Person, table_of
from tests.conftest import Installation, _install
from tests.support import make_org

STATISTICS = [{"purposes": ["statistics"], "language": "en", "given_on": "2026-06-01"}]
CANARIES = ("Zenobia", "Quixotica", "1987-07-19", "19870719", "+44 7700 900871", "900871", "S-CANARYQ7")


def run(inst: Installation, *args: str) -> Any:
    _register()
    environment = inst.env()
    cleared = {k: None for k in os.environ if k.startswith("OPENNRM_") and k not in environment}
    return CliRunner().invoke(app, list(args), env={**cleared, **environment})


def line(given: str, family: str, born: str | None, *, code: str | None = None, **extra: Any) -> str:
    person: dict[str, Any] = {"given_name": given, "family_name": family}
    if born:
        person["birth_date"] = born
    record: dict[str, Any] = {
        "person": person,
        "case": {"sex": "female", "trafficking_status": "presumed_victim", "identified_on": "2026-05-01"},
        "consents": STATISTICS,
        **extra,
    }
    if code:
        record["case"]["survivor_code"] = code
    return json.dumps(record)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def national_of(inst: Installation, family: str) -> str | None:
    from opennrm.services.sealing import decrypt_json

    with inst.db.transaction() as s:
        for person, national in s.execute(
            select(Person, NationalPerson.national_id).join(
                NationalPerson, NationalPerson.person_id == Person.id, isouter=True
            )
        ):
            if (
                decrypt_json(inst.db.keyring, "person", person.id, person.identity_enc)["family_name"]
                == family
            ):
                return national  # type: ignore[no-any-return]
    raise AssertionError(f"no person {family}")


def test_two_installations_link_through_the_secretariat_without_sharing_names(
    inst: Installation, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    other = _install(tmp_path / "clinic-home", "sqlite", request)
    try:
        shelter_file = write_lines(
            tmp_path / "shelter.jsonl",
            [
                line(
                    "Zenobia",
                    "Quixotica",
                    "1987-07-19",
                    code="S-CANARYQ7",
                    person={
                        "given_name": "Zenobia",
                        "family_name": "Quixotica",
                        "birth_date": "1987-07-19",
                        "phone": "+44 7700 900871",
                    },
                ),
                line("Aïcha", "Diallo", "1995-03-08"),
                line("Grace", "Mensah", "1990-11-02"),
                line("Nadia", "Withoutconsent", "1992-01-01", consents=[]),
            ],
        )
        clinic_file = write_lines(
            tmp_path / "clinic.jsonl",
            [
                line("Zenobia", "Quixotica", "1987-07-19"),
                line("Aicha", "Jallow", "1995-03-08"),
                line("Li", "Wang", "2001-04-04"),
            ],
        )
        assert run(inst, "import", "cases", str(shelter_file)).exit_code == 0
        assert run(other, "import", "cases", str(clinic_file)).exit_code == 0

        secret = tmp_path / "linkage.secret"
        made = run(inst, "linkage", "secret", "--out", str(secret))
        assert made.exit_code == 0, made.output
        assert secret.stat().st_mode & 0o077 == 0
        again = run(inst, "linkage", "secret", "--out", str(secret))
        assert again.exit_code != 0 and "exists" in again.output

        shelter_export, clinic_export = tmp_path / "shelter.json", tmp_path / "clinic.json"
        done = run(inst, "linkage", "export", "--secret", str(secret), "--out", str(shelter_export))
        assert done.exit_code == 0, done.output
        assert "Exported 3 persons" in done.output and "1 left out" in done.output
        assert (
            run(other, "linkage", "export", "--secret", str(secret), "--out", str(clinic_export)).exit_code
            == 0
        )
        for export in (shelter_export, clinic_export):
            content = export.read_bytes()
            assert [c for c in CANARIES if c.encode() in content] == []
            assert b"Withoutconsent" not in content

        persons = tmp_path / "persons.csv"
        matched = run(
            inst, "linkage", "match", str(shelter_export), str(clinic_export), "--out", str(persons)
        )
        assert matched.exit_code == 0, matched.output
        assert "Linked 6 records into 4 national persons" in matched.output
        answer = persons.read_text(encoding="utf-8")
        assert answer.startswith("record_token,person\n")
        assert [c for c in CANARIES if c in answer] == []

        codes = tmp_path / "codes.csv"
        resolved = run(
            inst,
            "linkage",
            "resolve",
            str(persons),
            "--out",
            str(codes),
            "--organisation",
            inst.settings.default_organisation,
        )
        assert resolved.exit_code == 0, resolved.output
        assert (
            "Resolved 3 persons" in resolved.output and "3 tokens of other organisations" in resolved.output
        )
        assert run(other, "linkage", "resolve", str(persons)).exit_code == 0
        assert national_of(inst, "Quixotica") == national_of(other, "Quixotica") is not None
        assert national_of(inst, "Diallo") == national_of(other, "Jallow") is not None
        assert national_of(inst, "Mensah") != national_of(other, "Wang")
        assert national_of(inst, "Withoutconsent") is None
        assert f"S-CANARYQ7,{national_of(inst, 'Quixotica')}" in codes.read_text(encoding="utf-8")
    finally:
        other.db.dispose()


def test_bad_files_and_secrets_fail_with_one_line_and_change_nothing(
    sqlite_inst: Installation, tmp_path: Path
) -> None:
    inst = sqlite_inst
    bad_secret = tmp_path / "short.secret"
    bad_secret.write_text("abcd\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = run(inst, "linkage", "export", "--secret", str(bad_secret), "--out", str(out))
    assert result.exit_code == 2 and "--secret" in result.output and not out.exists()
    junk = tmp_path / "junk.json"
    junk.write_text("{}", encoding="utf-8")
    result = run(inst, "linkage", "match", str(junk), "--out", str(tmp_path / "p.csv"))
    assert result.exit_code == 2 and "not an OpenNRM linkage export" in result.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n", encoding="utf-8")
    result = run(inst, "linkage", "resolve", str(wrong))
    assert result.exit_code == 2 and "record_token,person" in result.output
    with inst.db.transaction() as s:
        assert s.execute(select(NationalPerson)).first() is None


def test_within_one_installation_a_person_known_to_two_organisations_is_counted_once(
    inst: Installation, tmp_path: Path
) -> None:
    make_org(inst.db, "Clinic")
    police = make_org(inst.db, "City Police", "police")
    lines = [
        line("Olena", "Kovalenko", "1991-09-09"),
        line("Олена", "Коваленко", "1991-09-09", organisation="Clinic"),
        line("Mariam", "Hassan", "1988-02-20"),
        line("Maryam", "Al-Hassan", "1988-02-20", organisation="Clinic"),
        line("Tigist", "Haile", "1999-12-12", organisation="Clinic"),
    ]
    assert run(inst, "import", "cases", str(write_lines(tmp_path / "cases.jsonl", lines))).exit_code == 0
    # a person an enforcement organisation recorded (never exported, never linked); her row is a copy whose
    # ciphertexts are bound to another id, so any attempt to read her identity would fail loudly
    with inst.db.transaction() as s:
        case = s.execute(select(Case)).scalars().first()
        person = s.execute(select(Person)).scalars().first()
        assert case is not None and person is not None
        s.connection().execute(
            insert(table_of(Person)),
            [
                {
                    **{c.name: getattr(person, c.name) for c in Person.__table__.columns},
                    "id": "police-person",
                    "survivor_code_index": "police-index",
                }
            ],
        )
        s.connection().execute(
            insert(table_of(Case)),
            [
                {
                    **{c.name: getattr(case, c.name) for c in Case.__table__.columns},
                    "id": "police-case",
                    "person_id": "police-person",
                    "organisation_id": police,
                }
            ],
        )
        s.connection().execute(
            insert(table_of(ConsentRecord)), [statistics.statistics_consent_row("police-case", "en")]
        )

    before = count_persons(statistics.stat_records(inst.db, None)).counted
    result = run(inst, "linkage", "within")
    assert result.exit_code == 0, result.output
    assert "of 2 organisations into 3 national persons" in result.output
    after = count_persons(statistics.stat_records(inst.db, None)).counted
    assert before - after == 2
    with inst.db.transaction() as s:
        linked = set(s.execute(select(NationalPerson.person_id)).scalars())
    assert len(linked) == 5 and "police-person" not in linked


def test_imported_consents_are_checked_like_recorded_ones(inst: Installation, tmp_path: Path) -> None:
    from opennrm.services.cases import import_cases
    from opennrm.services.errors import InvalidInput

    make_org(inst.db, "City Police", "police")

    def refused(consents: list[dict[str, Any]]) -> str:
        with pytest.raises(InvalidInput) as caught:
            import_cases(
                inst.db,
                "cli",
                [line("Ana", "Lopez", None, consents=consents)],
                default_organisation_id=inst.default_org,
                organisations={},
            )
        return caught.value.message

    assert refused([{"purposes": ["statistics"]}]).startswith("line 1: consents.0.language")
    assert "firewall" in refused(
        [{"purposes": ["referral"], "recipient_types": ["police"], "language": "es"}]
    )
    assert "only for a child" in refused(
        [
            {
                "purposes": ["statistics"],
                "language": "es",
                "given_by": "best_interests_determination",
                "basis": "x",
            }
        ]
    )
    assert "expires_on" in refused(
        [{"purposes": ["statistics"], "language": "es", "given_on": "2026-01-01", "expires_on": "2028-12-31"}]
    )
    with inst.db.transaction() as s:
        assert s.execute(select(Case)).first() is None
    good = line("Ana", "Lopez", None)
    result = run(inst, "import", "cases", str(write_lines(tmp_path / "ok.jsonl", [good])))
    assert result.exit_code == 0, result.output
    with inst.db.transaction() as s:
        (row,) = s.execute(select(ConsentRecord)).scalars().all()
        assert row.purposes == ["statistics"] and row.language == "en" and str(row.given_on) == "2026-06-01"
    assert count_persons(statistics.stat_records(inst.db, None)).counted == 1
    bad = run(
        inst,
        "import",
        "cases",
        str(write_lines(tmp_path / "bad.jsonl", [line("B", "C", None, consents=[{}])])),
    )
    assert bad.exit_code == 2 and "consents.0" in bad.output and "nothing was imported" in bad.output


def test_at_intake_she_is_told_only_of_persons_in_her_own_scope(inst: Installation) -> None:
    from opennrm.services.cases import intake as open_case
    from tests.support import intake, make_user

    make_org(inst.db, "Shelter")
    make_org(inst.db, "Clinic")
    amal = make_user(inst.db, "amal", "Shelter", "caseworker", team="north")
    bea = make_user(inst.db, "bea", "Shelter", "caseworker", team="south")
    chen = make_user(inst.db, "chen", "Clinic", "caseworker", team="north")
    first = open_case(
        inst.db,
        amal.actor,
        intake(person__given_name="Fatima", person__family_name="Mohammed", person__birth_date="1990-04-01"),
    )
    again = intake(
        person__given_name="Fatma", person__family_name="Muhammad", person__birth_date="1990-04-01"
    )
    # the caseworker who knows her hears of it
    assert linkage.possibly_known(inst.db, amal.actor, open_case(inst.db, amal.actor, again)) == [first]
    # a colleague of another team, who cannot see the first case, hears nothing (nor of whom)
    assert linkage.possibly_known(inst.db, bea.actor, open_case(inst.db, bea.actor, again)) == []
    # another organisation's caseworker hears nothing: no link across organisations is ever shown
    assert linkage.possibly_known(inst.db, chen.actor, open_case(inst.db, chen.actor, again)) == []
    # someone else entirely is not flagged
    other = intake(person__given_name="Li", person__family_name="Wang", person__birth_date="2001-01-01")
    assert linkage.possibly_known(inst.db, amal.actor, open_case(inst.db, amal.actor, other)) == []


def test_the_intake_page_says_her_organisation_may_know_her(sqlite_inst: Installation) -> None:
    from tests.support import client_for, csrf_of, make_user

    make_org(sqlite_inst.db, "Shelter")
    amal = make_user(sqlite_inst.db, "amal", "Shelter", "caseworker", team="north")
    client = client_for(sqlite_inst.settings, amal)
    fields = {"given_name": "Khadija", "family_name": "Ibrahim", "birth_date": "1994-10-10"}
    first = client.post(
        "/cases/new", data={"csrf": csrf_of(client.get("/cases/new").text), **fields}, follow_redirects=False
    )
    assert first.headers["location"].endswith("?done=case")
    fields.update(given_name="Kadija", family_name="Ibraheem")
    second = client.post(
        "/cases/new", data={"csrf": csrf_of(client.get("/cases/new").text), **fields}, follow_redirects=False
    )
    assert second.headers["location"].endswith("?done=case-maybe-known")
    page = client.get(second.headers["location"]).text
    assert "may already know her" in page
    assert first.headers["location"].split("?")[0] not in page  # which case is not said on the page
