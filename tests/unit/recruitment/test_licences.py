"""The scanner's licence check (GR38 §59): an ad naming an agency or licence number the registry does not
show as licensed on the day is flagged, with evidence; a licensed agency is not."""

from __future__ import annotations

import datetime as dt

from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.licences import (
    LICENCE_FLAG,
    RISK_FLOOR,
    LicenceRegistry,
    agencies_named,
    licence_flags,
    with_licence_flags,
)

ON = dt.date(2026, 1, 15)
REGISTRY = LicenceRegistry(
    ON,
    agencies={
        "golden bridge manpower": ("Golden Bridge Manpower Ltd", "active"),
        "silver road recruitment": ("Silver Road Recruitment", "revoked"),
        "east star placement": ("East Star Placement", "suspended"),
    },
    licences={
        "GB1001": ("GB-1001", "Golden Bridge Manpower Ltd", "active"),
        "SR2002": ("SR-2002", "Silver Road Recruitment", "revoked"),
        "ES3003": ("ES-3003", "East Star Placement", "suspended"),
    },
    since={"SR2002": dt.date(2025, 6, 30), "ES3003": dt.date(2025, 12, 1)},
    agency_since={"silver road recruitment": dt.date(2025, 6, 30)},
)


def ad(text: str, company: str | None = None, title: str = "Factory work abroad") -> JobAd:
    return JobAd(id="ad-1", title=title, text=text, company=company)


def test_a_licensed_agency_and_its_number_are_not_flagged() -> None:
    assert licence_flags(ad("Apply now. Licence no. GB-1001.", "Golden Bridge Manpower Ltd"), REGISTRY) == []


def test_a_revoked_or_suspended_agency_is_flagged_by_name() -> None:
    hits = licence_flags(ad("Call Silver Road Recruitment today"), REGISTRY)
    assert [h.evidence for h in hits] == ["the agency Silver Road Recruitment is revoked since 2025-06-30"]
    assert hits[0].detail == {
        "case": "agency_not_in_force",
        "agency": "Silver Road Recruitment",
        "status": "revoked",
        "since": "2025-06-30",
    }
    assert licence_flags(ad("Good pay", company="East Star Placement"), REGISTRY)


def test_a_licence_number_not_in_force_or_unknown_is_flagged_where_it_is_written() -> None:
    text = "Licensed agency, licence no: SR 2002, apply today"
    hits = licence_flags(ad(text), REGISTRY)
    assert len(hits) == 1 and "revoked" in hits[0].evidence
    assert hits[0].field == "text" and text[hits[0].start : hits[0].end] == "SR 2002"
    unknown = licence_flags(ad("Licence No. ZZ-999 approved by the ministry"), REGISTRY)
    assert [h.evidence for h in unknown] == ["licence number ZZ-999 is not in the registry"]
    # a bare number of a suspended licence, without the word, is still found
    assert licence_flags(ad("Ref ES-3003 — visa in 2 weeks"), REGISTRY)


def test_an_advertiser_calling_itself_an_agency_but_absent_from_the_registry_is_flagged() -> None:
    hits = licence_flags(ad("Jobs in the Gulf", company="Blue Sky Employment Agency"), REGISTRY)
    assert [h.evidence for h in hits] == [
        "the agency Blue Sky Employment Agency is not in the registry of licensed agencies"
    ]
    assert licence_flags(ad("Jobs", company="勞務仲介 好運"), REGISTRY)
    assert licence_flags(ad("Jobs", company="Riverside Bakery"), REGISTRY) == []


def test_nothing_is_flagged_while_the_registry_is_empty() -> None:
    empty = LicenceRegistry(ON)
    assert licence_flags(ad("Licence no. ZZ-999", company="Blue Sky Employment Agency"), empty) == []


def test_the_hook_adds_the_flag_and_raises_the_risk_only_when_something_is_found() -> None:
    result = {"risk": 0.1, "flags": [{"flag": "upfront_fee", "evidence": "fee"}]}
    clean = with_licence_flags(ad("Apply", "Golden Bridge Manpower"), result, REGISTRY)
    assert clean is result
    flagged = with_licence_flags(ad("Apply", "Silver Road Recruitment"), result, REGISTRY)
    assert [f["flag"] for f in flagged["flags"]] == ["upfront_fee", LICENCE_FLAG]
    assert flagged["risk"] == RISK_FLOOR
    assert result["flags"] == [{"flag": "upfront_fee", "evidence": "fee"}]  # the input is not changed


def test_an_ad_names_an_agency_by_its_registered_name_or_one_of_its_licence_numbers() -> None:
    names = {"golden bridge manpower": "agency-gb", "silver road recruitment": "agency-sr"}
    numbers = {"GB1001": "agency-gb", "SR2002": "agency-sr"}
    assert agencies_named(ad("Golden Bridge Manpower Ltd hires pickers"), names, numbers) == {"agency-gb"}
    assert agencies_named(ad("Permit no. sr 2002, apply today"), names, numbers) == {"agency-sr"}
    assert agencies_named(ad("Pickers wanted", "Silver Road Recruitment"), names, numbers) == {"agency-sr"}
    # a part of a name, another number or nothing at all names no agency
    assert agencies_named(ad("Golden Bridge Café, licence no. GB-1002"), names, numbers) == set()
    assert agencies_named(ad("Pickers wanted"), {}, {}) == set()


def test_an_agency_named_with_its_licence_number_is_flagged_once_with_the_day_its_licence_changed() -> None:
    hits = licence_flags(ad("Silver Road Recruitment, licence SR-2002", "Silver Road Recruitment"), REGISTRY)
    assert [h.detail.get("case") for h in hits] == ["licence_not_in_force"]
    assert hits[0].detail["since"] == "2025-06-30"  # the revocation, not the day of the scan
    unknown = licence_flags(ad("licence no. ZZ-9999", "Zenith Recruitment Agency"), REGISTRY)
    assert [h.detail for h in unknown] == [{"case": "unknown_number", "number": "ZZ-9999"}]
    result = {"risk": 0.1, "flags": []}
    twice = with_licence_flags(
        ad("licence no. ZZ-9999"), with_licence_flags(ad("licence no. ZZ-9999"), result, REGISTRY), REGISTRY
    )
    assert [f["flag"] for f in twice["flags"]] == [LICENCE_FLAG]
