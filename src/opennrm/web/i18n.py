"""The languages of the web interface: which one a request gets, its catalogue, and localised labels, dates
and numbers.

A language is a directory ``translations/<locale>/LC_MESSAGES/messages.po`` (``<locale>`` is Babel's
identifier, ``zh_Hant``; pages, links and cookies use the BCP 47 tag, ``zh-Hant``). Directories are
discovered when the server starts, so adding a language needs no code change (``docs/i18n.md``); English is
the source language and needs no catalogue. Catalogues are compiled in memory from the ``.po`` files
(Babel's ``pofile`` and ``mofile``): there is no build step, and fuzzy entries are never used.

Which language a request gets: the language chosen with the switcher on this request (``?lang=``), then the
user's stored preference (when the user record carries one), then the ``lang`` cookie the switcher sets,
then ``Accept-Language``, then English. Direction (``rtl`` for Arabic) comes from Babel's locale data.

Templates and Python code mark strings with ``_()`` (``gettext``); strings defined before a language is
known are marked with ``N_()`` and translated where they are shown. ``label(code)`` gives the translated
label of a vocabulary code (exploitation types, statuses, services, screening elements, …).
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request
from fastapi.responses import Response
from jinja2 import Environment

from opennrm.screening.language import is_language_code, resolve_language

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
COOKIE = "lang"
QUERY = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# DESIGN invariant 8 (docs/architecture.md): the six UN official languages, Chinese in both scripts.
# A test checks that each has a complete catalogue; more may be added by dropping a catalogue directory.
UN_LANGUAGES = ("ar", "zh-Hant", "zh-Hans", "en", "fr", "ru", "es")
MAX_ACCEPT_LANGUAGE_ITEMS = 20


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (it is translated where it is shown)."""
    return message


# -- languages -----------------------------------------------------------------------------------------


def tag_of(identifier: str) -> str:
    """The BCP 47 tag (``zh-Hant``) of a Babel/gettext locale identifier (``zh_Hant``)."""
    return identifier.replace("_", "-")


def _babel_locale(tag: str) -> Locale | None:
    try:
        return Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, UnknownLocaleError):
        return None


@dataclass(frozen=True)
class Language:
    """One language of the interface."""

    tag: str
    locale: Locale
    catalogue: Path | None

    @property
    def direction(self) -> str:
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    @property
    def name(self) -> str:
        """The language's name in itself, as a reader of that language looks for it (``العربية``)."""
        own = self.locale.get_display_name(self.locale) or self.tag
        return own[:1].upper() + own[1:]

    @property
    def english_name(self) -> str:
        return self.locale.get_display_name("en") or self.tag


def _discover(directory: Path) -> dict[str, Language]:
    found: dict[str, Language] = {}
    found[SOURCE_LANGUAGE] = Language(SOURCE_LANGUAGE, Locale.parse(SOURCE_LANGUAGE), None)
    if directory.is_dir():
        for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            tag = tag_of(po.parent.parent.name)
            locale = _babel_locale(tag)
            if locale is not None and is_language_code(tag):
                found[tag] = Language(tag, locale, po)
    return dict(sorted(found.items(), key=lambda item: item[1].english_name))


@lru_cache(maxsize=1)
def _languages() -> dict[str, Language]:
    return _discover(TRANSLATIONS)


def languages() -> tuple[Language, ...]:
    """Every language the interface speaks, in the order of their English names."""
    return tuple(_languages().values())


def available() -> tuple[str, ...]:
    return tuple(_languages())


def language(tag: str) -> Language:
    """The language of ``tag`` (one of ``available()``); English for anything else."""
    return _languages().get(tag) or _languages()[SOURCE_LANGUAGE]


@cache
def translations(tag: str) -> gettext_module.NullTranslations:
    """The compiled catalogue of ``tag`` (no-op translations for English or an unknown tag)."""
    found = _languages().get(tag)
    if found is None or found.catalogue is None:
        return gettext_module.NullTranslations()
    return compile_catalogue(found.catalogue)


