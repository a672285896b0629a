"""Reading the CTDC synthetic file format."""

from __future__ import annotations

from pathlib import Path

import pytest

from opennrm.stats.ctdc import CtdcFormatError, read_ctdc
from opennrm.stats.tables import count_table

from .conftest import write_ctdc


def test_the_shared_file_gives_the_published_exploitation_mix(ctdc_file: Path) -> None:
    data = read_ctdc(ctdc_file)
    assert data.rows_read == data.frame.size == 91_043
    assert data.problems == ()
    mix = count_table(data.frame, ["exploitation"])
    # PROVENANCE.md: sexual only 67,296; labour and sexual 5,194; labour only 18,488; the rest other (65)
    assert mix.value(exploitation="sexual") == 67_296
    assert mix.value(exploitation="sexual_and_labour") == 5_194
    assert mix.value(exploitation="labour") == 18_488
    assert mix.value(exploitation="other") == 65


def test_codes_become_the_release_categories(tmp_path: Path) -> None:
    path = write_ctdc(
        tmp_path / "c.csv",
        [
            (2, 0, 1, 0, 1, 1),  # girl (band 9–17), sexual, national
            (3, 1, 1, 0, 0, 0),  # adult man or unknown, sexual and labour, foreign or unknown
            (0, 1, 0, 1, 0, 0),  # unknown age, trans, labour
            (9, 0, 0, 0, 1, 0),  # 48+, no flag: other
        ],
    )
    frame = read_ctdc(path).frame
    table = count_table(frame, ["sex", "age_group", "exploitation", "citizenship"])
    assert table.value(sex="woman", age_group="child", exploitation="sexual", citizenship="national") == 1
    assert (
        table.value(
            sex="man_or_unknown",
            age_group="adult",
            exploitation="sexual_and_labour",
            citizenship="foreign_or_unknown",
        )
        == 1
    )
    assert (
        table.value(
            sex="trans_nonconforming",
            age_group="unknown",
            exploitation="labour",
            citizenship="foreign_or_unknown",
        )
        == 1
    )
    assert (
        table.value(sex="woman", age_group="adult", exploitation="other", citizenship="foreign_or_unknown")
        == 1
    )
    assert count_table(frame, ["age_band"]).value(age_band="48+") == 1


def test_rows_that_do_not_fit_are_left_out_and_reported(tmp_path: Path) -> None:
    path = write_ctdc(tmp_path / "c.csv", [(2, 0, 1, 0, 1, 1), (12, 0, 1, 0, 1, 1), (1, 0, 1, 1, 1, 0)])
    data = read_ctdc(path)
    assert data.frame.size == 1
    assert data.rows_left_out == 2
    assert {p.row for p in data.problems} == {2, 3}


def test_a_file_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("name,age\nx,3\n", encoding="utf-8")
    with pytest.raises(CtdcFormatError, match="missing column"):
        read_ctdc(path)
