"""Record linkage after the attack review: ``resolve --out`` writes one organisation's persons only; a forged
or broken answer from the secretariat is refused whole; a new run replaces the national ids it covers, so a
person left out of it keeps none; one consent rule for statistics and linkage. Both backends."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, text, update
from sqlalchemy.exc import IntegrityError

from opennrm.access.policy import ConsentFacts, consent_in_force
from opennrm.services import linkage, statistics
from opennrm.services.clock import now
from opennrm.stats.records import count_persons
from opennrm.store.tables import AuditEvent, Case, ConsentRecord, LinkageToken, NationalPerson, table_of
from tests.conftest import Installation
from tests.integration.test_linkage import line, national_of, run, write_lines
from tests.support import make_org

SECRET = bytes(range(32))


def national_rows(inst: Installation) -> dict[str, str]:
    with inst.db.transaction() as s:
        return dict(s.execute(select(NationalPerson.person_id, NationalPerson.national_id)).all())


def two_organisations(inst: Installation, tmp_path: Path) -> str:
    """The default organisation and Riverside both know Olena; Riverside also knows Tigist. A police
    organisation exists too. Returns Riverside's id."""
    riverside = make_org(inst.db, "Riverside")
    make_org(inst.db, "City Police", "police")
    lines = [
        line("Olena", "Kovalenko", "1991-09-09", code="S-SAFEHRB2"),
        line("Olena", "Kovalenko", "1991-09-09", code="S-RVRSDE22", organisation="Riverside"),
        line("Tigist", "Haile", "1999-12-12", code="S-RVRSDE33", organisation="Riverside"),
    ]
    imported = run(inst, "import", "cases", str(write_lines(tmp_path / "cases.jsonl", lines)))
    assert imported.exit_code == 0, imported.output
    return riverside


def exported_and_matched(inst: Installation, tmp_path: Path) -> Path:
    secret = tmp_path / "linkage.secret"
    if not secret.exists():
        assert run(inst, "linkage", "secret", "--out", str(secret)).exit_code == 0
    export = tmp_path / "export.json"
    done = run(inst, "linkage", "export", "--secret", str(secret), "--out", str(export))
    assert done.exit_code == 0, done.output
    persons = tmp_path / "persons.csv"
    matched = run(inst, "linkage", "match", str(export), "--out", str(persons))
    assert matched.exit_code == 0, matched.output
    return persons


def test_resolve_out_writes_one_organisations_persons_and_never_an_enforcement_one(
    inst: Installation, tmp_path: Path
) -> None:
    riverside = two_organisations(inst, tmp_path)
    persons = exported_and_matched(inst, tmp_path)
    mine = tmp_path / "mine.csv"

    refused = run(inst, "linkage", "resolve", str(persons), "--out", str(mine))
    assert refused.exit_code == 2 and "--organisation" in refused.output
    police = run(
        inst, "linkage", "resolve", str(persons), "--out", str(mine), "--organisation", "City Police"
    )
    assert police.exit_code == 2 and "enforcement" in police.output
    unknown = run(inst, "linkage", "resolve", str(persons), "--out", str(mine), "--organisation", "Nowhere")
    assert unknown.exit_code == 2 and "Nowhere" in unknown.output
    assert not mine.exists() and national_rows(inst) == {}  # nothing stored by a refused command

    done = run(inst, "linkage", "resolve", str(persons), "--out", str(mine), "--organisation", "Riverside")
    assert done.exit_code == 0, done.output
    assert mine.stat().st_mode & 0o077 == 0
    rows = list(csv.reader(io.StringIO(mine.read_text(encoding="utf-8"))))
    assert rows[0] == ["survivor_code", "person"]
    assert sorted(code for code, _ in rows[1:]) == ["S-RVRSDE22", "S-RVRSDE33"]
    assert "S-SAFEHRB2" not in mine.read_text(encoding="utf-8")  # the other organisation's code: never
    # she is still one person nationally
    assert national_of(inst, "Kovalenko") is not None
    assert len(set(national_rows(inst).values())) == 2
    with inst.db.transaction() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "linkage.survivor_codes").order_by(AuditEvent.seq)
        ).all()[-1]
    assert (event.object_type, event.object_id, json.loads(event.detail)) == (
        "organisation",
        riverside,
        {"persons": 2},
    )


