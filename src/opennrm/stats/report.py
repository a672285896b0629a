"""Statistics report: HTML and PDF with charts (matplotlib), SDG 16.2.2, disaggregated tables, trends by
year and a draft of the statistics section of a CEDAW periodic report (GR38 §§109–111, §115, §117).

The report works from ``PublishedStatistics`` only (figures, never persons). The PDF is drawn with
matplotlib's ``PdfPages`` (no system dependency); the HTML is one self-contained file (charts inlined as
PNG) rendered with Jinja2 from ``templates/report.html``.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from opennrm.stats.dimensions import Dimension
from opennrm.stats.nrm_section import NrmFigures
from opennrm.stats.nrm_section import section as nrm_section
from opennrm.stats.published import PublishedStatistics, PublishedTable
from opennrm.stats.sdg import Figure, Population, SdgRow, sdg_16_2_2

A4 = (8.27, 11.69)
LINES_PER_PAGE = 62


@dataclass(frozen=True)
class Chart:
    title: str
    png: bytes
    figure: Any  # matplotlib Figure, for the PDF
    svg: str = ""  # the same chart as accessible SVG (``stats.charts``), for the HTML report

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class RenderedTable:
    title: str
    header: list[str]
    rows: list[list[str]]


def figure_text(figure: Figure | None, with_interval: bool = True) -> str:
    if figure is None:
        return "–"
    if figure.count is None:
        return "<11"
    if with_interval and figure.ci_low is not None and figure.ci_high is not None:
        return f"{figure.count:,} ({figure.ci_low:,}–{figure.ci_high:,})"
    return f"{figure.count:,}"


def _label(dim: Dimension, category: str) -> str:
    return dim.label_of(category)


def render_table(stats: PublishedStatistics, table: PublishedTable) -> RenderedTable:
    """Rows: every combination of all but the last dimension; columns: the last dimension."""
    dims = [stats.dimensions[n] for n in table.names]
    lookup = {frozenset(cell.items()): fig for cell, fig in table.cells}
    title = " × ".join(d.label for d in dims)
    if len(dims) == 1:
        d = dims[0]
        rows = [[_label(d, c), figure_text(lookup.get(frozenset({(d.name, c)})))] for c in d.categories]
        return RenderedTable(title, [d.label, "persons (95% interval)"], rows)
    *row_dims, col_dim = dims
    header = [" / ".join(d.label for d in row_dims)] + [_label(col_dim, c) for c in col_dim.categories]
    out_rows: list[list[str]] = []
    for combo in _product([[(d.name, c) for c in d.categories] for d in row_dims]):
        label = " / ".join(_label(stats.dimensions[n], c) for n, c in combo)
        cells = [
            figure_text(lookup.get(frozenset((*combo, (col_dim.name, c)))), with_interval=False)
            for c in col_dim.categories
        ]
        out_rows.append([label, *cells])
    return RenderedTable(title, header, out_rows)


def _product(lists: Sequence[Sequence[tuple[str, str]]]) -> Iterator[tuple[tuple[str, str], ...]]:
    if not lists:
        yield ()
        return
    for head in lists[0]:
        for tail in _product(lists[1:]):
            yield (head, *tail)


def sdg_table(rows: Sequence[SdgRow], stats: PublishedStatistics) -> RenderedTable:
    out = []
    for r in rows:
        rate = "–" if r.rate is None else f"{r.rate:.2f}"
        interval = r.rate_interval
        if interval is not None:
            rate += f" ({interval[0]:.2f}–{interval[1]:.2f})"
        out.append(
            [
                r.year,
                r.group,
                figure_text(r.victims),
                "–" if r.population is None else f"{r.population:,}",
                rate,
            ]
        )
    return RenderedTable(
        "SDG 16.2.2 — detected victims of trafficking per 100,000 population",
        ["year", "group", "victims (95% interval)", "population", "per 100,000 (95% interval)"],
        out,
    )


# --- charts ---------------------------------------------------------------------------------------------


def _new_figure(width: float = 7.0, height: float = 3.6) -> Any:
    from matplotlib.figure import Figure as MplFigure

    return MplFigure(figsize=(width, height), dpi=110, layout="constrained")


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def grouped_bar_chart(stats: PublishedStatistics, names: tuple[str, str], title: str) -> Chart | None:
    """Bars of the first dimension's categories, grouped by the second, with 95% intervals. A count shown
    as "<11" is drawn as such — no bar and the words "<11" — never as a bar of zero."""
    if stats.table(names) is None:
        return None
    first, second = (stats.dimensions[n] for n in names)
    fig = _new_figure()
    ax = fig.add_subplot()
    width = 0.8 / second.size
    withheld: list[float] = []
    for j, c2 in enumerate(second.categories):
        values, low, high = [], [], []
        for c1 in first.categories:
            f = stats.lookup({first.name: c1, second.name: c2})
            shown = f is not None and f.count is not None
            v = f.count if f is not None and f.count is not None else 0
            values.append(float(v) if shown else float("nan"))
            low.append(v - f.ci_low if f and f.count is not None and f.ci_low is not None else 0)
            high.append(f.ci_high - v if f and f.count is not None and f.ci_high is not None else 0)
        xs = [i + (j - (second.size - 1) / 2) * width for i in range(first.size)]
        ax.bar(xs, values, width, label=_label(second, c2), yerr=[low, high], capsize=2)
        withheld += [x for x, v in zip(xs, values, strict=True) if v != v]  # NaN: not drawn
    for x in withheld:
        ax.text(
            x, 0, f"<{stats.threshold}", rotation=90, ha="center", va="bottom", fontsize=6, color="#444444"
        )
    ax.set_xticks(range(first.size), [_label(first, c) for c in first.categories], fontsize=8)
    ax.set_ylabel("persons")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, title=second.label, title_fontsize=7)
    ax.tick_params(axis="x", labelrotation=15)
    return Chart(title, _png(fig), fig, _svg_chart(stats, first, second, title))


def _svg_chart(stats: PublishedStatistics, first: Dimension, second: Dimension, title: str) -> str:
    """The grouped bars as an accessible SVG (``stats.charts``): "<11" drawn as withheld, not as zero."""
    from opennrm.stats.charts import BarChart, Cell, render_bar_chart

    def shown(c1: str, c2: str) -> Cell:
        f = stats.lookup({first.name: c1, second.name: c2})
        if f is None:
            return Cell("–", None)
        return Cell(figure_text(f, with_interval=False), None if f.count is None else float(f.count))

    chart_id = "chart-" + "".join(ch if ch.isalnum() else "-" for ch in f"{first.name}-{second.name}")
    return render_bar_chart(
        BarChart(
            id=chart_id,
            title=title,
            description=f"Persons by {first.label.lower()}, one bar for each {second.label.lower()};"
            " the table of the same figures is under Disaggregated tables.",
            groups=[_label(first, c) for c in first.categories],
            series=[_label(second, c) for c in second.categories],
            cells=[[shown(c1, c2) for c2 in second.categories] for c1 in first.categories],
            axis_label="persons",
            suppressed_label=f"fewer than {stats.threshold}",
            note="" if stats.differentially_private else "Exact counts: internal, not for publication.",
        )
    )


def trend_chart(stats: PublishedStatistics, by: str | None) -> Chart | None:
    """Persons by year (and by ``by`` when that table exists)."""
    if "year" not in stats.dimensions:
        return None
    years = [y for y in stats.dimensions["year"].categories if y not in ("unknown", "other")]
    series: list[tuple[str, list[Figure | None]]] = []
    if by and stats.table(("year", by)) is not None:
        dim = stats.dimensions[by]
        for c in dim.categories:
            series.append((_label(dim, c), [stats.lookup({"year": y, by: c}) for y in years]))
    elif stats.table(("year",)) is not None:
        series.append(("all persons", [stats.lookup({"year": y}) for y in years]))
    if not series:
        return None
    fig = _new_figure()
    ax = fig.add_subplot()
    for label, figures in series:
        xs = [int(y) for y, f in zip(years, figures, strict=True) if f is not None and f.count is not None]
        ys = [f.count for f in figures if f is not None and f.count is not None]
        if xs:
            ax.plot(xs, ys, marker="o", label=label)
    ax.set_xlabel("year first identified")
    ax.set_ylabel("persons")
    title = "Persons identified by year" + (f" and {stats.dimensions[by].label.lower()}" if by else "")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7)
    return Chart(title, _png(fig), fig)


def charts(stats: PublishedStatistics) -> list[Chart]:
    made = [
        grouped_bar_chart(stats, ("sex", "age_group"), "Persons by sex and age group"),
        grouped_bar_chart(stats, ("exploitation", "sex"), "Form of exploitation by sex"),
        grouped_bar_chart(stats, ("citizenship", "sex"), "Citizenship by sex"),
        trend_chart(stats, "sex" if stats.table(("year", "sex")) else None),
    ]
    return [c for c in made if c is not None]


# --- the CEDAW section -------------------------------------------------------------------------------------


def _share(part: Figure | None, whole: Figure | None) -> str | None:
    if part is None or whole is None or part.count is None or not whole.count:
        return None
    share = 100 * part.count / whole.count
    return "under 1%" if share < 1 else f"{share:.0f}%"


def cedaw_section(stats: PublishedStatistics, sdg_rows: Sequence[SdgRow]) -> list[str]:
    """Paragraphs of a draft "data and statistics" section; [square brackets] mark what the State fills in."""
    total = stats.lookup({})
    women_key = next(
        (
            c
            for c in ("female", "woman")
            if "sex" in stats.dimensions and c in stats.dimensions["sex"].categories
        ),
        None,
    )
    women = stats.lookup({"sex": women_key}) if women_key else None
    children = stats.lookup({"age_group": "child"}) if "age_group" in stats.dimensions else None
    girls = stats.lookup({"sex": women_key, "age_group": "child"}) if women_key and children else None
    paras = [
        "Data collection and analysis (general recommendation No. 38, paras. 109–111). The national referral"
        " mechanism records each identified victim once, whatever the number of cases, and only with her or"
        " his consent to statistical use. Data are disaggregated by sex, age, disability, ethnicity,"
        " nationality, migration status, location, socioeconomic status and form of exploitation, as far as"
        " recorded [State party: describe the recording system and its coverage].",
    ]
    if total is not None and total.count is not None:
        sentence = f"In the period covered [period], {total.count:,} persons were identified as victims"
        details = []
        if (s := _share(women, total)) is not None:
            details.append(f"{s} of them women and girls")
        if (s := _share(children, total)) is not None:
            details.append(f"{s} children")
        if (s := _share(girls, total)) is not None:
            details.append(f"{s} girls")
        paras.append(
            sentence + (" (" + "; ".join(details) + ")" if details else "") + f" [source: {stats.source}]."
        )
    if "exploitation" in stats.dimensions:
        dim = stats.dimensions["exploitation"]
        parts = []
        for c in dim.categories:
            s = _share(stats.lookup({"exploitation": c}), total)
            if s is not None:
                parts.append(f"{dim.label_of(c)} {s}")
        if parts:
            paras.append("By form of exploitation: " + ", ".join(parts) + ".")
    rated = [r for r in sdg_rows if r.rate is not None and r.group == "all victims"]
    if rated:
        paras.append(
            "SDG indicator 16.2.2: "
            + "; ".join(f"{r.year}: {r.rate:.2f} detected victims per 100,000 population" for r in rated)
            + "."
        )
    else:
        paras.append(
            "SDG indicator 16.2.2: [rate per 100,000 population by sex, age and form of exploitation —"
            " supply resident population figures to compute it]."
        )
    paras.append(
        "Confidentiality (para. 111). "
        + (
            f"Published figures are protected by differential privacy (ε = {stats.epsilon:g} for this"
            " release, tracked in a privacy-budget ledger per data controller and year); counts below"
            f" {stats.threshold} are shown as <{stats.threshold}, and each figure has a 95% interval."
            if stats.differentially_private
            else "[These are internal exact counts: publish only figures released with differential privacy.]"
        )
    )
    paras.append(
        "Independent national rapporteur (para. 115) and reporting (para. 117): [State party: describe how"
        " the rapporteur receives these statistics and how they informed policy since the last report]."
    )
    return paras


# --- output ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    html: Path
    pdf: Path


def build_report(
    stats: PublishedStatistics,
    out_dir: Path,
    population: Population | None = None,
    title: str = "Statistics on trafficking in persons",
    nrm: NrmFigures | None = None,
) -> Report:
    """Write ``report.html`` and ``report.pdf`` into ``out_dir``. With ``nrm``, the periodic-report section
    also speaks of identification decisions, non-punishment, remedies and the justice aggregates (figures
    already published with small cells suppressed), with their tables."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sdg_rows = sdg_16_2_2(stats.lookup, stats.categories(), population, stats.label_of)
    sdg = sdg_table(sdg_rows, stats)
    made_charts = charts(stats)
    tables = [render_table(stats, t) for t in stats.tables if t.names]
    section = cedaw_section(stats, sdg_rows)
    nrm_paras, nrm_tables = nrm_section(nrm) if nrm is not None else ([], [])
    section = section[:-1] + nrm_paras + section[-1:]  # the rapporteur's paragraph stays last
    nrm_rendered = [RenderedTable(t.title, t.header, t.rows) for t in nrm_tables]
    total = stats.lookup({})
    context = {
        "title": title,
        "stats": stats,
        "total": figure_text(total),
        "sdg": sdg,
        "charts": made_charts,
        "tables": tables,
        "cedaw": section,
        "nrm_tables": nrm_rendered,
        "population_given": population is not None,
    }
    html_path = out_dir / "report.html"
    html_path.write_text(_render_html(context), encoding="utf-8")
    pdf_path = out_dir / "report.pdf"
    _write_pdf(pdf_path, title, stats, sdg, made_charts, [*nrm_rendered, *tables], section)
    return Report(html_path, pdf_path)


