"""Structural features of an ad: pay (parsed and put on a monthly scale), requirements, employer data.

These are the "salary out of line with job and requirements" and "missing employer data" signals of
issue 8, and the employer checks of flag 6 (vague employer) that are not in the text. A feature the input
cannot tell (the platform does not publish the field) is ``nan``, never a made-up "missing".
"""

from __future__ import annotations

import math
import re

from opennrm.recruitment.ads import JobAd
from opennrm.recruitment.lexicon import FlagHit
from opennrm.recruitment.normalise import to_simplified

NAN = float("nan")

STRUCTURAL_FEATURES: tuple[str, ...] = (
    "salary_min_log",
    "salary_max_log",
    "salary_spread",
    "salary_in_title",
    "text_money_ratio_log",
    "money_mentions",
    "requirements_waived",
    "high_pay_no_requirements",
    "text_len_log",
    "exclamation_rate",
    "benefits_count",
    "openings_log",
    "openings_vague",
    "company_missing",
    "company_id_missing",
    "company_info_len_log",
    "company_info_about_hiring",
    "company_scope_items",
    "company_size_log",
    "company_reg_missing",
    "company_status_abnormal",
)

# Amount with an optional 万/千/k multiplier, then a period word. Periods: hour, day, week, month, year.
_AMOUNT = r"(\d+(?:[.,]\d+)*)\s*(万|千|k|K)?"
_MONEY = re.compile(
    rf"(?:[$£€¥￥]\s*)?{_AMOUNT}\s*(?:[-~至到]\s*(?:[$£€¥￥]\s*)?{_AMOUNT})?\s*"
    r"(元|块|rmb|usd|dollars?|euros?|pounds?)?\s*(?:/|每|per|a|an)?\s*"
    r"(小时|时|hour|hr|天|日|day|周(?!岁)|星期|week|wk|月|month|mo|年|year|yr)?",
    re.IGNORECASE,
)
_PERIOD_PREFIX = re.compile(r"(时|日|周|月|年)薪|(hourly|daily|weekly|monthly|annual|yearly)", re.IGNORECASE)
_PREFIX_PERIOD = {
    "时": "时",
    "日": "日",
    "周": "周",
    "月": "月",
    "年": "年",
    "hourly": "hour",
    "daily": "day",
    "weekly": "week",
    "monthly": "month",
    "annual": "year",
    "yearly": "year",
}
_PAY_WORDS = re.compile(r"薪|工资|收入|底薪|提成|月入|日结|salary|pay|wage|earn|income|\$|£|€", re.IGNORECASE)
_PERIOD_MONTHS = {
    "小时": 1 / 176,
    "时": 1 / 176,
    "hour": 1 / 176,
    "hr": 1 / 176,
    "天": 1 / 22,
    "日": 1 / 22,
    "day": 1 / 22,
    "周": 1 / 4.33,
    "星期": 1 / 4.33,
    "week": 1 / 4.33,
    "wk": 1 / 4.33,
    "月": 1.0,
    "month": 1.0,
    "mo": 1.0,
    "年": 12.0,
    "year": 12.0,
    "yr": 12.0,
}
_WAIVED = re.compile(
    r"学历不限|不限学历|经验不限|不限经验|无需经验|无需学历|no (?:experience|degree|qualifications?)", re.I
)
_VAGUE_OPENINGS = re.compile(r"若干|不限|多名|大量|several|many|multiple|unlimited", re.IGNORECASE)
_ITEM_SEPARATORS = re.compile(r"[_,，、;；|/\n]+")
_SCOPE_SEPARATORS = re.compile(r"[；;、，,]")
_HIRING = re.compile(r"招聘|诚聘|急招|岗位|职位|hiring|vacanc|we are looking for|apply now", re.IGNORECASE)
_STATUS_OK = re.compile(
    r"开业|存续|在营|在业|在册|active|registered|in business|good standing|live", re.IGNORECASE
)


def _number(text: str, multiplier: str | None) -> float:
    value = float(text.replace(",", ""))
    if multiplier in ("万",):
        value *= 10_000
    elif multiplier in ("千", "k", "K"):
        value *= 1_000
    return value


def money_amounts(text: str) -> list[tuple[float, float]]:
    """Pay amounts in ``text`` as ``(low, high)`` per month; only numbers next to a pay word or period."""
    amounts: list[tuple[float, float]] = []
    for match in _MONEY.finditer(text):
        low_text, low_mult, high_text, high_mult, unit, period = match.groups()
        before = text[max(0, match.start() - 4) : match.start()]
        currency = bool(re.search(r"[$£€¥￥]", match.group(0)))
        if not (unit or currency or _PAY_WORDS.search(text[max(0, match.start() - 8) : match.end() + 2])):
            continue
        prefix = _PERIOD_PREFIX.search(before)
        if not period and prefix:
            period = _PREFIX_PERIOD[(prefix.group(1) or prefix.group(2)).lower()]
        if not (unit or period or low_mult or currency):
            continue
        try:
            low = _number(low_text, low_mult or high_mult)
            high = _number(high_text, high_mult) if high_text else low
        except ValueError:
            continue
        months = _PERIOD_MONTHS.get((period or "月").lower(), 1.0)
        if low <= 0 or high > 1e8:
            continue
        low, high = low / months, high / months
        if 100 <= high <= 5e6:
            amounts.append((min(low, high), max(low, high)))
    return amounts


