"""What the review page calls: ranked queues, highlighted evidence, decisions turned into training labels."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from opennrm.recruitment.reading import parse_record
from opennrm.recruitment.review import (
    DecisionLabel,
    ReviewDecision,
    actor_queue,
    ad_queue,
    decisions_to_labels,
    highlight,
)
from tests.unit.recruitment.helpers import as_ad


def _record(
    ad_id: str, risk: float, actor: str, size: int = 1, actor_risk: float | None = None
) -> dict[str, Any]:
    return {
        "id": ad_id,
        "risk": risk,
        "actor_id": actor,
        "actor_size": size,
        "actor_risk": actor_risk if actor_risk is not None else risk,
        "flags": [
            {"flag": "urgency", "evidence": "急招", "start": 0, "end": 2, "weight": 0.3, "field": "text"}
        ],
        "identifiers": [{"kind": "phone", "value": "+8613800138000"}],
        "template_id": None,
        "company": f"co-{ad_id}",
        "city": "bj",
    }


def test_the_ad_queue_is_ranked_by_risk_then_network_risk_and_skips_reviewed_ads() -> None:
    records = [_record("a", 0.2, "x"), _record("b", 0.9, "y"), _record("c", 0.5, "z", actor_risk=0.6)]
    records.append(_record("d", 0.5, "w", actor_risk=0.9))
    queue = ad_queue(records, limit=3)
    assert [item.ad_id for item in queue] == ["b", "d", "c"]
    assert [item.ad_id for item in ad_queue(records, limit=10, exclude=["b"], min_risk=0.3)] == ["d", "c"]
    assert queue[0].flag_ids == ("urgency",)


def test_the_actor_queue_lists_networks_by_risk_with_what_joins_them() -> None:
    records = [
        _record("a1", 0.9, "A", 3, 0.8),
        _record("a2", 0.7, "A", 3, 0.8),
        _record("a3", 0.1, "A", 3, 0.8),
        _record("b1", 0.4, "B", 2, 0.4),
        _record("b2", 0.4, "B", 2, 0.4),
        _record("solo", 0.99, "S", 1, 0.99),
    ]
    networks = actor_queue(records)
    assert [n.actor_id for n in networks] == ["A", "B"]
    top = networks[0]
    assert top.ad_ids == ["a1", "a2", "a3"]
    assert top.shared_identifiers == ["phone:+8613800138000"]
    assert top.as_dict()["companies"] == ["co-a1", "co-a2", "co-a3"]
    assert top.flag_counts == {"urgency": 3}


def test_highlight_splits_text_into_segments_marked_by_flag_including_overlaps() -> None:
    text = "急招KTV公关，日结"
    flags: list[dict[str, Any]] = [
        {"flag": "urgency", "start": 0, "end": 2, "field": "text"},
        {"flag": "euphemistic_sector", "start": 2, "end": 7, "field": "text"},
        {"flag": "women_targeted", "start": 5, "end": 7, "field": "text"},
        {"flag": "vague_employer", "start": None, "end": None, "field": "company"},
        {"flag": "urgency", "start": 0, "end": 2, "field": "title"},
    ]
    segments = highlight(text, flags)
    assert "".join(s.text for s in segments) == text
    assert [(s.text, s.flags) for s in segments] == [
        ("急招", ("urgency",)),
        ("KTV", ("euphemistic_sector",)),
        ("公关", ("euphemistic_sector", "women_targeted")),
        ("，日结", ()),
    ]


def test_a_decision_needs_an_ad_and_a_known_label_and_a_short_note() -> None:
    assert ReviewDecision("a", "deceptive").decision is DecisionLabel.DECEPTIVE  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ReviewDecision(" ", DecisionLabel.UNSURE)
    with pytest.raises(ValueError):
        ReviewDecision("a", "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ReviewDecision("a", DecisionLabel.UNSURE, note="x" * 5000)


def test_decisions_become_training_labels_latest_decision_wins_and_unsure_gives_none() -> None:
    ads = [as_ad({"id": i, "title": "t", "text": f"text {i}", "company": "c"}) for i in ("a", "b", "c", "d")]
    early, late = dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    decisions = [
        ReviewDecision("a", DecisionLabel.DECEPTIVE, decided_at=late),
        ReviewDecision("a", DecisionLabel.LEGITIMATE, decided_at=early),
        ReviewDecision("b", DecisionLabel.LEGITIMATE),
        ReviewDecision("c", DecisionLabel.DECEPTIVE),
        ReviewDecision("c", DecisionLabel.UNSURE),
    ]
    labelled = list(decisions_to_labels(decisions, ads))
    assert [(r["id"], r["label"]) for r in labelled] == [("a", 1), ("b", 0)]
    assert all(not isinstance(parse_record(r, 1), Exception) for r in labelled)
