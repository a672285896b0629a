"""The complaint hand-over document: she chooses the fields, the page shows them to print or download.
Nothing is sent anywhere (``opennrm.services.handover``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opennrm.services import handover
from opennrm.services.errors import InvalidInput
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()


@router.get("/cases/{case_id}/handover")
def handover_form(case_id: str, request: Request) -> Response:
    user = session_user(request)
    offer = handover.choices(get_db(request), user.actor, case_id)
    return render(request, "handover.html", offer=offer, chosen=set(), error=None)


@router.post("/cases/{case_id}/handover")
@form_endpoint
def handover_document(case_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    chosen = [str(f) for f in form.getlist("fields")]
    try:
        document = handover.prepare(get_db(request), user.actor, case_id, chosen)
    except InvalidInput as exc:
        offer = handover.choices(get_db(request), user.actor, case_id)
        return render(
            request, "handover.html", status=422, offer=offer, chosen=set(chosen), error=exc.message
        )
    response = render(request, "handover_document.html", document=document)
    if form.get("download") == "1":
        response.headers["Content-Disposition"] = 'attachment; filename="handover.html"'
    return response
