"""The inspection checklist as an XLSForm (the spreadsheet form format of ODK, KoboToolbox and other offline
collection tools), so an inspector can fill it in on a phone without a connection and bring it back.

The forced-labour indicators are the screening catalogue's own items, with their ids as question names
(``ind_CD01`` …) and their texts in every language the catalogue has. The form has no question about a
worker's identity, nationality or immigration status (GR38 §54(c)). ``xform`` converts it with ``pyxform``
(the library the XLSForm tools use), which also checks it.

Every other label and hint is English here and goes through ``translate(tag, english)``: the web page passes
the interface's own translations, so each language column says what the web form says (``yes_no`` and the
sector, deduction and housing choices included).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

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
YES_NO = (("yes", "yes"), ("no", "no"), ("not_seen", "not checked"))
Translate = Callable[[str, str], str]
"""``translate(language tag, english)``: the text in that language."""


def english(tag: str, text: str) -> str:
    """No translation: the English text in every column."""
    return text


#: The English labels and hints of the form, the same words as the web form (web/pages/labour.py has them
#: in the translation catalogue), so a translator translates each once.
TEXTS = (
    "Sector",
    "Region",
    "Day of the visit",
    "Was the visit announced?",
    "Women and girls met",
    "Men and boys met",
    "Others met",
    "Workers met (how many, never who)",
    "ILO indicators of forced labour",
    "Currency",
    "Three-letter ISO 4217 code, e.g. EUR, USD, JPY",
    "Monthly wage paid",
    "Minimum wage that applies",
    "In the currency, e.g. 1250.50",
    "Hours worked in a week",
    "Deductions taken from wages automatically",
    "Automatic deductions for housing or food are not allowed (GR38 §60(d)).",
    "Housing the employer provides",
    "Documents held by the employer",
    "How many workers' passports or identity documents the employer keeps",
    "Notes",
    "No names and nothing about anyone's immigration status.",
)


def choice_texts() -> dict[str, str]:
    """The English label of every choice code of the form (its words are the web pages' labels)."""
    texts = dict(YES_NO)
    for code in (*Sector, *DeductionKind, *HousingCondition):
        texts[code.value] = code.value.replace("_", " ")
    return texts


def _label_columns(languages: Sequence[str], kind: str = "label") -> list[str]:
    return [f"{kind}::{LANGUAGE_NAMES.get(tag, tag)} ({tag})" for tag in languages]


def survey_rows(
    version: str, translate: Translate = english
) -> tuple[list[str], list[list[str]], list[list[str]], list[list[str]]]:
    """The three sheets (header, survey rows, choice rows, settings rows) of the form, each label and hint
    in every language of the catalogue by ``translate``."""
    catalogue = default_catalogue()
    languages = [tag for tag in LANGUAGE_NAMES if tag in catalogue.title] or ["en"]
    labels = _label_columns(languages)
    header = [
        "type",
        "name",
        *labels,
        *_label_columns(languages, "hint"),
        "required",
        "constraint",
        "relevant",
    ]

    def each(text: str) -> list[str]:
        return [translate(tag, text) if text else "" for tag in languages]

    def own(
        kind: str,
        name: str,
        label: str,
        required: str = "",
        constraint: str = "",
        relevant: str = "",
        hint: str = "",
    ) -> list[str]:
        return [kind, name, *each(label), *each(hint), required, constraint, relevant]

    survey: list[list[str]] = [
        own("start", "start", ""),
        own("end", "end", ""),
        own("select_one sector", "sector", "Sector", "yes"),
        own("text", "region", "Region", "yes"),
        own("date", "visited_on", "Day of the visit", "yes"),
        own("select_one yes_no", "announced", "Was the visit announced?", "yes"),
        own(
            "integer",
            "women_met",
            "Women and girls met",
            "",
            ". >= 0",
            hint="Workers met (how many, never who)",
        ),
        own("integer", "men_met", "Men and boys met", "", ". >= 0"),
        own("integer", "others_met", "Others met", "", ". >= 0"),
        own("begin_group", "checklist", "ILO indicators of forced labour"),
    ]
    for indicator_id in CHECKLIST:
        indicator = catalogue.indicators[indicator_id]
        texts = [indicator.text.get(tag) or indicator.text.get("en", indicator_id) for tag in languages]
        survey.append(["select_one yes_no", f"ind_{indicator_id}", *texts, *each(""), "yes", "", ""])
    survey += [
        # pyxform wants the end_group row without a name
        own("end_group", "", ""),
        own(
            "text",
            "currency",
            "Currency",
            "",
            "regex(., '^[A-Za-z]{3}$')",
            hint="Three-letter ISO 4217 code, e.g. EUR, USD, JPY",
        ),
        own(
            "decimal", "monthly_wage", "Monthly wage paid", "", ". >= 0", hint="In the currency, e.g. 1250.50"
        ),
        own(
            "decimal",
            "minimum_wage",
            "Minimum wage that applies",
            "",
            ". >= 0",
            hint="In the currency, e.g. 1250.50",
        ),
        own("integer", "weekly_hours", "Hours worked in a week", "", ". >= 0 and . <= 168"),
        own(
            "select_multiple deduction",
            "automatic_deductions",
            "Deductions taken from wages automatically",
            hint="Automatic deductions for housing or food are not allowed (GR38 §60(d)).",
        ),
        own("select_one housing", "housing", "Housing the employer provides"),
        own(
            "integer",
            "documents_held",
            "Documents held by the employer",
            "",
            ". >= 0",
            hint="How many workers' passports or identity documents the employer keeps",
        ),
        own("text", "notes", "Notes", hint="No names and nothing about anyone's immigration status."),
    ]
    choice_labels = choice_texts()
    choices: list[list[str]] = []
    for list_name, codes in (
        ("yes_no", [code for code, _ in YES_NO]),
        ("sector", [s.value for s in Sector]),
        ("deduction", [d.value for d in DeductionKind]),
        ("housing", [h.value for h in HousingCondition]),
    ):
        choices += [[list_name, code, *each(choice_labels[code])] for code in codes]
    settings = [[FORM_ID, "OpenNRM labour inspection", version, f"{LANGUAGE_NAMES['en']} (en)"]]
    return header, survey, [["list_name", "name", *labels], *choices], settings


def xlsform(version: str = "1", translate: Translate = english) -> bytes:
    """The checklist as an XLSForm workbook (``.xlsx``), its labels by ``translate``."""
    from openpyxl import Workbook

    header, survey, choices, settings = survey_rows(version, translate)
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


def xform(version: str = "1", translate: Translate = english) -> str:
    """The XForm (XML) that offline collection tools load, converted from the XLSForm by ``pyxform``."""
    from pyxform.xls2xform import convert

    warnings: list[str] = []
    result = convert(xlsform=io.BytesIO(xlsform(version, translate)), warnings=warnings)
    return str(result.xform)