def compile_catalogue(po_file: Path) -> gettext_module.NullTranslations:
    """Compile a ``.po`` file in memory. Fuzzy and empty entries are left out, so they show in English."""
    with po_file.open("rb") as handle:
        catalogue = read_po(handle, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


# -- choosing the language of a request ----------------------------------------------------------------


def match(requested: str | None, among: tuple[str, ...] | None = None) -> str | None:
    """The available language for one requested tag (``en-GB`` → ``en``, ``zh-TW`` → ``zh-Hant``,
    ``zh`` → ``zh-Hans``), or ``None`` when none fits."""
    if not requested or len(requested) > 35 or not is_language_code(requested.strip()):
        return None
    choices = available() if among is None else among
    found, fell_back = resolve_language(requested, choices)
    if fell_back or found not in choices:
        return None
    return found


def parse_accept_language(header: str | None) -> list[str]:
    """The tags of an ``Accept-Language`` header, most wanted first (``q=0`` and ``*`` left out)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")[:MAX_ACCEPT_LANGUAGE_ITEMS]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        tag = tag.strip()
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate(
    preference: str | None,
    cookie: str | None,
    accept_language: str | None,
    among: tuple[str, ...] | None = None,
) -> str:
    """The user's stored preference, then the switcher's cookie, then ``Accept-Language``, then English."""
    for candidate in (preference, cookie, *parse_accept_language(accept_language)):
        found = match(candidate, among)
        if found is not None:
            return found
    return SOURCE_LANGUAGE


def chosen_now(request: Request) -> str | None:
    """The language picked with the switcher on this very request (``?lang=``), if any."""
    return match(request.query_params.get(QUERY))


def request_language(request: Request, user: object | None = None) -> str:
    """The language of the page answering ``request``. A page may fix it (``request.state.language``, as the
    rights leaflet does from its URL); otherwise the switcher, the user's stored preference (an attribute
    ``language`` of the session user, when the user record has one), the cookie, ``Accept-Language``."""
    fixed = getattr(request.state, "language", None)
    if isinstance(fixed, str) and fixed in available():
        return fixed
    now = chosen_now(request)
    if now is not None:
        return now
    preference = getattr(user, "language", None) if user is not None else None
    return negotiate(
        preference if isinstance(preference, str) else None,
        request.cookies.get(COOKIE),
        request.headers.get("accept-language"),
    )


def remember_choice(request: Request, response: Response) -> None:
    """Keep the language picked with the switcher in the ``lang`` cookie (staff pages only: the public
    leaflet carries its language in its address and leaves no cookie behind)."""
    if getattr(request.state, "language", None) is not None:
        return
    now = chosen_now(request)
    if now is not None and now != request.cookies.get(COOKIE):
        response.set_cookie(
            COOKIE,
            now,
            max_age=COOKIE_MAX_AGE,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )


def switch_url(request: Request, tag: str) -> str:
    """This page's address in another language (the query kept, ``lang`` replaced), as a query-only
    reference (``?lang=fr``) that the browser resolves against the page itself. The path is never copied
    into the link: a path such as ``//evil.example/x`` would make a link that leaves the site."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != QUERY]
    return f"?{urlencode([*query, (QUERY, tag)])}"


# -- the active language of a rendering ----------------------------------------------------------------

_active: ContextVar[str] = ContextVar("opennrm_web_language", default=SOURCE_LANGUAGE)


@contextmanager
def activated(tag: str) -> Iterator[Language]:
    """Make ``tag`` the language of ``gettext``, ``label`` and the formatters in this context."""
    token = _active.set(tag if tag in available() else SOURCE_LANGUAGE)
    try:
        yield language(_active.get())
    finally:
        _active.reset(token)


def active() -> Language:
    return language(_active.get())


