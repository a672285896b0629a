"""Refuse form posts sent from another site (defence in depth beside SameSite cookies and CSRF tokens).
The rule itself is ``opennrm.web.same_origin``, shared with the JSON API."""

from __future__ import annotations

from fastapi import Request

from opennrm.web import same_origin


def require_same_origin(request: Request) -> None:
    same_origin.require_same_origin(request.headers)
