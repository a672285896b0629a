"""Against a real server on 127.0.0.1 (issue 12, items 12 and 16a): a flood of log-ins is refused with 429
and queued without starving a caseworker; oversized bodies are refused before they are read; an image is
cleaned off the event loop while other requests are answered. Every loop is bounded in count and time."""

from __future__ import annotations

import io
import random
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from argon2.profiles import RFC_9106_LOW_MEMORY
from fastapi import FastAPI
from PIL import Image

from opennrm.access import credentials
from opennrm.services import cases
from opennrm.web.app import create_app
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, intake, make_org, make_user

DEADLINE = 60.0  # no test here runs longer, whatever the server does


@dataclass
class Live:
    url: str
    app: FastAPI


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(sqlite_inst: Installation) -> Iterator[Live]:
    """Like ``live_server``, but the test may look at the application's state."""
    app = create_app(sqlite_inst.settings)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = time.monotonic()
    while not server.started and time.monotonic() - started < 20:
        time.sleep(0.05)
    assert server.started
    yield Live(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def costly_hashing() -> Iterator[None]:
    """argon2id at the production cost (64 MiB), so that a flood of log-ins is the real load: 60 of them
    at once without the cap would keep the two cores busy for about five seconds."""
    previous = credentials.current_hasher()
    credentials.use_hasher(PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY))
    yield
    credentials.use_hasher(previous)


@pytest.fixture
def amina(sqlite_inst: Installation) -> StaffUser:
    make_org(sqlite_inst.db, "Safe Harbour")
    return make_user(sqlite_inst.db, "amina", "Safe Harbour", "caseworker")


def bearer(url: str, user: StaffUser) -> dict[str, str]:
    login = {"username": user.username, "password": PASSWORD, "totp": user.code()}
    token = httpx.post(f"{url}/api/session", json=login, timeout=30).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_log_in_flood_gets_429_and_a_caseworker_is_still_answered(
    live: Live, amina: StaffUser, costly_hashing: None
) -> None:
    headers = bearer(live.url, amina)  # she logged in before the flood began
    flood = 60
    answers: list[httpx.Response] = []

    def guess(n: int) -> None:
        with httpx.Client(timeout=DEADLINE) as http:
            body = {"username": f"nobody-{n}", "password": "wrong password!", "totp": "000000"}
            answers.append(http.post(f"{live.url}/api/session", json=body))

    with ThreadPoolExecutor(max_workers=flood) as pool:
        futures = [pool.submit(guess, n) for n in range(flood)]
        time.sleep(0.2)  # the flood is arriving
        started = time.monotonic()
        listed = httpx.get(f"{live.url}/api/cases", headers=headers, timeout=DEADLINE)
        waited = time.monotonic() - started
        for future in futures:
            future.result(timeout=DEADLINE)
    assert listed.status_code == 200
    # Without the cap she waited 5 s on an idle machine (issue 12); with it, well under a second when idle.
    # The bound leaves room for a machine busy with other tests; the cap itself is checked exactly below.
    assert waited < 5.0, f"the caseworker waited {waited:.1f} s behind the flood"
    statuses = sorted({r.status_code for r in answers})
    assert set(statuses) <= {401, 429}, statuses
    refused = [r for r in answers if r.status_code == 429]
    settings = live.app.state.settings
    assert len(refused) >= flood - settings.login_attempts_per_minute
    assert all(int(r.headers["retry-after"]) >= 1 for r in refused)
    assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    assert live.app.state.login_guard.busiest <= settings.login_concurrency


def test_a_live_server_refuses_oversized_bodies_before_reading_them(live: Live, amina: StaffUser) -> None:
    # A 60 MB JSON body, streamed without a length: cut off at the limit, not read to the end.
    sent = 0
    limit = live.app.state.settings.max_body_bytes

    def sixty_megabytes() -> Iterator[bytes]:
        nonlocal sent
        chunk = b"[" * (256 * 1024)
        for _ in range(240):
            sent += len(chunk)
            yield chunk

    try:
        r = httpx.post(
            f"{live.url}/api/session",
            content=sixty_megabytes(),
            headers={"content-type": "application/json"},
            timeout=DEADLINE,
        )
        assert r.status_code == 413
    except httpx.TransportError:
        pass  # the server answered 413 and closed the connection while we were still sending
    assert sent < 60 * 1024 * 1024 or limit >= 60 * 1024 * 1024

    # Declared sizes are believed: the server answers without waiting for a byte of the body.
    host = urlsplit(live.url)
    for path, declared in (("/api/session", 60 * 1024 * 1024), ("/api/ad-scans", 200 * 1024 * 1024)):
        with socket.create_connection((host.hostname, host.port), timeout=10) as raw:
            raw.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nContent-Type: "
                f"multipart/form-data; boundary=b\r\nContent-Length: {declared}\r\n\r\n".encode()
            )
            head = raw.recv(4096).decode(errors="replace")
        # /api/session: too large; /api/ad-scans: no session, so the upload is never read at all
        expected = "413" if path == "/api/session" else "401"
        assert head.startswith(f"HTTP/1.1 {expected}"), (path, head[:80])


def noisy_photo(side: int) -> bytes:
    rng = random.Random(7)
    image = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def test_an_image_is_cleaned_off_the_event_loop(
    live: Live, sqlite_inst: Installation, amina: StaffUser
) -> None:
    headers = bearer(live.url, amina)
    case_id = cases.intake(sqlite_inst.db, amina.actor, intake())
    photo = noisy_photo(2400)  # about 17 MB of pixels: re-encoding takes a while
    assert len(photo) < 20 * 1024 * 1024
    uploaded: list[int] = []

    def send() -> None:
        files = {"file": ("photo.png", photo, "image/png")}
        r = httpx.post(
            f"{live.url}/api/cases/{case_id}/documents", files=files, headers=headers, timeout=DEADLINE
        )
        uploaded.append(r.status_code)

    sender = threading.Thread(target=send)
    sender.start()
    answers: list[tuple[int, float]] = []
    with httpx.Client(base_url=live.url, timeout=DEADLINE) as http:
        stop = time.monotonic() + DEADLINE
        while sender.is_alive() and time.monotonic() < stop and len(answers) < 500:
            started = time.monotonic()
            answers.append((http.get("/api/health").status_code, time.monotonic() - started))
            time.sleep(0.05)
    sender.join(timeout=DEADLINE)
    assert uploaded == [201]
    assert answers and all(status == 200 and seconds < 1.0 for status, seconds in answers), answers
    assert len(answers) >= 3, f"only {len(answers)} answer(s) while the upload was processed"
