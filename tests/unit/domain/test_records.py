"""The case record refuses what cannot be true, and accepts a person who gives nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from opennrm.domain.records import CaseDetails, Intake
from opennrm.domain.vocabularies import HTCDS, CaseStatus, ExploitationType, OrganisationType, codes, parse


def error_path(exc: ValidationError) -> str:
    return ".".join(str(p) for p in exc.errors()[0]["loc"])


def test_an_intake_with_nothing_given_is_valid() -> None:
    record = Intake.model_validate({})
    assert record.case.status is CaseStatus.NEW
    assert record.person.given_name is None


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        ({"case": {"sex": "robot"}}, "case.sex"),
        ({"case": {"events": [{"exploitation_types": ["hobby"]}]}}, "case.events.0.exploitation_types.0"),
        ({"case": {"citizenship": ["ZZ"]}}, "case.citizenship"),
        ({"case": {"languages": ["xx"]}}, "case.languages"),
        ({"case": {"age_at_trafficking": -3}}, "case.age_at_trafficking"),
        ({"case": {"age_at_trafficking": 200}}, "case.age_at_trafficking"),
        ({"person": {"birth_date": "2999-01-01"}}, "person.birth_date"),
        ({"person": {"birth_date": "1850-01-01"}}, "person.birth_date"),
        ({"person": {"birth_date": "2020-02-30"}}, "person.birth_date"),
        ({"person": {"given_name": "x" * 201}}, "person.given_name"),
        ({"notes": ["x" * 20_001]}, "notes.0"),
        ({"person": {"shoe_size": 38}}, "person.shoe_size"),
        ({"cooperation_with_police": True}, "cooperation_with_police"),
        ({"person": {"email": "not an email"}}, "person.email"),
        ({"case": {"events": [{"start_date": "2024-05-01", "end_date": "2024-01-01"}]}}, "case.events.0"),
    ],
)
def test_impossible_or_unknown_values_are_refused_naming_the_field(raw: dict, path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Intake.model_validate(raw)
    assert error_path(caught.value) == path


def test_codes_are_normalised() -> None:
    details = CaseDetails.model_validate({"citizenship": ["ng", " ro "], "languages": ["EN"]})
    assert details.citizenship == ["NG", "RO"]
    assert details.languages == ["en"]


@pytest.mark.parametrize(("age", "child"), [(0, True), (17, True), (18, False), (None, None)])
def test_child_is_under_eighteen(age: int | None, child: bool | None) -> None:
    assert CaseDetails(age_at_trafficking=age).is_child is child


def test_every_vocabulary_value_maps_to_its_htcds_picklist() -> None:
    for vocabulary, picklist in HTCDS.items():
        assert set(picklist.names) == set(codes(vocabulary)), vocabulary.__name__


def test_organisation_types_are_the_documented_identifiers() -> None:
    assert codes(OrganisationType) == [
        "ngo",
        "health_service",
        "labour_inspectorate",
        "shelter",
        "legal_aid",
        "child_protection",
        "social_services",
        "police",
        "prosecution",
        "immigration_service",
        "financial_intelligence_unit",
        "nrm_secretariat",
        "other",
        "partner_abroad",
    ]


def test_parse_names_the_allowed_values() -> None:
    assert parse(ExploitationType, "forced_labour") is ExploitationType.FORCED_LABOUR
    with pytest.raises(ValueError, match="forced_labour"):
        parse(ExploitationType, "nope")


def test_identified_on_cannot_be_in_the_future() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError):
        CaseDetails(identified_on=tomorrow)


@pytest.mark.parametrize("key", ["offender", "criminal_record", "charges", "prosecution_of_survivor"])
def test_survivor_records_carry_no_offender_flags(key: str) -> None:
    """Non-punishment (DESIGN invariant 6): no field of a survivor's record can mark her as an offender."""
    with pytest.raises(ValidationError):
        Intake.model_validate({"case": {key: True}})
    with pytest.raises(ValidationError):
        Intake.model_validate({"person": {key: True}})


def test_no_consent_purpose_allows_sharing_for_prosecution() -> None:
    """Non-punishment: survivor data can be shared only for services, referral, an identification panel,
    statistics, research, contact, her defence against punishment by legal aid (``non_punishment``, GR38
    §98), her compensation claims brought by legal aid (``remedies``, §101) or, for her compensation
    (``compensation``, §108), her own account traced by a financial intelligence unit — which never opens
    her case to it (tests/integration/test_finance_consented_seed.py). There is no purpose under which her
    data could go to a prosecution of the survivor."""
    from opennrm.domain.consent import ConsentPurpose

    assert {p.value for p in ConsentPurpose} == {
        "services",
        "referral",
        "identification",
        "statistics",
        "research",
        "contact",
        "non_punishment",
        "remedies",
        "compensation",
    }
