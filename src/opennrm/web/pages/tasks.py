"""The tasks home: what waits for the user on the cases she may read, each a link to where it is done
(``opennrm.services.tasks`` gathers them; this page only words them in the reader's language)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from opennrm.domain.text import N_
from opennrm.identification.working_days import working_days_between
from opennrm.services import tasks
from opennrm.web import formatting, i18n
from opennrm.web.deps import get_db, get_settings, session_user
from opennrm.web.pages.render import render

router = APIRouter()

# Task code → the sentence shown (``%(service)s``, ``%(date)s`` and ``%(days)s`` filled in).
LABELS: dict[str, str] = {
    "referral_to_answer": N_("Answer the referral to %(service)s"),
    "referral_overdue": N_("The referral to %(service)s is overdue: no answer yet"),
    "referral_waiting": N_("The referral to %(service)s is waiting for an answer"),
    "reflection_ending": N_("Her reflection and recovery period ends on %(date)s"),
    "consent_ending": N_("Her consent ends on %(date)s: ask her whether she renews it"),
    "screening_draft": N_("Continue the screening you saved on %(date)s"),
    "escalation": N_("Escalated: the referral to %(service)s was not answered in time"),
    "reconsideration_due": N_("The panel's reconsideration is due on %(date)s"),
    "decision_due": N_("The panel's identification decision is due on %(date)s"),
    "confirmation_due": N_(
        "A proposed identification decision waits for a second organisation to confirm it (due on %(date)s)"
    ),
    "move_on_ending": N_("Her move-on period ends on %(date)s: plan the support that follows"),
    "legal_aid_waiting": N_("A measure against her waits for legal aid since %(date)s"),
    "follow_up_return": N_("The %(months)s-month follow-up contact after her return is due on %(date)s"),
    "follow_up_resettlement": N_(
        "The %(months)s-month follow-up contact after her resettlement is due on %(date)s"
    ),
    "follow_up_exit": N_(
        "The %(months)s-month follow-up contact after she left the services is due on %(date)s"
    ),
}


def sentence(task: tasks.Task) -> str:
    """The task in the active language."""
    params: dict[str, Any] = {}
    for name, value in task.params.items():
        if name == "date":
            params[name] = formatting.format_date(value)
        elif name in ("days", "months"):
            params[name] = formatting.format_number(value)
        else:
            params[name] = value
    return i18n.gettext(LABELS.get(task.label, task.label)) % params


def when(task: tasks.Task, today: dt.date, holidays: Container[dt.date]) -> str:
    """When the task is due, in working days (the deadlines are counted in them); the date too unless the
    task's sentence already says it."""
    if task.due is None:
        return ""
    left = working_days_between(today, task.due, holidays)
    if left > 0:
        days = i18n.gettext(N_("Working days left: %(n)s")) % {"n": formatting.format_number(left)}
    elif left == 0:
        days = i18n.gettext(N_("due today"))
    else:
        days = i18n.gettext(N_("Working days past the deadline: %(n)s")) % {
            "n": formatting.format_number(-left)
        }
    if "date" in task.params:
        return days
    return f"{i18n.gettext(N_('due'))} {formatting.format_date(task.due)} · {days}"


@router.get("/tasks")
def tasks_page(request: Request) -> Response:
    user = session_user(request)
    db = get_db(request)
    found = tasks.tasks_for(db, user.actor, settings=get_settings(request))
    today = dt.datetime.now(dt.UTC).date()
    return render(
        request, "tasks.html", tasks=found, sentence=sentence, when=lambda t: when(t, today, db.holidays)
    )
