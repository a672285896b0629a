"""The steps the CLI, the pages and the benchmarks share: read, detect, score, write."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from opennrm.finance import ranking
from opennrm.finance.detectors import Report, detect
from opennrm.finance.ingest import IngestError, Rejection, Transactions, read_accounts, read_transactions
from opennrm.finance.jurisdiction import Jurisdiction
from opennrm.finance.ranking import Score, TrainedModel
from opennrm.spreadsheet import safe_row


def load(transactions: Path, accounts: Path | None, jurisdiction: Jurisdiction) -> Transactions:
    data = read_transactions(transactions, jurisdiction)
    if accounts is not None:
        data = read_accounts(accounts, data)
    if data.frame.is_empty():
        raise IngestError(f"{transactions}: no valid transaction")
    return data


def score(
    data: Transactions, jurisdiction: Jurisdiction, model: TrainedModel | None = None
) -> tuple[list[Score], Report]:
    report = detect(data, jurisdiction)
    if model is None:
        return ranking.default_scores(data, report, jurisdiction), report
    table = ranking.features(data, report)
    return ranking.trained_scores(model, table, report), report


def write_scores(scores: list[Score], out: Path) -> None:
    ordered = sorted(scores, key=lambda s: (-s.risk, s.account))
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "risk", "typologies"])
        for s in ordered:
            writer.writerow(safe_row([s.account, f"{s.risk:.6f}", ";".join(s.typologies)]))


def write_evidence(scores: list[Score], out: Path) -> None:
    """One JSON object per flagged account: its risk and every hit (rule, transactions, thresholds,
    source)."""
    ordered = sorted((s for s in scores if s.evidence), key=lambda s: (-s.risk, s.account))
    with out.open("w", encoding="utf-8") as handle:
        for s in ordered:
            handle.write(
                json.dumps(
                    {"account": s.account, "risk": round(s.risk, 6), "hits": [asdict(h) for h in s.evidence]},
                    ensure_ascii=False,
                )
                + "\n"
            )


def write_rejects(rejects: Iterable[Rejection], out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "reason"])
        for r in rejects:
            writer.writerow(safe_row([r.line, r.reason]))


def read_labels(path: Path, data: Transactions) -> dict[str, int]:
    """``account,laundering`` (1 or 0). Raises ``IngestError`` naming the line of a bad row."""
    labels: dict[str, int] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            if reader.fieldnames is None or not {"account", "laundering"} <= set(reader.fieldnames):
                raise IngestError(f"{path}: needs the columns account,laundering")
            for line, row in enumerate(reader, start=2):
                value = (row.get("laundering") or "").strip()
                if value not in ("0", "1"):
                    raise IngestError(f"{path}: line {line}: laundering must be 0 or 1")
                account = (row.get("account") or "").strip()
                if not account:
                    raise IngestError(f"{path}: line {line}: account is empty")
                labels[account] = int(value)
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path}: {exc}") from None
    seen = set(data.accounts)
    if not any(a in seen for a in labels):
        raise IngestError(f"{path}: no labelled account appears in the transactions")
    return labels
