"""What a form says about a value it could not take, in the reader's language.

Input is checked by pydantic models, whose messages are English and written for developers ("String should
match pattern '^[^@\\s]+@[^@\\s]+$'"). A page shows them through ``problem_text``: the common kinds become a
plain sentence from the catalogues; a message the project wrote itself (a rule's reason, a service's refusal)
is looked up in the catalogues as it is, and shown as written when no translation exists.

Messages with dynamic parts are written ``N_("date %(date)s is in the future") % {"date": …}`` where they
are raised (domain validators, services), so the catalogue holds the sentence with its placeholders. The
English text that reaches the page is matched back against those sentences — the placeholders' values are
taken from it — and the translation is filled with the same values. The API's problem+json (``detail``)
goes through the same function in the request's language.
"""

from __future__ import annotations

import re
from functools import cache

from opennrm.domain.text import N_
from opennrm.web.i18n import active, gettext, translations

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")

# "text: String should …": a service names the field before pydantic's message; the page shows it by the field
FIELD_PREFIX = re.compile(r"^[a-z_]+: (?=[A-Z])")

# (pattern on pydantic's message, the sentence shown; named groups fill the sentence)
PLAIN: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), sentence)
    for pattern, sentence in (
        (r"^Field required$", N_("This is needed.")),
        (r"^String should have at least 1 character$", N_("This is needed.")),
        (r"^String should match pattern ", N_("This is not in the expected form.")),
        (r"^String should have at most (?P<n>\d+) characters?$", N_("At most %(n)s characters.")),
        (r"^String should have at least (?P<n>\d+) characters?$", N_("At least %(n)s characters.")),
        (r"^Input should be less than or equal to (?P<n>-?[\d.]+)$", N_("At most %(n)s.")),
        (r"^Input should be less than (?P<n>-?[\d.]+)$", N_("Less than %(n)s.")),
        (r"^Input should be greater than or equal to (?P<n>-?[\d.]+)$", N_("At least %(n)s.")),
        (r"^Input should be greater than (?P<n>-?[\d.]+)$", N_("More than %(n)s.")),
        (r"^Input should be a valid integer", N_("Enter a whole number.")),
        (r"^Input should be a valid number", N_("Enter a number.")),
        (r"^Input should be a valid date", N_("Enter a date.")),
        (r"^Input should be a valid datetime", N_("Enter a date and time.")),
        (r"^Input should be a valid string$", N_("Fill this in.")),
        (r"^Input should be a valid boolean", N_("Choose yes or no.")),
        (r"^Input should be a valid list$", N_("Choose from the list.")),
        (r"^Input should be '", N_("Choose one of the options offered.")),
        (r"^Extra inputs are not permitted$", N_("This field is not part of the form.")),
        (r"^Date should be in the past$", N_("The date cannot be in the future.")),
        (r"^Date should be in the future$", N_("The date must be in the future.")),
    )
)


def problem_text(message: object) -> str:
    """The sentence a page shows for ``message`` (see the module docstring)."""
    text = FIELD_PREFIX.sub("", str(message).removeprefix("Value error, "), count=1)
    for pattern, sentence in PLAIN:
        found = pattern.match(text)
        if found:
            return gettext(sentence) % found.groupdict()
    translated = gettext(text)
    if translated != text:
        return translated
    return _filled(text) or text


def detail_text(message: str, field: str | None = None) -> str:
    """A service error's message (``field: message`` when it names a field) in the active language, the
    field's dotted path kept as it is: what problem+json's ``detail`` and the error page show."""
    if field and message.startswith(f"{field}: "):
        return f"{field}: {problem_text(message.removeprefix(f'{field}: '))}"
    return problem_text(message)


@cache
def _sentences(tag: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """The catalogue's sentences with placeholders, as patterns matching their English text once filled in
    (most specific first: the one with the most fixed text wins)."""
    catalogue = getattr(translations(tag), "_catalog", {})
    found: list[tuple[int, re.Pattern[str], str]] = []
    for msgid in catalogue:
        if not isinstance(msgid, str) or not _PLACEHOLDER.search(msgid):
            continue
        parts, seen, fixed, position = ["^"], set(), 0, 0
        for placeholder in _PLACEHOLDER.finditer(msgid):
            literal = msgid[position : placeholder.start()]
            parts.append(re.escape(literal))
            fixed += len(literal)
            name = placeholder.group(1)
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
            seen.add(name)
            position = placeholder.end()
        parts.append(re.escape(msgid[position:]) + "$")
        fixed += len(msgid) - position
        found.append((fixed, re.compile("".join(parts), re.DOTALL), msgid))
    return tuple((pattern, msgid) for _fixed, pattern, msgid in sorted(found, key=lambda f: -f[0]))


def _filled(text: str) -> str | None:
    """``text`` as a filled-in catalogue sentence, translated and filled with the same values."""
    for pattern, msgid in _sentences(active().tag):
        found = pattern.match(text)
        if found:
            return _fill(gettext(msgid), found.groupdict())
    return None


def _fill(sentence: str, values: dict[str, str]) -> str:
    """The placeholders of ``sentence`` replaced by the text they stood for in the English message."""
    return _PLACEHOLDER.sub(lambda p: values.get(p.group(1), p.group(0)), sentence)
