"""One version: pyproject.toml's, which the installed metadata carries, ``opennrm --version`` prints, and the
CHANGELOG's newest released heading names (issue 21, item 10)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib.metadata import distribution
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opennrm.cli.main import app

ROOT = Path(__file__).resolve().parents[2]


def _pyproject_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"])


def _installed_from_this_checkout() -> bool:
    """An editable install of another checkout (a second worktree, say) carries that checkout's metadata."""
    direct_url = distribution("opennrm").read_text("direct_url.json")
    if direct_url is None:
        return True  # a regular install: its metadata is what was built
    origin = json.loads(direct_url)
    if not origin.get("dir_info", {}).get("editable"):
        return True
    return Path(origin.get("url", "").removeprefix("file://")).resolve() == ROOT


def test_opennrm_version_prints_the_installed_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"opennrm {distribution('opennrm').version}\n"


def test_opennrm_version_is_the_version_in_pyproject() -> None:
    if not _installed_from_this_checkout():
        pytest.skip("opennrm is installed from another checkout: its metadata is that checkout's")
    out = subprocess.run(
        [sys.executable, "-m", "opennrm", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"opennrm {_pyproject_version()}", (
        "the installed metadata is stale: reinstall (pip install -e .) after changing the version"
    )


def test_the_newest_release_in_the_changelog_is_the_version_in_pyproject() -> None:
    headings = re.findall(r"^## (.+)$", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert headings[0] == "Unreleased"
    releases = [re.fullmatch(r"(\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})", h) for h in headings[1:]]
    assert all(releases), headings
    versions = [tuple(int(p) for p in m.group(1).split(".")) for m in releases if m]
    dates = [m.group(2) for m in releases if m]
    assert versions == sorted(versions, reverse=True) and dates == sorted(dates, reverse=True)
    assert releases[0] and releases[0].group(1) == _pyproject_version()
