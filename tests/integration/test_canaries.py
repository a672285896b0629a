"""Canaries planted in every identifying field, note and document are found 0 times in the raw bytes of
the database file, its WAL, backups and logs (and, on PostgreSQL, in a plain-text dump of the database)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, make_org, make_user

CANARIES = {
    "given_name": "CanaryGivenQx7",
    "family_name": "CanaryFamilyZk3",
    "birth_date": "1903-07-19",
    "phone": "+99 1234 567 890",
    "email": "canary.wq9@example.org",
    "id_document_number": "CANARYDOC884",
    "address": "CanaryStreet 77 Vx",
    "survivor_code": "CANARY-CODE-5",
    "place": "CanaryPlaceTr4",
    "note": "CanaryNoteHm2 she said",
    "document": "CanaryDocumentBodyJj8",
    "document_name": "CanaryFileNameUu1.txt",
    "exif": "CanaryExifArtistPp6",
}


def canary_image() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x013B] = CANARIES["exif"]  # Artist
    exif[0x010E] = CANARIES["exif"]  # ImageDescription
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    assert CANARIES["exif"].encode() in out.getvalue()
    return out.getvalue()


def needles() -> list[bytes]:
    found = []
    for value in CANARIES.values():
        found += [value.encode("utf-8"), value.encode("utf-16-le")]
    found.append(b"+99123456789")
    return found


def plant(inst: Installation, tmp_path: Path) -> None:
    make_org(inst.db, "Safe Harbour")
    user = make_user(inst.db, "amina", "Safe Harbour", "caseworker")
    client = TestClient(create_app(inst.settings), base_url="https://testserver")
    r = client.post("/api/session", json={"username": "amina", "password": PASSWORD, "totp": user.code()})
    assert r.status_code == 201
    body = {
        "person": {
            k: CANARIES[k]
            for k in (
                "given_name",
                "family_name",
                "birth_date",
                "phone",
                "email",
                "id_document_number",
                "address",
            )
        },
        "case": {
            "age_at_trafficking": 20,
            "events": [{"place": CANARIES["place"], "exploitation_types": ["forced_labour"]}],
        },
        "notes": [CANARIES["note"]],
    }
    r = client.post("/api/cases", json=body)
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    files = {"file": (CANARIES["document_name"], CANARIES["document"].encode(), "text/plain")}
    assert client.post(f"/api/cases/{case_id}/documents", files=files).status_code == 201
    files = {"file": ("photo.jpg", canary_image(), "image/jpeg")}
    assert client.post(f"/api/cases/{case_id}/documents", files=files).status_code == 201
    # read everything back, through the API and the search, so reads are logged too
    assert client.get(f"/api/cases/{case_id}").json()["person"]["given_name"] == CANARIES["given_name"]
    assert client.get("/api/cases", params={"phone": CANARIES["phone"]}).json()["items"]
    code = client.get(f"/api/cases/{case_id}").json()["survivor_code"]
    assert client.get("/api/cases", params={"survivor_code": code}).json()["items"]
    # a bad request carrying a canary must not leak it into logs either
    assert (
        client.post("/api/cases", json={"person": {"given_name": CANARIES["given_name"], "x": 1}}).status_code
        == 422
    )
    # the command line import path, with its output captured
    line = json.dumps(
        {
            "person": {"given_name": CANARIES["given_name"] + "Cli", "phone": CANARIES["phone"]},
            "case": {"survivor_code": CANARIES["survivor_code"]},  # an organisation's own code, by import
            "notes": [CANARIES["note"] + "Cli"],
        }
    )
    source = tmp_path / "import.jsonl"
    source.write_text(line + "\n")
    out = subprocess.run(
        [sys.executable, "-m", "opennrm", "import", "cases", str(source)],
        env=inst.env(),
        capture_output=True,
        check=True,
    )
    source.unlink()
    for needle in needles():
        assert needle not in out.stdout + out.stderr
    subprocess.run(
        [sys.executable, "-m", "opennrm", "backup", str(inst.settings.home / "backup.bin")],
        env=inst.env(),
        capture_output=True,
        check=True,
    )


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_no_canary_in_database_wal_backups_or_logs(inst: Installation, tmp_path: Path) -> None:
    plant(inst, tmp_path)
    home = inst.settings.home
    scanned = files_under(home)
    names = {p.name for p in scanned}
    assert "backup.bin" in names and "opennrm.log" in names
    if inst.backend == "sqlite":
        assert {"opennrm.sqlite", "opennrm.sqlite-wal"} <= names
    hits = [(p.name, n) for p in scanned for n in needles() if n in p.read_bytes()]
    assert hits == []
    if inst.backend == "postgresql":
        if shutil.which("pg_dump") is None:
            pytest.fail("pg_dump is needed to scan the PostgreSQL database")
        url = inst.settings.database_url.replace("postgresql+psycopg://", "postgresql://")
        dump = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True, check=True).stdout
        assert [n for n in needles() if n in dump] == []


def test_image_metadata_is_stripped_on_upload() -> None:
    from opennrm.services.media import strip_metadata

    clean, media_type = strip_metadata(canary_image(), "application/octet-stream")
    assert media_type == "image/jpeg"
    assert CANARIES["exif"].encode() not in clean
    with Image.open(io.BytesIO(clean)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (8, 8)
