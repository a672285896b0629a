"""The inspection checklist as an XLSForm (the spreadsheet form format of ODK, KoboToolbox and other offline
collection tools), so an inspector can fill it in on a phone without a connection and bring it back.

The forced-labour indicators are the screening catalogue's own items, with their ids as question names
(``ind_CD01`` …) and their texts in every language the catalogue has. The form has no question about a
worker's identity, nationality or immigration status (GR38 §54(c)). ``xform`` converts it with ``pyxform``
(the library the XLSForm tools use), which also checks it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from opennrm.domain.labour import CHECKLIST, DeductionKind, HousingCondition, Sector
from opennrm.screening.catalogue import default_catalogue

FORM_ID = "opennrm_labour_inspection"
LANGUAGE_NAMES = {
    "en": "English",
    "ar": "Arabic",
    "es": "Spanish",
    "fr": "French",
    "ru": "Russian",
    "zh-Hans": "Chinese Simplified",
    "zh-Hant": "Chinese Traditional",
}
YES_NO = (("yes", "Yes"), ("no", "No"), ("not_seen", "Not checked"))


def _label_columns(languages: Sequence[str]) -> list[str]:
    return [f"label::{LANGUAGE_NAMES.get(tag, tag)} ({tag})" for tag in languages]


def survey_rows(version: str) -> tuple[list[str], list[list[str]], list[list[str]], list[list[str]]]:
    """The three sheets (header, survey rows, choice rows, settings rows) of the form."""
    catalogue = default_catalogue()
    languages = [tag for tag in LANGUAGE_NAMES if tag in catalogue.title] or ["en"]
    labels = _label_columns(languages)
    header = ["type", "name", *labels, "required", "constraint", "relevant"]

    def own(
        kind: str, name: str, english: str, required: str = "", constraint: str = "", relevant: str = ""
    ) -> list[str]:
        return [kind, name, *([english] * len(languages)), required, constraint, relevant]

    survey: list[list[str]] = [
        ["start", "start", *([""] * len(languages)), "", "", ""],
        ["end", "end", *([""] * len(languages)), "", "", ""],
        own("select_one sector", "sector", "Sector", "yes"),
        own("text", "region", "Region", "yes"),
        own("date", "visited_on", "Day of the visit", "yes"),
        own("select_one yes_no", "announced", "Was the visit announced?", "yes"),
        own("integer", "women_met", "Women and girls met (how many)", "", ". >= 0"),
        own("integer", "men_met", "Men and boys met (how many)", "", ". >= 0"),
        own("integer", "others_met", "Others met (how many)", "", ". >= 0"),
        own("begin_group", "checklist", "ILO indicators of forced labour"),
    ]
    for indicator_id in CHECKLIST:
        indicator = catalogue.indicators[indicator_id]
        texts = [indicator.text.get(tag) or indicator.text.get("en", indicator_id) for tag in languages]
        survey.append(["select_one yes_no", f"ind_{indicator_id}", *texts, "yes", "", ""])
    survey += [
        own("end_group", "", ""),
        own("integer", "monthly_wage", "Monthly wage paid (minor units)", "", ". >= 0"),
        own("integer", "minimum_wage", "Minimum wage that applies (minor units)", "", ". >= 0"),
        own("integer", "weekly_hours", "Hours worked in a week", "", ". >= 0 and . <= 168"),
        own("select_multiple deduction", "automatic_deductions", "Deductions taken from wages automatically"),
        own("select_one housing", "housing", "Housing the employer provides"),
        own(
            "integer",
            "documents_held",
            "Workers' passports or identity documents held by the employer",
            "",
            ". >= 0",
        ),
        own("text", "notes", "Notes (no names, no immigration status)"),
    ]
    # pyxform wants the empty end_group row without a name
    choices: list[list[str]] = []
    for code, english in YES_NO:
        choices.append(["yes_no", code, *([english] * len(languages))])
    for sector in Sector:
        choices.append(["sector", sector.value, *([sector.value.replace("_", " ")] * len(languages))])
    for deduction in DeductionKind:
        choices.append(
            ["deduction", deduction.value, *([deduction.value.replace("_", " ")] * len(languages))]
        )
    for housing in HousingCondition:
        choices.append(["housing", housing.value, *([housing.value.replace("_", " ")] * len(languages))])
    settings = [[FORM_ID, "OpenNRM labour inspection", version, f"{LANGUAGE_NAMES['en']} (en)"]]
    return header, survey, [["list_name", "name", *labels], *choices], settings


def xlsform(version: str = "1") -> bytes:
    """The checklist as an XLSForm workbook (``.xlsx``)."""
    from openpyxl import Workbook

    header, survey, choices, settings = survey_rows(version)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has a sheet
    sheet.title = "survey"
    sheet.append(header)
    for row in survey:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    for row in choices:
        choice_sheet.append(row)
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(["form_id", "form_title", "version", "default_language"])
    for row in settings:
        settings_sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xform(version: str = "1") -> str:
    """The XForm (XML) that offline collection tools load, converted from the XLSForm by ``pyxform``."""
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(xlsform=io.BytesIO(xlsform(version)), warnings=warnings)
    return str(result.xform)
