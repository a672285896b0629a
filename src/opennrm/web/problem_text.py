"""What a form says about a value it could not take, in the reader's language.

Input is checked by pydantic models, whose messages are English and written for developers ("String should
match pattern '^[^@\\s]+@[^@\\s]+$'"). A page shows them through ``problem_text``: the common kinds become a
plain sentence from the catalogues; a message the project wrote itself (a rule's reason) is looked up in the
catalogues as it is, and shown as written when no translation exists.
"""

from __future__ import annotations

import re

from opennrm.web.i18n import N_, gettext

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
    return gettext(text)
