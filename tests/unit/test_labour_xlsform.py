"""The inspection checklist as an XLSForm: it converts with pyxform (the library offline collection tools use),
asks every checklist indicator by its screening id in the catalogue's languages, and asks nothing about a
worker's identity or immigration status."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from pyxform.xls2xform import convert

from opennrm.domain.labour import CHECKLIST
from opennrm.services.labour_xlsform import xform, xlsform


def test_the_xlsform_converts_with_pyxform_and_holds_the_checklist() -> None:
    data = xlsform()
    warnings: list[str] = []
    result = convert(xlsform=io.BytesIO(data), warnings=warnings)
    xml = str(result.xform)
    for indicator_id in CHECKLIST:
        assert f"/ind_{indicator_id}" in xml
    assert "<h:title>OpenNRM labour inspection</h:title>" in xml
    assert xform() == xml


def test_the_form_is_translated_and_asks_nothing_about_status_or_identity() -> None:
    book = load_workbook(io.BytesIO(xlsform()))
    header = [c.value for c in book["survey"][1]]
    assert "label::Arabic (ar)" in header and "label::Chinese Traditional (zh-Hant)" in header
    names = [str(row[1].value or "") for row in book["survey"].iter_rows(min_row=2)]
    text = " ".join(str(c.value or "") for row in book["survey"].iter_rows(min_row=2) for c in row[:2])
    assert not re.search(r"migra|immigra|nationality|passport_number|given_name|visa", " ".join(names))
    assert "ind_CD01" in text


def test_every_language_column_says_what_the_web_form_says_with_no_english_left() -> None:
    """The Arabic and Chinese columns hold the interface's own translations for every question, hint and
    choice (none repeats the English), and pyxform still converts the workbook."""
    from opennrm.services.labour_xlsform import TEXTS, choice_texts
    from opennrm.web.pages.labour import in_language

    data = xlsform(translate=in_language)
    convert(xlsform=io.BytesIO(data), warnings=[])
    book = load_workbook(io.BytesIO(data))
    english = {*TEXTS, *choice_texts().values()}
    for sheet_name in ("survey", "choices"):
        rows = list(book[sheet_name].iter_rows(values_only=True))
        header = [str(c or "") for c in rows[0]]
        columns = [i for i, name in enumerate(header) if name.endswith(("(ar)", "(zh-Hans)", "(zh-Hant)"))]
        assert columns, sheet_name
        for row in rows[1:]:
            for i in columns:
                value = str(row[i] or "")
                assert value not in english, (sheet_name, header[i], value)
                assert not re.search(r"[A-Za-z]{4,}", value.replace("ILO", "").replace("ISO", "")), value
    zh = [c.value for c in book["survey"][1]].index("label::Chinese Traditional (zh-Hant)")
    sector = next(r for r in book["survey"].iter_rows(min_row=2, values_only=True) if r[1] == "sector")
    assert sector[zh] == in_language("zh-Hant", "Sector") != "Sector"