def _render_html(context: Mapping[str, Any]) -> str:
    from jinja2 import Environment, select_autoescape

    template = resources.files("opennrm.stats").joinpath("templates/report.html").read_text(encoding="utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(template).render(**context)


def _write_pdf(
    path: Path,
    title: str,
    stats: PublishedStatistics,
    sdg: RenderedTable,
    made_charts: Sequence[Chart],
    tables: Sequence[RenderedTable],
    section: Sequence[str],
) -> None:
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path) as pdf:
        info = pdf.infodict()
        info["Title"] = title
        info["Subject"] = "GR38 statistics" + ("" if stats.differentially_private else " (INTERNAL)")
        for fig in text_pages(title, stats, sdg, tables, section):
            pdf.savefig(fig)
        for chart in made_charts:
            pdf.savefig(chart.figure)


def text_pages(
    title: str,
    stats: PublishedStatistics,
    sdg: RenderedTable,
    tables: Sequence[RenderedTable],
    section: Sequence[str],
) -> Iterator[Any]:
    """A4 pages (matplotlib figures) with the text and tables of the report."""
    lines: list[tuple[str, str]] = [("h1", title), ("p", f"Source: {stats.source}. Made {stats.created}.")]
    lines += [("warn" if not stats.differentially_private else "p", t) for t in _wrap(stats.protection, 100)]
    lines.append(("p", ""))
    lines.append(("h2", "Draft for the CEDAW periodic report: data and statistics"))
    for para in section:
        lines += [("p", t) for t in _wrap(para, 100)]
        lines.append(("p", ""))
    lines.append(("h2", sdg.title))
    lines += [("mono", t) for t in _table_lines(sdg)]
    for table in tables:
        lines.append(("p", ""))
        lines.append(("h2", table.title))
        lines += [("mono", t) for t in _table_lines(table)]
    for page in _pages(lines):
        fig = _new_figure(*A4)
        y = 0.96
        for style, text in page:
            fig.text(
                0.06,
                y,
                text,
                fontsize={"h1": 15, "h2": 11, "mono": 6.5, "warn": 8.5}.get(style, 8.5),
                family="monospace" if style == "mono" else "sans-serif",
                weight="bold" if style in ("h1", "h2") else "normal",
                color="#a00000" if style == "warn" else "black",
                va="top",
            )
            y -= {"h1": 0.03, "h2": 0.022}.get(style, 0.0145)
        if not stats.differentially_private:
            fig.text(
                0.5,
                0.015,
                "INTERNAL — exact counts, not for publication",
                ha="center",
                fontsize=8,
                color="#a00000",
            )
        yield fig


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def _table_lines(table: RenderedTable) -> list[str]:
    rows = [table.header, *table.rows]
    widths = [min(max(len(r[i]) for r in rows), 48) for i in range(len(table.header))]
    out = []
    for n, r in enumerate(rows):
        out.append(
            "  ".join(
                cell[:48].ljust(w) if i == 0 else cell[:48].rjust(w)
                for i, (cell, w) in enumerate(zip(r, widths, strict=True))
            )
        )
        if n == 0:
            out.append("-" * min(sum(widths) + 2 * (len(widths) - 1), 160))
    return out


def _pages(lines: Sequence[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
    page: list[tuple[str, str]] = []
    for line in lines:
        if len(page) >= LINES_PER_PAGE or (line[0] == "h2" and len(page) > LINES_PER_PAGE - 6):
            yield page
            page = []
        page.append(line)
    if page:
        yield page
