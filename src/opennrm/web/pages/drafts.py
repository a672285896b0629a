"""A referral form's entries kept while her consent is recorded, so the caseworker returns to the form as she
left it. The entries (the need, the service, her need in words) are encrypted with the installation's key,
bound to this user and this case, in a short-lived cookie that only this site reads (``__Host-``,
HttpOnly, Secure, SameSite=Strict); reading it back clears it. Nothing is stored on the server and
nothing of it appears in an address."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from opennrm.services.auth import SessionUser
from opennrm.services.sealing import decrypt_text, encrypt_text
from opennrm.store.keys import KeyUnavailable, TamperedCiphertext
from opennrm.web.deps import get_db

REFERRAL_DRAFT = "__Host-opennrm_referral_draft"
MAX_AGE = 30 * 60
KEPT = ("need", "language", "place", "service_id", "urgency", "purpose", "override_reason")


def _context(user: SessionUser, case_id: str) -> str:
    return f"{user.actor.user_id}:{case_id}"


def keep_referral_draft(
    request: Request, response: Response, user: SessionUser, case_id: str, form: Any
) -> None:
    draft: dict[str, Any] = {k: str(form.get(k) or "")[:1000] for k in KEPT if form.get(k)}
    draft["attributes"] = [str(a)[:40] for a in form.getlist("attributes")][:20]
    blob = encrypt_text(get_db(request).keyring, "referral_draft", _context(user, case_id), json.dumps(draft))
    response.set_cookie(
        REFERRAL_DRAFT,
        base64.urlsafe_b64encode(blob).decode(),
        max_age=MAX_AGE,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def take_referral_draft(request: Request, user: SessionUser, case_id: str) -> dict[str, Any] | None:
    """The kept entries for this user and case, or ``None`` (none, expired, or not hers)."""
    value = request.cookies.get(REFERRAL_DRAFT)
    if not value or len(value) > 8000:
        return None
    try:
        blob = base64.urlsafe_b64decode(value.encode())
        text = decrypt_text(get_db(request).keyring, "referral_draft", _context(user, case_id), blob)
        draft = json.loads(text)
    except (ValueError, TamperedCiphertext, KeyUnavailable):
        return None
    return draft if isinstance(draft, dict) else None


def forget_referral_draft(response: Response) -> None:
    response.delete_cookie(REFERRAL_DRAFT, path="/", secure=True, httponly=True, samesite="strict")
