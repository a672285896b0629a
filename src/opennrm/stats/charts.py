"""Bar charts as server-rendered SVG, for the statistics page, the coordinator's dashboard and the report.

One place draws every chart, so one set of rules holds everywhere (docs/adr/0004-charts.md):

- **Suppressed is not zero.** A cell the reader is not shown (``x``, ``<11``) gets no bar at all: a hatched
  mark and the words the caller gives ("withheld"), never a bar of length zero. A real zero is a zero.
- **Read without colour.** Each series has a colour *and* a pattern (solid, stripes, dots, cross-hatch …),
  a legend, and every bar carries its value as text; the table behind the chart is shown beside it.
- **Read without sight.** ``role="img"`` with ``aria-labelledby`` naming the ``<title>`` and ``<desc>``;
  each bar has its own ``<title>`` too (a native tooltip, no script).
- **No script, no style attribute.** Only SVG presentation attributes (``fill=``, ``stroke=``), so the
  strict content-security policy of the web app (``style-src 'self'``, ``script-src 'self'``) holds.
- **Right to left.** With ``rtl=True`` the labels sit on the right and the bars grow leftwards from them;
  ``direction="rtl"`` lets the text run the right way.

The module knows nothing of languages: callers pass every visible string already translated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

#: Colours of the series, each at least 4.5:1 against white (WCAG 1.4.11 asks 3:1 for graphics).
PALETTE: tuple[str, ...] = ("#1f4e9c", "#9a4a00", "#1d6b45", "#6b3fa0", "#a3213f", "#3f4a56")
#: One pattern per series, so colour is never the only cue (see ``_pattern``).
PATTERNS: tuple[str, ...] = ("solid", "stripes", "dots", "cross", "horizontal", "vertical")
TEXT = "#1a1a1a"
AXIS = "#595959"
SUPPRESSED_MARK = "#595959"

BAR = 16
GAP = 4
GROUP_GAP = 12
FONT = 13
WIDTH = 640
_NUMBER = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Cell:
    """One figure as the reader sees it: ``text`` as shown in the table; ``value`` its number, ``None``
    when the figure is withheld (suppressed) and must not be drawn as a bar."""

    text: str
    value: float | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


def cell(text: str) -> Cell:
    """A shown figure: digits are a count (``"15"``); anything else (``"x"``, ``"<11"``) is withheld."""
    cleaned = text.replace(",", "").strip()
    return Cell(text, float(cleaned) if _NUMBER.match(cleaned) else None)


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: ``groups`` (one label each) of bars, one bar per series.

    ``cells[g][s]`` is the figure of group ``g`` in series ``s``. With one series there is no legend.
    ``note`` is shown under the axis (e.g. "rounded to a multiple of 5") and added to the description.
    """

    id: str
    title: str
    description: str
    groups: Sequence[str]
    series: Sequence[str]
    cells: Sequence[Sequence[Cell]]
    axis_label: str
    suppressed_label: str
    note: str = ""
    rtl: bool = False
    width: int = WIDTH
    bar_titles: Sequence[Sequence[str]] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", self.id):
            raise ValueError(f"chart id {self.id!r} is not a valid XML id")
        if len(self.cells) != len(self.groups) or any(len(r) != len(self.series) for r in self.cells):
            raise ValueError("cells must be one row per group and one figure per series")


def _attrs(**attributes: object) -> str:
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for name, value in attributes.items()
        if value is not None
    )


def _tag(name: str, content: str = "", **attributes: object) -> str:
    if content:
        return f"<{name}{_attrs(**attributes)}>{content}</{name}>"
    return f"<{name}{_attrs(**attributes)}/>"


