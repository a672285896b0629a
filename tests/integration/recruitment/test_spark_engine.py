"""The Spark engine (local mode) runs the same per-partition functions and writes the same output."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from opennrm.recruitment.model import default_model
from opennrm.recruitment.pipeline import scan_file
from opennrm.recruitment.spark_engine import spark_available
from opennrm.recruitment.synthetic import synthetic_ads

pytestmark = [
    pytest.mark.spark,
    pytest.mark.xdist_group("spark"),
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.skipif(not spark_available(), reason="pyspark or Java not available"),
]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return [item.record for item in synthetic_ads(150, seed=21)]


def test_spark_local_mode_gives_byte_identical_output_to_the_local_engine(
    records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """One Spark session for both inputs (JSON Lines read by Spark, CSV read by the driver): keeps it short."""
    from opennrm.recruitment.spark_engine import local_session, scan_with_spark

    source = tmp_path / "ads.jsonl"
    with source.open("w", encoding="utf-8") as out:
        for number, record in enumerate(records):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if number == 70:
                out.write("{broken json\n")
    table = tmp_path / "ads.csv"
    columns = ["id", "title", "text", "company", "company_id", "city", "lang"]
    with table.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records[:60])
    local = scan_file(source, tmp_path / "local.jsonl", default_model())
    scan_file(table, tmp_path / "local-csv.jsonl", default_model())

    spark = local_session(cores=2, app_name="opennrm-test")
    spark.sparkContext.setLogLevel("ERROR")
    try:
        distributed = scan_with_spark(
            source, tmp_path / "spark.jsonl", default_model(), spark=spark, partitions=3
        )
        scan_with_spark(table, tmp_path / "spark-csv.jsonl", default_model(), spark=spark, partitions=2)
    finally:
        spark.stop()

    assert (tmp_path / "spark.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert (tmp_path / "spark-csv.jsonl").read_bytes() == (tmp_path / "local-csv.jsonl").read_bytes()
    assert distributed.ads == local.ads == 150
    assert [p.line for p in distributed.malformed] == [p.line for p in local.malformed] == [72]
    assert distributed.links == local.links
