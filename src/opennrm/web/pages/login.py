"""Log-in and log-out pages."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from opennrm.services import auth
from opennrm.services.errors import Unauthenticated
from opennrm.web.api.session import checked_log_in, clear_session_cookie, set_session_cookie
from opennrm.web.deps import check_csrf, get_db, optional_user, session_token, session_user
from opennrm.web.pages.navigation import home as home_of
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    user = optional_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(home_of(user.actor), status_code=303)


@router.get("/login")
def login_page(request: Request) -> Response:
    return render(request, "login.html", error=None, username="")


@router.post("/login")
async def login_submit(
    request: Request,
    username: str = Form(..., max_length=80),
    password: str = Form(..., max_length=256),
    totp: str = Form("", max_length=40),
) -> Response:
    require_same_origin(request)
    try:
        token = await checked_log_in(request, username, password, totp or None)
    except Unauthenticated as exc:
        return render(request, "login.html", status=401, error=exc.message, username=username)
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, token, request)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    require_same_origin(request)
    user = session_user(request)
    check_csrf(user, csrf)
    token = session_token(request)
    if token:
        auth.log_out(get_db(request), token)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response