def _pattern(pattern_id: str, kind: str, colour: str) -> str:
    """A fill pattern of ``colour`` on white: ``solid`` is plain, the others draw white lines or dots over
    the colour so each series differs in texture as well as in colour."""
    size = 6
    shapes = {
        "stripes": _tag("path", d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2", stroke="#ffffff", stroke_width=1.5),
        "dots": _tag("circle", cx=3, cy=3, r=1.3, fill="#ffffff"),
        "cross": _tag("path", d="M0,0 L6,6 M6,0 L0,6", stroke="#ffffff", stroke_width=1.2),
        "horizontal": _tag("path", d="M0,3 H6", stroke="#ffffff", stroke_width=1.5),
        "vertical": _tag("path", d="M3,0 V6", stroke="#ffffff", stroke_width=1.5),
    }
    body = _tag("rect", width=size, height=size, fill=colour) + shapes.get(kind, "")
    return _tag("pattern", body, id=pattern_id, width=size, height=size, patternUnits="userSpaceOnUse")


def _hatch(pattern_id: str) -> str:
    """The mark of a withheld figure: grey diagonal hatching on white, outlined."""
    body = _tag("rect", width=6, height=6, fill="#ffffff") + _tag(
        "path", d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2", stroke=SUPPRESSED_MARK, stroke_width=1.2
    )
    return _tag("pattern", body, id=pattern_id, width=6, height=6, patternUnits="userSpaceOnUse")


def _nice_max(value: float) -> float:
    """The axis end: the smallest 1, 2, 2.5 or 5 × 10^k at or above ``value``."""
    if value <= 10:
        return 10.0
    scale = 1.0
    while scale * 10 <= value:
        scale *= 10
    while scale > value:
        scale /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _number(value: float) -> str:
    return f"{value:g}"


def render_bar_chart(chart: BarChart) -> str:
    """The chart as one ``<svg>`` element (a string, safe to insert in HTML: every text is escaped)."""
    rtl = chart.rtl
    width = chart.width
    label_width = min(220, max(90, max((len(g) for g in chart.groups), default=4) * 7 + 12))
    value_room = max(80, len(chart.suppressed_label) * 7 + 30)
    plot_start = label_width + 8  # where bars begin, measured from the reading side
    plot_length = max(60, width - plot_start - value_room)
    legend_rows = [] if len(chart.series) <= 1 else list(chart.series)
    top = 8 + (len(legend_rows) + 1) * (FONT + 8) if legend_rows else 8
    group_height = len(chart.series) * (BAR + GAP) - GAP
    plot_height = len(chart.groups) * (group_height + GROUP_GAP)
    axis_y = top + plot_height
    height = axis_y + 2 * (FONT + 10) + (FONT + 6 if chart.note else 0)
    values = [c.value for row in chart.cells for c in row if c.value is not None]
    axis_max = _nice_max(max(values, default=0.0))

    def x(position: float) -> float:
        """A horizontal position measured from the reading side (left, or right when ``rtl``)."""
        return round(width - position if rtl else position, 1)

    def bar_x(start: float, length: float) -> float:
        return round(width - start - length if rtl else start, 1)

    prefix = chart.id
    defs = [
        _pattern(f"{prefix}-p{i}", PATTERNS[i % len(PATTERNS)], PALETTE[i % len(PALETTE)])
        for i in range(len(chart.series))
    ]
    defs.append(_hatch(f"{prefix}-withheld"))
    parts: list[str] = [
        _tag("title", escape(chart.title), id=f"{prefix}-title"),
        _tag("desc", escape(" ".join(p for p in (chart.description, chart.note) if p)), id=f"{prefix}-desc"),
        _tag("defs", "".join(defs)),
    ]
    # legend: one swatch per series, then the withheld mark
    y = 8
    for i, name in enumerate(legend_rows):
        parts.append(
            _tag(
                "rect",
                x=bar_x(plot_start, 14),
                y=y,
                width=14,
                height=14,
                fill=f"url(#{prefix}-p{i})",
                stroke=PALETTE[i % len(PALETTE)],
            )
        )
        parts.append(_tag("text", escape(name), x=x(plot_start + 20), y=y + 11, fill=TEXT, font_size=FONT))
        y += FONT + 8
    if legend_rows:
        parts.append(
            _tag(
                "rect",
                x=bar_x(plot_start, 14),
                y=y,
                width=14,
                height=14,
                fill=f"url(#{prefix}-withheld)",
                stroke=SUPPRESSED_MARK,
            )
        )
        parts.append(
            _tag(
                "text",
                escape(chart.suppressed_label),
                x=x(plot_start + 20),
                y=y + 11,
                fill=TEXT,
                font_size=FONT,
            )
        )
    # gridlines and the axis
    for tick in (0.0, axis_max / 2, axis_max):
        at = plot_start + plot_length * tick / axis_max
        parts.append(
            _tag("line", x1=x(at), x2=x(at), y1=top - 4, y2=axis_y, stroke="#d0d0d0" if tick else AXIS)
        )
        parts.append(
            _tag(
                "text",
                _number(tick),
                x=x(at),
                y=axis_y + FONT + 4,
                fill=TEXT,
                font_size=FONT - 1,
                text_anchor="middle",
            )
        )
    parts.append(
        _tag("line", x1=x(plot_start), x2=x(plot_start + plot_length), y1=axis_y, y2=axis_y, stroke=AXIS)
    )
    parts.append(
        _tag(
            "text",
            escape(chart.axis_label),
            x=x(plot_start + plot_length / 2),
            y=axis_y + 2 * FONT + 10,
            fill=TEXT,
            font_size=FONT - 1,
            text_anchor="middle",
        )
    )
    if chart.note:
        parts.append(
            _tag(
                "text",
                escape(chart.note),
                x=x(plot_start),
                y=axis_y + 3 * FONT + 16,
                fill=TEXT,
                font_size=FONT - 1,
            )
        )
    # the bars
    y = top
    for g, group in enumerate(chart.groups):
        parts.append(
            _tag(
                "text",
                escape(group),
                x=x(label_width),
                y=y + group_height / 2 + FONT / 2 - 2,
                fill=TEXT,
                font_size=FONT,
                text_anchor="end",
            )
        )
        for s, figure in enumerate(chart.cells[g]):
            name = chart.series[s] if chart.series else ""
            label = (
                chart.bar_titles[g][s]
                if chart.bar_titles
                else " – ".join(p for p in (group, name if len(chart.series) > 1 else "", figure.text) if p)
            )
            if figure.value is None:
                mark = _tag("title", escape(f"{label} ({chart.suppressed_label})")) + _tag(
                    "rect",
                    x=bar_x(plot_start, 14),
                    y=y + 1,
                    width=14,
                    height=BAR - 2,
                    fill=f"url(#{prefix}-withheld)",
                    stroke=SUPPRESSED_MARK,
                )
                parts.append(_tag("g", mark, class_="chart-withheld"))
                text = f"{figure.text} – {chart.suppressed_label}" if figure.text else chart.suppressed_label
                parts.append(
                    _tag(
                        "text",
                        escape(text),
                        x=x(plot_start + 20),
                        y=y + BAR - 4,
                        fill=TEXT,
                        font_size=FONT - 1,
                    )
                )
            else:
                length = round(plot_length * figure.value / axis_max, 1)
                bar = _tag("title", escape(label))
                if length > 0:
                    bar += _tag(
                        "rect",
                        x=bar_x(plot_start, length),
                        y=y,
                        width=length,
                        height=BAR,
                        fill=f"url(#{prefix}-p{s})",
                        stroke=PALETTE[s % len(PALETTE)],
                    )
                parts.append(_tag("g", bar, class_="chart-bar"))
                parts.append(
                    _tag(
                        "text",
                        escape(figure.text),
                        x=x(plot_start + length + 4),
                        y=y + BAR - 4,
                        fill=TEXT,
                        font_size=FONT - 1,
                    )
                )
            y += BAR + GAP
        y += GROUP_GAP - GAP
    return _tag(
        "svg",
        "".join(parts),
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        width=width,
        height=height,
        role="img",
        aria_labelledby=f"{prefix}-title {prefix}-desc",
        direction="rtl" if rtl else "ltr",
        font_family="sans-serif",
        class_="chart",
        id=prefix,
    )
