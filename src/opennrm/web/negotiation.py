"""Which language a request gets: the switcher on this request (``?lang=``), then the user's stored
preference, then the ``lang`` cookie the switcher sets, then ``Accept-Language``, then English
(docs/i18n.md). Matching finds the nearest catalogue (``en-GB`` → ``en``, ``zh-TW`` → ``zh-Hant``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import Request
from fastapi.responses import Response

from opennrm.screening.language import is_language_code, resolve_language
from opennrm.web.i18n import SOURCE_LANGUAGE, available

COOKIE = "lang"
QUERY = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_ACCEPT_LANGUAGE_ITEMS = 20


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
    if request.method not in ("GET", "HEAD"):
        return _form_page_url(request, tag)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != QUERY]
    return f"?{urlencode([*query, (QUERY, tag)])}"


def _form_page_url(request: Request, tag: str) -> str:
    """For a page sent in answer to a form (its address only takes the form), the form's own page in another
    language: the path of the same-site ``Referer``, or the start page. The language links of such a page
    would otherwise ask the form's address for a page it does not serve."""
    referer = urlsplit(request.headers.get("referer", ""))
    same_site = referer.netloc == request.url.netloc and referer.scheme in ("http", "https")
    path = (
        referer.path
        if same_site and referer.path.startswith("/") and not referer.path.startswith("//")
        else "/"
    )
    query = [(k, v) for k, v in parse_qsl(referer.query if path != "/" else "") if k != QUERY]
    return f"{path}?{urlencode([*query, (QUERY, tag)])}"
