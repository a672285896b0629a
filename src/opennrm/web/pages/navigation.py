"""What each role sees in the menu and where it lands after log-in, and refusals as plain sentences.

The menu offers only what the policy lets the user do: each entry asks the rule that guards its page
(``opennrm.access.policy.decide`` and ``ad_review_decision``, and the reader lists of the services behind
the dashboard, escalations and the directory). No role name is written into a template."""

from __future__ import annotations

import re
from dataclasses import dataclass

from opennrm.access.policy import (
    FIREWALL,
    Action,
    Actor,
    accounts_decision,
    ad_review_decision,
    dashboard_decision,
    decide,
    directory_manage_decision,
    escalations_decision,
    finance_decision,
    hotline_decision,
    justice_aggregates_decision,
    labour_decision,
    report_decision,
)
from opennrm.access.roles import Role
from opennrm.domain.text import N_
from opennrm.web.i18n import gettext


@dataclass(frozen=True)
class MenuItem:
    href: str
    label: str  # English; translated where shown


def menu(actor: Actor) -> list[MenuItem]:
    """The menu entries this user may use, her own work first."""
    items: list[MenuItem] = []
    person_level = bool(decide(actor, Action.CASE_LIST))
    if accounts_decision(actor)[0]:
        items.append(MenuItem("/users", N_("Accounts")))  # an administrator's home
    if dashboard_decision(actor):
        items.append(MenuItem("/dashboard", N_("Referral network")))
    if labour_decision(actor, Action.INSPECTION_READ):
        items.append(MenuItem("/labour", N_("Labour inspection")))  # a labour inspector's home
        items.append(MenuItem("/labour/agencies", N_("Recruitment agencies")))
    if ad_review_decision(actor):
        items.append(MenuItem("/ads", N_("Job ads")))
    if finance_decision(actor):
        items.append(MenuItem("/finance", N_("Financial investigations")))
    if person_level and decide(actor, Action.CASE_CREATE):
        items.append(MenuItem("/tasks", N_("Tasks")))  # a caseworker's and a supervisor's home
        items.append(MenuItem("/cases", N_("Cases")))
        items.append(MenuItem("/cases/new", N_("New case")))
    if person_level:
        if actor.role is Role.SERVICE_PROVIDER:
            items.append(MenuItem("/referrals?direction=received", N_("Received referrals")))
            items.append(MenuItem("/cases", N_("Cases")))
        else:
            items.append(MenuItem("/referrals", N_("Referrals")))
        if escalations_decision(actor):
            items.append(MenuItem("/referrals/escalations", N_("Escalations")))
    if report_decision(actor, Action.REPORT_READ, actor.organisation_id):
        items.append(MenuItem("/reports", N_("Anonymous reports")))
    if hotline_decision(actor, Action.HOTLINE_RECORD):
        # the operator's home is the contact form; a supervisor finds it after her own work
        entry = MenuItem("/hotline", N_("Hotline"))
        items.insert(0, entry) if actor.role is Role.HOTLINE_OPERATOR else items.append(entry)
    may_manage = bool(directory_manage_decision(actor))
    if (person_level or may_manage or dashboard_decision(actor)) and not actor.enforcement:
        items.append(MenuItem("/directory", N_("Service directory")))
    if decide(actor, Action.AGGREGATE_READ):
        items.append(MenuItem("/statistics", N_("Statistics")))
    if justice_aggregates_decision(actor):
        items.append(MenuItem("/justice", N_("Justice aggregates")))
    if not actor.enforcement and actor.role is not Role.ENFORCEMENT_LIAISON:
        items.append(MenuItem("/notifications", N_("Notifications")))  # never told anything (firewall)
    return items


def home(actor: Actor) -> str:
    """Where the user's work is: the first entry of her menu (statistics for the roles that see figures
    only)."""
    return menu(actor)[0].href


# -- refusals in plain words ---------------------------------------------------------------------------

GENERIC_REFUSAL = N_(
    "Your account may not open this page. If you need it for your work, ask your supervisor."
)
# Policy and service refusals (English, for logs and the API) → what a page tells the user. A refusal with no
# entry gets the generic sentence: a page never shows an internal reason or a role name.
REFUSALS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), message)
    for pattern, message in (
        (re.escape(FIREWALL), N_("Your organisation never sees the records of individual people.")),
        (
            r"^role \S+ sees aggregates only$",
            N_("Your work is with figures, not with the records of individual people: see the statistics."),
        ),
        (r"^role \S+ cannot open cases$", N_("Your account cannot open cases.")),
        (
            r"^the record is outside your scope$",
            N_("This case is not one of yours. Its caseworker or a supervisor can help."),
        ),
        (
            r"^your organisation received this case by referral",
            N_("Your organisation received this case by referral: you may read it and add notes only."),
        ),
        (
            r"^service providers cannot share or change consent$",
            N_("Only the organisation that holds her case shares it or changes her consent."),
        ),
        (r"^role \S+ does not review job ads$", N_("Your account does not review job ads.")),
        (r"^these ads were scanned by another organisation$", N_("Another organisation scanned these ads.")),
        (
            r"^role \S+ does not work on financial investigations$",
            N_("Your account does not work on financial investigations."),
        ),
        (
            r"^the consented seed is not available to this unit$",
            N_("This seed is not available to your unit. Choose another seed or account."),
        ),
        (
            r"^the referral-network dashboard",
            N_("The referral-network dashboard is for the NRM coordinator."),
        ),
        (r"^only supervisors see escalated", N_("Only supervisors see escalated referrals.")),
        (
            r"cannot change the service directory$",
            N_("Your account cannot change the service directory."),
        ),
        (r"^you can change only your own", N_("You can change only your own organisation's services.")),
        (
            r"^the form has expired",
            N_("The form has expired or did not come from this site. Reload the page and try again."),
        ),
        (r"^the form was sent from another site$", N_("The form was sent from another site.")),
        # the consent gate (opennrm.access.policy.disclosure_decision), as a referral shows it
        (r"no consent is recorded for this case$", N_("No consent of hers is recorded yet.")),
        (
            r"no consent covers this sharing",
            N_("None of her recorded consents covers sharing with this organisation for a referral."),
        ),
        (r"^override refused", N_("The best-interests override was refused.")),
        (
            r"the recipient is the organisation that already holds the case$",
            N_("Your organisation already holds her case."),
        ),
    )
)


def plain_refusal(detail: str) -> str:
    """A refusal as one plain sentence in the active language, never an internal reason or role name."""
    reason = detail.removeprefix("referral refused: ")
    for pattern, message in REFUSALS:
        if pattern.search(reason):
            return gettext(message)
    return gettext(GENERIC_REFUSAL)
