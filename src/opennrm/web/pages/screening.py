"""The screening form for a case (plain questions, "not asked" distinct from "no") and its result."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opennrm.screening import (
    Act,
    ExploitationForm,
    Means,
    Profile,
    Purpose,
    indicators_from_answers,
    questionnaire,
)
from opennrm.services import cases, screenings
from opennrm.services.errors import InvalidInput
from opennrm.web import i18n
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()


def _profile(request: Request) -> Profile:
    try:
        return Profile(request.query_params.get("profile", Profile.ADULT_LABOUR.value))
    except ValueError:
        return Profile.ADULT_LABOUR


def _form_page(
    request: Request,
    case_id: str,
    profile: Profile,
    values: dict[str, Any],
    error: InvalidInput | None,
    status: int = 200,
) -> Response:
    view = cases.view_case(get_db(request), session_user(request).actor, case_id)
    return render(
        request,
        "screening.html",
        status=status,
        view=view,
        form=questionnaire(profile, lang=i18n.request_language(request, session_user(request))),
        profiles=[p.value for p in Profile],
        forms=[f.value for f in ExploitationForm],
        acts=[a.value for a in Act],
        means=[m.value for m in Means],
        purposes=[p.value for p in Purpose],
        values=values,
        error=error,
    )


@router.get("/cases/{case_id}/screening")
def screening_form(case_id: str, request: Request) -> Response:
    screenings.check_may_screen(get_db(request), session_user(request).actor, case_id)
    return _form_page(request, case_id, _profile(request), {}, None)


def _input_from_form(form: Any, profile: Profile) -> dict[str, Any]:
    answers = {
        key[2:]: str(value) for key, value in form.items() if key.startswith("q-") and value != "not_asked"
    }
    raw: dict[str, Any] = {
        "exploitation_form": str(form.get("exploitation_form") or ""),
        "age_uncertain": form.get("age_uncertain") == "on",
        "reasons_to_believe_minor": form.get("reasons_to_believe_minor") == "on",
        "acts": [str(v) for v in form.getlist("acts")],
        "means": [str(v) for v in form.getlist("means")],
        "purposes": [str(v) for v in form.getlist("purposes")],
        "exploitation_intended": form.get("exploitation_intended") == "on",
        "indicators": indicators_from_answers(answers),
        "context": {
            "consented_to_work": form.get("consented_to_work") == "on",
            "cooperating_with_authorities": form.get("cooperating_with_authorities") == "on",
        },
    }
    age = str(form.get("age") or "").strip()
    if age:
        raw["age"] = int(age) if age.lstrip("-").isdigit() else age
    return raw


@router.post("/cases/{case_id}/screening")
async def screening_submit(case_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = await request.form()
    check_csrf(user, str(form.get("csrf") or ""))
    profile = _profile(request)
    try:
        raw = _input_from_form(form, profile)
        language = i18n.request_language(request, user)
        screening_id, _ = screenings.screen_case(get_db(request), user.actor, case_id, raw, language)
    except InvalidInput as exc:
        values = {k: str(v) for k, v in form.items()}
        return _form_page(request, case_id, profile, values, exc, status=422)
    return RedirectResponse(f"/cases/{case_id}/screening/{screening_id}", status_code=303)


@router.get("/cases/{case_id}/screening/{screening_id}")
def screening_result(case_id: str, screening_id: str, request: Request) -> Response:
    user = session_user(request)
    stored = screenings.screening_of(get_db(request), user.actor, case_id, screening_id)
    view = cases.view_case(get_db(request), user.actor, case_id)
    return render(request, "screening_result.html", view=view, screening=stored)
