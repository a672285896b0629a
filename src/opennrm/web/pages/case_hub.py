"""The case page as the hub of her journey: screenings, consents, referrals and entitlements at a glance, and
the next step as a button. Each part is read through its own service function, which checks the policy and
audits the read; a receiving organisation sees only the referrals it received."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from opennrm.access.policy import Actor
from opennrm.domain.services import OPEN_STATUSES, Entitlements
from opennrm.domain.text import N_
from opennrm.services import consent, entitlements, referrals, reintegration, screenings
from opennrm.services.cases import CaseView
from opennrm.services.referrals import ReferralSummary
from opennrm.services.reintegration import ReintegrationView
from opennrm.services.screenings import StoredScreening
from opennrm.store.database import Database

OPEN = frozenset(s.value for s in OPEN_STATUSES)


@dataclass(frozen=True)
class NextStep:
    label: str  # English; translated where shown
    href: str


@dataclass(frozen=True)
class JourneyStep:
    label: str  # English; translated where shown
    done: bool
    when: str | None = None


@dataclass(frozen=True)
class CaseHub:
    journey: list[JourneyStep] = field(default_factory=list)
    screenings: list[StoredScreening] = field(default_factory=list)
    consents: list[dict[str, Any]] = field(default_factory=list)
    referrals: list[ReferralSummary] = field(default_factory=list)
    entitlements: Entitlements | None = None
    reflection_days_left: int | None = None
    next_step: NextStep | None = None
    reintegration: ReintegrationView | None = None
    """Dependants, child steps, move plans and follow-ups (the owning side only)."""


def case_hub(db: Database, actor: Actor, view: CaseView, *, today: dt.date | None = None) -> CaseHub:
    today = today or dt.date.today()
    sent_or_received = referrals.list_referrals(db, actor, case_id=view.id, per_page=50).items
    if view.received:  # a receiving organisation: only what it received, nothing of her other records
        return CaseHub(referrals=sent_or_received)
    found = screenings.screenings_of(db, actor, view.id)
    consents = consent.list_consents(db, actor, view.id)
    rights = entitlements.view_entitlements(db, actor, view.id, today=today).entitlements
    left = (rights.reflection_end - today).days if rights.in_reflection_period else None
    return CaseHub(
        journey=journey_so_far(view, found, consents, sent_or_received),
        screenings=found,
        consents=list(reversed(consents)),
        referrals=sent_or_received,
        entitlements=rights,
        reflection_days_left=left,
        next_step=next_step(view.id, found, consents, sent_or_received),
        reintegration=reintegration.view_reintegration(db, actor, view.id, today=today),
    )


SERVED = frozenset({"in_progress", "completed"})


def journey_so_far(
    view: CaseView, found: list[StoredScreening], consents: list[dict[str, Any]], sent: list[ReferralSummary]
) -> list[JourneyStep]:
    """Where she stands on the way through the mechanism: screened, presumed a victim, her consent,
    referred, served — each with the day it first happened, or not yet."""
    oldest = list(reversed(found))
    presumed = next((s for s in oldest if s.result.get("presumed_victim")), None)
    given = sorted(str(c.get("given_on") or "") for c in consents if c.get("status") == "active")
    referred = sorted(r.created_at for r in sent)
    served = sorted(r.created_at for r in sent if r.status in SERVED)
    status = view.case.get("trafficking_status")
    return [
        JourneyStep(N_("Screened"), bool(found), oldest[0].created_at if oldest else None),
        JourneyStep(
            N_("Presumed victim"),
            presumed is not None or status in ("presumed_victim", "actual_victim"),
            presumed.created_at if presumed else None,
        ),
        JourneyStep(N_("Her consent recorded"), bool(given), given[0] if given else None),
        JourneyStep(N_("Referred"), bool(referred), referred[0].date().isoformat() if referred else None),
        JourneyStep(N_("Served"), bool(served), served[0].date().isoformat() if served else None),
    ]


def next_step(
    case_id: str,
    found: list[StoredScreening],
    consents: list[dict[str, Any]],
    sent: list[ReferralSummary],
) -> NextStep:
    """What her caseworker does next: screen her; for a presumed victim, record her consent to a referral,
    then refer her; then follow the referrals."""
    if not found:
        return NextStep(N_("Screen her for indicators"), f"/cases/{case_id}/screening")
    latest = found[0].result  # newest first
    if not latest.get("presumed_victim"):
        return NextStep(N_("Screen again when you learn more"), f"/cases/{case_id}/screening")
    if not any(c["status"] == "active" and "referral" in c["purposes"] for c in consents):
        return NextStep(N_("Record her consent"), f"/cases/{case_id}/consents?purpose=referral")
    if not any(r.status in OPEN for r in sent):
        return NextStep(N_("Presumed victim: refer her"), f"/cases/{case_id}/referrals/new")
    return NextStep(N_("Follow her referrals"), f"/referrals?case_id={case_id}")