def test_a_forged_or_broken_answer_is_refused_whole_naming_the_line_and_field(
    inst: Installation, tmp_path: Path
) -> None:
    lines = [line(f"Name{n}", f"Family{n}", f"19{70 + n}-01-0{1 + n % 9}") for n in range(5)]
    assert run(inst, "import", "cases", str(write_lines(tmp_path / "cases.jsonl", lines))).exit_code == 0
    assert linkage.export(inst.db, SECRET).persons == 5
    with inst.db.transaction() as s:
        tokens = list(s.execute(select(LinkageToken.token).order_by(LinkageToken.token)).scalars())
    np_a, np_b = "np-" + "a" * 20, "np-" + "b" * 20

    def resolve(body: str) -> str:
        path = tmp_path / "persons.csv"
        path.write_text("record_token,person\n" + body, encoding="utf-8")
        result = run(inst, "linkage", "resolve", str(path))
        assert result.exit_code == 2, result.output
        assert national_rows(inst) == {}  # all or nothing
        return result.output

    # every person of the organisation collapsed into two national persons
    collapsed = resolve("".join(f"{t},{np_a if i % 2 else np_b}\n" for i, t in enumerate(tokens)))
    assert "2 national person ids" in collapsed and "one organisation" in collapsed
    assert not any(t in collapsed for t in tokens)
    good = [f"{t},np-{i:020x}\n" for i, t in enumerate(tokens)]
    hyperlink = resolve("".join(good[:2]) + f'{tokens[2]},"=HYPERLINK(""http://x"")"\n')
    assert "line 4: person" in hyperlink
    newline = resolve("".join(good[:1]) + f'{tokens[1]},"{np_a}\nS-FAKE,np-evil"\n' + "".join(good[2:]))
    assert "line 3: person" in newline
    bad_token = resolve("".join(good[:4]) + f"{tokens[4].upper()},{np_a}\n")
    assert "line 6: record_token" in bad_token
    twice = resolve("".join(good) + good[0])
    assert "line 7: record_token appears twice" in twice

    path = tmp_path / "persons.csv"
    path.write_text("record_token,person\n" + "".join(good), encoding="utf-8")
    result = run(inst, "linkage", "resolve", str(path))
    assert result.exit_code == 0 and "Resolved 5 persons into 5 national persons" in result.output


def revoke_statistics_consent(inst: Installation, person_id: str) -> None:
    with inst.db.transaction() as s:
        cases = select(Case.id).where(Case.person_id == person_id)
        s.execute(update(ConsentRecord).where(ConsentRecord.case_id.in_(cases)).values(revoked_at=now()))


def riverside_olena(inst: Installation, riverside: str) -> str:
    with inst.db.transaction() as s:
        rows = s.execute(select(Case.person_id).where(Case.organisation_id == riverside)).scalars().all()
    nationals = national_rows(inst)
    (person,) = [p for p in rows if list(nationals.values()).count(nationals[p]) == 2]
    return str(person)


def test_within_again_clears_the_national_id_of_a_person_left_out(inst: Installation, tmp_path: Path) -> None:
    riverside = two_organisations(inst, tmp_path)
    assert run(inst, "linkage", "within").exit_code == 0
    assert count_persons(statistics.stat_records(inst.db, None)).counted == 2
    olena = riverside_olena(inst, riverside)
    revoke_statistics_consent(inst, olena)
    again = run(inst, "linkage", "within")
    assert again.exit_code == 0 and "Linked 2 persons" in again.output
    nationals = national_rows(inst)
    assert olena not in nationals and len(nationals) == 2
    # her case at Riverside is no longer counted; she is still counted once, through the other organisation
    assert count_persons(statistics.stat_records(inst.db, None)).counted == 2


