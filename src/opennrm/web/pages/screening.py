"""The screening form for a case as a guided form, one section at a time, and its result.

Section 1 records what happened (age, form of exploitation, acts, means, purposes), pre-filled from what
intake already knows; each following section asks the questions of one ILO/EC dimension. Every section has
*Save draft* and *Continue*: the entries so far are kept on the server, encrypted, one draft per case and
user (``opennrm.services.screenings.save_draft``), and resumed from the case page. A question not answered
stays "not asked", distinct from "no", and is stored so. Plain HTML forms: no script is needed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from opennrm.domain.text import N_
from opennrm.screening import (
    Act,
    Answer,
    ExploitationForm,
    Means,
    Profile,
    Purpose,
    Questionnaire,
    indicators_from_answers,
    questionnaire,
)
from opennrm.screening.input import MAX_AGE
from opennrm.services import cases, screenings
from opennrm.services.auth import SessionUser
from opennrm.services.errors import InvalidInput
from opennrm.web import i18n, negotiation
from opennrm.web.deps import check_csrf, get_db, session_user
from opennrm.web.pages.flash import done
from opennrm.web.pages.posted import form_endpoint, posted_form
from opennrm.web.pages.render import render
from opennrm.web.pages.same_origin import require_same_origin

router = APIRouter()

# Section 1's fields: single values, and the checkbox groups (absent from a post = none chosen).
FACT_FIELDS = ("age", "exploitation_form")
FACT_FLAGS = ("age_uncertain", "reasons_to_believe_minor")
FACT_LISTS = ("acts", "means", "purposes")
# Recorded with the last section, never read by the decision (rights invariants 1, 4).
CONTEXT_FLAGS = ("consented_to_work", "cooperating_with_authorities")
FACT_SECTION_FIELDS = frozenset({*FACT_FIELDS, *FACT_FLAGS, *FACT_LISTS, "exploitation_intended"})
# Intake's forms of exploitation → the Palermo purposes the screening records.
PURPOSE_OF = {
    "forced_labour": Purpose.FORCED_LABOUR,
    "child_labour": Purpose.FORCED_LABOUR,
    "sexual_exploitation": Purpose.SEXUAL_EXPLOITATION,
    "forced_marriage": Purpose.FORCED_MARRIAGE,
    "servitude": Purpose.SERVITUDE,
    "organ_removal": Purpose.ORGAN_REMOVAL,
    "forced_begging": Purpose.FORCED_BEGGING,
    "forced_criminality": Purpose.FORCED_CRIMINALITY,
}
ANSWERS = frozenset(a.value for a in Answer)
AGE_MESSAGE = N_("Give her age as a whole number of years between 0 and %(max)s, or leave it empty.")


@dataclass(frozen=True)
class Section:
    number: int  # 1-based
    name: str
    intro: str
    questions: tuple[Any, ...]


FIRST_SECTION = N_("What happened")


def sections_of(form: Questionnaire) -> list[Section]:
    """Section 1 (what happened), then one section per dimension that has questions in this list."""
    found = [Section(1, FIRST_SECTION, "", ())]  # translated where shown
    for group in form.groups:
        if group.questions:
            found.append(Section(len(found) + 1, group.name, group.intro, group.questions))
    return found


def _profile_of(value: object) -> Profile | None:
    try:
        return Profile(str(value))
    except ValueError:
        return None


def _age_from_birth(birth_date: object, today: dt.date) -> int | None:
    try:
        born = dt.date.fromisoformat(str(birth_date))
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def prefill(view: cases.CaseView, *, today: dt.date | None = None) -> dict[str, Any]:
    """What intake already knows, as the form's entries: her age (recorded, or from her birth date), the form
    of exploitation and the purposes it implies, and the list that fits (child or adult, labour or sexual)."""
    today = today or dt.date.today()
    case = view.case
    age = case.get("age_at_trafficking")
    if age is None:
        age = _age_from_birth(view.person.get("birth_date"), today)
    types = [t for e in case.get("events") or [] for t in (e.get("exploitation_types") or [])]
    if "sexual_exploitation" in types:
        form = ExploitationForm.SEXUAL
    elif types and all(t in ("forced_labour", "child_labour", "servitude") for t in types):
        form = ExploitationForm.LABOUR
    elif types:
        form = ExploitationForm.OTHER
    else:
        form = ExploitationForm.LABOUR
    child = case.get("is_child") is True or (isinstance(age, int) and age < 18)
    profile = f"{'child' if child else 'adult'}-{'sexual' if form is ExploitationForm.SEXUAL else 'labour'}"
    purposes = sorted({PURPOSE_OF[t].value for t in types if t in PURPOSE_OF})
    values: dict[str, Any] = {"profile": profile, "exploitation_form": form.value, "purposes": purposes}
    if age is not None:
        values["age"] = str(age)
    return values


def known_from_intake(view: cases.CaseView, values: dict[str, Any]) -> dict[str, Any]:
    """What the first section shows as carried over from intake (sex, age, form), for her caseworker."""
    return {
        "sex": view.case.get("sex"),
        "age": values.get("age"),
        "types": [t for e in view.case.get("events") or [] for t in (e.get("exploitation_types") or [])],
    }


def _section_number(value: object, count: int, default: int = 1) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return min(max(number, 1), count)


def _page(
    request: Request,
    user: SessionUser,
    case_id: str,
    values: dict[str, Any],
    section: int,
    errors: dict[str, str],
    *,
    draft: screenings.Draft | None = None,
    status: int = 200,
) -> Response:
    view = cases.view_case(get_db(request), user.actor, case_id)
    profile = _profile_of(values.get("profile")) or Profile.ADULT_LABOUR
    form = questionnaire(profile, lang=negotiation.request_language(request, user))
    all_sections = sections_of(form)
    current = all_sections[_section_number(section, len(all_sections)) - 1]
    return render(
        request,
        "screening.html",
        status=status,
        view=view,
        form=form,
        sections=all_sections,
        section=current,
        profiles=[p.value for p in Profile],
        forms=[f.value for f in ExploitationForm],
        acts=[a.value for a in Act],
        means=[m.value for m in Means],
        purposes=[p.value for p in Purpose],
        values=values,
        errors=errors,
        draft=draft,
        known=known_from_intake(view, values),
        answers=[a.value for a in Answer],
    )


@router.get("/cases/{case_id}/screening")
def screening_form(case_id: str, request: Request) -> Response:
    user = session_user(request)
    db = get_db(request)
    screenings.check_may_screen(db, user.actor, case_id)
    draft = screenings.load_draft(db, user.actor, case_id)
    if draft is not None:
        values = dict(draft.values)
        section = draft.section
    else:
        values = prefill(cases.view_case(db, user.actor, case_id))
        section = 1
    chosen = _profile_of(request.query_params.get("profile"))
    if chosen is not None:
        values["profile"] = chosen.value
    if request.query_params.get("section"):
        section = _section_number(request.query_params.get("section"), 99, section)
    return _page(request, user, case_id, values, section, {}, draft=draft)


def _merge(
    values: dict[str, Any], form: Any, section: Section, questions: Iterable[Any], last: bool
) -> dict[str, Any]:
    """The draft's entries with this section's posted fields in place of what was there."""
    merged = dict(values)
    profile = _profile_of(form.get("profile"))
    if profile is not None:
        merged["profile"] = profile.value
    if section.number == 1:
        for name in FACT_FIELDS:
            merged[name] = str(form.get(name) or "").strip()[:40]
        for name in FACT_FLAGS:
            merged[name] = "on" if form.get(name) == "on" else ""
        for name in FACT_LISTS:
            merged[name] = [str(v)[:40] for v in form.getlist(name)][:20]
    # Every answer posted, whichever section asked it (a radio group always posts its checked answer).
    for question in questions:
        key = f"q-{question.indicator_id}"
        if key in form:
            answer = str(form.get(key))
            merged[key] = answer if answer in ANSWERS else Answer.NOT_ASKED.value
    if last:
        for name in CONTEXT_FLAGS:
            merged[name] = "on" if form.get(name) == "on" else ""
    return merged


def _age_error(values: dict[str, Any]) -> dict[str, str]:
    age = str(values.get("age") or "").strip()
    if age and not (age.isdigit() and 0 <= int(age) <= MAX_AGE):
        return {"age": i18n.gettext(AGE_MESSAGE) % {"max": MAX_AGE}}
    return {}


def screening_input(values: dict[str, Any], form: Questionnaire) -> tuple[dict[str, Any], dict[str, str]]:
    """The engine's input and every question's answer (``not_asked`` for one left open) from the entries."""
    answers = {
        q.indicator_id: str(values.get(f"q-{q.indicator_id}") or Answer.NOT_ASKED.value)
        for group in form.groups
        for q in group.questions
    }
    raw: dict[str, Any] = {
        "exploitation_form": str(values.get("exploitation_form") or ""),
        "age_uncertain": values.get("age_uncertain") == "on",
        "reasons_to_believe_minor": values.get("reasons_to_believe_minor") == "on",
        "acts": list(values.get("acts") or []),
        "means": list(values.get("means") or []),
        "purposes": list(values.get("purposes") or []),
        "indicators": indicators_from_answers(answers),
        "context": {name: values.get(name) == "on" for name in CONTEXT_FLAGS},
    }
    age = str(values.get("age") or "").strip()
    if age:
        raw["age"] = int(age) if age.isdigit() else age
    return raw, answers


@router.post("/cases/{case_id}/screening")
@form_endpoint
def screening_submit(case_id: str, request: Request) -> Response:
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    db = get_db(request)
    draft = screenings.load_draft(db, user.actor, case_id)  # also refuses who may not screen (audited)
    base = dict(draft.values) if draft is not None else prefill(cases.view_case(db, user.actor, case_id))
    profile = _profile_of(form.get("profile")) or _profile_of(base.get("profile")) or Profile.ADULT_LABOUR
    language = negotiation.request_language(request, user)
    questions = questionnaire(profile, lang=language)
    all_sections = sections_of(questions)
    number = _section_number(form.get("section"), len(all_sections))
    last = number == len(all_sections)
    asked = [q for s in all_sections for q in s.questions]
    values = _merge(base, form, all_sections[number - 1], asked, last)
    action = str(form.get("action") or "continue")
    errors = _age_error(values) if number == 1 and action != "save" else {}
    if errors:
        return _page(request, user, case_id, values, number, errors, draft=draft, status=422)
    if action == "screen" or (action == "continue" and last):
        errors = _age_error(values)
        if errors:
            return _page(request, user, case_id, values, 1, errors, draft=draft, status=422)
        raw, answers = screening_input(values, questions)
        try:
            screening_id, _ = screenings.screen_case(db, user.actor, case_id, raw, language, answers=answers)
        except InvalidInput as exc:
            field = (exc.field or "exploitation_form").split(".")[0]
            message = exc.message.split(": ", 1)[-1]
            in_first = field in FACT_SECTION_FIELDS
            return _page(
                request,
                user,
                case_id,
                values,
                1 if in_first else number,
                {field if in_first else "section": message},
                draft=draft,
                status=422,
            )
        return RedirectResponse(f"/cases/{case_id}/screening/{screening_id}", status_code=303)
    if action == "back":
        target = max(1, number - 1)
    elif action == "save":
        target = number
    else:
        target = min(len(all_sections), number + 1)
    screenings.save_draft(db, user.actor, case_id, target, values)
    if action == "save":
        return RedirectResponse(
            done(f"/cases/{case_id}/screening?section={target}", "screening-draft"), status_code=303
        )
    return RedirectResponse(f"/cases/{case_id}/screening?section={target}", status_code=303)


@router.post("/cases/{case_id}/screening/discard")
@form_endpoint
def screening_discard(case_id: str, request: Request) -> Response:
    """Throw the draft away (asked for from the form's confirmation step), back to the case."""
    require_same_origin(request)
    user = session_user(request)
    form = posted_form(request)
    check_csrf(user, str(form.get("csrf") or ""))
    screenings.discard_draft(get_db(request), user.actor, case_id)
    return RedirectResponse(done(f"/cases/{case_id}", "screening-discarded"), status_code=303)


@router.get("/cases/{case_id}/screening/{screening_id}")
def screening_result(case_id: str, screening_id: str, request: Request) -> Response:
    user = session_user(request)
    stored = screenings.screening_of(get_db(request), user.actor, case_id, screening_id)
    view = cases.view_case(get_db(request), user.actor, case_id)
    return render(request, "screening_result.html", view=view, screening=stored)
