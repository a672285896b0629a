"""What a client can send and what it gets back (issue 12, items 11–15): recovery codes through the API and
the page, body limits before parsing, uploads read only after authentication, one origin rule for pages and
API, uploads served as inert attachments, images refused when they cannot be cleaned, and links that never
leave the site."""

from __future__ import annotations

import asyncio
import io
import re
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from opennrm.services import admin, cases
from opennrm.services.errors import InvalidInput
from opennrm.services.media import strip_metadata
from opennrm.store.tables import Document
from opennrm.web.app import create_app
from opennrm.web.limits import is_upload_endpoint
from opennrm.web.pdf import html_to_pdf
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user

FOREIGN = "https://evil.example"


@pytest.fixture
def app(sqlite_inst: Installation) -> FastAPI:
    return create_app(sqlite_inst.settings)


@pytest.fixture
def amina(sqlite_inst: Installation) -> StaffUser:
    make_org(sqlite_inst.db, "Safe Harbour")
    return make_user(sqlite_inst.db, "amina", "Safe Harbour", "caseworker")


def logged_in(app: FastAPI, user: StaffUser) -> TestClient:
    client = TestClient(app, base_url="https://testserver")
    r = client.post(
        "/api/session", json={"username": user.username, "password": PASSWORD, "totp": user.code()}
    )
    assert r.status_code == 201, r.text
    return client


def documents(inst: Installation) -> int:
    with inst.db.transaction() as session:
        return int(session.execute(select(func.count()).select_from(Document)).scalar_one())


# -- item 11: recovery codes ------------------------------------------------------------------------------


def test_a_recovery_code_logs_in_through_the_api_and_the_log_in_page(
    sqlite_inst: Installation, app: FastAPI
) -> None:
    make_org(sqlite_inst.db, "Safe Harbour")
    joy = admin.add_user(sqlite_inst.db, "joy", "Safe Harbour", "caseworker", PASSWORD)
    client = TestClient(app, base_url="https://testserver")
    typed = {"username": "joy", "password": PASSWORD, "totp": joy.recovery_codes[0]}  # 19 characters
    assert client.post("/api/session", json=typed).status_code == 201
    page = client.post(
        "/login",
        data={
            "username": "joy",
            "password": PASSWORD,
            "totp": joy.recovery_codes[1].lower().replace("-", " "),
        },
        follow_redirects=False,
    )
    assert page.status_code == 303, page.text
    form = client.get("/login").text
    assert 'maxlength="10"' not in form and 'pattern="[0-9 ]*"' not in form


# -- item 12: body limits and uploads before authentication ------------------------------------------------


def call(
    app: FastAPI, method: str, path: str, headers: dict[str, str], chunks: list[bytes]
) -> tuple[int, int]:
    """Send a request straight to the ASGI app, its body in ``chunks``; the status and how many body bytes
    the app pulled."""
    pulled = 0
    status = 0
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pending:
            chunk = pending.pop(0)
            pulled += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": bool(pending)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {"host": "testserver", **headers}.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 443),
        "state": {},
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return status, pulled