def gettext(message: str) -> str:
    return translations(_active.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_active.get()).ngettext(singular, plural, n)


_ = gettext


# -- dates and numbers ---------------------------------------------------------------------------------


def _as_datetime(value: Any) -> dt.datetime | dt.date | None:
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip().replace("Z", "+00:00")
        try:
            return dt.datetime.fromisoformat(text) if len(text) > 10 else dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def format_date(value: Any) -> str:
    """A date in the active language (``2 avr. 2024``); ``–`` for none; text that is no date as it is."""
    when = _as_datetime(value)
    if when is None:
        return "–" if value in (None, "") else str(value)
    day = when.date() if isinstance(when, dt.datetime) else when
    return babel_dates.format_date(day, "medium", locale=active().locale)


def format_datetime(value: Any) -> str:
    """A date and time in UTC in the active language (``2 avr. 2024, 14:05 UTC``)."""
    when = _as_datetime(value)
    if when is None:
        return "–" if value in (None, "") else str(value)
    if not isinstance(when, dt.datetime):
        return format_date(when)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    locale = active().locale
    day = babel_dates.format_date(when.astimezone(dt.UTC).date(), "medium", locale=locale)
    time = babel_dates.format_time(when, "short", tzinfo=dt.UTC, locale=locale)
    pattern = str(locale.datetime_formats.get("medium") or "{1} {0}")
    return pattern.replace("{1}", day).replace("{0}", time) + " UTC"


