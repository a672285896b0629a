"""Public pages, without log-in: the "Know your rights" leaflet for women and girls who may be trafficked or
exploited (GR38 §75, §99, §120), in every language of the interface, at ``/rights/{locale}``.

It is readable without JavaScript, prints on one A4 page, and leaves no cookie behind: its language is in
its address. A quick-exit link leads to a neutral site; a small script, where it runs, also replaces the
history entry so that Back does not return here.

The deployment gives the hotline (``OPENNRM_HOTLINE``) and, optionally, the services the leaflet lists and
the quick-exit address, in ``<OPENNRM_HOME>/rights-services.yaml`` (format in ``docs/i18n.md``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opennrm.web import i18n, negotiation
from opennrm.web.deps import get_settings
from opennrm.web.pages.render import render

router = APIRouter()
log = logging.getLogger("opennrm.web.rights")

RIGHTS_FILE = "rights-services.yaml"
# A neutral page anyone might be reading; the deployment may choose another (``quick_exit_url``).
DEFAULT_QUICK_EXIT = "https://www.bbc.com/weather"
TEXT_FIELDS = ("name", "phone", "hours", "description")
MAX_SERVICES = 6
MAX_TEXT = 300


@dataclass(frozen=True)
class HelpService:
    """One service on the leaflet, its texts in the leaflet's language."""

    name: str
    phone: str | None
    hours: str | None
    description: str | None

    @property
    def tel(self) -> str | None:
        return telephone_link(self.phone) if self.phone else None


@dataclass(frozen=True)
class RightsSettings:
    """What the deployment says on its leaflet beyond the hotline. Texts are a string or a mapping from
    language tag to string."""

    quick_exit_url: str = DEFAULT_QUICK_EXIT
    services: tuple[Mapping[str, Any], ...] = ()


def telephone_link(number: str) -> str:
    """A ``tel:`` address for a number as people write it (``+44 20 7946 0000`` → ``tel:+442079460000``)."""
    return "tel:" + re.sub(r"[^0-9+*#]", "", number)


def _text(value: Any, tag: str) -> str | None:
    """The text of ``value`` in ``tag``: the exact tag, then the primary language, then English, then any."""
    if isinstance(value, str):
        return value.strip()[:MAX_TEXT] or None
    if isinstance(value, Mapping):
        texts = {
            str(k): str(v) for k, v in value.items() if isinstance(v, str | int | float) and str(v).strip()
        }
        primary = tag.split("-")[0]
        for key in (tag, primary, i18n.SOURCE_LANGUAGE):
            if key in texts:
                return texts[key].strip()[:MAX_TEXT]
        for key, text in texts.items():
            if key.split("-")[0] == primary:
                return text.strip()[:MAX_TEXT]
        if texts:
            return next(iter(texts.values())).strip()[:MAX_TEXT]
    return None


def parse_rights_settings(raw: Any) -> RightsSettings:
    """Read the mapping of ``rights-services.yaml``; ``ValueError`` naming what is wrong."""
    if raw is None:
        return RightsSettings()
    if not isinstance(raw, Mapping):
        raise ValueError("the file must hold a mapping with 'services' and, optionally, 'quick_exit_url'")
    unknown = set(raw) - {"services", "quick_exit_url"}
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(map(str, unknown)))}")
    url = raw.get("quick_exit_url") or DEFAULT_QUICK_EXIT
    if not isinstance(url, str) or not re.fullmatch(r"https://[^\s\"'<>]{3,300}", url):
        raise ValueError("quick_exit_url must be an https:// address")
    services = raw.get("services") or []
    if not isinstance(services, list) or len(services) > MAX_SERVICES:
        raise ValueError(f"services must be a list of at most {MAX_SERVICES} entries")
    for position, service in enumerate(services):
        if not isinstance(service, Mapping) or not service.get("name"):
            raise ValueError(f"services[{position}] must be a mapping with a name")
        extra = set(service) - set(TEXT_FIELDS)
        if extra:
            raise ValueError(f"services[{position}]: unknown keys: {', '.join(sorted(map(str, extra)))}")
        for field in TEXT_FIELDS:
            value = service.get(field)
            if value is not None and not isinstance(value, str | Mapping):
                raise ValueError(f"services[{position}].{field} must be text or a mapping language → text")
    return RightsSettings(quick_exit_url=url, services=tuple(services))


@lru_cache(maxsize=4)
def _load(path: Path, modified: float) -> RightsSettings:
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_rights_settings(yaml.safe_load(handle))
    except (OSError, yaml.YAMLError, ValueError) as exc:
        # The leaflet must still be served: it shows the hotline and no list, and the log says why.
        log.error("%s is not usable, the leaflet lists no services: %s", path.name, exc)
        return RightsSettings()


def rights_settings(home: Path) -> RightsSettings:
    """The deployment's leaflet settings from ``<home>/rights-services.yaml`` (defaults when absent)."""
    path = home / RIGHTS_FILE
    try:
        modified = path.stat().st_mtime
    except OSError:
        return RightsSettings()
    return _load(path, modified)


def services_in(settings: RightsSettings, tag: str) -> list[HelpService]:
    return [
        HelpService(
            name=_text(s.get("name"), tag) or "",
            phone=_text(s.get("phone"), tag),
            hours=_text(s.get("hours"), tag),
            description=_text(s.get("description"), tag),
        )
        for s in settings.services
    ]


@router.get("/rights")
def rights_in_your_language(request: Request) -> Response:
    """The leaflet in the visitor's language: the switcher's cookie, ``Accept-Language``, else English."""
    tag = negotiation.negotiate(
        None, request.cookies.get(negotiation.COOKIE), request.headers.get("accept-language")
    )
    response = RedirectResponse(f"/rights/{tag}", status_code=303)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


@router.get("/rights/{locale}")
def rights_leaflet(locale: str, request: Request) -> Response:
    if locale not in i18n.available():
        # zh-TW, FR, en-GB … go to their leaflet, anything else to the visitor's language: never an error.
        found = negotiation.match(locale)
        return RedirectResponse(f"/rights/{found}" if found else "/rights", status_code=303)
    request.state.language = locale
    settings = get_settings(request)
    leaflet = rights_settings(settings.home)
    return render(
        request,
        "rights.html",
        hotline=settings.hotline,
        hotline_tel=telephone_link(settings.hotline) if settings.hotline else None,
        services=services_in(leaflet, locale),
        quick_exit_url=leaflet.quick_exit_url,
    )


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico on pages without an icon link (a letter, an error): the site's icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)
