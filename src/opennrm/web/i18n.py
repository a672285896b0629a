"""The languages of the web interface and their catalogues; the language of the rendering under way.

A language is a directory ``translations/<locale>/LC_MESSAGES/messages.po`` (``<locale>`` is Babel's
identifier, ``zh_Hant``; pages, links and cookies use the BCP 47 tag, ``zh-Hant``). Directories are
discovered when the server starts, so adding a language needs no code change (``docs/i18n.md``); English is
the source language and needs no catalogue. Catalogues are compiled in memory from the ``.po`` files
(Babel's ``pofile`` and ``mofile``): there is no build step, and fuzzy entries are never used. Direction
(``rtl`` for Arabic) comes from Babel's locale data.

The rest of the interface's language handling lives beside this module: which language a request gets
(``negotiation``), dates, numbers and money (``formatting``), vocabulary labels (``labels``, with their
English in ``opennrm.domain.labels``), a form's problems (``problem_text``). Text is marked with ``_()`` in
templates and ``N_()`` (``opennrm.domain.text``) in Python, and translated here with ``gettext``.
"""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from opennrm.screening.language import is_language_code

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
# DESIGN invariant 8 (docs/architecture.md): the six UN official languages, Chinese in both scripts.
# A test checks that each has a complete catalogue; more may be added by dropping a catalogue directory.
UN_LANGUAGES = ("ar", "zh-Hant", "zh-Hans", "en", "fr", "ru", "es")


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
