"""What the review page needs: ranked queues of ads and actor networks, highlighted evidence, decisions.

A reviewer's decision is a ``ReviewDecision``. The web application records it (with its audit event);
``decisions_to_labels`` turns decisions into labelled records that ``opennrm ads train`` reads, so the
model learns the platform's own judgements. A score is a reason to look, never a finding about a person.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.reading import ad_to_record

MAX_NOTE_CHARS = 2000


class DecisionLabel(StrEnum):
    """A reviewer's conclusion about one ad."""

    DECEPTIVE = "deceptive"  # deceptive or fraudulent recruitment: training label 1
    LEGITIMATE = "legitimate"  # training label 0
    UNSURE = "unsure"  # no training label

    @property
    def training_label(self) -> int | None:
        return {DecisionLabel.DECEPTIVE: 1, DecisionLabel.LEGITIMATE: 0}.get(self)


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """One reviewer decision on one ad (the web app stores it and writes the audit event)."""

    ad_id: str
    decision: DecisionLabel
    note: str = ""
    decided_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not self.ad_id.strip():
            raise ValueError("a decision needs the ad's id")
        if not isinstance(self.decision, DecisionLabel):
            object.__setattr__(self, "decision", DecisionLabel(self.decision))
        if len(self.note) > MAX_NOTE_CHARS:
            raise ValueError(f"the note is longer than {MAX_NOTE_CHARS} characters")

    def as_dict(self) -> dict[str, Any]:
        return {
            "ad_id": self.ad_id,
            "decision": self.decision.value,
            "note": self.note,
            "decided_at": self.decided_at.isoformat() if self.decided_at else None,
        }


def _latest(decisions: Iterable[ReviewDecision]) -> dict[str, ReviewDecision]:
    """The last decision per ad: by ``decided_at`` when given, otherwise the later one in the sequence."""
    latest: dict[str, tuple[int, ReviewDecision]] = {}
    for order, decision in enumerate(decisions):
        current = latest.get(decision.ad_id)
        if current is None:
            latest[decision.ad_id] = (order, decision)
            continue
        previous = current[1]
        if decision.decided_at and previous.decided_at:
            newer = decision.decided_at >= previous.decided_at
        else:
            newer = True
        if newer:
            latest[decision.ad_id] = (order, decision)
    return {ad_id: decision for ad_id, (_, decision) in latest.items()}


def decisions_to_labels(
    decisions: Iterable[ReviewDecision], ads: Iterable[JobAd]
) -> Iterator[dict[str, Any]]:
    """Labelled contract records for ``opennrm ads train``: the ads that have a deceptive/legitimate decision.

    The latest decision per ad counts; "unsure" gives no label, and ads without a decision are left out.
    """
    latest = _latest(decisions)
    for ad in ads:
        decision = latest.get(ad.id)
        if decision is None or decision.decision.training_label is None:
            continue
        record = ad_to_record(ad)
        record["label"] = decision.decision.training_label
        yield record


def write_labels(records: Iterable[Mapping[str, Any]], destination: Path) -> int:
    """Write labelled records as JSON Lines; returns how many."""
    count = 0
    with destination.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


# -- queues ------------------------------------------------------------------------------------------------


