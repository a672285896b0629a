"""Success messages after a save. A form that saved redirects with ``?done=<what>``; the next page shows
the sentence for it (``role="status"``). A query flag, not a script or a cookie: it works without
JavaScript under the CSP, and an unknown flag shows nothing."""

from __future__ import annotations

from fastapi import Request

from opennrm.domain.text import N_
from opennrm.web.i18n import gettext

QUERY = "done"
MESSAGES: dict[str, str] = {
    "case": N_("The case was saved."),
    "case-maybe-known": N_(
        "The case was saved. Your organisation may already know her: a case in your list has similar "
        "details. Look before you go on, and ask her."
    ),
    "note": N_("The note was saved."),
    "consent": N_("Her consent was recorded."),
    "revoked": N_("Her consent was revoked. Every sharing that rested on it has ended."),
    "referral": N_("The referral was sent."),
    "referral-step": N_("The referral was updated."),
    "entitlements": N_("The entitlements were saved."),
    "risk": N_("The risk assessment was saved."),
    "outcome": N_("The plan was saved."),
    "service": N_("The service was saved."),
    "screening-draft": N_("The draft was saved. You can continue it later from the case page or your tasks."),
    "screening-discarded": N_("The draft screening was thrown away."),
    "claim": N_("The claim was saved."),
    "award": N_("The award was saved."),
    "payment": N_("The payment was saved."),
    "claim-status": N_("Where the claim stands was saved."),
    "proceeds": N_("The confiscated proceeds were allocated to her claim."),
    "her-account": N_(
        "Her account and her consent were recorded. The unit may trace from it, without her name, until the "
        "consent ends or she revokes it."
    ),
    "claim-withdrawn": N_("The claim was withdrawn."),
    "justice": N_("The count was saved."),
    "dependant": N_("The dependant was recorded. She or he is entitled to assistance too."),
    "child-steps": N_("The child steps were saved."),
    "best-interests": N_("The assessment of the child's best interests was recorded."),
    "panel": N_("The panel was convened. Its members see the case for identification only."),
    "proposed": N_(
        "The decision was proposed. It takes effect when a member of another organisation confirms it."
    ),
    "proposal-answered": N_("Your answer to the proposal was recorded."),
    "recusal": N_("The recusal was recorded."),
    "reconsideration": N_("Her request for reconsideration was recorded. The panel sits again."),
    "reconsideration-answer": N_(
        "The answer was proposed. It takes effect when a member of another organisation confirms it."
    ),
    "move": N_("The plan was saved. Follow-up contacts are scheduled where the move needs them."),
    "exit": N_(
        "Her exit from services was recorded. Follow-up contacts at 1, 3, 6 and 12 months are scheduled."
    ),
    "follow-up": N_("The follow-up contact was recorded."),
    "report-reply": N_("Your reply was sent. She reads it with her receipt."),
    "report-case": N_("The case was opened from the report; what she wrote is in the case notes."),
    "report-referred": N_("The report was referred."),
    "report-closed": N_("The report was closed. It will be deleted when its retention period ends."),
    "contact": N_("The contact was recorded."),
    # labour inspection (web/pages/labour.py)
    "workplace": N_("The workplace was added to the plan."),
    "inspection": N_("The inspection was saved."),
    "labour-action": N_("The action was saved."),
    "action-outcome": N_("Where the action stands was saved."),
    "agency": N_("The agency was added to the registry."),
    "licence": N_("The licence was added to the registry."),
    "licence-status": N_(
        "The licence's new status was saved. The public check and the ad scanner use it from now on."
    ),
    "complaint": N_("The complaint was recorded."),
    "complaint-decision": N_("The decision on the complaint was saved."),
    "labour-referral": N_(
        "The referral was sent with her consent: the service it went to is named under Referrals below."
    ),
}


def flash_of(request: Request) -> str | None:
    """The success message this page should show, in the active language, or ``None``."""
    message = MESSAGES.get(request.query_params.get(QUERY) or "")
    return gettext(message) if message else None


def done(path: str, what: str) -> str:
    """``path`` with the flag that makes the next page say ``what`` was saved (a fragment kept last)."""
    assert what in MESSAGES  # noqa: S101 - a programming error, not input
    base, hash_, fragment = path.partition("#")
    return f"{base}{'&' if '?' in base else '?'}{QUERY}={what}{hash_}{fragment}"
