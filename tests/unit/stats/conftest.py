"""Fixtures for the statistics tests: the shared data folder and small frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from opennrm.stats import ctdc
from opennrm.stats.tables import PersonFrame
from tests.support import shared_dir


@pytest.fixture
def ctdc_file() -> Path:
    path = shared_dir() / "data" / "ctdc" / "ctdc_synthetic_2025_north_america.csv"
    if not path.exists():
        pytest.skip(f"shared CTDC file not found at {path}")
    return path


@pytest.fixture
def htcds_tsv() -> Path:
    path = shared_dir() / "data" / "htcds" / "htcds_fields_v2.0.tsv"
    if not path.exists():
        pytest.skip(f"shared HTCDS file not found at {path}")
    return path


def small_ctdc_frame(n: int = 3000, seed: int = 7) -> PersonFrame:
    """A CTDC-shaped frame with many small and empty cells (rare categories on purpose)."""
    rng = np.random.default_rng(seed)
    band = rng.choice(10, n, p=[0.4, 0.05, 0.1, 0.05, 0.05, 0.05, 0.1, 0.1, 0.05, 0.05])
    labour = (rng.random(n) < 0.25).astype(int)
    sexual = np.where(labour == 1, (rng.random(n) < 0.2).astype(int), (rng.random(n) < 0.995).astype(int))
    trans = (rng.random(n) < 0.01).astype(int)
    woman = np.where(trans == 1, 0, (rng.random(n) < 0.75).astype(int))
    citizen = (rng.random(n) < 0.1).astype(int)
    return ctdc.ctdc_frame(np.column_stack([band, labour, sexual, trans, woman, citizen]))


CTDC_HEADER = ",".join(
    [
        "Age Band",
        "Trafficking Duration",
        "isForcedLabour",
        "isSexualExploit",
        "Trans/NonConforming",
        "Woman",
        "Is Citizen of Country",
    ]
)


def write_ctdc(path: Path, rows: list[tuple[int, int, int, int, int, int]]) -> Path:
    """A CTDC-format CSV (the columns the reader needs plus one it ignores)."""
    lines = [CTDC_HEADER] + [f"{b},0,{lab},{sx},{tr},{wo},{ci}" for b, lab, sx, tr, wo, ci in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