def test_resolve_replaces_the_organisations_national_mapping(inst: Installation, tmp_path: Path) -> None:
    riverside = two_organisations(inst, tmp_path)
    persons = exported_and_matched(inst, tmp_path)
    assert run(inst, "linkage", "resolve", str(persons)).exit_code == 0
    assert len(national_rows(inst)) == 3
    olena = riverside_olena(inst, riverside)
    revoke_statistics_consent(inst, olena)
    persons = exported_and_matched(inst, tmp_path)
    again = run(inst, "linkage", "resolve", str(persons))
    assert again.exit_code == 0 and "Resolved 2 persons" in again.output
    nationals = national_rows(inst)
    assert olena not in nationals and len(nationals) == 2
    assert "1 earlier national ids cleared" in again.output
    assert count_persons(statistics.stat_records(inst.db, None)).counted == 2


@contextmanager
def _consents_without_end_allowed(inst: Installation) -> Iterator[None]:
    """What the database refuses since migration 0012, forced in for this test only. The PostgreSQL
    database outlives the test (each worker keeps one), so its constraint is put back afterwards."""
    if inst.backend == "postgresql":
        with inst.db.engine.begin() as conn:
            conn.execute(text("ALTER TABLE consents ALTER COLUMN expires_on DROP NOT NULL"))
        try:
            yield
        finally:
            with inst.db.engine.begin() as conn:
                conn.execute(text("DELETE FROM consents WHERE expires_on IS NULL"))
                conn.execute(text("ALTER TABLE consents ALTER COLUMN expires_on SET NOT NULL"))
        return
    with inst.db.engine.begin() as conn:
        ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'consents'")).scalar_one()
        relaxed = ddl.replace("expires_on DATE NOT NULL", "expires_on DATE")
        assert relaxed != ddl, ddl
        conn.exec_driver_sql("PRAGMA writable_schema = ON")
        conn.execute(text("UPDATE sqlite_master SET sql = :sql WHERE name = 'consents'"), {"sql": relaxed})
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    inst.db.engine.dispose()
    yield


def test_statistics_and_linkage_count_a_consent_as_the_consent_rule_does(
    inst: Installation, tmp_path: Path
) -> None:
    today = dt.date.today()
    day = dt.timedelta(days=1)
    terms = {
        "in force": (today - 10 * day, today + day, False),
        "ends today": (today - 10 * day, today, False),
        "ended yesterday": (today - 10 * day, today - day, False),
        "given tomorrow": (today + day, today + 10 * day, False),
        "revoked": (today - 10 * day, today + day, True),
        "no end": (today - 10 * day, None, False),
    }
    lines = [line(f"Name{i}", f"Family{i}", None, consents=[]) for i in range(len(terms))]
    assert run(inst, "import", "cases", str(write_lines(tmp_path / "cases.jsonl", lines))).exit_code == 0
    with inst.db.transaction() as s:
        case_ids = list(s.execute(select(Case.id).order_by(Case.id)).scalars())
    row = statistics.statistics_consent_row(case_ids[0], "en")
    with (
        pytest.raises(IntegrityError),
        inst.db.transaction() as s,
    ):  # the database refuses a consent without end
        s.execute(insert(table_of(ConsentRecord)), [{**row, "expires_on": None}])
    with _consents_without_end_allowed(inst):
        expected = set()
        with inst.db.transaction() as s:
            for case_id, (given_on, expires_on, revoked) in zip(case_ids, terms.values(), strict=True):
                consent = statistics.statistics_consent_row(case_id, "en")
                consent.update(
                    given_on=given_on, expires_on=expires_on, revoked_at=now() if revoked else None
                )
                s.execute(insert(table_of(ConsentRecord)), [consent])
                facts = ConsentFacts(
                    "c", frozenset(["statistics"]), frozenset(), frozenset(), given_on, expires_on, revoked
                )
                if consent_in_force(facts, today):
                    expected.add(case_id)
        assert len(expected) == 2
        assert statistics._consenting_cases(inst.db, today) == expected
        assert count_persons(statistics.stat_records(inst.db, None)).counted == 2
        assert linkage.export(inst.db, SECRET).persons == 2
    if inst.backend == "postgresql":  # the worker's database is left as the migrations made it
        columns = inspect(inst.db.engine).get_columns("consents")
        assert not next(c for c in columns if c["name"] == "expires_on")["nullable"]
