"""``opennrm reports`` and ``opennrm hotline`` on both backends, as an operator runs them: who receives
anonymous reports (never an enforcement organisation), the retention purge, and the hotline's CSV out and
back in — each bad input one line on stderr, a non-zero exit and nothing changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from opennrm.cli.main import _register, app
from opennrm.domain.hotline import Channel, ContactIn, ContactType, quick_contact
from opennrm.domain.reporting import ReportIn
from opennrm.services import hotline, reporting
from opennrm.store.tables import AnonymousReport, HotlineContact
from tests.conftest import Installation
from tests.support import make_org, make_user


def _run(inst: Installation, *args: str) -> tuple[int, str, str]:
    _register()
    result = CliRunner().invoke(app, list(args), env=inst.env())
    return result.exit_code, result.stdout, result.stderr


def _count(inst: Installation, table: type) -> int:
    with inst.db.transaction() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_receiver_of_reports_is_set_by_name_and_never_an_enforcement_organisation(
    inst: Installation,
) -> None:
    make_org(inst.db, "Helpline", "ngo")
    make_org(inst.db, "City Police", "police")
    code, out, _ = _run(inst, "reports", "receiver", "Helpline")
    assert code == 0 and "New anonymous reports go to Helpline." in out
    code, _, err = _run(inst, "reports", "receiver", "City Police")
    assert code != 0 and len(err.strip().splitlines()) == 1
    code, _, err = _run(inst, "reports", "receiver", "Nobody Here")
    assert code != 0 and len(err.strip().splitlines()) == 1
    # the refusals changed nothing: a new report still goes to the helpline
    pepper = reporting.Pepper.load(inst.settings.reporting_pepper_file)
    reporting.submit_report(inst.db, pepper, ReportIn(text="They took my passport."))
    helpline = make_user(inst.db, "operator", "Helpline", "hotline_operator")
    assert len(reporting.triage_queue(inst.db, helpline.actor).items) == 1


def test_the_purge_deletes_closed_reports_past_their_retention_and_nothing_else(inst: Installation) -> None:
    make_org(inst.db, "Helpline", "ngo")
    assert _run(inst, "reports", "receiver", "Helpline")[0] == 0
    operator = make_user(inst.db, "operator", "Helpline", "hotline_operator")
    pepper = reporting.Pepper.load(inst.settings.reporting_pepper_file)
    for text in ("first report", "second report"):
        reporting.submit_report(inst.db, pepper, ReportIn(text=text))
    first = reporting.triage_queue(inst.db, operator.actor).items[-1].id
    reporting.close(inst.db, operator.actor, first, retention_days=30)
    code, out, _ = _run(inst, "reports", "purge")
    assert code == 0 and "Deleted 0 " in out and _count(inst, AnonymousReport) == 2
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=31)).isoformat()
    code, out, _ = _run(inst, "reports", "purge", "--at", later)
    assert code == 0 and "Deleted 1 " in out and _count(inst, AnonymousReport) == 1
    code, _, err = _run(inst, "reports", "purge", "--at", "next tuesday")
    assert code != 0 and "--at" in err and _count(inst, AnonymousReport) == 1


def test_hotline_contacts_go_out_as_csv_and_come_back_all_or_nothing(
    inst: Installation, tmp_path: Path
) -> None:
    make_org(inst.db, "Helpline", "ngo")
    make_org(inst.db, "Second Helpline", "ngo")
    operator = make_user(inst.db, "operator", "Helpline", "hotline_operator")
    hotline.record_contact(inst.db, operator.actor, quick_contact(Channel.CALL, ContactType.SILENT))
    hotline.record_contact(
        inst.db,
        operator.actor,
        ContactIn(
            channel=Channel.CHAT, contact_type=ContactType.DATA, phone="+99 555 0100", notes="canary-77"
        ),
    )
    out_file = tmp_path / "contacts.csv"
    code, out, _ = _run(inst, "hotline", "export", "--organisation", "Helpline", "--output", str(out_file))
    assert code == 0 and str(out_file) in out
    text = out_file.read_text(encoding="utf-8")
    assert text.count("\n") == 3 and "canary-77" not in text and "0100" not in text
    code, stdout, _ = _run(inst, "hotline", "export", "--organisation", "Helpline")
    assert code == 0 and stdout == text
    code, out, _ = _run(inst, "hotline", "import", str(out_file), "--organisation", "Second Helpline")
    assert code == 0 and "Imported 2 " in out and _count(inst, HotlineContact) == 4
    bad = tmp_path / "bad.csv"
    bad.write_text(text + "not,a,contact\n", encoding="utf-8")
    code, _, err = _run(inst, "hotline", "import", str(bad), "--organisation", "Second Helpline")
    assert code != 0 and "line 4" in err and "nothing was imported" in err
    assert len(err.strip().splitlines()) == 1 and _count(inst, HotlineContact) == 4
    code, _, err = _run(inst, "hotline", "import", str(tmp_path / "absent.csv"), "--organisation", "Helpline")
    assert code != 0 and "no such file" in err
