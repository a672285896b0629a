"""Template rendering: one layout; ``lang`` and ``dir`` on every page; strings in the request's language."""

from __future__ import annotations

from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from opennrm.services import auth
from opennrm.services.firewall import unacknowledged_change
from opennrm.web import i18n, negotiation, pickers
from opennrm.web.deps import csrf_token, get_db, optional_user
from opennrm.web.formatting import format_date, format_datetime, format_money, format_number
from opennrm.web.labels import field_label, label, labels
from opennrm.web.pages.flash import flash_of
from opennrm.web.pages.navigation import menu, plain_refusal
from opennrm.web.problem_text import detail_text, problem_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_language(env)
    env.filters["problem"] = problem_text  # a form's problems in the reader's language
    env.globals["detail_text"] = detail_text  # a service error's message, its field kept
    env.globals["plain_refusal"] = plain_refusal
    env.globals["match_locale"] = negotiation.match
    env.globals["country_options"] = pickers.country_names
    env.globals["language_options"] = pickers.language_names
    env.globals["country_name"] = pickers.country_name
    env.globals["language_name"] = pickers.language_name
    return env


def install_language(env: Environment) -> None:
    """Give ``env`` the translations of the active language (new-style gettext: ``_("%(n)s days", n=3)``),
    the label function and the date and number formatters (as functions and filters)."""
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    helpers = {
        "label": label,
        "labels": labels,
        "field_label": field_label,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "format_number": format_number,
        "format_money": format_money,
    }
    env.globals.update(helpers)
    env.filters.update(
        {
            "label": label,
            "labels": labels,
            "date": format_date,
            "datetime": format_datetime,
            "number": format_number,
            "money": format_money,
        }
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    user = optional_user(request)
    firewall_change = unacknowledged_change(get_db(request))
    with i18n.activated(negotiation.request_language(request, user)) as language:
        context.setdefault("flash", flash_of(request))
        html = (
            environment()
            .get_template(template)
            .render(
                request=request,
                user=user,
                csrf=csrf_token(user) if user else "",
                menu=menu(user.actor) if user else [],
                lang=language.tag,
                dir=language.direction,
                languages=i18n.languages(),
                switch_url=partial(negotiation.switch_url, request),
                firewall_change=firewall_change,
                **context,
            )
        )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = language.tag
    response.headers["Vary"] = "Accept-Language, Cookie"
    negotiation.remember_choice(request, response)
    chosen = negotiation.chosen_now(request)
    if user is not None and chosen is not None and chosen != user.language:
        auth.remember_language(get_db(request), user, chosen)
    return response


def render_error(
    request: Request, status: int, title: str, detail: str, field: str | None = None
) -> HTMLResponse:
    """An error page. A refusal (403) is shown as a plain sentence in the reader's language, never with the
    policy's internal reason (which names roles); the reason stays in the audit log and the API."""
    return render(
        request, "error.html", status=status, title=title, detail=detail, field=field, refusal=status == 403
    )
