"""Request dependencies: the database, and the user behind the session cookie or bearer token."""

from __future__ import annotations

import hashlib
import hmac

from fastapi import Request

from opennrm.config import Settings
from opennrm.services import auth
from opennrm.services.auth import SessionUser
from opennrm.services.errors import Forbidden, Unauthenticated
from opennrm.store.database import Database

COOKIE = "opennrm_session"


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE)


def current_user(request: Request) -> SessionUser:
    """The logged-in user; 401 otherwise. Cached on the request."""
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    user = auth.resolve(get_db(request), get_settings(request), session_token(request))
    request.state.user = user
    return user


def optional_user(request: Request) -> SessionUser | None:
    try:
        return current_user(request)
    except Unauthenticated:
        return None


def csrf_token(user: SessionUser) -> str:
    return hmac.new(bytes.fromhex(user.csrf_secret), b"csrf", hashlib.sha256).hexdigest()


def check_csrf(user: SessionUser, token: str | None) -> None:
    if not token or not hmac.compare_digest(token, csrf_token(user)):
        raise Forbidden("the form has expired or did not come from this site; reload the page and try again")