def format_number(value: Any) -> str:
    """A number in the active language's notation (``12 345,5``); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–" if value is None else str(value)
    return babel_numbers.format_decimal(value, locale=active().locale)


# -- vocabulary labels ---------------------------------------------------------------------------------

# The label of every code the pages show (domain vocabularies, services, screening elements). Codes shared by
# several vocabularies ("other", "unknown", "shelter") mean the same everywhere, so one table serves all.
# tests/unit/web/test_catalogues.py checks that every code of those vocabularies is here.
VOCABULARY_LABELS: Mapping[str, str] = {
    # sex and gender
    "female": N_("female"),
    "male": N_("male"),
    "intersex": N_("intersex"),
    "unknown": N_("unknown"),
    "feminine": N_("feminine"),
    "masculine": N_("masculine"),
    "transgender_feminine": N_("transgender feminine"),
    "transgender_masculine": N_("transgender masculine"),
    "non_conforming": N_("gender non-conforming"),
    # age groups
    "child": N_("child"),
    "adult": N_("adult"),
    # case status
    "new": N_("new"),
    "assessment": N_("assessment"),
    "case_plan": N_("case plan"),
    "services": N_("services"),
    "follow_up": N_("follow-up"),
    "closed": N_("closed"),
    "closed_referred": N_("closed, referred"),
    "reopened": N_("reopened"),
    # trafficking status
    "possible_victim": N_("possible victim"),
    "presumed_victim": N_("presumed victim"),
    "actual_victim": N_("identified victim"),
    "not_a_victim": N_("not a victim"),
    # identification decisions (standing of a case, outcomes, reconsideration)
    "possible": N_("possible victim"),
    "presumed": N_("presumed victim"),
    "first_decision": N_("first decision taken"),
    "final_decision": N_("final decision taken"),
    "positive": N_("positive"),
    "negative": N_("negative"),
    "upheld": N_("upheld"),
    "overturned": N_("overturned"),
    "pending": N_("waiting for the answer"),
    "decided": N_("answered"),
    "reconsideration": N_("reconsideration"),
    "decision": N_("decision"),
    "confirmation": N_("confirmation by a second organisation"),
    "proposed": N_("proposed, waiting for a second organisation"),
    "taken": N_("taken"),
    "reasonable_grounds": N_("reasonable grounds"),
    "conclusive_grounds": N_("conclusive grounds"),
    # migration and protection status
    "national": N_("national"),
    "migrant_family": N_("migrant (family)"),
    "migrant_visitor": N_("migrant (visitor)"),
    "migrant_labour": N_("migrant worker"),
    "migrant_student": N_("migrant (student)"),
    "migrant_irregular": N_("migrant without regular status"),
    "asylum_seeker": N_("asylum seeker"),
    "refugee": N_("refugee"),
    "complementary_protection": N_("complementary protection"),
    "stateless": N_("stateless"),
    "environmental_migrant": N_("environmental migrant"),
    "vulnerable_migrant": N_("migrant in a vulnerable situation"),
    "stranded_migrant": N_("stranded migrant"),
    "forced_migrant": N_("forced migrant"),
    "deportee": N_("deported person"),
    "ex_combatant": N_("former combatant"),
    "internally_displaced": N_("internally displaced"),
    # disability (Washington Group domains)
    "none": N_("none"),
    "seeing": N_("seeing"),
    "hearing": N_("hearing"),
    "mobility": N_("mobility"),
    "cognition": N_("remembering or concentrating"),
    "self_care": N_("self-care"),
    "communication": N_("communication"),
    "psychosocial": N_("psychosocial"),
    # socio-economic markers
    "poverty": N_("poverty"),
    "homelessness": N_("homelessness"),
    "unemployment": N_("unemployment"),
    "debt": N_("debt"),
    "no_schooling": N_("no schooling"),
    "rural": N_("rural area"),
    "single_head_of_household": N_("single head of household"),
    "domestic_violence": N_("domestic violence"),
    "addiction": N_("addiction"),
    "discrimination": N_("discrimination"),
    # education
    "early_childhood": N_("early childhood education"),
    "primary": N_("primary education"),
    "lower_secondary": N_("lower secondary education"),
    "upper_secondary": N_("upper secondary education"),
    "post_secondary_non_tertiary": N_("post-secondary, non-tertiary education"),
    "short_cycle_tertiary": N_("short-cycle tertiary education"),
    "bachelors": N_("bachelor's degree"),
    "masters": N_("master's degree"),
    "doctoral": N_("doctorate"),
    # forms of exploitation
    "forced_labour": N_("forced labour"),
    "sexual_exploitation": N_("sexual exploitation"),
    "child_labour": N_("child labour"),
    "forced_marriage": N_("forced marriage"),
    "servitude": N_("servitude"),
    "forced_military": N_("forced military service"),
    "organ_removal": N_("organ removal"),
    "forced_begging": N_("forced begging"),
    "forced_criminality": N_("forced criminal activity"),
    "forced_adoption": N_("forced adoption"),
    "surrogacy": N_("exploitative surrogacy"),
    "slavery": N_("slavery"),
    "other": N_("other"),
    # means of control
    "physical_threats": N_("threats of violence"),
    "threats_law_enforcement": N_("threats of police or deportation"),
    "threatens_family": N_("threats against family"),
    "debt_bondage": N_("debt bondage"),
    "false_promises": N_("false promises"),
    "physical_abuse": N_("physical abuse"),
    "sexual_abuse": N_("sexual abuse"),
    "takes_earnings": N_("takes earnings"),
    "restricts_financial_access": N_("restricts access to money"),
    "restricts_medical_care": N_("restricts medical care"),
    "withholds_necessities": N_("withholds food, sleep or other necessities"),
    "psychological_abuse": N_("psychological abuse"),
    "psychoactive_substances": N_("forced use of drugs or alcohol"),
    "excessive_working_hours": N_("excessive working hours"),
    "withholds_documents": N_("withholds documents"),
    # how she was recruited
    "place_of_business": N_("at a place of business"),
    "educational_institution": N_("at a school or college"),
    "at_work": N_("at work"),
    "online_social_network": N_("through online social networks"),
    "online_advertisement": N_("through an online advertisement"),
    "television_advert": N_("through a television advertisement"),
    "newspaper_advert": N_("through a newspaper advertisement"),
    "family": N_("through family"),
    "friends": N_("through friends"),
    # events
    "recruitment": N_("recruitment"),
    "transit": N_("transit"),
    "exploitation": N_("exploitation"),
    # organisation types
    "ngo": N_("non-governmental organisation"),
    "health_service": N_("health service"),
    "labour_inspectorate": N_("labour inspectorate"),
    "shelter": N_("shelter"),
    "legal_aid": N_("legal aid"),
    "child_protection": N_("child protection"),
    "social_services": N_("social services"),
    "police": N_("police"),
    "prosecution": N_("prosecution service"),
    "immigration_service": N_("immigration service"),
    "financial_intelligence_unit": N_("financial intelligence unit"),
    "nrm_secretariat": N_("NRM secretariat"),
    "partner_abroad": N_("partner organisation abroad"),
    # services
    "medical": N_("medical care"),
    "sexual_reproductive_health": N_("sexual and reproductive health"),
    "interpretation": N_("interpreting"),
    "livelihoods_education": N_("work, training and education"),
    "family_tracing": N_("family tracing"),
    "safe_return_support": N_("support for a safe return"),
    "residence_permit_support": N_("help with a residence permit"),
    "women_only": N_("women only"),
    "with_children": N_("women with children"),
    "child_suitable": N_("suitable for children"),
    "accessible": N_("accessible"),
    "no_service": N_("no service"),
    "no_capacity": N_("no free place"),
    "language_not_available": N_("language not available"),
    # referrals
    "emergency": N_("emergency"),
    "urgent": N_("urgent"),
    "routine": N_("routine"),
    "open": N_("open"),
    "sent": N_("sent"),
    "received": N_("received"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "in_progress": N_("in progress"),
    "completed": N_("completed"),
    "revoked": N_("withdrawn"),
    "expired": N_("expired"),
    "not_eligible": N_("not eligible"),
    "service_not_offered": N_("service not offered"),
    "safety_concern": N_("safety concern"),
    "consent_revoked": N_("consent withdrawn"),
    "consent_expired": N_("consent expired"),
    "disclosure_closed": N_("sharing closed"),
    "no_response": N_("no answer in time"),
    "revoked_by_sender": N_("withdrawn by the sender"),
    # entitlements
    "not_needed": N_("not needed"),
    "not_applied": N_("not applied for"),
    "applied": N_("applied for"),
    "granted": N_("granted"),
    "refused": N_("refused"),
    "appealed": N_("appealed"),
    "offered": N_("offered"),
    "arranged": N_("arranged"),
    "provided": N_("provided"),
    "declined_by_person": N_("declined by her"),
    "re_trafficking": N_("being trafficked again"),
    "reprisals": N_("reprisals"),
    "persecution": N_("persecution"),
    "torture_or_ill_treatment": N_("torture or ill-treatment"),
    "gender_based_violence": N_("gender-based violence"),
    "stigma_or_rejection": N_("stigma or rejection"),
    "no_safe_care_for_child": N_("no safe care for the child"),
    "local_integration": N_("staying here (local integration)"),
    "resettlement": N_("resettlement in another country"),
    "return": N_("return"),
    # return and follow-up (opennrm.domain.reintegration, opennrm.domain.services.ChildStep)
    "guardian_appointed": N_("guardian appointed"),
    "best_interests_determination": N_("best-interests determination"),
    "reunification_assessment": N_("reunification assessment"),
    "stepchild": N_("stepchild"),
    "grandchild": N_("grandchild"),
    "sibling": N_("brother or sister"),
    "other_relative": N_("other relative"),
    "exit": N_("exit from services"),
    "scheduled": N_("scheduled"),
    "done": N_("done"),
    "missed": N_("missed: she could not be reached"),
    "replaced": N_("replaced by a later plan"),
    "safe": N_("safe"),
    "concerns": N_("some concerns"),
    "unsafe": N_("unsafe"),
    "stable": N_("stable"),
    "temporary": N_("temporary"),
    "sufficient": N_("sufficient"),
    "insufficient": N_("insufficient"),
    "low": N_("low"),
    "high": N_("high"),
    # screening: Palermo Protocol elements, lists and rules
    "transportation": N_("transportation"),
    "transfer": N_("transfer"),
    "harbouring": N_("harbouring"),
    "receipt": N_("receipt"),
    "threat": N_("threat"),
    "force": N_("force"),
    "coercion": N_("coercion"),
    "abduction": N_("abduction"),
    "fraud": N_("fraud"),
    "deception": N_("deception"),
    "abuse_of_power": N_("abuse of power"),
    "abuse_of_vulnerability": N_("abuse of a position of vulnerability"),
    "payments_to_controller": N_("payments to a person in control"),
    "labour": N_("labour"),
    "sexual": N_("sexual"),
    "adult-labour": N_("adults, labour exploitation"),
    "child-labour": N_("children, labour exploitation"),
    "adult-sexual": N_("adults, sexual exploitation"),
    "child-sexual": N_("children, sexual exploitation"),
    "ilo_adult": N_("ILO/EC indicators (adult)"),
    "palermo_adult": N_("Palermo Protocol elements (adult)"),
    "palermo_child": N_("Palermo Protocol elements (child)"),
    "strong": N_("strong"),
    "medium": N_("medium"),
    "weak": N_("weak"),
}

# The labels of record fields, where a page lists fields by name.
FIELD_LABELS: Mapping[str, str] = {
    "given_name": N_("Given name"),
    "family_name": N_("Family name"),
    "birth_date": N_("Birth date"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "id_document_number": N_("Identity-document number"),
    "address": N_("Address"),
    "identified_on": N_("Identified on"),
    "age_at_trafficking": N_("Age when trafficked"),
    "sex": N_("Sex"),
    "is_child": N_("Whether she is a child"),
    "gender": N_("Gender"),
    "citizenship": N_("Citizenship"),
    "migration_status": N_("Migration or protection status"),
    "languages": N_("Languages"),
    "disability": N_("Disability"),
    "ethnicity": N_("Ethnicity"),
    "socioeconomic": N_("Socio-economic situation"),
    "education": N_("Education"),
    "region": N_("Region"),
    "status": N_("Status"),
    "trafficking_status": N_("Trafficking status"),
    "age_group": N_("Age group"),
}


def label(code: Any) -> str:
    """The label of a vocabulary code (or of a record field) in the active language (``forced_labour`` →
    ``travail forcé``); an unknown code as words."""
    if code is None or code == "":
        return "–"
    text = str(code)
    english = VOCABULARY_LABELS.get(text) or FIELD_LABELS.get(text)
    return gettext(english) if english is not None else text.replace("_", " ")


def labels(codes: Any) -> str:
    """Several codes' labels, separated by commas; ``–`` for none."""
    if not codes:
        return "–"
    return ", ".join(label(code) for code in codes)


def field_label(name: str) -> str:
    """The label of a record field in the active language (``given_name`` → ``Prénom``)."""
    english = FIELD_LABELS.get(name)
    return gettext(english) if english is not None else name.replace("_", " ").capitalize()


# -- templates -----------------------------------------------------------------------------------------


def install(env: Environment) -> None:
    """Give ``env`` the translations of the active language (new-style gettext: ``_("%(n)s days", n=3)``),
    the label function and the date and number formatters (as functions and filters)."""
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    helpers = {
        "label": label,
        "labels": labels,
        "field_label": field_label,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_number": format_number,
    }
    env.globals.update(helpers)
    env.filters.update(
        {
            "label": label,
            "labels": labels,
            "date": format_date,
            "datetime": format_datetime,
            "number": format_number,
        }
    )
