"""Adapter from the ORFD column layout (58.com job ads, GitHub ``freekatz/ORFD``) to the scanner's records.

No ORFD data ships with OpenNRM: its licence allows research and evaluation use only, so the tests and
benchmarks read it from ``../shared/data/orfd/`` when it is there and skip otherwise. Labels: ``fake`` and
``disputed`` → 1, ``real`` → 0 (the reference note's convention). They are recruitment-fraud labels judged
by student annotators from the ad page, a proxy for deceptive recruitment, not trafficking outcomes.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LABELS = {"real": 0, "fake": 1, "disputed": 1}


def orfd_row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """One ORFD row as a contract record (with the structured extension fields)."""

    def value(name: str) -> str:
        return (row.get(name) or "").strip()

    record: dict[str, Any] = {
        "id": value("Job_ID"),
        "title": value("jobTitle"),
        "text": "\n".join(part for part in (value("jobSubTitle"), value("jobDescription")) if part),
        "company": value("companyName"),
        "company_id": value("Company_ID"),
        "city": value("jobCity"),
        "posted_at": value("jobUpdateTime"),
        "lang": "zh-Hans",
        "salary": value("jobSalary"),
        "benefits": value("jobWelfare"),
        "requirements": value("jobRequirement"),
        "openings": value("needNumber"),
        "company_info": value("companyIntro"),
        "company_scope": value("businessScope"),
        "company_size": value("companySize"),
        "company_reg": value("creditCode"),
        "company_status": value("operatingStatus"),
    }
    label = value("label")
    if label in LABELS:
        record["label"] = LABELS[label]
    return record


def read_orfd(path: Path) -> Iterator[dict[str, Any]]:
    """Contract records from an ORFD CSV export."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.DictReader(stream):
            yield orfd_row_to_record(row)
