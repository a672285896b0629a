"""Notification e-mails, written in the recipient's language from the product's translations. They say
what waits and where, never who or what about: no name, no case content (``services.notifications``)."""

from __future__ import annotations

from opennrm.domain.text import N_
from opennrm.web.i18n import SOURCE_LANGUAGE, activated, gettext
from opennrm.web.negotiation import match

# What each kind of notification says, in the product and as the subject of its e-mail.
MESSAGES: dict[str, str] = {
    "referral_new": N_("A referral is waiting for you"),
    "answer_overdue": N_("A referral is waiting for an answer past its deadline"),
    "escalation": N_("A referral was not answered in time and is escalated to you"),
    "decision_due": N_("An identification decision is due soon"),
    "report_reply": N_("A report has a new reply"),
}


def compose(language: str | None, kind: str, url: str) -> tuple[str, str]:
    """(subject, body) of the e-mail for ``kind``, in ``language`` (English when it has no catalogue)."""
    with activated(match(language) or SOURCE_LANGUAGE):
        subject = gettext(MESSAGES[kind])
        body = "\n\n".join(
            (
                subject + ".",
                gettext("Open it in OpenNRM (you will be asked to sign in):") + "\n" + url,
                gettext(
                    "This message holds no details on purpose. To change which notices you receive, "
                    "open Notifications in OpenNRM."
                ),
            )
        )
    return subject, body
