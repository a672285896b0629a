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