def upload_paths(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        for entry in contexts() if callable(contexts) else [route]:
            if is_upload_endpoint(getattr(entry, "endpoint", None)):
                path = entry.path.replace("{case_id}", "00000000-0000-4000-8000-000000000000")
                found.extend((m, path) for m in entry.methods - {"HEAD"})
    return found


#: Uploads anyone may send: an anonymous report's files (issue 15), under the reporting channel's own
#: rate limits and proof of work (tests/integration/test_reporting.py).
PUBLIC_UPLOADS = {"/report/{locale}", "/report/{locale}/follow-up/message"}


def test_no_upload_route_reads_a_byte_from_a_client_without_a_session(app: FastAPI) -> None:
    routes = [(m, p) for m, p in upload_paths(app) if p not in PUBLIC_UPLOADS]
    assert {path for _, path in routes} >= {
        "/ads",
        "/api/ad-scans",
        "/finance/{investigation_id}/datasets",
        "/api/signals/exchange",  # a partner installation's token, not a session (ADR 0011)
    }
    assert len(routes) == 5
    chunk = b"x" * (1024 * 1024)
    headers = {"content-type": "multipart/form-data; boundary=b", "content-length": str(200 * len(chunk))}
    for method, path in routes:
        status, pulled = call(app, method, path, headers, [chunk] * 200)
        assert status in (303, 401), (path, status)
        assert pulled == 0, path


def test_a_body_larger_than_the_limit_is_refused_before_it_is_parsed(
    app: FastAPI, sqlite_inst: Installation, amina: StaffUser
) -> None:
    limit = sqlite_inst.settings.max_body_bytes
    chunk = b"[" * (64 * 1024)
    declared = {"content-type": "application/json", "content-length": str(60 * 1024 * 1024)}
    assert call(app, "POST", "/api/session", declared, [chunk]) == (413, 0)  # Content-Length honoured
    streamed = {"content-type": "application/json"}  # no length: counted as it streams in
    status, pulled = call(app, "POST", "/api/session", streamed, [chunk] * 1000)
    assert status == 413 and pulled <= limit + len(chunk)
    client = logged_in(app, amina)
    big = client.post("/api/cases", content=b'{"x": "' + b"a" * (limit + 1) + b'"}', headers=streamed)
    assert big.status_code == 413 and big.headers["content-type"] == "application/problem+json"
    assert "default-src" in big.headers["content-security-policy"]


def test_upload_routes_take_the_larger_limit(
    app: FastAPI, sqlite_inst: Installation, amina: StaffUser
) -> None:
    client = logged_in(app, amina)
    case_id = cases.intake(sqlite_inst.db, amina.actor, intake())
    two_mb = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    assert len(two_mb) > sqlite_inst.settings.max_body_bytes
    ok = client.post(f"/api/cases/{case_id}/documents", files={"file": ("a.pdf", two_mb, "application/pdf")})
    assert ok.status_code == 201, ok.text


# -- item 13: images that cannot be cleaned are refused ------------------------------------------------


def photo_with_gps(size: tuple[int, int] = (64, 64)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0), 1: "N"}  # GPSInfo
    exif[0x010E] = "GPS-CANARY"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_truncated_photo_is_refused_not_stored_as_it_came(
    app: FastAPI, sqlite_inst: Installation, amina: StaffUser
) -> None:
    truncated = photo_with_gps((400, 400))[:-400]
    html_to_pdf("<p>a letter</p>")  # WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on when imported
    with pytest.raises(InvalidInput):
        strip_metadata(truncated, "image/jpeg")
    with pytest.raises(InvalidInput):  # however it is declared
        strip_metadata(truncated, "application/octet-stream")
    client = logged_in(app, amina)
    case_id = cases.intake(sqlite_inst.db, amina.actor, intake())
    r = client.post(f"/api/cases/{case_id}/documents", files={"file": ("p.jpg", truncated, "image/jpeg")})
    assert r.status_code == 422 and r.json()["field"] == "file"
    assert documents(sqlite_inst) == 0


def test_decompression_bombs_and_unreadable_image_formats_are_refused() -> None:
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")  # tiny file, 144 million pixels
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(InvalidInput):
        strip_metadata(bomb.getvalue(), "image/png")
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(InvalidInput):
        strip_metadata(heic, "application/octet-stream")
    with pytest.raises(InvalidInput):
        strip_metadata(b"not really a picture", "image/jpeg")


def test_a_whole_photo_is_cleaned_and_other_files_pass() -> None:
    clean, media_type = strip_metadata(photo_with_gps(), "application/octet-stream")
    assert media_type == "image/jpeg" and b"GPS-CANARY" not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert dict(image.getexif()) == {}
    assert strip_metadata(b"%PDF-1.4 a letter", "application/pdf") == (
        b"%PDF-1.4 a letter",
        "application/pdf",
    )


