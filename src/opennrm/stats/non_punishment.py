"""Counting the non-punishment matters (GR38 §98) for statistics: how many persons had measures taken
against them because they were trafficked, which measures, where they stand, and how many requests to clear
a record there are. Every count is shown with the display rule of ``opennrm.stats.tables`` (counts under 11
as "<11"), so a small cell never points at a person."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from opennrm.domain.non_punishment import ClearanceStatus, MatterStatus, MeasureTaken
from opennrm.stats.tables import DISPLAY_THRESHOLD, display_count

MEASURES = tuple(m.value for m in MeasureTaken)
STATUSES = tuple(s.value for s in MatterStatus)
CLEARANCE_STATUSES = tuple(s.value for s in ClearanceStatus)


@dataclass(frozen=True)
class MatterFacts:
    """One matter as statistics see it: whose (an opaque person id, to count persons once), which measure
    and where it stands."""

    person: str
    measure: str
    status: str


@dataclass(frozen=True)
class NonPunishmentCounts:
    """The published counts (text: a number, or "<11")."""

    persons: str
    matters: str
    by_measure: Mapping[str, str]
    by_status: Mapping[str, str]
    clearance_requests: Mapping[str, str]


def _shown(counter: Counter[str], categories: Sequence[str], threshold: int) -> dict[str, str]:
    return {category: display_count(counter.get(category, 0), threshold) for category in categories}


def count_non_punishment(
    matters: Iterable[MatterFacts], clearance_statuses: Iterable[str], threshold: int = DISPLAY_THRESHOLD
) -> NonPunishmentCounts:
    """Persons (each once), matters by measure and by status, and clearance requests by status, every
    count shown with the display rule."""
    rows = list(matters)
    return NonPunishmentCounts(
        persons=display_count(len({m.person for m in rows}), threshold),
        matters=display_count(len(rows), threshold),
        by_measure=_shown(Counter(m.measure for m in rows), MEASURES, threshold),
        by_status=_shown(Counter(m.status for m in rows), STATUSES, threshold),
        clearance_requests=_shown(Counter(clearance_statuses), CLEARANCE_STATUSES, threshold),
    )
