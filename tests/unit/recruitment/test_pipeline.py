"""The scan pipeline: the output contract, input order, malformed records reported, same result in parallel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from opennrm.recruitment.model import default_model
from opennrm.recruitment.pipeline import LinkCollector, scan_file, scan_partition
from opennrm.recruitment.synthetic import SyntheticAd
from tests.unit.recruitment.helpers import as_ad, write_jsonl

CONTRACT = ("id", "risk", "flags", "template_id", "actor_id", "linked_ids", "lang")


@pytest.fixture(scope="module")
def input_file(planted: list[SyntheticAd], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "ads.jsonl"
    write_jsonl(path, [item.record for item in planted[:400]])
    with path.open("a", encoding="utf-8") as out:
        out.write("{broken\n")
        out.write('{"id": "no-text", "title": "x"}\n')
    return path


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_scan_writes_one_contract_record_per_readable_ad_in_input_order(
    input_file: Path, tmp_path: Path
) -> None:
    summary = scan_file(input_file, tmp_path / "out.jsonl", default_model())
    records = _read(tmp_path / "out.jsonl")
    ids = [json.loads(line)["id"] for line in input_file.read_text(encoding="utf-8").splitlines()[:400]]
    assert [r["id"] for r in records] == ids
    assert summary.ads == 400
    assert [(p.line, "JSON" in p.reason) for p in summary.malformed] == [(401, True), (402, False)]
    for record in records:
        assert all(key in record for key in CONTRACT)
        assert 0.0 <= record["risk"] <= 1.0
        assert record["id"] not in record["linked_ids"]
        for flag in record["flags"]:
            assert set(flag) >= {"flag", "evidence", "start", "end", "weight"}


def test_ads_of_one_actor_share_an_actor_id_and_list_each_other(input_file: Path, tmp_path: Path) -> None:
    scan_file(input_file, tmp_path / "out.jsonl", default_model())
    records = _read(tmp_path / "out.jsonl")
    by_actor: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_actor.setdefault(record["actor_id"], []).append(record)
    groups = [group for group in by_actor.values() if 1 < len(group) <= 20]
    assert groups
    for group in groups:
        ids = {r["id"] for r in group}
        for record in group:
            assert set(record["linked_ids"]) == ids - {record["id"]}
            assert record["actor_size"] == len(group)
            assert record["actor_risk"] >= min(r["risk"] for r in group)


def test_two_worker_processes_give_exactly_the_same_output(input_file: Path, tmp_path: Path) -> None:
    scan_file(input_file, tmp_path / "one.jsonl", default_model(), workers=1)
    scan_file(input_file, tmp_path / "two.jsonl", default_model(), workers=2)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()


def test_partitions_can_be_scanned_separately_and_collected_in_order(planted: list[SyntheticAd]) -> None:
    ads = [as_ad(item.record) for item in planted[:60]]
    whole = list(scan_partition(enumerate(ads), default_model()))
    first = list(scan_partition(list(enumerate(ads))[:25], default_model()))
    second = list(scan_partition(list(enumerate(ads))[25:], default_model()))
    assert [s.output for s in first + second] == [s.output for s in whole]
    collector = LinkCollector()
    for scanned in first + second:
        collector.add(scanned)
    with pytest.raises(ValueError, match="position order"):
        collector.add(first[0])


def test_progress_is_reported_for_each_stage(input_file: Path, tmp_path: Path) -> None:
    seen: set[str] = set()
    scan_file(
        input_file, tmp_path / "out.jsonl", default_model(), progress=lambda stage, _d, _t: seen.add(stage)
    )
    assert seen == {"scan", "link", "write"}
