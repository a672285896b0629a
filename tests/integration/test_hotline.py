"""The 24/7 hotline (issue 15, item 2) on both backends: a silent call in one action, a full contact, one step
to a new or existing case, repeat contacts linked by a blind index of her number (never the number itself),
statistics with small counts hidden, CSV export and import, and never an enforcement organisation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from opennrm.domain.hotline import Channel, ContactIn, ContactType, quick_contact
from opennrm.services import cases, hotline
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.store.tables import AuditEvent, HotlineContact
from tests.conftest import Installation
from tests.support import client_for, csrf_of, intake, make_org, make_user

PHONE = "+99 555 0100 777"


def test_contacts_cases_repeats_statistics_and_csv(inst: Installation) -> None:
    db = inst.db
    make_org(db, "Helpline", "ngo")
    make_org(db, "City Police", "police")
    operator = make_user(db, "operator", "Helpline", "hotline_operator")
    officer = make_user(db, "officer", "City Police", "hotline_operator", enforcement=True)
    caseworker = make_user(db, "caseworker", "Helpline", "caseworker")

    hotline.record_contact(db, operator.actor, quick_contact(Channel.CALL, ContactType.SILENT))
    first = hotline.record_contact(
        db,
        operator.actor,
        ContactIn(
            channel=Channel.CALL,
            contact_type=ContactType.DATA,
            language="ar",
            caller="herself",
            categories=["forced_labour"],
            immediate_danger=True,
            callback_consent=True,
            callback={"safe_times": "after 22:00", "code_word": "jasmine"},
            phone=PHONE,
            notes="Locked in the workers' house.",
            people_at_risk=3,
        ),
        open_case=True,
    )
    assert first.case_id and first.emergency and first.earlier_contacts == 0
    # the case she got: her number on the person, blind-indexed; the notes in the case notes
    assert cases.view_case(db, operator.actor, first.case_id).person["phone"] == PHONE
    # a repeat contact from the same number (written differently) is linked, and finds her case
    again = hotline.record_contact(
        db,
        operator.actor,
        ContactIn(channel=Channel.SMS, contact_type=ContactType.DATA, phone="+9955501 00777"),
        link_phone=True,
    )
    assert again.earlier_contacts == 1 and again.case_id == first.case_id
    assert hotline.find_case(db, operator.actor, phone=PHONE) == first.case_id
    # a survivor code she may not reach is refused like an unknown one
    other_case = cases.intake(db, caseworker.actor, intake())
    code = cases.view_case(db, caseworker.actor, other_case).survivor_code
    with pytest.raises(InvalidInput):
        hotline.record_contact(
            db, operator.actor, ContactIn(channel=Channel.CALL, contact_type=ContactType.DATA), link_code=code
        )
    # the number itself is nowhere; the callback details are encrypted and read back, audited
    with db.transaction() as session:
        rows = list(session.execute(select(HotlineContact)).scalars())
    assert all(PHONE not in str(vars(r)) and "jasmine" not in str(vars(r)) for r in rows)
    assert rows[0].phone_index is None or len(rows[0].phone_index) == 32
    assert hotline.callback_details(db, operator.actor, first.id) == {
        "safe_times": "after 22:00",
        "code_word": "jasmine",
    }
    recent = hotline.recent_contacts(db, operator.actor)
    assert len(recent) == 3 and sum(c.repeat for c in recent) == 2
    # statistics: small counts hidden
    stats = hotline.contact_statistics(db, operator.actor)
    assert stats.total == "<11" and stats.by_channel["call"] == "<11"
    assert set(stats.by_hour) == set(range(24))
    assert hotline.contact_statistics(db, operator.actor, threshold=1).total == "3"
    # the firewall: an enforcement organisation never records or reads contacts; a caseworker does not either
    for actor in (officer.actor, caseworker.actor):
        with pytest.raises(Forbidden):
            hotline.recent_contacts(db, actor)
        with pytest.raises(Forbidden):
            hotline.record_contact(db, actor, quick_contact(Channel.CALL, ContactType.HANG_UP))
    # CSV: structured fields out, and back in (all or nothing)
    text = hotline.export_csv(db, "Helpline")
    assert PHONE not in text and "jasmine" not in text and "Locked" not in text
    assert text.count("\n") == 4
    make_org(db, "Second Helpline", "ngo")
    assert hotline.import_csv(db, "Second Helpline", text) == 3
    bad = text + "2026-01-01T00:00:00+00:00,pigeon,data,,,,,routine,0,,0,0\n"
    with pytest.raises(InvalidInput) as err:
        hotline.import_csv(db, "Second Helpline", bad)
    assert "line 5" in err.value.message
    with db.transaction() as session:
        assert len(session.execute(select(HotlineContact)).scalars().all()) == 6
        actions = {e.action for e in session.execute(select(AuditEvent)).scalars()}
    assert {"hotline.contact", "hotline.list", "hotline.callback", "hotline.statistics"} <= actions


def test_contact_form_pages(sqlite_inst: Installation) -> None:
    db = sqlite_inst.db
    make_org(db, "Helpline", "ngo")
    operator = make_user(db, "operator", "Helpline", "hotline_operator")
    client = client_for(sqlite_inst.settings, operator)
    page = client.get("/hotline")
    assert page.status_code == 200 and 'accesskey="s"' in page.text
    csrf = csrf_of(page.text)
    r = client.post(
        "/hotline/quick", data={"csrf": csrf, "channel": "call", "kind": "silent"}, follow_redirects=False
    )
    assert r.status_code == 303
    r = client.post(
        "/hotline",
        data={
            "csrf": csrf,
            "channel": "chat",
            "contact_type": "data",
            "categories": ["sexual_exploitation"],
            "immediate_danger": "1",
            "language": "tl",
            "notes": "She writes from a hotel.",
            "open_case": "1",
        },
    )
    # post/redirect/get: the save answers with a redirect, so a reload records nothing twice
    assert r.status_code == 200 and r.history[0].status_code == 303
    assert "/hotline?saved=" in str(r.url)
    assert "Emergency protocol" in r.text and 'id="h-emergency-now"' in r.text and "/cases/" in r.text
    # another id, or another organisation's contact, shows nothing
    assert 'id="h-emergency-now"' not in client.get("/hotline?saved=" + "0" * 32).text
    r = client.post("/hotline", data={"csrf": csrf, "channel": "pigeon", "contact_type": "data"})
    assert r.status_code == 422
    r = client.post(
        "/hotline", data={"csrf": csrf, "channel": "call", "contact_type": "data", "code_word": "x"}
    )
    assert r.status_code == 422  # callback details without her consent
    stats = client.get("/hotline/statistics")
    assert stats.status_code == 200
    hours = re.findall(r'<th scope="row">(\d\d):00</th>', stats.text)
    assert hours == [f"{h:02d}" for h in range(24)]  # the day in order, from midnight
    assert "Tagalog" in stats.text and '<th scope="row">tl</th>' not in stats.text
    home = client.get("/", follow_redirects=False)
    assert home.status_code in (302, 303, 307) and home.headers["location"].startswith("/hotline")
