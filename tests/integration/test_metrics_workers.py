"""``opennrm serve --workers N``: the server processes count together, so a scrape answered by any of them
sees every request (prometheus_client's multiprocess mode, web/operations.py; docs/operations.md)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.conftest import Installation

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scrape-" + "5be0c1" * 8
LIVEZ = re.compile(r'^opennrm_http_requests_total\{method="GET",route="/livez",status="200"\} (\S+)$', re.M)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, **headers: str) -> httpx.Response:
    # a new connection each time, so that the listening socket hands requests to either process
    with httpx.Client(timeout=30, headers={"Connection": "close", **headers}) as client:
        return client.get(url)


def _wait_ready(base: str, proc: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            raise AssertionError(f"the server stopped: {err}")
        try:
            if _get(f"{base}/readyz").status_code == 200:  # not /livez: those are the ones counted
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


def test_two_server_processes_are_scraped_as_one(inst: Installation) -> None:
    port = _free_port()
    folder = inst.settings.metrics_dir / str(port)
    folder.mkdir(parents=True)
    stale = folder / "counter_1.db"
    stale.write_bytes(b"left by an earlier run")  # serve empties the folder before it starts
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "opennrm", "serve", "--workers", "2", "--no-worker", "--port", str(port)],
        env={**inst.env(), "PYTHONPATH": str(ROOT / "src"), "OPENNRM_METRICS_TOKEN": TOKEN},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_ready(base, proc, 120)
        assert not stale.exists()
        for made in (inst.settings.metrics_dir, folder):
            assert made.stat().st_mode & 0o777 == 0o700
        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            # in bursts until both processes have counted something (each writes its own file), at most 400
            while sent < 400:
                answers = list(pool.map(lambda _: _get(f"{base}/livez").status_code, range(20)))
                assert answers == [200] * 20
                sent += 20
                if len(list(folder.glob("counter_*.db"))) >= 2:
                    break
        assert len(list(folder.glob("counter_*.db"))) == 2, "one process took every request"
        for _ in range(6):  # each scrape may be answered by either process: every one sees all requests
            scraped = _get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
            assert scraped.status_code == 200
            counted = LIVEZ.search(scraped.text)
            assert counted is not None, scraped.text[:2000]
            assert float(counted.group(1)) == sent
        assert _get(f"{base}/metrics").status_code == 401
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
