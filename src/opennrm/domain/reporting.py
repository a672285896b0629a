"""Anonymous reporting (GR38 §54(d), §69, §100): what a woman, a girl or a witness may send without an
account, and the receipt she comes back with.

Pure: no I/O. The receipt is made here from the operating system's random source; its hash, the storage and
the rate limits live in ``opennrm.services.reporting`` and ``opennrm.web.public_limits``.

A receipt is ``RECEIPT_RANDOM_DIGITS`` random decimal digits followed by one Verhoeff check digit, shown in
groups of ``RECEIPT_GROUP`` (``1234 5678 …``) so that it can be read over the telephone and written on a
scrap of paper. 27 random digits carry 27·log2(10) ≈ 89.7 bits. Any script's decimal digits are accepted
(Arabic-Indic ``٠١٢…``, Eastern Arabic-Indic ``۰۱۲…``, full-width ``０１２…``), as are spaces, dashes and dots
between them; the check digit catches a mistyped or swapped digit before any work is spent on it.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from stdnum import verhoeff

from opennrm.domain.text import N_

RECEIPT_RANDOM_DIGITS = 27
RECEIPT_GROUP = 4
RECEIPT_LENGTH = RECEIPT_RANDOM_DIGITS + 1
RECEIPT_BITS = RECEIPT_RANDOM_DIGITS * math.log2(10)

MAX_REPORT_CHARS = 10_000
MAX_MESSAGE_CHARS = 5_000
DEFAULT_RETENTION_DAYS = 90
#: The locales the public form is offered in (the interface's seven).
REPORT_LOCALES = ("en", "ar", "es", "fr", "ru", "zh-Hans", "zh-Hant")

_SEPARATORS = frozenset(" \t-‐‑‒–—.·/_\u00a0\u2009\u202f\u3000")


def new_receipt() -> str:
    """A fresh receipt, digits grouped by spaces."""
    digits = "".join(str(secrets.randbelow(10)) for _ in range(RECEIPT_RANDOM_DIGITS))
    return format_receipt(digits + verhoeff.calc_check_digit(digits))


def format_receipt(digits: str) -> str:
    return " ".join(digits[i : i + RECEIPT_GROUP] for i in range(0, len(digits), RECEIPT_GROUP))


def normalise_receipt(text: str) -> str | None:
    """The receipt's ASCII digits, or None when ``text`` is not a well-formed receipt (wrong length,
    a character that is neither a digit nor a separator, or a wrong check digit)."""
    if not isinstance(text, str) or len(text) > 4 * RECEIPT_LENGTH:
        return None
    digits = []
    for ch in text:
        if ch in _SEPARATORS:
            continue
        value = unicodedata.decimal(ch, None)
        if value is None:
            return None
        digits.append(str(value))
    joined = "".join(digits)
    if len(joined) != RECEIPT_LENGTH or not verhoeff.is_valid(joined):
        return None
    return joined


# -- what she may tell ---------------------------------------------------------------------------------


class ReportAbout(StrEnum):
    MYSELF = "myself"
    SOMEONE_ELSE = "someone_else"


class ReportConcern(StrEnum):
    """What happens, in plain words (mapped to forms of exploitation when a report becomes a case)."""

    WORK = "work"  # forced to work, pay or papers kept
    SEX = "sex"  # forced into sex or sexual images
    MARRIAGE = "marriage"
    DEBT = "debt"
    DOCUMENTS = "documents"
    MOVEMENT = "movement"  # not allowed to leave
    VIOLENCE = "violence"
    RECRUITMENT = "recruitment"  # a job offer or a journey that seems wrong
    OTHER = "other"


class ReportSector(StrEnum):
    DOMESTIC_WORK = "domestic_work"
    AGRICULTURE = "agriculture"
    CONSTRUCTION = "construction"
    MANUFACTURING = "manufacturing"
    HOSPITALITY = "hospitality"
    ENTERTAINMENT = "entertainment"
    FISHING = "fishing"
    CARE = "care"
    ONLINE = "online"
    OTHER = "other"
    UNKNOWN = "unknown"


class HelpWanted(StrEnum):
    INFORMATION = "information"
    TALK = "talk"  # someone to talk to through this channel
    SAFE_PLACE = "safe_place"
    HEALTH = "health"
    LEGAL = "legal"
    WAGES = "wages"
    LEAVE = "leave"  # help to leave the situation
    NOTHING_NOW = "nothing_now"


class ReportStatus(StrEnum):
    NEW = "new"
    OPEN = "open"  # somebody replied
    REFERRED = "referred"
    CONVERTED = "converted"  # became a case
    CLOSED = "closed"


OPEN_STATUSES = frozenset({ReportStatus.NEW, ReportStatus.OPEN, ReportStatus.REFERRED})

#: What a report's concerns suggest as the form of exploitation of the case made from it (a caseworker
#: confirms it; nothing is decided from a report).
CONCERN_EXPLOITATION = {
    ReportConcern.WORK: "forced_labour",
    ReportConcern.SEX: "sexual_exploitation",
    ReportConcern.MARRIAGE: "forced_marriage",
    ReportConcern.DEBT: "forced_labour",
}

ReportText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REPORT_CHARS)
]
MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MESSAGE_CHARS)
]
RegionText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ReportIn(_Strict):
    """A new anonymous report. Only ``text`` and ``locale`` are needed."""

    text: ReportText
    locale: str = Field(default="en", max_length=10)
    about: ReportAbout | None = None
    concerns: list[ReportConcern] = Field(default_factory=list, max_length=len(ReportConcern))
    sector: ReportSector | None = None
    region: RegionText | None = None
    help: list[HelpWanted] = Field(default_factory=list, max_length=len(HelpWanted))

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        value = value.replace("_", "-")
        if value not in REPORT_LOCALES:
            raise ValueError(f"locale must be one of {', '.join(REPORT_LOCALES)}")
        return value

    @field_validator("region")
    @classmethod
    def _empty_region(cls, value: str | None) -> str | None:
        return value or None


class ReceiptIn(_Strict):
    receipt: str = Field(max_length=200)


class ReporterMessageIn(_Strict):
    receipt: str = Field(max_length=200)
    text: MessageText


def purge_due(closed_at: dt.datetime, retention_days: int) -> dt.datetime:
    """When a closed report is deleted: ``retention_days`` after it was closed."""
    if retention_days < 1:
        raise ValueError(N_("a retention period is at least one day"))
    return closed_at + dt.timedelta(days=retention_days)
