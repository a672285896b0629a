"""Justice aggregates (CEDAW GR38 §110): counts of perpetrators investigated, prosecuted and convicted, per
year, by form of exploitation, sex, age group and nationality. Entered by the NRM secretariat on a page or
imported from a CSV file (``opennrm justice import``); never linked to a victim or a case (the table has no
such column and nothing here reads case data).

Who may enter them: ``opennrm.access.policy.justice_aggregates_decision``. A cell entered again replaces the
count it had (a corrected figure), so importing a corrected file twice changes nothing more. Every write is
audited; the counts hold no personal data.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from opennrm.access.policy import Action, Actor, justice_aggregates_decision
from opennrm.domain.justice import COLUMNS, JusticeAggregateIn, JusticeStage
from opennrm.services.clock import now
from opennrm.services.errors import InvalidInput, refuse
from opennrm.services.parsing import invalid_from, parse
from opennrm.stats.disclosure import published_breakdown
from opennrm.stats.nrm_section import JusticeFigures
from opennrm.stats.tables import DISPLAY_THRESHOLD, display_count
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.ids import new_id
from opennrm.store.tables import JusticeAggregate

#: The dimensions a justice table is shown by (each with the stage, per year).
DIMENSIONS = ("exploitation", "sex", "age_group", "nationality")
MAX_ROWS = 100_000


@dataclass(frozen=True)
class AggregateRow:
    year: int
    stage: str
    exploitation: str
    sex: str
    age_group: str
    nationality: str
    count: int


def _upsert(session: Session, row: JusticeAggregateIn, entered_by: str | None) -> None:
    existing = session.execute(
        select(JusticeAggregate).where(
            JusticeAggregate.year == row.year,
            JusticeAggregate.stage == row.stage.value,
            JusticeAggregate.exploitation == row.exploitation,
            JusticeAggregate.sex == row.sex.value,
            JusticeAggregate.age_group == row.age_group.value,
            JusticeAggregate.nationality == row.nationality,
        )
    ).scalar_one_or_none()
    if existing is None:
        session.add(
            JusticeAggregate(
                id=new_id(),
                year=row.year,
                stage=row.stage.value,
                exploitation=row.exploitation,
                sex=row.sex.value,
                age_group=row.age_group.value,
                nationality=row.nationality,
                count=row.count,
                entered_by=entered_by,
                updated_at=now(),
            )
        )
    else:
        existing.count, existing.entered_by, existing.updated_at = row.count, entered_by, now()


def check_may_enter(db: Database, actor: Actor) -> None:
    """Refuse (audited) anyone but the secretariat's coordinator of a non-enforcement organisation."""
    decision = justice_aggregates_decision(actor)
    if not decision:
        refuse(db, actor, Action.JUSTICE_AGGREGATES_ENTER, "justice_aggregates", None, decision.reason)


def enter(db: Database, actor: Actor, row: JusticeAggregateIn) -> None:
    """The secretariat enters (or corrects) one count; audited."""
    check_may_enter(db, actor)
    with db.transaction() as session:
        _upsert(session, row, actor.user_id)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor.user_id, "justice.enter", "justice_aggregates", None, detail={"year": row.year}),
        )


