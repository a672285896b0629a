"""Her non-punishment statement (GR38 §98): one Jinja2 template, shown as an HTML print view and made into a
PDF by WeasyPrint (docs/adr/0002-letters-as-pdf-and-working-days.md), in her language and in the language of
the proceedings, one after the other in the same document.

Each language's part is the template's ``part`` macro rendered with that language active, so the catalogues
that translate every page translate the statement too; Arabic parts run right to left."""

from __future__ import annotations

from collections.abc import Sequence

from opennrm.domain.text import N_
from opennrm.services.errors import InvalidInput
from opennrm.services.non_punishment import StatementFacts
from opennrm.web import i18n
from opennrm.web.pdf import html_to_pdf

TEMPLATE = "non_punishment_statement.html"

# The words of the non-punishment vocabularies (domain/non_punishment.py), translated where shown.
LABELS: dict[str, str] = {
    "arrest": N_("arrest"),
    "charge": N_("charge"),
    "detention": N_("detention"),
    "prosecution": N_("prosecution"),
    "conviction": N_("conviction"),
    "immigration_penalty": N_("penalty for irregular entry or stay"),
    "ongoing": N_("ongoing"),
    "dropped": N_("dropped, without penalty"),
    "acquitted": N_("acquitted"),
    "penalty_imposed": N_("penalty imposed"),
    "cleared": N_("record cleared"),
    "flagged": N_("flagged to legal aid"),
    "taken_up": N_("taken up by legal aid"),
    "resolved": N_("resolved"),
    "preparing": N_("being prepared"),
    "filed": N_("filed"),
    "granted": N_("granted"),
    "refused": N_("refused"),
    "withdrawn": N_("withdrawn"),
    "non_punishment": N_("non-punishment (legal aid sees the measures taken against her)"),
}


def np_label(code: str) -> str:
    """The label of a non-punishment code in the active language."""
    return i18n.gettext(LABELS[code]) if code in LABELS else code.replace("_", " ")


def statement_languages(her_language: str | None, proceedings_language: str | None) -> tuple[str, ...]:
    """Her language and the language of the proceedings, each one of the interface's seven languages;
    once when they are the same. ``InvalidInput`` names the field at fault."""
    chosen: list[str] = []
    for field, value in (("her_language", her_language), ("proceedings_language", proceedings_language)):
        if not value:
            raise InvalidInput(f"{field}: choose one of {', '.join(i18n.UN_LANGUAGES)}", field=field)
        if value not in i18n.UN_LANGUAGES:
            raise InvalidInput(
                f"{field}: {value!r} is not one of {', '.join(i18n.UN_LANGUAGES)}", field=field
            )
        if value not in chosen:
            chosen.append(value)
    return tuple(chosen)


def statement_html(facts: StatementFacts, languages: Sequence[str]) -> str:
    """The statement as one HTML document: a part per language, the first language's direction outside."""
    from opennrm.web.pages.render import environment  # the pages' environment (imports this module's users)

    template = environment().get_template(TEMPLATE)
    parts = []
    for tag in languages:
        with i18n.activated(tag) as language:
            module = template.make_module({"np_label": np_label})
            # a macro of an autoescaping environment returns Markup: its text is already escaped
            parts.append(module.part(facts, language.tag, language.direction))  # type: ignore[attr-defined]
    with i18n.activated(languages[0]) as first:
        return template.render(parts=parts, lang=first.tag, dir=first.direction, np_label=np_label)


def statement_pdf(html: str) -> bytes:
    """The same HTML as a PDF (WeasyPrint). Nothing is fetched: the template carries its own style."""
    return html_to_pdf(html)
