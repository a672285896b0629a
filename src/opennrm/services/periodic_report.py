"""The national referral mechanism's own figures for ``opennrm report`` (the CEDAW periodic-report section):
identification decisions, non-punishment, remedies, the justice aggregates and labour inspection, each
already published with small cells suppressed by the module that counts it. Reading them is audited as a
statistics read."""

from __future__ import annotations

from opennrm.services import identification, justice, labour, non_punishment, remedies
from opennrm.stats.dimensions import NationalClassification
from opennrm.stats.nrm_section import NrmFigures
from opennrm.store.database import Database


def nrm_figures(
    db: Database, actor_id: str | None = "cli", classification: NationalClassification | None = None
) -> NrmFigures:
    """``classification``: the statistics office's categories (``<home>/stats/domains.toml``), for the
    decisions by nationality; the documented defaults when none is given."""
    with db.transaction() as session:
        decisions = identification.decision_statistics(session, classification)
    return NrmFigures(
        decisions=decisions,
        non_punishment=non_punishment.counts(db, actor_id or "cli"),
        remedies=remedies.counts(db, actor_id or "cli"),
        justice=justice.published_tables(db, actor_id),
        labour=labour.counts(db, actor_id or "cli"),
    )
