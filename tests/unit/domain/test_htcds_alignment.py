"""Our HTCDS value names exist in the HTCDS v2.0 picklists shipped in ../shared/data/htcds."""

from __future__ import annotations

import csv

import pytest

from opennrm.domain.vocabularies import HTCDS
from tests.support import shared_dir


def test_htcds_names_are_real_picklist_values() -> None:
    path = shared_dir() / "data" / "htcds" / "htcds_fields_v2.0.tsv"
    if not path.exists():
        pytest.skip(f"shared HTCDS data not found at {path}")
    with path.open(encoding="utf-8") as fh:
        rows = {r["Field Name including Prefix"]: r for r in csv.DictReader(fh, delimiter="\t")}
    for vocabulary, picklist in HTCDS.items():
        allowed = {v.strip() for v in rows[picklist.field]["Value Names (if picklist)"].split("/")}
        for code, name in picklist.names.items():
            assert name is None or name in allowed, f"{vocabulary.__name__}.{code} -> {name}"
