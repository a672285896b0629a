"""Health, log-in and log-out, and the OpenAPI schema (behind a session)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from opennrm.services import auth
from opennrm.services.auth import SessionUser
from opennrm.web.deps import COOKIE, current_user, get_db, get_settings, session_token
from opennrm.web.login_guard import LoginGuard

router = APIRouter(tags=["session"])


class Health(BaseModel):
    status: str


class LogIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=256)
    totp: str | None = Field(
        default=None,
        max_length=40,
        description="The current one-time code, or one of your recovery codes (e.g. ABCD-EFGH-JKLM-NPQR).",
    )


class SessionOut(BaseModel):
    token: str
    username: str
    role: str
    organisation: str


async def checked_log_in(request: Request, username: str, password: str, totp: str | None) -> str:
    """``auth.log_in`` within the server's log-in limits (``web.login_guard``): per client and at once."""
    guard: LoginGuard = request.app.state.login_guard
    address = request.client.host if request.client else ""
    guard.admit(address)
    token = await guard.check(auth.log_in, get_db(request), username, password, totp)
    guard.refund(address)
    return token


def set_session_cookie(response: Response, token: str, request: Request) -> None:
    settings = get_settings(request)
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        secure=True,
        samesite="strict",
        path="/",
        max_age=settings.session_absolute_hours * 3600,
    )


def clear_session_cookie(response: Response) -> None:
    """Delete the cookie with the attributes it was set with (a ``__Host-`` cookie needs Secure)."""
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="strict")


@router.get("/health", response_model=Health)
def health() -> Health:
    """Liveness: answers without a session and reveals nothing else."""
    return Health(status="ok")


@router.post(
    "/session",
    response_model=SessionOut,
    status_code=201,
    responses={401: {"description": "Refused"}, 429: {"description": "Too many attempts; see Retry-After"}},
)
async def log_in(body: LogIn, request: Request, response: Response) -> SessionOut:
    """Log in with username, password and the current TOTP code (or a recovery code). Sets an HttpOnly,
    SameSite=Strict cookie."""
    db = get_db(request)
    token = await checked_log_in(request, body.username, body.password, body.totp)
    user = await run_in_threadpool(auth.resolve, db, get_settings(request), token)
    set_session_cookie(response, token, request)
    return SessionOut(
        token=token, username=user.username, role=user.actor.role.value, organisation=user.organisation
    )


@router.delete("/session", status_code=204, responses={401: {"description": "No session"}})
def log_out(request: Request, response: Response, user: SessionUser = Depends(current_user)) -> None:
    """End the session."""
    token = session_token(request)
    if token:
        auth.log_out(get_db(request), token)
    clear_session_cookie(response)


@router.get("/openapi.json", include_in_schema=False)
def openapi_schema(request: Request, user: SessionUser = Depends(current_user)) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema
