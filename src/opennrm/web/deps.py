"""Request dependencies: the database, and the user behind the session cookie or bearer token."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request, Security
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from opennrm.config import Settings
from opennrm.services import auth
from opennrm.services.auth import SessionUser
from opennrm.services.errors import Forbidden, Unauthenticated
from opennrm.store.database import Database

# ``__Host-``: browsers keep it only if Secure, for this host alone, on path /, so no subdomain can set it.
COOKIE = "__Host-opennrm_session"


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_token(request: Request) -> str | None:
    """The session token from the bearer header or the cookie. A request that presents both must present the
    same session twice: a forged or stale credential beside a good one is refused, never ignored."""
    header = request.headers.get("authorization")
    bearer = None
    if header is not None:
        if not header.lower().startswith("bearer ") or not header[7:].strip():
            raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
        bearer = header[7:].strip()
    cookie = request.cookies.get(COOKIE)
    if bearer is not None and cookie is not None and not hmac.compare_digest(bearer, cookie):
        raise Unauthenticated("the request carries two different sessions; send one")
    return bearer or cookie


# Declared so that the OpenAPI schema documents how to authenticate; the session itself is checked below.
cookie_session = APIKeyCookie(
    name=COOKIE, auto_error=False, description="Session cookie set by POST /api/session"
)
bearer_session = HTTPBearer(auto_error=False, description="The token returned by POST /api/session")


def current_user(
    request: Request,
    _cookie: str | None = Security(cookie_session),
    _bearer: HTTPAuthorizationCredentials | None = Security(bearer_session),
) -> SessionUser:
    """API dependency: the logged-in user; 401 otherwise."""
    return session_user(request)


def session_user(request: Request) -> SessionUser:
    """The logged-in user behind the cookie or bearer token; 401 otherwise. Cached on the request."""
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    user = auth.resolve(get_db(request), get_settings(request), session_token(request))
    request.state.user = user
    return user


def optional_user(request: Request) -> SessionUser | None:
    try:
        return session_user(request)
    except Unauthenticated:
        return None


def csrf_token(user: SessionUser) -> str:
    return hmac.new(bytes.fromhex(user.csrf_secret), b"csrf", hashlib.sha256).hexdigest()


def check_csrf(user: SessionUser, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(user)):
        raise Forbidden("the form has expired or did not come from this site; reload the page and try again")