# -- item 14: one origin rule, pages and API -----------------------------------------------------------


def test_a_state_changing_api_request_from_another_site_is_refused(
    app: FastAPI, sqlite_inst: Installation, amina: StaffUser
) -> None:
    client = logged_in(app, amina)
    case_id = cases.intake(sqlite_inst.db, amina.actor, intake())
    consent_id = "00000000-0000-4000-8000-000000000000"  # refused before anything looks it up
    upload = {"file": ("a.txt", b"hello", "text/plain")}
    for foreign in ({"origin": FOREIGN}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}):
        r = client.post(f"/api/cases/{case_id}/documents", files=upload, headers=foreign)
        assert r.status_code == 403, foreign
        assert client.post(f"/api/consents/{consent_id}/revoke", headers=foreign).status_code == 403
    assert documents(sqlite_inst) == 0
    ours = {"origin": "https://testserver", "sec-fetch-site": "same-origin"}
    assert client.post(f"/api/cases/{case_id}/documents", files=upload, headers=ours).status_code == 201
    # past the origin rule, an unknown consent gets the answer "not yours" gets (403, issue 12.8)
    assert client.post(f"/api/consents/{consent_id}/revoke", headers=ours).status_code == 403
    token = client.cookies.get("__Host-opennrm_session")
    bare = TestClient(app, base_url="https://testserver")  # a script with a bearer token: no origin
    bearer = {"authorization": f"Bearer {token}"}
    assert bare.post(f"/api/cases/{case_id}/documents", files=upload, headers=bearer).status_code == 201
    page = client.post(f"/cases/{case_id}/notes", data={"text": "x", "csrf": ""}, headers={"origin": FOREIGN})
    assert page.status_code == 403  # the pages keep the same rule


# -- item 15: files served back, and links built from the path ------------------------------------------


def test_an_uploaded_script_comes_back_as_an_inert_attachment(
    app: FastAPI, sqlite_inst: Installation, amina: StaffUser
) -> None:
    client = logged_in(app, amina)
    case_id = cases.intake(sqlite_inst.db, amina.actor, intake())
    script = {"file": ("x.js", b"alert(document.cookie)", "text/javascript")}
    doc_id = client.post(f"/api/cases/{case_id}/documents", files=script).json()["id"]
    served = client.get(f"/api/documents/{doc_id}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/octet-stream"
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    arabic = {"file": ("وثيقة.pdf", b"%PDF-1.4", "application/pdf")}
    doc_id = client.post(f"/api/cases/{case_id}/documents", files=arabic).json()["id"]
    served = client.get(f"/api/documents/{doc_id}")
    assert served.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in served.headers["content-disposition"]


def test_no_page_links_off_the_site_from_the_request_path(app: FastAPI, amina: StaffUser) -> None:
    client = logged_in(app, amina)
    for path in ("//evil.example/x", "/%2F%2Fevil.example/x", "/\\evil.example/x", "/login"):
        page = client.get(path, follow_redirects=False)
        hrefs = re.findall(r'href="([^"]*)"', page.text)
        assert hrefs, path
        assert not [h for h in hrefs if "evil.example" in h or h.startswith(("//", "\\", "/\\"))], (
            path,
            hrefs,
        )


def test_the_request_log_does_not_record_how_long_a_log_in_took(
    app: FastAPI, sqlite_inst: Installation, amina: StaffUser
) -> None:
    client = TestClient(app, base_url="https://testserver")
    client.post("/api/session", json={"username": "nobody", "password": PASSWORD, "totp": "000000"})
    logged_in(app, amina)
    lines = [
        line for line in sqlite_inst.settings.log_file.read_text().splitlines() if "/api/session" in line
    ]
    assert lines
    assert not [line for line in lines if re.search(r"\d(\.\d+)?\s*ms\b", line)], lines
