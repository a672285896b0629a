"""The software bill of materials (``sbom.cdx.json``, CycloneDX) names exactly the packages and versions
pinned in ``requirements.lock``: after ``make lock`` changes the lock, ``make sbom`` must follow."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# a pin, with the extras a dependency asks for when the lock keeps them (``fonttools[woff]==4.68.0``)
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\;]+)", re.MULTILINE)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_sbom_lists_every_locked_package_at_its_locked_version() -> None:
    locked = {
        (_normal(n), v) for n, v in PIN.findall((REPO / "requirements.lock").read_text(encoding="utf-8"))
    }
    bom = json.loads((REPO / "sbom.cdx.json").read_text(encoding="utf-8"))
    listed = {(_normal(c["name"]), c["version"]) for c in bom["components"]}
    assert bom["bomFormat"] == "CycloneDX" and bom["metadata"]["component"]["name"] == "opennrm"
    assert listed == locked, (
        f"run `make sbom`: missing {sorted(locked - listed)[:5]}, extra {sorted(listed - locked)[:5]}"
    )
    assert all(c["purl"].startswith("pkg:pypi/") for c in bom["components"])


def test_no_tracked_file_names_a_package_index_host() -> None:
    """Which index installs come from is the installer's configuration, never the repository's."""
    hosts = ["pypi" + ".org", "files.python" + "hosted.org", "registry.npm" + "js.org"]
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    offenders = [
        f"{name}: {host}"
        for name in tracked
        if (REPO / name).is_file()
        for host in hosts
        if host in (REPO / name).read_text(encoding="utf-8", errors="ignore")
    ]
    assert offenders == []
