"""Debian's Chromium driven by Playwright (``executable_path``; no browser download); the live server the
pages are loaded from is ``live_server`` in tests/conftest.py.

One Chromium serves every test of this directory (``chromium``, package scope); each test gets a fresh
context of its own (cookies, storage), so tests stay apart while the browser starts once."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("OPENNRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1200, "height": 900}


@pytest.fixture(scope="package")
def chromium():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("OPENNRM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM} (run scripts/install-system-deps.sh)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = chromium.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()
