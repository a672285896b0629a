"""The linkage files after the attack review: the secretariat's answer is checked line by line (formats as
this software makes them), export records carry no order, and the files are written so that no file or
symbolic link already there is reused or followed."""

from __future__ import annotations

import datetime as dt
import os
import random
import stat
from pathlib import Path

import numpy as np
import pytest

from opennrm.cli.linkage import _write_private
from opennrm.linkage import exchange, matching
from opennrm.linkage.normalise import QuasiIdentifiers

SECRET = bytes(range(32))
TOKEN = "0123456789abcdef" * 2
NATIONAL = "np-" + "0123456789" * 2


def test_the_formats_checked_are_those_the_tokens_and_national_ids_are_made_in() -> None:
    assert all(exchange.TOKEN_FORMAT.fullmatch(exchange.new_token()) for _ in range(50))
    ids = matching.national_ids(np.arange(50))
    assert all(exchange.NATIONAL_ID_FORMAT.fullmatch(n) for n in ids)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (f'{TOKEN},=HYPERLINK("http://x")\n', "line 2: person"),
        (f'{TOKEN},"{NATIONAL}\nS-FAKE,np-evil"\n', "line 2: person"),
        (f"{TOKEN},{NATIONAL}\n{TOKEN[:-1]},{NATIONAL}\n", "line 3: record_token"),
        (f"{TOKEN},{NATIONAL}\n {TOKEN},{NATIONAL}\n", "line 3: record_token"),
        (f"{TOKEN},{NATIONAL}\n{TOKEN.upper()},{NATIONAL}\n", "line 3: record_token"),
        (f"{TOKEN},{NATIONAL}x\n", "line 2: person"),
        (f"{TOKEN},{NATIONAL},more\n", "line 2: expected record_token,person"),
        (
            f"{TOKEN},{NATIONAL}\n\n{TOKEN},{NATIONAL}\n",
            "line 4: record_token appears twice (first on line 2)",
        ),
        (f"{TOKEN},{NATIONAL}\n{TOKEN},np-\x00\n", "line 3"),
    ],
)
def test_a_bad_line_refuses_the_whole_answer_naming_the_line_and_field(body: str, error: str) -> None:
    with pytest.raises(exchange.ExchangeError) as caught:
        exchange.read_persons_csv("record_token,person\n" + body)
    assert error in str(caught.value)


def test_a_good_answer_is_read_as_written() -> None:
    rows = [(exchange.new_token(), NATIONAL), (exchange.new_token(), "np-" + "f" * 20)]
    assert exchange.read_persons_csv(exchange.persons_csv(rows)) == rows
    assert exchange.read_persons_csv(exchange.persons_csv(rows).replace("\n", "\r\n")) == rows
    with pytest.raises(exchange.ExchangeError, match="first line"):
        exchange.read_persons_csv("token,national\n")


def test_export_records_do_not_follow_the_order_the_persons_were_read_in() -> None:
    born = dt.date(1990, 1, 1)
    people = [QuasiIdentifiers(f"Given{i}", f"Family{i}", born + dt.timedelta(days=i)) for i in range(40)]
    encoded = exchange.export_document([people[:20], people[20:]], SECRET)
    in_document = [r["token"] for r in encoded.document["records"]]
    assert sorted(in_document) == sorted(encoded.tokens)
    assert in_document != encoded.tokens  # 1 chance in 40! of failing by luck
    # with the random source injected, the order is that source's shuffle of the persons' order
    seeded = exchange.export_document([people], SECRET, rng=random.Random(7))
    order = list(range(40))
    random.Random(7).shuffle(order)
    assert [r["token"] for r in seeded.document["records"]] == [seeded.tokens[i] for i in order]


def test_a_file_is_written_for_its_owner_only_whatever_was_there(tmp_path: Path) -> None:
    out = tmp_path / "persons.csv"
    stale = tmp_path / "persons.csv.tmp"
    stale.write_text("planted", encoding="utf-8")
    os.chmod(stale, 0o644)  # the attacker's file the old code reused
    _write_private(out, "secret\n")
    assert out.read_text(encoding="utf-8") == "secret\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stale.read_text(encoding="utf-8") == "planted"

    victim = tmp_path / "victim"
    victim.write_text("keep", encoding="utf-8")
    stale.unlink()
    stale.symlink_to(victim)  # the old code wrote through it
    _write_private(out, "again\n")
    assert victim.read_text(encoding="utf-8") == "keep"

    linked = tmp_path / "linked.csv"
    linked.symlink_to(victim)  # a link at the destination is replaced, not followed
    _write_private(linked, "mine\n")
    assert victim.read_text(encoding="utf-8") == "keep"
    assert not linked.is_symlink() and stat.S_IMODE(linked.stat().st_mode) == 0o600

    dangling = tmp_path / "dangling.secret"
    dangling.symlink_to(tmp_path / "nowhere")
    for existing in (out, dangling):
        with pytest.raises(FileExistsError):
            _write_private(existing, "new secret\n", replace=False)
    assert out.read_text(encoding="utf-8") == "again\n" and not (tmp_path / "nowhere").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dangling.secret",
        "linked.csv",
        "persons.csv",
        "persons.csv.tmp",
        "victim",
    ]  # no temporary file left behind
