"""Acceptance on synthetic ads with planted ground truth (issue 8): flags, templates and shared contacts.

The generator writes English, Simplified and Traditional Chinese ads with obfuscated contacts and records
what it planted. Every planted flag must be found at exactly its span; templates and actors are compared
pair by pair (precision and recall over pairs of ads), and the figures are printed (``pytest -s``).
"""

from __future__ import annotations

from typing import Any

from opennrm.recruitment.analysis import AdAnalysis
from opennrm.recruitment.evaluation import pairwise_scores
from opennrm.recruitment.synthetic import SyntheticAd


def test_every_planted_flag_is_found_with_its_exact_span(
    planted: list[SyntheticAd], planted_analyses: list[AdAnalysis]
) -> None:
    missing = []
    total = 0
    for item, analysis in zip(planted, planted_analyses, strict=True):
        found = {(hit.flag, hit.field, hit.start, hit.end) for hit in analysis.flags}
        for flag in item.flags:
            total += 1
            if (flag.flag, flag.field, flag.start, flag.end) not in found:
                missing.append((item.record["id"], flag))
    print(f"\nplanted flags: {total}, found at the exact span: {total - len(missing)}")
    assert total > 2000
    assert missing == []


def test_no_flag_is_reported_where_none_was_planted(
    planted: list[SyntheticAd], planted_analyses: list[AdAnalysis]
) -> None:
    extra = []
    for item, analysis in zip(planted, planted_analyses, strict=True):
        planted_spans = {(f.flag, f.field, f.start, f.end) for f in item.flags}
        for hit in analysis.flags:
            if (hit.flag, hit.field, hit.start, hit.end) not in planted_spans:
                extra.append((item.record["id"], hit))
    assert extra == []


def test_every_planted_contact_is_extracted(
    planted: list[SyntheticAd], planted_analyses: list[AdAnalysis]
) -> None:
    missing: list[tuple[str, str]] = []
    for item, analysis in zip(planted, planted_analyses, strict=True):
        keys = {identifier.key for identifier in analysis.identifiers}
        missing.extend((item.record["id"], key) for key in item.identifiers if key not in keys)
    assert missing == []


def test_templates_and_actors_are_recovered_pair_by_pair(
    planted: list[SyntheticAd], planted_scan: list[dict[str, Any]]
) -> None:
    records = planted_scan
    templates = pairwise_scores([item.template for item in planted], [r["template_id"] for r in records])
    actors = pairwise_scores([item.actor for item in planted], [r["actor_id"] for r in records])
    print(
        f"\ntemplates: precision {templates['precision']:.4f}, recall {templates['recall']:.4f} "
        f"({templates['true_pairs']} true pairs)"
        f"\nactors: precision {actors['precision']:.4f}, recall {actors['recall']:.4f} "
        f"({actors['true_pairs']} true pairs)"
    )
    assert templates["true_pairs"] > 1000 and actors["true_pairs"] > 2000
    assert templates["precision"] >= 0.98 and templates["recall"] >= 0.95
    assert actors["precision"] >= 0.98 and actors["recall"] >= 0.98


def test_deceptive_actors_rank_above_legitimate_ones_with_the_default_model(
    planted: list[SyntheticAd], planted_scan: list[dict[str, Any]]
) -> None:
    records = planted_scan
    deceptive = [r["risk"] for r, item in zip(records, planted, strict=True) if item.label == 1]
    legitimate = [r["risk"] for r, item in zip(records, planted, strict=True) if item.label == 0]
    assert sum(deceptive) / len(deceptive) > 3 * sum(legitimate) / len(legitimate)
