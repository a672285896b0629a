"""CSV cells a spreadsheet opens as text, never as a formula.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a formula by common
spreadsheet programs ("CSV injection", OWASP). Account names, file names and free text in an uploaded file
reach the exports the project writes for banks, prosecutors and statistics offices, so every CSV writer puts
its text cells through ``spreadsheet_safe``: such a cell gets a leading apostrophe, which the spreadsheet
shows as text. Numbers are written as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value``, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    """A CSV row with every text cell made safe (``spreadsheet_safe``)."""
    return [spreadsheet_safe(v) for v in values]
