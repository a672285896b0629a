"""Non-punishment (GR38 §98), end to end on both backends: a matter recorded with her consent, encrypted,
flagged to legal aid on the case, open to a legal-aid organisation only under a consent that covers it, never
to an enforcement organisation; her statement in two languages as HTML and PDF; requests to clear a record;
counted with small cells suppressed; every access audited."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from opennrm.domain.non_punishment import (
    ClearanceRequestIn,
    ClearanceStatusIn,
    NonPunishmentMatterIn,
    NonPunishmentMatterUpdate,
)
from opennrm.services import cases, consent, firewall, non_punishment
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.services.parsing import parse
from opennrm.store.tables import AuditEvent, Case, NonPunishmentMatter, RecordClearanceRequest
from tests.conftest import Installation
from tests.support import StaffUser, client_for, intake, make_org, make_user

LINK = "Arrested in the raid on the flat where she was held and made to sell sex; the papers were the traffickers'."
MATTER: dict[str, Any] = {
    "consent": True,
    "measure": "arrest",
    "jurisdiction_country": "GB",
    "jurisdiction": "Magistrates' court, Dover",
    "occurred_on": "2025-03-02",
    "link_to_trafficking": LINK,
}


class World:
    def __init__(self, inst: Installation) -> None:
        db = self.db = inst.db
        self.inst = inst
        make_org(db, "Safe Harbour")
        self.law_centre = make_org(db, "Law Centre", "legal_aid")
        self.shelter = make_org(db, "Night Shelter", "shelter")
        self.other_law = make_org(db, "Other Law Centre", "legal_aid")
        self.amina = make_user(db, "amina", "Safe Harbour", "caseworker")
        self.lawyer = make_user(db, "lawyer", "Law Centre", "caseworker")
        self.shelter_worker = make_user(db, "sheltr", "Night Shelter", "caseworker")
        self.other_lawyer = make_user(db, "lawyer2", "Other Law Centre", "caseworker")
        self.case = cases.intake(db, self.amina.actor, intake())
        self.consent = consent.record_consent(
            db,
            self.amina.actor,
            self.case,
            consent.parse_consent(
                {
                    "purposes": ["referral", "non_punishment"],
                    "recipient_organisation_ids": [self.law_centre, self.shelter],
                    "language": "ar",
                }
            ),
        )
        referral_only = consent.record_consent(
            db,
            self.amina.actor,
            self.case,
            consent.parse_consent(
                {"purposes": ["referral"], "recipient_organisation_ids": [self.other_law], "language": "ar"}
            ),
        )
        assert referral_only
        for org in (self.law_centre, self.shelter, self.other_law):
            consent.disclose(db, self.amina.actor, self.case, org, "referral")

    def record(self) -> str:
        return non_punishment.record_matter(
            self.db, self.amina.actor, self.case, parse(NonPunishmentMatterIn, MATTER)
        )

    def audited(self, action: str) -> list[AuditEvent]:
        with self.db.transaction() as session:
            return list(session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


@pytest.fixture
def world(inst: Installation) -> World:
    return World(inst)


def test_a_matter_is_recorded_encrypted_flagged_to_legal_aid_and_audited(world: World) -> None:
    matter_id = world.record()

    view = non_punishment.view_matters(world.db, world.amina.actor, world.case)
    [matter] = view.matters
    assert (matter.id, matter.measure, matter.status, matter.legal_aid) == (
        matter_id,
        "arrest",
        "ongoing",
        "flagged",
    )
    assert matter.link_to_trafficking == LINK and matter.jurisdiction == "Magistrates' court, Dover"
    assert str(matter.occurred_on) == "2025-03-02"
    assert view.flagged_to_legal_aid == 1 and view.may_add and view.may_update
    with world.db.transaction() as session:
        row = session.get(NonPunishmentMatter, matter_id)
        assert row is not None
        assert b"Dover" not in row.record_enc and LINK.encode()[:20] not in row.record_enc
    assert [e.object_id for e in world.audited("non_punishment.add")] == [world.case]
    assert [e.object_id for e in world.audited("non_punishment.read")] == [world.case]


def test_without_her_consent_nothing_is_recorded(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(NonPunishmentMatterIn, {**MATTER, "consent": False})
    assert refused.value.field == "consent"
    assert non_punishment.view_matters(world.db, world.amina.actor, world.case).matters == []


def test_legal_aid_under_a_covering_consent_reads_updates_and_makes_the_statement(world: World) -> None:
    matter_id = world.record()
    lawyer = world.lawyer.actor

    assert [m.id for m in non_punishment.view_matters(world.db, lawyer, world.case).matters] == [matter_id]
    non_punishment.update_matter(
        world.db, lawyer, matter_id, parse(NonPunishmentMatterUpdate, {"legal_aid": "taken_up"})
    )
    facts = non_punishment.statement_facts(world.db, lawyer, world.case)
    assert [m.legal_aid for m in facts.matters] == ["taken_up"]
    with pytest.raises(Forbidden):  # a new matter is recorded by the organisation that holds her case
        non_punishment.record_matter(world.db, lawyer, world.case, parse(NonPunishmentMatterIn, MATTER))


@pytest.mark.parametrize(
    "who", ["shelter_worker", "other_lawyer"], ids=["a shelter", "legal aid under a referral-only consent"]
)
def test_receivers_without_a_covering_consent_see_nothing(world: World, who: str) -> None:
    world.record()
    actor: StaffUser = getattr(world, who)
    assert cases.view_case(world.db, actor.actor, world.case).received  # they do hold the case
    with pytest.raises(Forbidden):
        non_punishment.view_matters(world.db, actor.actor, world.case)
    with pytest.raises(Forbidden):
        non_punishment.statement_facts(world.db, actor.actor, world.case)
    assert non_punishment.marker(world.db, actor.actor, world.case) is None
    assert [e.outcome for e in world.audited("non_punishment.read")] == ["denied"]


def test_revoking_her_consent_closes_the_matters_to_legal_aid_at_once(world: World) -> None:
    world.record()
    consent.revoke_consent(world.db, world.amina.actor, world.consent)
    with pytest.raises(Forbidden):
        non_punishment.view_matters(world.db, world.lawyer.actor, world.case)


def test_an_organisation_type_put_on_the_firewall_list_loses_the_matters_whatever_the_consent(
    world: World,
) -> None:
    world.record()
    firewall.set_enforcement_types(world.db, [*firewall.ALWAYS, "legal_aid"])
    with pytest.raises(Forbidden, match="firewall"):
        non_punishment.view_matters(world.db, world.lawyer.actor, world.case)


def test_a_request_to_clear_the_record_is_tracked_and_granted_clears_the_matter(world: World) -> None:
    matter_id = non_punishment.record_matter(
        world.db,
        world.amina.actor,
        world.case,
        parse(NonPunishmentMatterIn, {**MATTER, "measure": "conviction", "status": "penalty_imposed"}),
    )
    made = non_punishment.add_clearance_request(
        world.db, world.lawyer.actor, matter_id, parse(ClearanceRequestIn, {"authority": "Crown Court"})
    )
    assert made.case_id == world.case
    non_punishment.update_clearance_status(
        world.db,
        world.lawyer.actor,
        made.id,
        parse(ClearanceStatusIn, {"status": "filed", "filed_on": "2025-06-01"}),
    )
    [matter] = non_punishment.view_matters(world.db, world.amina.actor, world.case).matters
    assert [(r.status, str(r.filed_on), r.authority) for r in matter.clearance_requests] == [
        ("filed", "2025-06-01", "Crown Court")
    ]
    non_punishment.update_clearance_status(
        world.db, world.amina.actor, made.id, parse(ClearanceStatusIn, {"status": "granted"})
    )
    [matter] = non_punishment.view_matters(world.db, world.amina.actor, world.case).matters
    assert matter.status == "cleared" and matter.clearance_requests[0].status == "granted"
    with world.db.transaction() as session:
        row = session.get(RecordClearanceRequest, made.id)
        assert row is not None and b"Crown" not in (row.details_enc or b"")


def test_counts_for_statistics_suppress_small_cells(world: World) -> None:
    world.record()
    counted = non_punishment.counts(world.db, "cli")
    assert counted.persons == "<11" and counted.by_measure["arrest"] == "<11"
    assert world.audited("non_punishment.count")


# -- through HTTP -------------------------------------------------------------------------------------


def test_the_api_answers_problem_json_naming_the_field_and_changes_nothing(world: World) -> None:
    client = client_for(world.inst.settings, world.amina)
    for change, field in (
        ({"consent": False}, "consent"),
        ({"jurisdiction_country": "ZZ"}, "jurisdiction_country"),
        ({"link_to_trafficking": "no"}, "link_to_trafficking"),
        ({"measure": "offence"}, "measure"),
    ):
        answer = client.post(f"/api/cases/{world.case}/non-punishment", json={**MATTER, **change})
        assert answer.status_code == 422, change
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["field"] == field
    assert client.get(f"/api/cases/{world.case}/non-punishment").json()["matters"] == []
    made = client.post(f"/api/cases/{world.case}/non-punishment", json=MATTER)
    assert made.status_code == 201
    listed = client.get(f"/api/cases/{world.case}/non-punishment").json()
    assert listed["flagged_to_legal_aid"] == 1 and listed["matters"][0]["link_to_trafficking"] == LINK
    bad = client.get(
        f"/api/cases/{world.case}/non-punishment/statement?her_language=ar&proceedings_language=de"
    )
    assert bad.status_code == 422 and bad.json()["field"] == "proceedings_language"


def test_the_statement_comes_in_her_language_and_the_language_of_the_proceedings(world: World) -> None:
    world.record()
    client = client_for(world.inst.settings, world.lawyer)
    url = f"/api/cases/{world.case}/non-punishment/statement?her_language=ar&proceedings_language=fr"
    html = client.get(url + "&format=html")
    assert html.status_code == 200
    text = html.text
    assert '<html lang="ar" dir="rtl">' in text
    assert (
        '<section class="part" lang="ar" dir="rtl">' in text
        and '<section class="part" lang="fr" dir="ltr">' in text
    )
    assert (
        "بيان بشأن مبدأ عدم المعاقبة" in text and "Déclaration relative au principe de non-sanction" in text
    )
    assert "Mariam" in text  # the lawyer sees the name her consent discloses
    assert LINK.replace("'", "&#39;") in text
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert [e.outcome for e in world.audited("non_punishment.statement")] == ["ok", "ok"]


def test_her_statement_names_only_a_status_that_helps_her_defence(world: World) -> None:
    """A document for a court never says "not a victim" or "possible victim" (a negative decision may yet be
    reconsidered); it names her as a presumed or identified victim where she is one."""
    world.record()
    for status, shown in (("possible_victim", False), ("not_a_victim", False), ("presumed_victim", True)):
        with world.db.transaction() as session:
            session.execute(update(Case).where(Case.id == world.case).values(trafficking_status=status))
        facts = non_punishment.statement_facts(world.db, world.lawyer.actor, world.case)
        assert (facts.trafficking_status == status) is shown and (
            facts.trafficking_status is None
        ) is not shown


def test_the_case_page_shows_the_flag_to_those_who_may_see_it_and_to_no_one_else(world: World) -> None:
    world.record()
    for user, shown in ((world.amina, True), (world.lawyer, True), (world.shelter_worker, False)):
        page = client_for(world.inst.settings, user).get(f"/cases/{world.case}")
        assert page.status_code == 200
        assert ("Waiting for legal aid: 1" in page.text) is shown, user.username
        assert (f"/cases/{world.case}/non-punishment" in page.text) is shown


def test_the_pages_record_a_matter_and_start_a_clearance_request(world: World) -> None:
    client = client_for(world.inst.settings, world.amina)
    page = client.get(f"/cases/{world.case}/non-punishment")
    assert page.status_code == 200 and "Record a measure" in page.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    refused = client.post(
        f"/cases/{world.case}/non-punishment",
        data={
            "csrf": csrf,
            "measure": "detention",
            "jurisdiction_country": "GB",
            "link_to_trafficking": LINK,
        },
    )
    assert refused.status_code == 422 and 'id="consent-error"' in refused.text
    done = client.post(
        f"/cases/{world.case}/non-punishment",
        data={**{k: str(v) for k, v in MATTER.items()}, "consent": "yes", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    [matter] = non_punishment.view_matters(world.db, world.amina.actor, world.case).matters
    started = client.post(
        f"/non-punishment/{matter.id}/clearance-requests", data={"csrf": csrf}, follow_redirects=False
    )
    assert started.status_code == 303
    print_view = client.get(
        f"/cases/{world.case}/non-punishment/statement?her_language=zh-Hant&proceedings_language=en"
    )
    assert (
        "關於非懲罰原則的聲明" in print_view.text
        and "Statement on the non-punishment principle" in print_view.text
    )


def test_the_api_updates_the_flag_and_the_clearance_requests_for_those_allowed(world: World) -> None:
    matter_id = world.record()
    lawyer = client_for(world.inst.settings, world.lawyer)
    shelter = client_for(world.inst.settings, world.shelter_worker)

    assert (
        shelter.patch(f"/api/non-punishment/{matter_id}", json={"legal_aid": "taken_up"}).status_code == 403
    )
    wrong = lawyer.patch(f"/api/non-punishment/{matter_id}", json={"status": "guilty"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "status"
    assert lawyer.patch(f"/api/non-punishment/{matter_id}", json={"legal_aid": "taken_up"}).status_code == 204
    made = lawyer.post(f"/api/non-punishment/{matter_id}/clearance-requests", json={"status": "filed"})
    assert made.status_code == 201
    assert (
        lawyer.patch(f"/api/clearance-requests/{made.json()['id']}", json={"status": "granted"}).status_code
        == 204
    )
    [matter] = lawyer.get(f"/api/cases/{world.case}/non-punishment").json()["matters"]
    assert (matter["legal_aid"], matter["status"]) == ("taken_up", "cleared")
    assert [r["status"] for r in matter["clearance_requests"]] == ["granted"]
