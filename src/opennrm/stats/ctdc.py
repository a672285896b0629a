"""Reader for the CTDC synthetic file format used in ``shared/data/ctdc``.

Source: Counter-Trafficking Data Collaborative (CTDC, IOM), Global Synthetic Dataset 2025, as reduced to
North America in GitHub ``madiforman/CTDC_analysis`` ``data/final_data.csv`` (see that folder's
``PROVENANCE.md``; CTDC Terms of Use). The records are synthetic (made with differential privacy), one row
per victim; there is no person key, no year and no consent field, so every row is one counted person.

Columns read (19 integer columns; 0 means unknown or absent): ``Age Band`` (0 unknown, 1–9 the CTDC bands,
1–2 are children), ``isForcedLabour``, ``isSexualExploit``, ``Trans/NonConforming``, ``Woman``,
``Is Citizen of Country`` (1 when citizenship equals the country of exploitation; 0 covers foreign and
unknown). The file gives these dimensions, exactly as ``opennrm stats release`` publishes them:

- ``sex`` ∈ {woman, trans_nonconforming, man_or_unknown}
- ``age_group`` ∈ {child, adult, unknown} and ``age_band`` (the nine CTDC bands and unknown)
- ``exploitation`` ∈ {sexual, labour, sexual_and_labour, other}
- ``citizenship`` ∈ {national, foreign_or_unknown}
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from opennrm.stats.dimensions import AGE_BANDS, Dimension, all_combinations
from opennrm.stats.tables import PersonFrame

REQUIRED_COLUMNS = (
    "Age Band",
    "isForcedLabour",
    "isSexualExploit",
    "Trans/NonConforming",
    "Woman",
    "Is Citizen of Country",
)

SEX = Dimension(
    "sex",
    "Sex / gender",
    ("woman", "trans_nonconforming", "man_or_unknown"),
    {"trans_nonconforming": "trans / non-conforming", "man_or_unknown": "man or unknown"},
)
AGE_GROUP = Dimension(
    "age_group",
    "Age group",
    ("child", "adult", "unknown"),
    {"child": "child (under 18)", "adult": "adult (18 and over)"},
)
AGE_BAND = Dimension("age_band", "Age band", ("unknown", *(b[0] for b in AGE_BANDS)))
EXPLOITATION = Dimension(
    "exploitation",
    "Form of exploitation",
    ("sexual", "labour", "sexual_and_labour", "other"),
    {
        "sexual": "sexual exploitation",
        "labour": "forced labour",
        "sexual_and_labour": "sexual exploitation and forced labour",
        "other": "other forms",
    },
)
CITIZENSHIP = Dimension(
    "citizenship",
    "Citizenship",
    ("national", "foreign_or_unknown"),
    {"foreign_or_unknown": "foreign or unknown"},
)

#: The dimensions of ``opennrm stats release --ctdc`` (age_band is available for exact tables).
RELEASE_DIMENSIONS: tuple[str, ...] = ("sex", "age_group", "exploitation", "citizenship")
DIMENSIONS: dict[str, Dimension] = {d.name: d for d in (SEX, AGE_GROUP, AGE_BAND, EXPLOITATION, CITIZENSHIP)}
#: Every 1-, 2- and 3-way combination of the release dimensions (14 tables).
DEFAULT_TABLES: tuple[tuple[str, ...], ...] = tuple(all_combinations(RELEASE_DIMENSIONS, 3))


class CtdcFormatError(ValueError):
    """The file is not in the CTDC synthetic format (missing columns or not CSV)."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based data row (header is row 0)
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.column}={self.value!r}: {self.message}"


@dataclass(frozen=True)
class CtdcData:
    frame: PersonFrame
    rows_read: int
    problems: tuple[RowProblem, ...]

    @property
    def rows_left_out(self) -> int:
        return len({p.row for p in self.problems})


_ALLOWED: dict[str, range] = {
    "Age Band": range(10),
    "isForcedLabour": range(2),
    "isSexualExploit": range(2),
    "Trans/NonConforming": range(2),
    "Woman": range(2),
    "Is Citizen of Country": range(2),
}


def read_ctdc(path: Path) -> CtdcData:
    """Read the file; rows with a value outside its coding are left out and reported."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise CtdcFormatError(f"{path}: the file is empty")
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise CtdcFormatError(
                    f"{path}: not a CTDC synthetic file, missing column(s): {', '.join(missing)}"
                )
            where = [header.index(c) for c in REQUIRED_COLUMNS]
            values = np.zeros((0, len(REQUIRED_COLUMNS)), dtype=np.int64)
            chunk: list[list[int]] = []
            blocks: list[np.ndarray] = []
            problems: list[RowProblem] = []
            rows = 0
            for rows, line in enumerate(reader, start=1):
                parsed = _parse_row(rows, line, where, problems)
                if parsed is not None:
                    chunk.append(parsed)
                if len(chunk) >= 100_000:
                    blocks.append(np.array(chunk, dtype=np.int64))
                    chunk = []
            if chunk:
                blocks.append(np.array(chunk, dtype=np.int64))
            if blocks:
                values = np.concatenate(blocks)
    except UnicodeDecodeError as exc:
        raise CtdcFormatError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except csv.Error as exc:
        raise CtdcFormatError(f"{path}: not a CSV file ({exc})") from None
    return CtdcData(frame=ctdc_frame(values), rows_read=rows, problems=tuple(problems))


def _parse_row(row: int, line: list[str], where: list[int], problems: list[RowProblem]) -> list[int] | None:
    out: list[int] = []
    ok = True
    for column, i in zip(REQUIRED_COLUMNS, where, strict=True):
        raw = line[i].strip() if i < len(line) else ""
        try:
            value = int(raw)
        except ValueError:
            problems.append(RowProblem(row, column, raw, "not a whole number"))
            ok = False
            continue
        if value not in _ALLOWED[column]:
            allowed = _ALLOWED[column]
            problems.append(RowProblem(row, column, raw, f"outside {allowed.start}–{allowed.stop - 1}"))
            ok = False
            continue
        out.append(value)
    if ok and out[3] == 1 and out[4] == 1:
        problems.append(RowProblem(row, "Woman", "1", "both gender dummies are 1"))
        ok = False
    return out if ok else None


def ctdc_frame(values: np.ndarray) -> PersonFrame:
    """Category codes from the six CTDC columns (in ``REQUIRED_COLUMNS`` order), one row per person."""
    if values.size == 0:
        values = np.zeros((0, len(REQUIRED_COLUMNS)), dtype=np.int64)
    band, labour, sexual, trans, woman, citizen = (values[:, i] for i in range(len(REQUIRED_COLUMNS)))
    sex = np.where(woman == 1, 0, np.where(trans == 1, 1, 2))
    age_group = np.where(band == 0, 2, np.where(band <= 2, 0, 1))
    exploitation = np.where(
        (labour == 1) & (sexual == 1), 2, np.where(sexual == 1, 0, np.where(labour == 1, 1, 3))
    )
    citizenship = np.where(citizen == 1, 0, 1)
    codes = {
        "sex": sex.astype(np.int32),
        "age_group": age_group.astype(np.int32),
        "age_band": band.astype(np.int32),  # 0 = unknown, then the bands in order
        "exploitation": exploitation.astype(np.int32),
        "citizenship": citizenship.astype(np.int32),
    }
    return PersonFrame(dimensions=dict(DIMENSIONS), codes=codes, size=int(values.shape[0]))
