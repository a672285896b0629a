"""The age presumption reaches every rule that protects children, not only screening (GR38 §96; issue 12.4).

A girl whose age is unknown, with reasons to believe she is a minor, is a child for a best-interests override,
a best-interests determination in place of consent, guardians and returns; a woman trafficked as a girl years
ago decides for herself now. Screening that finds the presumption writes it onto the case."""

from __future__ import annotations

import re

import pytest

from opennrm.services import cases, consent, entitlements, screenings, statistics
from opennrm.services.errors import Forbidden, InvalidInput
from opennrm.stats.dimensions import AGE_GROUP, category_codes
from opennrm.stats.records import StatRecord
from opennrm.store.tables import Case
from tests.conftest import Installation
from tests.support import StaffUser, client_for, intake, make_org, make_user

UNKNOWN_AGE_GIRL = {
    "case__age_at_trafficking": None,
    "case__age_uncertain": True,
    "case__reasons_to_believe_minor": True,
}


class Office:
    def __init__(self, inst: Installation) -> None:
        self.db = inst.db
        self.inst = inst
        make_org(inst.db, "Safe Harbour")
        self.shelter = make_org(inst.db, "Rose Shelter", "shelter")
        self.amina = make_user(inst.db, "amina", "Safe Harbour", "caseworker")
        self.li = make_user(inst.db, "li.wei", "Safe Harbour", "supervisor")

    def case(self, **overrides: object) -> str:
        return cases.intake(self.db, self.amina.actor, intake(**overrides))

    def override(self, case_id: str, who: StaffUser | None = None) -> consent.DisclosureResult:
        return consent.disclose(
            self.db,
            (who or self.li).actor,
            case_id,
            self.shelter,
            "referral",
            override_reason="safe accommodation tonight, in her best interests",
        )


@pytest.fixture
def office(inst: Installation) -> Office:
    return Office(inst)


def test_a_girl_of_unknown_age_may_be_helped_under_a_best_interests_override(office: Office) -> None:
    girl = office.case(**UNKNOWN_AGE_GIRL)
    assert office.override(girl).overridden
    with office.db.transaction() as s:
        assert s.get(Case, girl).is_child is True  # and she counts as a child in the statistics


def test_no_override_for_a_woman_trafficked_as_a_girl_years_ago(office: Office) -> None:
    woman = office.case(case__age_at_trafficking=16, person__birth_date="1999-03-02")
    with pytest.raises(Forbidden, match="only in a child's best interests"):
        office.override(woman)


def test_a_best_interests_determination_replaces_consent_only_for_a_presumed_child(office: Office) -> None:
    raw = {
        "purposes": ["referral"],
        "recipient_organisation_ids": [office.shelter],
        "language": "en",
        "given_by": "best_interests_determination",
        "basis": "Determination by the child-protection panel, 2026-12-01",
    }
    girl = office.case(**UNKNOWN_AGE_GIRL)
    assert consent.record_consent(office.db, office.amina.actor, girl, consent.parse_consent(raw))
    woman = office.case(case__age_at_trafficking=16, person__birth_date="1999-03-02")
    with pytest.raises(InvalidInput, match="only for a child") as refused:
        consent.record_consent(office.db, office.amina.actor, woman, consent.parse_consent(raw))
    assert refused.value.field == "given_by"


VIGNETTE = {
    "exploitation_form": "labour",
    "acts": ["recruitment"],
    "purposes": ["forced_labour"],
}


def test_a_screening_that_finds_the_presumption_writes_it_onto_the_case(office: Office) -> None:
    case_id = office.case(case__age_at_trafficking=None)
    with office.db.transaction() as s:
        assert s.get(Case, case_id).is_child is None
    assert not entitlements.view_entitlements(office.db, office.amina.actor, case_id).entitlements.child
    _, result = screenings.screen_case(
        office.db,
        office.amina.actor,
        case_id,
        {**VIGNETTE, "age_uncertain": True, "reasons_to_believe_minor": True},
    )
    assert result["child"] and result["presumed_victim"]
    with office.db.transaction() as s:
        case = s.get(Case, case_id)
        assert (case.age_uncertain, case.reasons_to_believe_minor, case.is_child) == (True, True, True)
        assert case.trafficking_status == "presumed_victim"  # a presumed result moves the case up
    e = entitlements.view_entitlements(office.db, office.amina.actor, case_id).entitlements
    assert e.child and "appoint a guardian" in e.outstanding
    # a later screening that does not repeat the presumption never takes it back
    screenings.screen_case(office.db, office.amina.actor, case_id, {**VIGNETTE, "age": 17})
    with office.db.transaction() as s:
        assert s.get(Case, case_id).reasons_to_believe_minor is True


def test_the_intake_form_records_the_presumption(office: Office) -> None:
    client = client_for(office.inst.settings, office.amina)
    form = client.get("/cases/new")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', form.text)
    assert csrf and 'name="presumed_minor"' in form.text
    saved = client.post(
        "/cases/new", data={"csrf": csrf.group(1), "presumed_minor": "1"}, follow_redirects=False
    )
    assert saved.status_code == 303
    case_id = saved.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    with office.db.transaction() as s:
        case = s.get(Case, case_id)
        assert (case.age_uncertain, case.reasons_to_believe_minor, case.is_child) == (True, True, True)


def test_the_statistics_count_a_presumed_child_as_a_child(office: Office) -> None:
    girl = office.case(**UNKNOWN_AGE_GIRL)
    woman = office.case(case__age_at_trafficking=16, person__birth_date="1999-03-02")
    unknown = office.case(case__age_at_trafficking=None)
    groups = {
        r.case_key: category for r in statistics.stat_records(office.db, None) for category in [_age_group(r)]
    }
    assert groups == {girl: "child", woman: "child", unknown: "unknown"}


def _age_group(record: StatRecord) -> str:
    return AGE_GROUP.categories[int(category_codes([record], AGE_GROUP)[0])]
