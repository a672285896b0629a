"""Template rendering: one layout; ``lang`` and ``dir`` on every page; gettext-ready strings."""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from opennrm.services.firewall import unacknowledged_change
from opennrm.web.deps import csrf_token, get_db, optional_user

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    user = optional_user(request)
    lang = "en"
    firewall_change = unacknowledged_change(get_db(request))
    html = (
        environment()
        .get_template(template)
        .render(
            request=request,
            user=user,
            csrf=csrf_token(user) if user else "",
            lang=lang,
            dir="rtl" if lang in RTL_LANGUAGES else "ltr",
            firewall_change=firewall_change,
            **context,
        )
    )
    return HTMLResponse(html, status_code=status)


def render_error(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", status=status, title=title, detail=detail)
