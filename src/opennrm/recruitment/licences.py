"""The ad scanner's licence check (GR38 §59): flag an ad that names a recruitment agency or a licence number
the national registry does not show as licensed on the day of the scan.

Pure: the registry comes in as a ``LicenceRegistry`` snapshot (``opennrm.services.labour.licence_registry``
builds it from the database), and ``licence_flags`` reads one ad. ``with_licence_flags`` is the one hook
the scan's storing step calls on each result (``opennrm.services.ad_review.store_scan``); another check can
sit beside it the same way without touching this module.

What is flagged (one flag, ``agency_licence``, whose evidence says which case it is; each agency once, so an
ad naming a revoked agency and its licence number is flagged once):

- a licence number the registry knows whose licence is suspended, revoked or expired on the day;
- a number written as a licence number ("licence no. …", "許可證號 …") that the registry does not know;
- an agency the registry knows whose licences are all suspended, revoked or expired on the day;
- an advertiser that calls itself a recruitment or employment agency and is not in the registry at all
  (only once the registry holds agencies, so that an installation without one flags nothing).

Besides the English ``evidence`` sentence each hit has a ``detail``: its case (``LICENCE_NOT_IN_FORCE``,
``UNKNOWN_NUMBER``, ``AGENCY_NOT_IN_FORCE``, ``AGENCY_NOT_REGISTERED``) and its facts (number, agency, status
and the day the status took effect: the suspension or revocation, or the expiry), which the pages render as a
sentence in the reader's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from opennrm.domain.labour import normalise_licence, normalise_name
from opennrm.domain.text import N_
from opennrm.recruitment.ads import JobAd

LICENCE_FLAG = "agency_licence"
#: The risk an ad with a licence flag has at least, so that the review queue (riskiest first) shows it early.
RISK_FLOOR = 0.8
WEIGHT = 1.0
MAX_NAME_WORDS = 6

UNLICENSED = "unlicensed"
LICENCE_NOT_IN_FORCE = "licence_not_in_force"
UNKNOWN_NUMBER = "unknown_number"
AGENCY_NOT_IN_FORCE = "agency_not_in_force"
AGENCY_NOT_REGISTERED = "agency_not_registered"
NOT_IN_FORCE = frozenset({"suspended", "revoked", "expired"})

FLAG_NAME = N_("Agency or licence not in force")
FLAG_EXPLANATION = N_(
    "The ad names a recruitment agency or a licence number that the national registry does not show as "
    "licensed on the day of the scan (GR38 §59). Check the registry before acting on the ad."
)

_LICENCE_MENTION = re.compile(
    r"(?:licen[cs]e|permit|registration|許可證|许可证|執照|执照|牌照|رخصة|ترخيص|лицензия)"
    r"\s*(?:no\.?|number|#|號|号|رقم|№)?\s*[:：.]?\s*((?:[A-Za-z]{1,8}[\s\-/]?)?\d[0-9A-Za-z\-/]{1,20})",
    re.IGNORECASE,
)
_AGENCY_WORDS = re.compile(
    r"recruitment agency|employment agency|placement agency|manpower|staffing agency|recruiting agency|"
    r"劳务|勞務|中介|仲介|人力派遣|وكالة توظيف|مكتب استقدام|مكتب توظيف|"
    r"кадровое агентство|агентство по трудоустройству|"
    r"agencia de empleo|agence de recrutement|agence de placement",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-/]{2,40}")


@dataclass(frozen=True)
class LicenceRegistry:
    """The registry as the scanner reads it on ``on``: each agency's status by its normalised name, and each
    licence's agency and status by its normalised number. An agency's status is ``active`` when one of its
    licences is, else the status of its latest licence change, else ``unlicensed``."""

    on: dt.date
    agencies: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """name key → (name as registered, status)"""
    licences: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)
    """number key → (number as issued, agency name, status)"""
    since: Mapping[str, dt.date] = field(default_factory=dict)
    """number key → the day its status took effect (its suspension, revocation or expiry)"""
    agency_since: Mapping[str, dt.date] = field(default_factory=dict)
    """name key → the day the agency's status took effect"""

    @property
    def in_use(self) -> bool:
        return bool(self.agencies)


@dataclass(frozen=True)
class LicenceHit:
    evidence: str
    field: str | None = None
    start: int | None = None
    end: int | None = None
    detail: Mapping[str, str] = dataclasses.field(default_factory=dict)
    """the case and its facts (``number``, ``agency``, ``status``, ``since`` as an ISO date)"""


def _since(day: dt.date | None) -> str:
    return f" since {day.isoformat()}" if day else ""


def _not_in_force(
    known: tuple[str, str, str], since: dt.date | None, where: str, match: re.Match[str], group: int
) -> LicenceHit:
    number, agency, status = known
    return LicenceHit(
        f"licence {number} of {agency} is {status}{_since(since)}",
        where,
        match.start(group),
        match.end(group),
        {
            "case": LICENCE_NOT_IN_FORCE,
            "number": number,
            "agency": agency,
            "status": status,
            "since": since.isoformat() if since else "",
        },
    )