def parse_csv(text: str) -> list[JusticeAggregateIn]:
    """The rows of a justice-aggregates CSV file (header: ``COLUMNS``). The first bad row is refused with
    its line number and the column at fault (``InvalidInput``); a cell given twice is refused too."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}")
    extra = [h for h in header if h not in COLUMNS]
    if extra:
        raise InvalidInput(f"line 1: unknown column(s) {', '.join(extra)}; expected {','.join(COLUMNS)}")
    rows: list[JusticeAggregateIn] = []
    seen: dict[tuple[str, ...], int] = {}
    for raw in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(f"line {line}: more than {MAX_ROWS} rows")
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if None in raw:
            raise InvalidInput(f"line {line}: more values than columns")
        if not any(values.values()):
            continue
        try:
            row = parse(JusticeAggregateIn, values)
        except InvalidInput as exc:
            raise InvalidInput(f"line {line}: {exc.message}", field=exc.field) from None
        except ValidationError as exc:  # pragma: no cover - parse turns these into InvalidInput
            raise invalid_from(exc) from None
        key = row.key()
        if key in seen:
            raise InvalidInput(f"line {line}: the same cell as line {seen[key]} (each cell once)")
        seen[key] = line
        rows.append(row)
    if not rows:
        raise InvalidInput("the file has no rows")
    return rows


def import_csv(db: Database, text: str, *, actor_id: str | None = None) -> int:
    """Import a CSV file of justice aggregates: every row is checked before anything is written; one bad row
    and nothing is. Returns the number of rows imported. Audited (the count of rows, no content)."""
    rows = parse_csv(text)
    with db.transaction() as session:
        for row in rows:
            _upsert(session, row, None)
        audit.record_one(
            session,
            db.keyring,
            AuditEntry(actor_id, "justice.import", "justice_aggregates", None, detail={"rows": len(rows)}),
        )
    return len(rows)


def list_rows(session: Session) -> list[AggregateRow]:
    found = session.execute(
        select(JusticeAggregate).order_by(
            JusticeAggregate.year,
            JusticeAggregate.stage,
            JusticeAggregate.exploitation,
            JusticeAggregate.sex,
            JusticeAggregate.age_group,
            JusticeAggregate.nationality,
        )
    ).scalars()
    return [
        AggregateRow(r.year, r.stage, r.exploitation, r.sex, r.age_group, r.nationality, r.count)
        for r in found
    ]


def aggregates(db: Database) -> list[AggregateRow]:
    """Every row as entered (counts of perpetrators, no personal data)."""
    with db.transaction() as session:
        return list_rows(session)


def tables(rows: Sequence[AggregateRow], threshold: int = DISPLAY_THRESHOLD) -> JusticeFigures:
    """Per year × stage: the total and the count by each dimension, with small counts suppressed. Only the
    categories that hold someone in some year are listed (a nationality never seen is not named)."""
    totals: Counter[tuple[int, str]] = Counter()
    cells: dict[str, Counter[tuple[int, str, str]]] = {d: Counter() for d in DIMENSIONS}
    for r in rows:
        totals[(r.year, r.stage)] += r.count
        for d in DIMENSIONS:
            cells[d][(r.year, r.stage, str(getattr(r, d)))] += r.count
    years = tuple(sorted({r.year for r in rows}))
    stages = [s.value for s in JusticeStage]
    categories = {d: tuple(sorted({c for (_, _, c), n in cells[d].items() if n > 0})) for d in DIMENSIONS}
    by_dimension: dict[str, dict[tuple[int, str, str], str]] = {}
    for d in DIMENSIONS:
        shown: dict[tuple[int, str, str], str] = {}
        for y in years:
            for s in stages:
                raw = {c: cells[d][(y, s, c)] for c in categories[d]}
                shown.update(
                    {
                        (y, s, c): text
                        for c, text in published_breakdown(raw, totals[(y, s)], threshold).items()
                    }
                )
        by_dimension[d] = shown
    return JusticeFigures(
        years=years,
        totals={(y, s): display_count(totals[(y, s)], threshold) for y in years for s in stages},
        by_dimension=by_dimension,
        categories=categories,
    )


def published_tables(db: Database, actor_id: str | None) -> JusticeFigures:
    """The justice tables for a report (suppressed); audited."""
    with db.transaction() as session:
        rows = list_rows(session)
        audit.record_one(session, db.keyring, AuditEntry(actor_id, "justice.count", "statistics", None))
    return tables(rows)


def rows_as_csv(rows: Iterable[AggregateRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.year, r.stage, r.exploitation, r.sex, r.age_group, r.nationality, r.count])
    return out.getvalue()