def read_scan_output(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a scan output file (JSON Lines written by ``opennrm ads scan``)."""
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True, slots=True)
class QueuedAd:
    """One ad in the review queue."""

    ad_id: str
    risk: float
    actor_id: str
    actor_risk: float
    actor_size: int
    flags: tuple[dict[str, Any], ...]
    title: str
    company: str | None
    city: str | None
    url: str | None

    @property
    def flag_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f["flag"] for f in self.flags))


@dataclass
class ActorNetwork:
    """Ads joined into one actor, with what joins them and the network risk a reviewer sorts by."""

    actor_id: str
    risk: float
    size: int
    ad_ids: list[str] = field(default_factory=list)
    top_ad_risks: list[float] = field(default_factory=list)
    companies: set[str] = field(default_factory=set)
    cities: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    identifiers: dict[str, int] = field(default_factory=dict)
    flag_counts: dict[str, int] = field(default_factory=dict)

    @property
    def shared_identifiers(self) -> list[str]:
        """Identifiers seen in more than one of the network's ads."""
        return sorted(key for key, count in self.identifiers.items() if count > 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "actor_id": self.actor_id,
            "risk": self.risk,
            "size": self.size,
            "ad_ids": self.ad_ids,
            "companies": sorted(self.companies),
            "cities": sorted(self.cities),
            "templates": sorted(self.templates),
            "shared_identifiers": self.shared_identifiers,
            "flag_counts": dict(sorted(self.flag_counts.items(), key=lambda item: -item[1])),
        }


def _queued(record: Mapping[str, Any]) -> QueuedAd:
    return QueuedAd(
        ad_id=str(record["id"]),
        risk=float(record["risk"]),
        actor_id=str(record.get("actor_id") or ""),
        actor_risk=float(record.get("actor_risk", record["risk"])),
        actor_size=int(record.get("actor_size", 1)),
        flags=tuple(record.get("flags", ())),
        title=str(record.get("title") or ""),
        company=record.get("company"),
        city=record.get("city"),
        url=record.get("url"),
    )


def ad_queue(
    records: Iterable[Mapping[str, Any]],
    limit: int = 100,
    min_risk: float = 0.0,
    exclude: Iterable[str] = (),
) -> list[QueuedAd]:
    """The ``limit`` riskiest ads (network risk breaks ties), skipping ids in ``exclude`` (already reviewed).

    Streams the records and keeps only ``limit`` of them in memory.
    """
    skip = set(exclude)
    heap: list[tuple[float, float, int, QueuedAd]] = []
    for order, record in enumerate(records):
        if record["risk"] < min_risk or str(record["id"]) in skip:
            continue
        item = _queued(record)
        entry = (item.risk, item.actor_risk, -order, item)
        if len(heap) < limit:
            heapq.heappush(heap, entry)
        elif entry[:3] > heap[0][:3]:
            heapq.heapreplace(heap, entry)
    return [entry[3] for entry in sorted(heap, key=lambda e: e[:3], reverse=True)]


def actor_queue(
    records: Iterable[Mapping[str, Any]], limit: int = 50, min_size: int = 2, ads_shown: int = 20
) -> list[ActorNetwork]:
    """Actor networks of at least ``min_size`` ads, by network risk, then size."""
    networks: dict[str, ActorNetwork] = {}
    for record in records:
        if int(record.get("actor_size", 1)) < min_size:
            continue
        actor_id = str(record["actor_id"])
        network = networks.get(actor_id)
        if network is None:
            network = ActorNetwork(actor_id, float(record.get("actor_risk", 0.0)), int(record["actor_size"]))
            networks[actor_id] = network
        risk = float(record["risk"])
        if len(network.ad_ids) < ads_shown:
            network.ad_ids.append(str(record["id"]))
            network.top_ad_risks.append(risk)
        elif risk > min(network.top_ad_risks):
            index = network.top_ad_risks.index(min(network.top_ad_risks))
            network.ad_ids[index], network.top_ad_risks[index] = str(record["id"]), risk
        if record.get("company"):
            network.companies.add(str(record["company"]))
        if record.get("city"):
            network.cities.add(str(record["city"]))
        if record.get("template_id"):
            network.templates.add(str(record["template_id"]))
        for identifier in {f"{i['kind']}:{i['value']}" for i in record.get("identifiers", ())}:
            network.identifiers[identifier] = network.identifiers.get(identifier, 0) + 1
        for flag in {f["flag"] for f in record.get("flags", ())}:
            network.flag_counts[flag] = network.flag_counts.get(flag, 0) + 1
    for network in networks.values():
        order = sorted(range(len(network.ad_ids)), key=lambda i: -network.top_ad_risks[i])
        network.ad_ids = [network.ad_ids[i] for i in order]
        network.top_ad_risks = [network.top_ad_risks[i] for i in order]
    ranked = sorted(networks.values(), key=lambda n: (-n.risk, -n.size, n.actor_id))
    return ranked[:limit]


# -- evidence ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of an ad's text; ``flags`` names the red flags whose evidence covers it (empty if none)."""

    text: str
    flags: tuple[str, ...] = ()


def highlight(text: str, flags: Sequence[Mapping[str, Any]], field_name: str = "text") -> list[Segment]:
    """Split ``text`` into segments so a page can mark each flag's evidence (overlaps allowed)."""
    spans = [
        (int(f["start"]), int(f["end"]), str(f["flag"]))
        for f in flags
        if f.get("start") is not None
        and f.get("end") is not None
        and (f.get("field") or "text") == field_name
    ]
    spans = [(s, e, flag) for s, e, flag in spans if 0 <= s < e <= len(text)]
    if not spans:
        return [Segment(text)] if text else []
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    segments: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        covering = tuple(dict.fromkeys(flag for s, e, flag in spans if s <= start and end <= e))
        segments.append(Segment(text[start:end], covering))
    return segments
