"""Justice aggregates (GR38 §110) and `opennrm report`'s periodic-report section, on both backends: counts
of perpetrators imported from a CSV file (a bad row named by its line, nothing written) or entered by the
secretariat's coordinator, never linked to a victim; the report speaks of identification decisions,
non-punishment, remedies and the justice aggregates with small cells suppressed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select

from opennrm.domain.non_punishment import NonPunishmentMatterIn
from opennrm.domain.remedies import AwardIn, PaymentIn, RemedyClaimIn
from opennrm.services import cases, justice, non_punishment, remedies
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.services.periodic_report import nrm_figures
from opennrm.stats import ctdc
from opennrm.stats.published import from_exact
from opennrm.stats.report import build_report
from opennrm.store.tables import AuditEvent, JusticeAggregate
from tests.conftest import Installation
from tests.integration.test_cli import opennrm
from tests.support import client_for, intake, make_org, make_user
from tests.unit.stats.conftest import small_ctdc_frame, write_ctdc


def last_year() -> int:
    """Last year, read when a test runs (not at import: a run may cross the new year)."""
    return dt.date.today().year - 1


GOOD = f"""year,stage,exploitation,sex,age_group,nationality,count
{last_year()},investigation,sexual_exploitation,male,30_49,NG,40
{last_year()},investigation,sexual_exploitation,female,30_49,NG,12
{last_year()},prosecution,forced_labour,male,18_29,unknown,3
{last_year()},conviction,forced_labour,male,18_29,gb,2
"""


def _count(inst: Installation) -> int:
    with inst.db.transaction() as session:
        return int(session.execute(select(func.count()).select_from(JusticeAggregate)).scalar_one())


def test_justice_aggregates_are_never_linked_to_a_victim(inst: Installation) -> None:
    """No column of the table names a case, a person or a victim, and no foreign key points at case data."""
    with inst.db.transaction() as session:
        inspector = inspect(session.connection())
        columns = {c["name"] for c in inspector.get_columns("justice_aggregates")}
        targets = {fk["referred_table"] for fk in inspector.get_foreign_keys("justice_aggregates")}
    assert not [c for c in columns if any(w in c for w in ("case", "person", "victim", "survivor"))]
    assert targets <= {"users"}  # who entered the count, nothing else
    with pytest.raises(InvalidInput):
        justice.parse_csv(GOOD.replace("count\n", "count,case_id\n", 1))


def test_the_csv_import_writes_everything_or_nothing(inst: Installation, tmp_path: Path) -> None:
    bad = GOOD + f"{last_year()},conviction,forced_labour,male,18_29,XX,2\n"
    file = tmp_path / "justice.csv"
    file.write_text(bad, encoding="utf-8")
    refused = opennrm(inst, "justice", "import", str(file))
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0
    assert (
        "line 6" in refused.stderr
        and "nationality" in refused.stderr
        and "nothing was imported" in refused.stderr
    )
    assert _count(inst) == 0
    for text, where in (
        (GOOD.replace(",40\n", ",-4\n"), "line 2: count"),
        (GOOD.replace("forced_labour,male,18_29,unknown", "forced_labour,man,18_29,unknown"), "line 4: sex"),
        (
            GOOD + f"{last_year()},conviction,forced_labour,male,18_29,GB,9\n",
            "line 6: the same cell as line 5",
        ),
        (
            GOOD.replace(
                f"{last_year()},investigation,sexual_exploitation,male",
                "1899,investigation,sexual_exploitation,male",
            ),
            "line 2: year",
        ),
        ("year,stage\n2020,conviction\n", "line 1: missing column"),
    ):
        with pytest.raises(InvalidInput, match=where):
            justice.parse_csv(text)
    file.write_text(GOOD, encoding="utf-8")
    done = opennrm(inst, "justice", "import", str(file))
    assert done.returncode == 0 and "Imported 4" in done.stdout
    again = opennrm(inst, "justice", "import", str(file))  # the same file again replaces, adds nothing
    assert again.returncode == 0 and _count(inst) == 4
    listed = opennrm(inst, "justice", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[0] == "year,stage,exploitation,sex,age_group,nationality,count"
    assert f"{last_year()},conviction,forced_labour,male,18_29,GB,2" in listed.stdout
    with inst.db.transaction() as session:
        actions = list(
            session.execute(select(AuditEvent.action).where(AuditEvent.action == "justice.import")).scalars()
        )
    assert len(actions) == 2


def test_only_the_secretariats_coordinator_enters_counts(inst: Installation) -> None:
    make_org(inst.db, "NRM Secretariat", "nrm_secretariat")
    make_org(inst.db, "City Police", "police")
    coordinator = make_user(inst.db, "coord", "NRM Secretariat", "nrm_coordinator")
    caseworker = make_user(inst.db, "cworker", "NRM Secretariat", "caseworker")
    police = make_user(inst.db, "police", "City Police", "nrm_coordinator", enforcement=True)
    client = client_for(inst.settings, coordinator)
    page = client.get("/justice")
    assert page.status_code == 200 and "Enter a count" in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    form = {
        "year": str(last_year()),
        "stage": "conviction",
        "exploitation": "forced_labour",
        "sex": "female",
        "age_group": "30_49",
        "nationality": "TH",
        "count": "4",
    }
    refused = client.post("/justice", data={**form, "count": "-1", "nationality": "XX", "csrf": csrf})
    assert (
        refused.status_code == 422
        and 'href="#count"' in refused.text
        and 'href="#nationality"' in refused.text
    )
    assert _count(inst) == 0
    saved = client.post("/justice", data={**form, "csrf": csrf}, follow_redirects=False)
    assert saved.status_code == 303 and "done=justice" in saved.headers["location"]
    assert _count(inst) == 1
    for user in (caseworker, police):
        assert client_for(inst.settings, user).get("/justice").status_code == 403
        with pytest.raises(Forbidden):
            justice.enter(inst.db, user.actor, parse(justice.JusticeAggregateIn, form))


def _report_world(inst: Installation) -> None:
    make_org(inst.db, "Safe Harbour")
    amina = make_user(inst.db, "amina", "Safe Harbour", "caseworker")
    case = cases.intake(inst.db, amina.actor, intake())
    claim = remedies.record_claim(
        inst.db,
        amina.actor,
        case,
        parse(
            RemedyClaimIn,
            {
                "route": "civil",
                "payer": "trafficker",
                "currency": "EUR",
                "amount_claimed": "5000",
                "status": "filed",
                "filed_on": "2025-01-01",
            },
        ),
    )
    remedies.record_award(
        inst.db, amina.actor, claim, parse(AwardIn, {"amount_awarded": "4321.77", "awarded_on": "2025-03-01"})
    )
    remedies.record_payment(
        inst.db,
        amina.actor,
        claim,
        parse(PaymentIn, {"amount_paid": "4321.77", "paid_on": "2025-04-01", "payer": "state_fund"}),
    )
    non_punishment.record_matter(
        inst.db,
        amina.actor,
        case,
        parse(
            NonPunishmentMatterIn,
            {
                "consent": True,
                "measure": "arrest",
                "jurisdiction_country": "GB",
                "link_to_trafficking": "Arrested in the raid on the place where she was held.",
            },
        ),
    )
    justice.import_csv(inst.db, GOOD)


def test_the_report_has_every_section_and_suppresses_small_cells(inst: Installation, tmp_path: Path) -> None:
    _report_world(inst)
    figures = nrm_figures(inst.db)
    stats = from_exact(small_ctdc_frame(), ctdc.DEFAULT_TABLES, "test", "2025-01-01")
    html = build_report(stats, tmp_path, nrm=figures).html.read_text(encoding="utf-8")
    for part in (
        "Identification (general recommendation No. 38, paras. 77–78)",
        "Identification decisions in force by stage and outcome",
        "Non-punishment (para. 98)",
        "Remedies (paras. 101 and 108)",
        "Remedies by route",
        "Perpetrators and the justice response (para. 110)",
        "Perpetrators investigated, prosecuted and convicted by year",
        "Perpetrators by year and nationality of the perpetrator",
    ):
        assert part in html, part
    # one claim, one matter: never a number; the paid amount and the median rest on one claim: suppressed
    assert "4321" not in html and "4300" not in html and "<td>1</td>" not in html
    assert " 1 claims" not in html and "&lt;11 claims of &lt;11 persons" in html
    assert "Median days from filing to full payment: x" in html
    # justice: 40 + 12 investigations of NG nationals shown as 52; 3 prosecutions and 2 convictions are not
    assert "investigations 52" in html and "convictions &lt;11" in html
    assert f'<th scope="row">{last_year()} / NG</th><td>52</td>' in html
    assert f'<th scope="row">{last_year()} / GB</th><td>&lt;11</td><td>&lt;11</td><td>&lt;11</td>' in html


def test_opennrm_report_includes_the_installations_figures(
    inst: Installation, ctdc_csv: Path, tmp_path: Path
) -> None:
    _report_world(inst)
    made = opennrm(inst, "report", "--ctdc", str(ctdc_csv), "--out", str(tmp_path / "rep"))
    assert made.returncode == 0, made.stderr
    html = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    assert "Remedies (paras. 101 and 108)" in html and "Perpetrators and the justice response" in html
    left_out = opennrm(inst, "report", "--ctdc", str(ctdc_csv), "--out", str(tmp_path / "rep2"), "--no-nrm")
    assert left_out.returncode == 0
    assert "Remedies (paras. 101" not in (tmp_path / "rep2" / "report.html").read_text(encoding="utf-8")


@pytest.fixture
def ctdc_csv(tmp_path: Path) -> Path:
    rows = [
        (b % 10, b % 3 == 0, b % 3 != 1, int(b % 97 == 0), int(b % 4 != 0 and b % 97 != 0), int(b % 9 == 0))
        for b in range(2000)
    ]
    return write_ctdc(tmp_path / "ctdc.csv", [tuple(int(v) for v in r) for r in rows])  # type: ignore[misc]


def test_no_hidden_count_can_be_worked_out_by_subtracting_from_the_total() -> None:
    """Convictions 26: sexual exploitation 25 and forced labour 1 — with the total shown, forced labour
    hidden alone would be 26 − 25; the cell beside it is hidden too (GR38 §110 figures under §111's rules)."""
    rows = [
        justice.AggregateRow(2025, "conviction", "sexual_exploitation", "male", "30-49", "RO", 25),
        justice.AggregateRow(2025, "conviction", "forced_labour", "male", "30-49", "RO", 1),
    ]
    figures = justice.tables(rows)
    assert figures.totals[(2025, "conviction")] == "26"
    shown = {
        c: figures.by_dimension["exploitation"][(2025, "conviction", c)]
        for c in ("sexual_exploitation", "forced_labour")
    }
    assert shown == {"sexual_exploitation": "x", "forced_labour": "<11"}
