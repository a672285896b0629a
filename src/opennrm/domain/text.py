"""Marking English text that a page shows later in the reader's language.

``N_("…")`` returns its argument unchanged; Babel extracts it (``babel.cfg`` covers every module under
``src``), and the web translates it where it is shown (``opennrm.web.i18n.gettext``, the ``problem`` filter).
Any layer may mark text: this module imports nothing. Dynamic parts are named ``%(name)s`` placeholders,
filled after translation (docs/i18n.md)."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (it is translated where it is shown)."""
    return message
