"""Files sent to the server and files sent back.

Upload routes take the ``Request`` rather than ``UploadFile`` parameters: FastAPI reads a declared body
before it runs any dependency, so a route that declared its file would store an anonymous client's upload
before it learnt that she has no session. Here the route authenticates first, then reads.

Downloads go out as attachments with a type from a short allow-list (anything else is
``application/octet-stream``), ``nosniff`` and a sandboxing CSP, so an uploaded file can never run as a
script or a page of this site."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from starlette.datastructures import UploadFile

from opennrm.services.errors import InvalidInput


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    content: bytes
    fields: dict[str, str] = field(default_factory=dict)


def multipart_body(description: str, **fields: str) -> dict[str, Any]:
    """The OpenAPI ``requestBody`` of an upload route: a ``file`` and the named text fields."""
    properties: dict[str, Any] = {"file": {"type": "string", "format": "binary", "description": description}}
    properties.update({name: {"type": "string", "description": text} for name, text in fields.items()})
    return {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {"type": "object", "required": ["file", *fields], "properties": properties}
                }
            },
        }
    }


async def read_upload(request: Request, *, max_bytes: int, fields: tuple[str, ...] = ()) -> Upload:
    """The ``file`` part and the named text fields of a multipart body. Call it after authenticating."""
    form = await request.form(max_files=1, max_fields=len(fields) + 1)
    try:
        file = form.get("file")
        if not isinstance(file, UploadFile):
            raise InvalidInput("choose a file", field="file")
        content = await file.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise InvalidInput(f"the file is larger than {max_bytes // (1024 * 1024)} MB", field="file")
        values = {}
        for name in fields:
            value = form.get(name)
            if not isinstance(value, str):
                raise InvalidInput(f"{name} is missing", field=name)
            values[name] = value
        return Upload(file.filename or "", file.content_type or "", content, values)
    finally:
        await form.close()


SAFE_DOWNLOAD_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "text/plain",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    }
)
DOWNLOAD_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'"


def download_type(media_type: str) -> str:
    """The stored type if it is on the allow-list (parameters dropped), else ``application/octet-stream``."""
    bare = media_type.split(";", 1)[0].strip().lower()
    return bare if bare in SAFE_DOWNLOAD_TYPES else "application/octet-stream"


def attachment(name: str, media_type: str, content: bytes) -> Response:
    """A stored file as a download that no browser will render or run as part of this site."""
    plain = "".join(ch for ch in name if ch.isascii() and (ch.isalnum() or ch in "._-"))[:100] or "document"
    disposition = f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name[:100], safe='')}"
    return Response(
        content,
        media_type=download_type(media_type),
        headers={
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": DOWNLOAD_CSP,
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )
