"""Refuse form posts sent from another site (defence in depth beside SameSite cookies and CSRF tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from opennrm.services.errors import Forbidden


def require_same_origin(request: Request) -> None:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return  # older browsers and no-referrer policies send none; CSRF tokens still apply
    if urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden("the form was sent from another site")
