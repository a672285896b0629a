"""The accounts an administrator looks after (an organisation's administrator lands here): who has an
account, in which role and team, with or without a second factor, locked or not — never a secret."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opennrm.services import admin
from opennrm.web.deps import get_db, session_user
from opennrm.web.pages.render import render

router = APIRouter()


@router.get("/users")
def users_page(request: Request) -> Response:
    user = session_user(request)
    accounts = admin.accounts_for(get_db(request), user.actor)
    return render(request, "users.html", accounts=accounts)
