"""The Spark path of the secretariat's matching finds the local engine's pairs and persons (ADR 0009,
docs/linkage.md "Scale"). Skips without Java or pyspark."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy as np
import pytest

from opennrm.linkage import matching, synthetic
from opennrm.linkage.encoding import Encoder, Schema
from opennrm.linkage.normalise import features

pytest.importorskip("pyspark")
if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
    pytest.skip("Spark needs a Java runtime", allow_module_level=True)

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[object]:
    from opennrm.linkage.spark_matching import local_session

    session = local_session(cores=2, memory="512m")
    yield session
    session.stop()


def test_spark_finds_the_pairs_and_persons_the_local_engine_finds(spark: object) -> None:
    from opennrm.linkage import spark_matching

    records = synthetic.generate(400, seed=11)
    people = [r.identifiers for r in records]
    enc = Encoder(bytes(range(32)), Schema()).encode([features(p) for p in people])
    sources = np.array([r.organisation for r in records])
    complete = np.array([p.birth_date is not None for p in people])
    threshold, discount = matching.DEFAULT_THRESHOLDS["rule90"], matching.PARTIAL_DISCOUNT["rule90"]
    blocking = matching.Blocking(bands=30)
    li, lj, ls = matching.candidate_pairs(
        enc, sources, threshold, blocking, complete=complete, discount=discount
    )
    si, sj, ss = spark_matching.candidate_pairs(
        spark,  # type: ignore[arg-type]
        enc,
        sources,
        threshold,
        blocking,
        complete=complete,
        discount=discount,
    )
    assert len(li) > 100
    assert list(zip(si.tolist(), sj.tolist(), strict=True)) == list(
        zip(li.tolist(), lj.tolist(), strict=True)
    )
    assert np.allclose(ss, ls)
    local = matching.link(enc, sources, threshold, blocking, complete=complete, discount=discount)
    distributed = spark_matching.link(
        spark,  # type: ignore[arg-type]
        enc,
        sources,
        threshold,
        blocking,
        complete=complete,
        discount=discount,
    )
    assert (local.labels == distributed.labels).all()


def test_the_match_command_on_spark_gives_the_local_persons(tmp_path: object) -> None:
    """``opennrm linkage match --engine spark`` writes the persons ``--engine local`` writes (national ids
    are new in every run, so the records' grouping is compared)."""
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from opennrm.cli.main import _register, app
    from opennrm.linkage import exchange

    folder = Path(str(tmp_path))
    records = synthetic.generate(300, seed=12)
    secret = bytes(range(32))
    files = []
    for org in range(4):
        encoded = exchange.export_document(
            [[r.identifiers for r in records if r.organisation == org]], secret
        )
        path = folder / f"org{org}.json"
        path.write_text(json.dumps(encoded.document))
        files.append(str(path))
    _register()
    groupings = []
    for engine in ("local", "spark"):
        out = folder / f"{engine}.csv"
        result = CliRunner().invoke(app, ["linkage", "match", *files, "--out", str(out), "--engine", engine])
        assert result.exit_code == 0, result.output
        by_person: dict[str, set[str]] = {}
        for token, person in exchange.read_persons_csv(out.read_text()):
            by_person.setdefault(person, set()).add(token)
        groupings.append(sorted(sorted(group) for group in by_person.values()))
    assert groupings[0] == groupings[1]
    assert len(groupings[0]) < len(records)  # some persons were linked across organisations