def _name_grams(text: str) -> set[str]:
    words = normalise_name(text).split()
    grams: set[str] = set()
    for size in range(1, MAX_NAME_WORDS + 1):
        for start in range(len(words) - size + 1):
            grams.add(" ".join(words[start : start + size]))
    return grams


def _fields(ad: JobAd) -> tuple[tuple[str, str], ...]:
    """The fields of an ad that may name an agency or write a licence number."""
    return (
        ("title", ad.title),
        ("text", ad.text),
        ("company", ad.company or ""),
        ("company_reg", ad.company_reg or ""),
        ("requirements", ad.requirements or ""),
    )


def agencies_named(ad: JobAd, names: Mapping[str, str], numbers: Mapping[str, str]) -> set[str]:
    """Which agencies the ad names: ``names`` maps an agency's normalised name to its id, ``numbers`` a
    normalised licence number to its agency's id. An agency is named when a run of words of the ad is its
    registered name, or a token of the ad is one of its licence numbers (as ``licence_flags`` reads them)."""
    fields = _fields(ad)
    found = {names[gram] for gram in _name_grams(" ".join(value for _, value in fields)) if gram in names}
    for _, value in fields:
        for match in _TOKEN.finditer(value):
            agency = numbers.get(normalise_licence(match.group(0)))
            if agency is not None:
                found.add(agency)
        for match in _LICENCE_MENTION.finditer(value):
            agency = numbers.get(normalise_licence(match.group(1)))
            if agency is not None:
                found.add(agency)
    return found


def licence_flags(ad: JobAd, registry: LicenceRegistry) -> list[LicenceHit]:
    """What in the ad the registry contradicts on ``registry.on`` (each agency or number once)."""
    if not registry.in_use:
        return []
    hits: list[LicenceHit] = []
    seen: set[str] = set()
    flagged_agencies: set[str] = set()
    fields = _fields(ad)
    for name, value in fields:
        for match in _LICENCE_MENTION.finditer(value):
            key = normalise_licence(match.group(1))
            if key in seen or not any(ch.isdigit() for ch in key):
                continue
            seen.add(key)
            known = registry.licences.get(key)
            if known is None:
                number = match.group(1).strip()
                hits.append(
                    LicenceHit(
                        f"licence number {number} is not in the registry",
                        name,
                        match.start(1),
                        match.end(1),
                        {"case": UNKNOWN_NUMBER, "number": number},
                    )
                )
            elif known[2] in NOT_IN_FORCE:
                hits.append(_not_in_force(known, registry.since.get(key), name, match, 1))
                flagged_agencies.add(normalise_name(known[1]))
        for match in _TOKEN.finditer(value):
            key = normalise_licence(match.group(0))
            if key in seen:
                continue
            known = registry.licences.get(key)
            if known is not None:
                seen.add(key)
                if known[2] in NOT_IN_FORCE:
                    hits.append(_not_in_force(known, registry.since.get(key), name, match, 0))
                    flagged_agencies.add(normalise_name(known[1]))
    grams = _name_grams(" ".join(value for _, value in fields))
    named = False
    for gram in sorted(grams):
        entry = registry.agencies.get(gram)
        if entry is None:
            continue
        named = True
        if gram in seen or normalise_name(entry[0]) in flagged_agencies:
            continue
        seen.add(gram)
        if entry[1] in NOT_IN_FORCE or entry[1] == UNLICENSED:
            since = registry.agency_since.get(gram)
            hits.append(
                LicenceHit(
                    f"the agency {entry[0]} is {entry[1]}{_since(since)}",
                    "company",
                    detail={
                        "case": AGENCY_NOT_IN_FORCE,
                        "agency": entry[0],
                        "status": entry[1],
                        "since": since.isoformat() if since else "",
                    },
                )
            )
    company = ad.company or ""
    says_agency = bool(_AGENCY_WORDS.search(company) or _AGENCY_WORDS.search(ad.company_info or ""))
    # an unknown licence number the ad writes already flags its advertiser: once is enough
    if says_agency and not named and company.strip() and not hits:
        hits.append(
            LicenceHit(
                f"the agency {company.strip()} is not in the registry of licensed agencies",
                "company",
                detail={"case": AGENCY_NOT_REGISTERED, "agency": company.strip()},
            )
        )
    return hits


def with_licence_flags(ad: JobAd, result: dict[str, Any], registry: LicenceRegistry) -> dict[str, Any]:
    """The scan result of ``ad`` with its licence flags added (and its risk raised to ``RISK_FLOOR``); the
    result unchanged when there is none. The hook the scan's storing step calls on every ad."""
    hits = licence_flags(ad, registry)
    if not hits:
        return result
    # a result scanned again keeps one set of licence flags, not two
    flags = [f for f in result.get("flags", ()) if f.get("flag") != LICENCE_FLAG]
    flags.extend(
        {
            "flag": LICENCE_FLAG,
            "evidence": h.evidence,
            "start": h.start,
            "end": h.end,
            "weight": WEIGHT,
            "field": h.field,
            "detail": dict(h.detail),
        }
        for h in hits
    )
    updated = dict(result, flags=flags)
    updated["risk"] = max(float(result.get("risk") or 0.0), RISK_FLOOR)
    return updated
