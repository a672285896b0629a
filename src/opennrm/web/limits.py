"""Limits on what a client can send: a request body is counted as it streams in, before anything parses
it, and refused (413) as soon as it is too large — at once when its ``Content-Length`` says so, otherwise
at the first chunk past the limit. Routes marked ``@accepts_upload`` get the larger upload limit.

Pure ASGI: the limit is chosen when the application first asks for the body, by which time the router has
put the matched endpoint in the scope, so the mark on the route itself decides, not a list of paths."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

F = TypeVar("F", bound=Callable[..., Any])

_UPLOAD = "_opennrm_accepts_upload"


def accepts_upload(endpoint: F) -> F:
    """Mark a route that takes a file: its body may be as large as ``Settings.max_upload_bytes``. The
    route must authenticate before it reads the body (``web.uploads.read_upload``)."""
    setattr(endpoint, _UPLOAD, True)
    return endpoint


def is_upload_endpoint(endpoint: object) -> bool:
    return bool(getattr(endpoint, _UPLOAD, False))


class TooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, "the request is larger than this server accepts")


class BodyLimits:
    def __init__(self, app: ASGIApp, *, default: int, upload: int) -> None:
        self.app = app
        self.default = default
        self.upload = upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        received = 0

        async def counted() -> Message:
            nonlocal received
            limit = self.upload if is_upload_endpoint(scope.get("endpoint")) else self.default
            if declared is not None and declared > limit:
                raise TooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        await self.app(scope, counted, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None
