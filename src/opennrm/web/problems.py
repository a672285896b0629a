"""RFC 9457 problem details for the API; plain pages (or a redirect to log-in) for the web pages."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from opennrm.domain.text import N_
from opennrm.services.errors import InvalidInput, NotFound, ServiceError, Unauthenticated
from opennrm.web.i18n import activated, gettext
from opennrm.web.negotiation import request_language
from opennrm.web.problem_text import detail_text

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, field: str | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field is not None:
        body["field"] = field
    body.update(extra)
    headers = {"WWW-Authenticate": 'Cookie realm="opennrm"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def translated_problem(
    request: Request, status: int, title: str, detail: str, field: str | None = None, **extra: Any
) -> JSONResponse:
    """``problem`` with its title and detail in the request's language (``lang``, the cookie,
    ``Accept-Language``; English by default), said in ``Content-Language``. ``field`` stays as it is."""
    with activated(request_language(request)) as language:
        response = problem(status, gettext(title), detail_text(detail, field), field, **extra)
    response.headers["Content-Language"] = language.tag
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page_error(request: Request, status: int, title: str, detail: str, field: str | None = None) -> Response:
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    from opennrm.web.pages.render import render_error

    return render_error(request, status, title, detail, field)


async def service_error_problem(request: Request, exc: ServiceError) -> Response:
    if not _is_api(request):
        response = _page_error(request, exc.status, exc.title, exc.message, exc.field)
    else:
        response = translated_problem(request, exc.status, exc.title, exc.message, exc.field)
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):
        response.headers["Retry-After"] = str(retry_after)
    return response


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "body"


async def validation_problem(request: Request, exc: RequestValidationError) -> Response:
    errors = [
        {"field": _field_of(e.get("loc", ())), "message": str(e.get("msg", "")).removeprefix("Value error, ")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "body", "message": "invalid request"}
    if not _is_api(request):
        return _page_error(request, 422, "Invalid input", f"{first['field']}: {first['message']}")
    detail = f"{first['field']}: {first['message']}"
    return translated_problem(request, 422, InvalidInput.title, detail, first["field"], errors=errors)


async def http_exception_problem(request: Request, exc: StarletteHTTPException) -> Response:
    title = {
        404: NotFound.title,
        405: N_("Method not allowed"),
        401: Unauthenticated.title,
        413: N_("Content too large"),
    }.get(exc.status_code, N_("Error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    response = (
        _page_error(request, exc.status_code, title, detail)
        if not _is_api(request)
        else translated_problem(request, exc.status_code, title, detail)
    )
    if exc.status_code == 413:
        response.headers["Connection"] = "close"  # the server stops receiving the rest of the body
    return response


def unexpected_problem() -> JSONResponse:
    return problem(500, "Internal error", "Something went wrong on our side; nothing was changed.")


__all__ = ["Unauthenticated", "problem"]
