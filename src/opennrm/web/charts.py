"""The charts of the statistics page and the coordinator's dashboard, in the reader's language.

The drawing is ``opennrm.stats.charts`` (one module for the pages and the report); this module gives it
translated labels and the reading direction, and names the statistics categories in every language
(``category_label``). Charts are built while a page renders (the language is active then), so templates
call these functions and insert the ``Markup`` they return.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from markupsafe import Markup

from opennrm.domain.text import N_
from opennrm.services.dashboard import ReasonCount
from opennrm.services.statistics import TOTAL_LABEL, DashboardTable, StatisticsView
from opennrm.spreadsheet import safe_row
from opennrm.stats.charts import BarChart, Cell, cell, render_bar_chart
from opennrm.web.i18n import active, gettext
from opennrm.web.labels import label

#: Statistics categories whose meaning depends on the dimension (the other codes are vocabulary codes,
#: named by ``label``). Years and the statistics office's region names are shown as they are.
CATEGORY_LABELS: Mapping[str, Mapping[str, str]] = {
    "age_group": {"child": N_("child (under 18)"), "adult": N_("adult (18 and over)")},
    "exploitation": {
        "sexual": N_("sexual exploitation"),
        "labour": N_("forced labour"),
        "sexual_and_labour": N_("sexual exploitation and forced labour"),
        "other": N_("other forms"),
    },
    "citizenship": {"national": N_("national"), "foreign": N_("foreign")},
}


def category_label(dimension: str, code: str) -> str:
    """A statistics category in the active language; ``""`` is the total."""
    if code == "":
        return gettext(TOTAL_LABEL)
    english = CATEGORY_LABELS.get(dimension, {}).get(code)
    if english is not None:
        return gettext(english)
    if dimension in ("year", "region") and code not in ("other", "unknown"):
        return code
    return label(code)


def _rtl() -> bool:
    return active().direction == "rtl"


def withheld_word(exact: bool) -> str:
    return gettext("fewer than 11") if exact else gettext("withheld")


def _note(exact: bool) -> str:
    if exact:
        return gettext("Exact counts; counts under 11 are not drawn.")
    return gettext("Counts rounded to a multiple of 5; withheld cells are not drawn.")


def table_labels(table: DashboardTable) -> tuple[list[str], list[str]]:
    """The row and column labels of a statistics table in the active language."""
    rows = [category_label(table.row_dimension, c) for c in table.row_codes] or table.rows
    columns = [category_label(table.column_dimension, c) for c in table.column_codes] or table.columns
    return rows, columns


def statistics_chart(table: DashboardTable, index: int, exact: bool) -> Markup:
    """The chart of one statistics table: a group per row category (the total row left out, it is in the
    table), a bar per column category (one bar, the total, for a one-way table)."""
    rows, columns = table_labels(table)
    body = table.cells[:-1]
    groups = rows[:-1]
    if len(columns) > 1:
        series = columns[:-1]
        cells = [[cell(v) for v in row[:-1]] for row in body]
    else:
        series = [columns[-1]]
        cells = [[cell(row[-1])] for row in body]
    # a series or group with no one in it says nothing in a chart; the table beside it still lists it
    keep_s = [s for s in range(len(series)) if any(not _zero(r[s]) for r in cells)] or list(
        range(len(series))
    )
    keep_g = [g for g in range(len(groups)) if any(not _zero(cells[g][s]) for s in keep_s)]
    title = gettext(table.title)
    return _chart(
        f"chart-{index}",
        title,
        gettext("Bar chart of the table below: %(rows)s, one bar for each of %(series)s.")
        % {
            "rows": ", ".join(groups[g] for g in keep_g) or "–",
            "series": ", ".join(series[s] for s in keep_s),
        },
        [groups[g] for g in keep_g],
        [series[s] for s in keep_s],
        [[cells[g][s] for s in keep_s] for g in keep_g],
        exact,
    )


def _zero(figure: Cell) -> bool:
    return figure.value == 0


def _chart(
    chart_id: str,
    title: str,
    description: str,
    groups: Sequence[str],
    series: Sequence[str],
    cells: Sequence[Sequence[Cell]],
    exact: bool,
    axis: str | None = None,
    note: str | None = None,
) -> Markup:
    chart = BarChart(
        id=chart_id,
        title=title,
        description=description,
        groups=groups,
        series=series,
        cells=cells,
        axis_label=axis or gettext("Persons"),
        suppressed_label=withheld_word(exact),
        note=_note(exact) if note is None else note,
        rtl=_rtl(),
    )
    return Markup(render_bar_chart(chart))  # noqa: S704 - every text in it is escaped by stats.charts


def count_chart(
    chart_id: str, title: str, rows: Sequence[tuple[str, int | str]], axis: str, description: str = ""
) -> Markup:
    """A one-series chart of counts the reader sees exactly (the dashboard's referrals and waits)."""
    return _chart(
        chart_id,
        title,
        description or gettext("Bar chart of the table next to it."),
        [r for r, _ in rows],
        [axis],
        [[cell(str(n))] for _, n in rows],
        exact=True,
        axis=axis,
        note="",
    )


def status_chart(pivot: Mapping[str, Mapping[str, int]], statuses: Sequence[str]) -> Markup:
    """Open referrals by status, all receiving organisations together (the table lists them one by one)."""
    totals = [(label(st), sum(c.get(st, 0) for c in pivot.values())) for st in statuses]
    return count_chart("chart-status", gettext("Open referrals by status"), totals, gettext("Referrals"))


def statistics_csv(view: StatisticsView, total: str, tables: Sequence[DashboardTable]) -> bytes:
    """What the statistics page shows, as CSV: one line per figure (table, row, column, figure), the same
    figures (withheld as "x", small exact ones as "<11", rounded where the page rounds), labels in the
    reader's language."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([gettext("Table"), gettext("Row"), gettext("Column"), gettext("Persons")])
    writer.writerow([gettext("Persons counted"), "", "", total])
    for table in tables:
        rows, columns = table_labels(table)
        for r, row in enumerate(rows):
            for c, column in enumerate(columns):
                writer.writerow(safe_row([gettext(table.title), row, column, table.cells[r][c]]))
    return out.getvalue().encode("utf-8-sig")


def waits_chart(buckets: Sequence[tuple[str, int]]) -> Markup:
    """Cases by the time from identification to their first service (``DAY_BUCKETS``)."""
    return count_chart(
        "chart-waits",
        gettext("Time from identification to first service"),
        [(gettext(name), n) for name, n in buckets],
        gettext("Cases"),
    )


def declines_chart(declines: Sequence[ReasonCount]) -> Markup:
    return count_chart(
        "chart-declines",
        gettext("Why referrals were declined"),
        [(label(d.reason), d.count) for d in declines],
        gettext("Referrals"),
    )


STAGE_LABELS: Mapping[str, str] = {"first": N_("first decision"), "final": N_("final decision")}


def decisions_chart(by_outcome: Mapping[str, Mapping[str, str]]) -> Markup:
    """Identification decisions in force by stage and outcome, as protected figures ("x" withheld)."""
    stages = list(by_outcome)
    outcomes = list(next(iter(by_outcome.values()), {}))
    return _chart(
        "chart-decisions",
        gettext("Identification decisions by outcome"),
        gettext("Bar chart of the table next to it."),
        [gettext(STAGE_LABELS.get(k, k)) for k in stages],
        [label(o) for o in outcomes],
        [[cell(by_outcome[k][o]) for o in outcomes] for k in stages],
        exact=False,
        axis=gettext("Decisions"),
    )


def decision_days_chart(by_days: Mapping[str, str]) -> Markup:
    return _chart(
        "chart-decision-days",
        gettext("Working days taken to decide"),
        gettext("Bar chart of the table next to it."),
        [gettext(name) for name in by_days],
        [gettext("Decisions")],
        [[cell(v)] for v in by_days.values()],
        exact=False,
        axis=gettext("Decisions"),
    )
