"""The evidence pack of a trace, for freezing and confiscation requests: a CSV of ranked destinations with
both attributions and the path of payments, and the same as a PDF (WeasyPrint, as the project's other
printed documents; ADR 0002)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
from pathlib import Path

from opennrm.finance.trace import Trace
from opennrm.spreadsheet import safe_row


def csv_text(trace: Trace) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "rank",
            "account",
            "hop",
            "proportional_received",
            "proportional_kept",
            "fifo_received",
            "fifo_kept",
            "path_transactions",
            "path_accounts",
        ]
    )
    for rank, d in enumerate(trace.destinations, start=1):
        writer.writerow(
            safe_row(
                [
                    rank,
                    d.account,
                    d.hop,
                    f"{d.proportional_received:.2f}",
                    f"{d.proportional_kept:.2f}",
                    f"{d.fifo_received:.2f}",
                    f"{d.fifo_kept:.2f}",
                    " ".join(d.path),
                    " > ".join(d.path_accounts),
                ]
            )
        )
    return buffer.getvalue()


def write_csv(trace: Trace, out: Path) -> None:
    out.write_text(csv_text(trace), encoding="utf-8")


def html_document(trace: Trace, title: str, limit: int = 200) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td>{i}</td><td>{esc(d.account)}</td><td>{d.hop}</td><td>{d.proportional_received:,.2f}</td>"
        f"<td>{d.proportional_kept:,.2f}</td><td>{d.fifo_received:,.2f}</td><td>{d.fifo_kept:,.2f}</td>"
        f"<td class='path'>{esc(' > '.join(d.path_accounts))}<br>{esc(' '.join(d.path))}</td></tr>"
        for i, d in enumerate(trace.destinations[:limit], start=1)
    )
    shown = f"; the first {limit} shown" if len(trace.destinations) > limit else ""
    made = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>@page {{ size: A4 landscape; margin: 14mm; }} body {{ font-family: sans-serif; font-size: 9pt; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #999; padding: 2px 4px; }}
td.path {{ font-size: 7pt; word-break: break-all; }}</style></head><body>
<h1>{esc(title)}</h1>
<p>Seeds: {esc(", ".join(trace.seeds))} · direction: {esc(trace.direction)} · hops: {trace.hops} ·
payments followed: {trace.transactions} · made {made}.</p>
<p>Proportional: each payment carries the traced share of the account's balance. FIFO: each payment spends the
oldest money first. "Kept" is what was received and not passed on (see docs/finance.md).</p>
<table><thead><tr><th>#</th><th>account</th><th>hop</th><th>proportional received</th>
<th>proportional kept</th>
<th>FIFO received</th><th>FIFO kept</th><th>first path</th></tr></thead><tbody>{rows}</tbody></table>
<p>{len(trace.destinations)} accounts reached{shown}.</p>
</body></html>"""


def _no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"an evidence pack loads nothing from elsewhere ({url[:40]})")


def pdf_bytes(trace: Trace, title: str = "Trace of funds") -> bytes:
    import weasyprint
    from PIL import ImageFile

    # importing WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on; the project keeps it off (web/pdf.py)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    pdf: bytes = weasyprint.HTML(string=html_document(trace, title), url_fetcher=_no_fetching).write_pdf()
    return pdf


def write_pdf(trace: Trace, out: Path, title: str = "Trace of funds") -> None:
    out.write_bytes(pdf_bytes(trace, title))