def _log(value: float) -> float:
    return math.log1p(value) if value == value and value >= 0 else NAN


def _present(ad: JobAd, name: str) -> bool:
    return name in ad.present


def _blank(ad: JobAd, name: str) -> float:
    """1 if the record has the field and it is blank, 0 if it is filled, ``nan`` if the record lacks it."""
    if not _present(ad, name):
        return NAN
    return 0.0 if (getattr(ad, name) or "").strip() else 1.0


def structural_features(ad: JobAd) -> dict[str, float]:
    """The structural features of one ad, by the names in ``STRUCTURAL_FEATURES``."""
    title = to_simplified(ad.title)
    text = to_simplified(ad.text)
    salary_text = to_simplified(ad.salary or "")
    stated = money_amounts(salary_text) if salary_text else []
    in_text = money_amounts(text)
    in_title = money_amounts(title)
    pay = stated or in_title or in_text
    low = min(a for a, _ in pay) if pay else NAN
    high = max(b for _, b in pay) if pay else NAN
    text_high = max((b for _, b in in_text), default=NAN)
    requirements = to_simplified(ad.requirements or "") + " " + text
    waived = len({m.group(0)[:2] for m in _WAIVED.finditer(requirements)})
    features: dict[str, float] = {
        "salary_min_log": _log(low),
        "salary_max_log": _log(high),
        "salary_spread": high / low if pay and low > 0 else NAN,
        "salary_in_title": 1.0 if in_title or re.search(r"\d{3,}|万|千|高薪|\$", title) else 0.0,
        "text_money_ratio_log": math.log(text_high / high) if pay and text_high == text_high else NAN,
        "money_mentions": float(len(in_text)),
        "requirements_waived": float(min(waived, 2)),
        "high_pay_no_requirements": _log(high) * min(waived, 2) if pay else 0.0,
        "text_len_log": _log(len(ad.text)),
        "exclamation_rate": 100.0 * (ad.text.count("!") + ad.text.count("！")) / max(len(ad.text), 1),
        "benefits_count": (
            float(len([p for p in _ITEM_SEPARATORS.split(ad.benefits or "") if p.strip()]))
            if _present(ad, "benefits")
            else NAN
        ),
        "openings_log": NAN,
        "openings_vague": NAN,
        "company_missing": _blank(ad, "company"),
        "company_id_missing": _blank(ad, "company_id"),
        "company_info_len_log": _log(len((ad.company_info or "").strip()))
        if _present(ad, "company_info")
        else NAN,
        "company_info_about_hiring": (
            float(bool(_HIRING.search(ad.company_info or ""))) if _present(ad, "company_info") else NAN
        ),
        "company_scope_items": (
            float(len(_SCOPE_SEPARATORS.findall(ad.company_scope or "")))
            if _present(ad, "company_scope")
            else NAN
        ),
        "company_size_log": NAN,
        "company_reg_missing": (0.0 if (ad.company_reg or "").strip() else 1.0)
        if _present(ad, "company_reg")
        else NAN,
        "company_status_abnormal": (
            (0.0 if _STATUS_OK.search(ad.company_status or "") else 1.0)
            if _present(ad, "company_status")
            else NAN
        ),
    }
    if _present(ad, "openings"):
        openings = ad.openings or ""
        digits = re.findall(r"\d+", openings)
        features["openings_log"] = _log(float(digits[0])) if digits else NAN
        features["openings_vague"] = 1.0 if _VAGUE_OPENINGS.search(openings) or not digits else 0.0
    if _present(ad, "company_size"):
        digits = re.findall(r"\d+", (ad.company_size or "").replace(",", ""))
        features["company_size_log"] = _log(float(digits[0])) if digits else NAN
    return features


def employer_gaps(ad: JobAd) -> list[FlagHit]:
    """Flag-6 evidence from the employer fields the platform supplied (never from fields it did not)."""
    hits: list[FlagHit] = []
    if _present(ad, "company") and not (ad.company or "").strip():
        hits.append(FlagHit("vague_employer", "company", None, None, "no company name given"))
    if _present(ad, "company_info") and len((ad.company_info or "").strip()) < 15:
        hits.append(FlagHit("vague_employer", "company_info", None, None, "no company description"))
    if _present(ad, "company_reg") and not (ad.company_reg or "").strip():
        hits.append(FlagHit("vague_employer", "company_reg", None, None, "no registration number"))
    if _present(ad, "company_status") and not _STATUS_OK.search(ad.company_status or ""):
        status = (ad.company_status or "").strip() or "blank"
        hits.append(FlagHit("vague_employer", "company_status", None, None, f"registry status: {status}"))
    return hits
