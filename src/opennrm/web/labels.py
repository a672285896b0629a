"""Vocabulary codes and record fields as words in the reader's language (``forced_labour`` → ``travail
forcé``): the English labels are ``opennrm.domain.labels``, translated through the catalogues."""

from __future__ import annotations

from typing import Any

from opennrm.domain.labels import FIELD_LABELS, VOCABULARY_LABELS
from opennrm.web.i18n import gettext


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
