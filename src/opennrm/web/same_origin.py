"""One rule for every state-changing request, pages and API alike: refuse it when a browser says it was
sent from another site. The pages also check a per-session CSRF token; the JSON API has none, so there a
request that carries the session cookie must not come with an opaque (``null``) origin either."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from opennrm.services.errors import Forbidden
from opennrm.web.deps import COOKIE
from opennrm.web.problems import problem

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_OURS = frozenset({"same-origin", "none"})


def from_another_site(headers: Headers, *, opaque_origin_allowed: bool) -> bool:
    """``Sec-Fetch-Site`` (set by the browser, beyond a page's reach) decides when present; otherwise
    ``Origin`` must name this host. Browsers without either (and clients that are not browsers) pass: they
    carry no cookie a foreign page could ride on, or the page's CSRF token still applies."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site.lower() not in _OURS
    origin = headers.get("origin")
    if origin is None:
        return False
    if origin == "null":
        return not opaque_origin_allowed
    return urlsplit(origin).netloc != headers.get("host", "")


def require_same_origin(headers: Headers) -> None:
    """For the pages' form posts (each also checks the session's CSRF token)."""
    if from_another_site(headers, opaque_origin_allowed=True):
        raise Forbidden("the form was sent from another site")


# The reporting channel's public JSON API: no account, no session, nothing a foreign page could ride on. The
# sites an installation names (``OPENNRM_REPORT_ORIGINS``) may call it from their pages.
PUBLIC_REPORT_API = frozenset(
    {"/api/reports", "/api/reports/challenge", "/api/reports/access", "/api/reports/access/messages"}
)


class SameOriginAPI:
    """Pure ASGI: every state-changing ``/api/`` request is checked before anything reads it. The public
    reporting API alone also answers the partner sites of ``report_origins`` (CORS without credentials:
    a browser sends no cookie with such a request and reads no answer of any other route)."""

    def __init__(self, app: ASGIApp, report_origins: tuple[str, ...] = ()) -> None:
        self.app = app
        self.report_origins = frozenset(report_origins)
        self.cors = (
            CORSMiddleware(
                app,
                allow_origins=sorted(self.report_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type"],
                allow_credentials=False,
                max_age=600,
            )
            if report_origins
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cors is not None and scope["type"] == "http" and scope["path"] in PUBLIC_REPORT_API:
            origin = HTTPConnection(scope).headers.get("origin")
            if origin in self.report_origins:
                await self.cors(scope, receive, send)
                return
        if scope["type"] == "http" and scope["method"] in UNSAFE and scope["path"].startswith("/api/"):
            connection = HTTPConnection(scope)
            with_cookie = COOKIE in connection.cookies
            if from_another_site(connection.headers, opaque_origin_allowed=not with_cookie):
                response = problem(403, "Forbidden", "the request was sent from another site")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
