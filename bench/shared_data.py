"""Where the benches find the project's shared reference data."""

from __future__ import annotations

import os
from pathlib import Path


def shared_dir() -> Path:
    """``<repo>/../shared`` unless ``OPENNRM_SHARED`` names another."""
    repo = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("OPENNRM_SHARED") or repo.parent / "shared").resolve()
