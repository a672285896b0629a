"""Counting labour inspection (GR38 §54(b), §59) for statistics: inspections (and how many unannounced),
violations by type, findings by sector, workers referred into the NRM, agencies sanctioned.

Every count is shown with the display rule of ``opennrm.stats.tables`` (counts under the threshold as
"<11"), so one inspection, one referred worker or one small agency cannot be picked out of a published
table. Sectors and types come from the vocabularies (``opennrm.domain.labour``), never from the data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from opennrm.domain.labour import FindingKind, Sector, ViolationType
from opennrm.stats.tables import DISPLAY_THRESHOLD, display_count

SECTORS = tuple(s.value for s in Sector)
VIOLATIONS = tuple(v.value for v in ViolationType)
FINDINGS = tuple(f.value for f in FindingKind)


@dataclass(frozen=True)
class InspectionFacts:
    """One inspection as statistics see it: its sector, whether announced, the kinds of findings, and how
    many workers met at it were referred."""

    sector: str
    announced: bool
    findings: tuple[str, ...]
    referred: int


@dataclass(frozen=True)
class LabourCounts:
    """The published figures (text: a number or "<11")."""

    inspections: str
    unannounced: str
    workers_referred: str
    agencies_sanctioned: str
    inspections_by_sector: Mapping[str, str]
    findings_by_sector: Mapping[str, Mapping[str, str]]
    violations_by_type: Mapping[str, str]


def count_labour(
    inspections: Iterable[InspectionFacts],
    violation_types: Iterable[str],
    agencies_sanctioned: int,
    threshold: int = DISPLAY_THRESHOLD,
) -> LabourCounts:
    rows = list(inspections)
    by_sector = Counter(r.sector for r in rows)
    findings: dict[str, Counter[str]] = {s: Counter() for s in SECTORS}
    for r in rows:
        for kind in set(r.findings):
            findings.setdefault(r.sector, Counter())[kind] += 1
    violations = Counter(violation_types)
    return LabourCounts(
        inspections=display_count(len(rows), threshold),
        unannounced=display_count(sum(1 for r in rows if not r.announced), threshold),
        workers_referred=display_count(sum(r.referred for r in rows), threshold),
        agencies_sanctioned=display_count(agencies_sanctioned, threshold),
        inspections_by_sector={s: display_count(by_sector.get(s, 0), threshold) for s in SECTORS},
        findings_by_sector={
            s: {f: display_count(findings[s].get(f, 0), threshold) for f in FINDINGS} for s in SECTORS
        },
        violations_by_type={v: display_count(violations.get(v, 0), threshold) for v in VIOLATIONS},
    )
