"""The explanation and consent form as a PDF in her language (issue 13, item 1; GR38 §79): in each of the
seven languages, titled in that language, marked with it, reached from the consent pages, and refused to
whoever may not read her consents."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from opennrm.services import cases, consent
from opennrm.web import i18n
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user


def _client(inst: Installation, user: StaffUser) -> TestClient:
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    login = {"username": user.username, "password": PASSWORD}
    if user.totp_secret:
        login["totp"] = user.code()
    assert client.post("/api/session", json=login).status_code == 201
    return client


def pdf_metadata(pdf: bytes) -> dict[str, str]:
    """The document's /Title and /Lang, read from its (compressed) object streams."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n", pdf):
        end = pdf.find(b"endstream", match.end())
        try:
            chunks.append(zlib.decompress(pdf[match.end() : end]))
        except zlib.error:
            continue
    found: dict[str, str] = {}
    for chunk in chunks:
        for key, hexed, literal in re.findall(rb"/(Title|Lang)\s*(?:<([0-9a-fA-F]+)>|\(([^)]*)\))", chunk):
            raw = bytes.fromhex(hexed.decode()) if hexed else literal
            text = raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
            found[key.decode()] = text
    return found


@pytest.fixture
def her_case(sqlite_inst: Installation) -> tuple[TestClient, str, str]:
    db = sqlite_inst.db
    make_org(db, "Safe Harbour")
    shelter = make_org(db, "Rose Shelter", "shelter")
    amina = make_user(db, "amina", "Safe Harbour", "caseworker")
    case_id = cases.intake(db, amina.actor, intake(case__languages=["ar"]))
    ends = dt.date.today() + dt.timedelta(days=200)
    consent_id = consent.record_consent(
        db,
        amina.actor,
        case_id,
        consent.parse_consent(
            {
                "purposes": ["referral"],
                "recipient_organisation_ids": [shelter],
                "language": "ar",
                "expires_on": ends.isoformat(),
            }
        ),
    )
    return _client(sqlite_inst, amina), case_id, consent_id


@pytest.mark.parametrize("tag", i18n.UN_LANGUAGES)
def test_the_consent_form_is_a_pdf_in_each_language(her_case: tuple[TestClient, str, str], tag: str) -> None:
    client, case_id, consent_id = her_case
    answer = client.get(f"/cases/{case_id}/consents/print/{tag}.pdf", params={"consent": consent_id})
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-language"] == tag and answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith(b"%PDF") and len(answer.content) > 5000
    with i18n.activated(tag):
        title = i18n.gettext("Sharing your information: your consent")
    assert tag == "en" or title != "Sharing your information: your consent"
    assert pdf_metadata(answer.content) == {"Title": title, "Lang": tag}


def test_the_pdf_is_linked_from_the_consent_pages_and_unknown_languages_are_refused(
    her_case: tuple[TestClient, str, str],
) -> None:
    client, case_id, consent_id = her_case
    page = client.get(f"/cases/{case_id}/consents").text
    for tag in i18n.UN_LANGUAGES:
        assert f'href="/cases/{case_id}/consents/print/{tag}.pdf"' in page
    assert f"/consents/print/ar.pdf?consent={consent_id}" in page
    printable = client.get(f"/cases/{case_id}/consents/print/fr", params={"consent": consent_id}).text
    assert f"/cases/{case_id}/consents/print/fr.pdf?consent={consent_id}" in printable
    assert client.get(f"/cases/{case_id}/consents/print/xx.pdf").status_code == 404


def test_whoever_may_not_read_her_consents_gets_no_pdf(sqlite_inst: Installation, her_case: tuple) -> None:
    _, case_id, _ = her_case
    make_org(sqlite_inst.db, "City Police", "police")
    police = make_user(sqlite_inst.db, "officer", "City Police", "enforcement_liaison", enforcement=True)
    rose = make_user(sqlite_inst.db, "rose", "Rose Shelter", "service_provider")
    for user in (police, rose):
        answer = _client(sqlite_inst, user).get(f"/cases/{case_id}/consents/print/en.pdf")
        assert answer.status_code in (403, 404) and not answer.content.startswith(b"%PDF")


def test_the_pdf_template_loads_nothing_from_elsewhere() -> None:
    template = Path(__file__).resolve().parents[2] / "src/opennrm/web/templates/consent_pdf.html"
    assert not re.search(r"<link|<script|src=|url\(", template.read_text(encoding="utf-8"))
