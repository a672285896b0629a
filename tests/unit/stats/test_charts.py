"""The SVG charts of the pages and the report (stats/charts.py): a withheld figure is drawn as withheld,
never as a bar of zero; right to left mirrors the bars; title and description name the chart; no script
and no style attribute (the web app's CSP)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from opennrm.stats.charts import BarChart, Cell, cell, render_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def chart(**overrides: object) -> BarChart:
    base: dict[str, object] = {
        "id": "chart-1",
        "title": "Persons by sex",
        "description": "Persons identified, by sex.",
        "groups": ["female", "male", "intersex"],
        "series": ["persons"],
        "cells": [[cell("40")], [cell("x")], [cell("0")]],
        "axis_label": "persons",
        "suppressed_label": "withheld",
        "note": "Counts rounded to a multiple of 5.",
    }
    base.update(overrides)
    return BarChart(**base)  # type: ignore[arg-type]


def parsed(made: BarChart) -> ET.Element:
    return ET.fromstring(render_bar_chart(made))  # noqa: S314 - our own output


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for g in root.iter(f"{SVG}g") if g.get("class") == "chart-bar" for r in g.iter(f"{SVG}rect")]


def test_shown_figures_are_counts_and_anything_else_is_withheld() -> None:
    assert cell("15") == Cell("15", 15.0)
    assert cell("1,250").value == 1250.0
    for withheld in ("x", "<11", "–", ""):
        assert cell(withheld).suppressed


def test_a_withheld_figure_is_a_hatched_mark_with_words_never_a_bar() -> None:
    root = parsed(chart())
    drawn = bars(root)
    assert len(drawn) == 1  # only the 40: the withheld figure and the real zero draw no bar
    assert all(float(r.get("width", "0")) > 0 for r in drawn)
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "chart-withheld"]
    assert len(marks) == 1
    mark = marks[0].find(f"{SVG}rect")
    assert mark is not None and mark.get("fill") == "url(#chart-1-withheld)"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "x – withheld" in texts  # said in words, not only by the hatching
    assert "0" in texts  # a real zero is labelled zero


def test_title_and_description_name_the_chart_for_assistive_technology() -> None:
    root = parsed(chart())
    assert root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text == "Persons by sex"
    assert desc is not None and "Persons identified, by sex." in (desc.text or "")
    assert "rounded to a multiple of 5" in (desc.text or "")  # rounding is said, in the description too
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_no_script_no_style_and_every_text_escaped() -> None:
    made = render_bar_chart(
        chart(title="<script>alert(1)</script>", groups=['a" onload="x', "b", "c"], series=["s&p"])
    )
    assert "<script" not in made and "style=" not in made.lower() and 'onload="' not in made
    ET.fromstring(made)  # noqa: S314 - our own output, still well-formed


def test_right_to_left_bars_grow_leftwards_from_labels_on_the_right() -> None:
    ltr, rtl = parsed(chart()), parsed(chart(rtl=True))
    width = float(ltr.get("width", "0"))
    assert rtl.get("direction") == "rtl" and ltr.get("direction") == "ltr"
    (bar_ltr,), (bar_rtl,) = bars(ltr), bars(rtl)
    x_ltr, w = float(bar_ltr.get("x", "0")), float(bar_ltr.get("width", "0"))
    x_rtl = float(bar_rtl.get("x", "0"))
    assert x_rtl == pytest.approx(width - x_ltr - w)  # mirrored
    assert x_rtl + w > width / 2 > x_ltr  # starts on the right, ends leftwards
    label_ltr = next(t for t in ltr.iter(f"{SVG}text") if t.text == "female")
    label_rtl = next(t for t in rtl.iter(f"{SVG}text") if t.text == "female")
    assert float(label_ltr.get("x", "0")) < width / 2 < float(label_rtl.get("x", "0"))


def test_series_differ_by_pattern_and_legend_not_only_by_colour() -> None:
    made = chart(
        series=["female", "male", "unknown"],
        groups=["2024", "2025"],
        cells=[[cell("20"), cell("15"), cell("x")], [cell("25"), cell("x"), cell("5")]],
    )
    root = parsed(made)
    patterns = {p.get("id"): p for p in root.iter(f"{SVG}pattern")}
    shapes = [len(list(patterns[f"chart-1-p{i}"])) for i in range(3)]
    assert shapes[0] == 1 and shapes[1] == 2 and shapes[2] == 2  # solid, then drawn textures
    kinds = {tuple(child.tag for child in patterns[f"chart-1-p{i}"]) for i in range(3)}
    assert len(kinds) == 3 or shapes[1:] != [1, 1]
    legend = [t.text for t in root.iter(f"{SVG}text")]
    for name in ("female", "male", "unknown", "withheld"):
        assert name in legend
    assert "20" in legend and "25" in legend  # every bar carries its value as text


def test_ids_must_be_valid_and_cells_must_fit() -> None:
    with pytest.raises(ValueError, match="id"):
        chart(id="1 bad")
    with pytest.raises(ValueError, match="cells"):
        chart(cells=[[cell("1")]])
    assert re.search(r'id="chart-1-title"', render_bar_chart(chart()))
