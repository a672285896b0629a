"""Form posts off the event loop: ``@form_endpoint`` reads the request's form on the loop (the only part
that waits for the network), then runs the handler — a plain ``def`` that reads the database, encrypts,
renders — in the thread pool, so one slow post never holds up everyone else's pages
(``tests/unit/test_event_loop.py``)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData


def form_endpoint(handler: Callable[..., Response]) -> Callable[..., Any]:
    """Route decorator (innermost, under ``@router.post``) for a sync handler that reads its form with
    ``posted_form(request)``."""

    @functools.wraps(handler)
    async def endpoint(*args: Any, **kwargs: Any) -> Response:
        request = next(v for v in (*args, *kwargs.values()) if isinstance(v, Request))
        # Kept in the request's own state (public API; one dict per request), where ``posted_form`` finds
        # it from the thread: not Starlette's private cache of the parsed form.
        request.state.posted_form = await request.form()
        return await run_in_threadpool(handler, *args, **kwargs)

    return endpoint


def posted_form(request: Request) -> FormData:
    """The form ``@form_endpoint`` read for this request."""
    form = getattr(request.state, "posted_form", None)
    if not isinstance(form, FormData):
        raise RuntimeError("the form was not read: decorate the handler with @form_endpoint")
    return form
