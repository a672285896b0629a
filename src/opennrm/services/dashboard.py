"""The NRM coordinator's dashboard: is the referral network working? (GR38 §114)

Counts only — never a case, a person or a referral's content: open referrals by status and receiving
organisation, overdue responses and open escalations, the time from identification to first service, the
needs the network could not meet (by need, place and language), and why referrals were declined. Each
figure is one aggregate query (``bench/bench_dashboard.py`` times them over 100,000 cases and 300,000
referrals).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opennrm.access.policy import Actor, dashboard_decision
from opennrm.domain.services import OPEN_STATUSES, ReferralStatus
from opennrm.domain.text import N_
from opennrm.services.clock import now
from opennrm.services.errors import Forbidden, refuse
from opennrm.services.statistics import keyed_draw
from opennrm.stats.disclosure import random_round
from opennrm.stats.tables import DISPLAY_THRESHOLD, display_count
from opennrm.store import audit
from opennrm.store.audit import AuditEntry
from opennrm.store.database import Database
from opennrm.store.tables import (
    Case,
    FirstService,
    IdentificationDecision,
    Organisation,
    Referral,
    ReferralEscalation,
    ServiceGap,
)

OPEN = tuple(s.value for s in OPEN_STATUSES)
MAX_GAP_ROWS = 100
# Buckets for the time from identification to first service, in days (lower bound inclusive).
DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    (N_("same day"), 0, 1),
    (N_("1–2 days"), 1, 3),
    (N_("3–7 days"), 3, 8),
    (N_("8–30 days"), 8, 31),
    (N_("31–90 days"), 31, 91),
    (N_("over 90 days"), 91, None),
)


@dataclass(frozen=True)
class StatusCount:
    organisation_id: str
    organisation: str
    status: str
    count: int


@dataclass(frozen=True)
class OrganisationCount:
    organisation_id: str
    organisation: str
    count: int


@dataclass(frozen=True)
class FirstServiceTimes:
    cases: int
    served: int
    waiting: int
    median_days: float | None
    p90_days: float | None
    mean_days: float | None
    buckets: list[tuple[str, int]]


@dataclass(frozen=True)
class GapCount:
    """Unmet needs of one kind at one place in one language. Counts are shown protected: rounded to a
    multiple of 5, and a place and language with fewer than 11 needs is not named — such needs are added up
    per kind in one ``combined`` row, shown as "<11" when still fewer."""

    service_type: str
    place: str | None
    language: str | None
    count: str
    combined: bool = False  # the needs of this kind at places and in languages with fewer than 11 each


@dataclass(frozen=True)
class ReasonCount:
    reason: str
    count: int


#: Working days a panel took to decide (lower bound inclusive, upper exclusive).
DECISION_DAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    (N_("under 5 working days"), 0, 5),
    (N_("5–9 working days"), 5, 10),
    (N_("10–19 working days"), 10, 20),
    (N_("20–44 working days"), 20, 45),
    (N_("45 working days or more"), 45, None),
)
STAGE_KINDS = ("first", "final")
OUTCOMES = ("positive", "negative")


@dataclass(frozen=True)
class DecisionCounts:
    """Identification decisions in force, protected as the statistics page protects persons (each decision
    is one person's): ``by_outcome[stage kind][outcome]`` and ``by_days[bucket]`` as shown ("x" withheld,
    others rounded to a multiple of 5), and their shown total."""

    by_outcome: dict[str, dict[str, str]]
    by_days: dict[str, str]
    total: str


@dataclass(frozen=True)
class Dashboard:
    generated_at: dt.datetime
    open_by_status: list[StatusCount]
    overdue: list[OrganisationCount]
    open_escalations: list[OrganisationCount]
    first_service: FirstServiceTimes
    gaps: list[GapCount]
    declines: list[ReasonCount]
    decisions: DecisionCounts | None = None

    @property
    def open_total(self) -> int:
        return sum(c.count for c in self.open_by_status)

    @property
    def overdue_total(self) -> int:
        return sum(c.count for c in self.overdue)


def _names(session: Session) -> dict[str, str]:
    return {oid: name for oid, name in session.execute(select(Organisation.id, Organisation.name))}


def open_referrals_by_status(session: Session) -> list[tuple[str, str, int]]:
    """(receiving organisation, status, count) of open referrals."""
    rows = session.execute(
        select(Referral.recipient_organisation_id, Referral.status, func.count())
        .where(Referral.status.in_(OPEN))
        .group_by(Referral.recipient_organisation_id, Referral.status)
    )
    return [(org, status, int(n)) for org, status, n in rows]


def overdue_responses(session: Session, at: dt.datetime) -> list[tuple[str, int]]:
    """(receiving organisation, count) of referrals still waiting for an answer after their deadline."""
    rows = session.execute(
        select(Referral.recipient_organisation_id, func.count())
        .where(Referral.status == ReferralStatus.SENT.value, Referral.respond_by < at)
        .group_by(Referral.recipient_organisation_id)
    )
    return [(org, int(n)) for org, n in rows]


def open_escalations(session: Session) -> list[tuple[str, int]]:
    rows = session.execute(
        select(ReferralEscalation.recipient_organisation_id, func.count())
        .where(ReferralEscalation.resolved_at.is_(None))
        .group_by(ReferralEscalation.recipient_organisation_id)
    )
    return [(org, int(n)) for org, n in rows]


def first_service_times(session: Session) -> FirstServiceTimes:
    """Days from identification to the first accepted referral, as a distribution over cases."""
    histogram = [
        (int(days), int(n))
        for days, n in session.execute(
            select(FirstService.days, func.count()).group_by(FirstService.days).order_by(FirstService.days)
        )
    ]
    cases = int(session.execute(select(func.count()).select_from(Case)).scalar_one())
    served = sum(n for _, n in histogram)
    buckets = [
        (label, sum(n for d, n in histogram if d >= low and (high is None or d < high)))
        for label, low, high in DAY_BUCKETS
    ]
    mean = sum(d * n for d, n in histogram) / served if served else None
    return FirstServiceTimes(
        cases=cases,
        served=served,
        waiting=max(0, cases - served),
        median_days=_quantile(histogram, served, 0.5),
        p90_days=_quantile(histogram, served, 0.9),
        mean_days=round(mean, 1) if mean is not None else None,
        buckets=buckets,
    )


def _quantile(histogram: list[tuple[int, int]], total: int, q: float) -> float | None:
    """The ``q`` quantile of a sorted histogram (nearest rank)."""
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for value, n in histogram:
        seen += n
        if seen >= rank:
            return float(value)
    return float(histogram[-1][0])


def service_gaps(session: Session) -> list[tuple[str, str | None, str | None, int]]:
    """Needs not met, by need, place and language, most frequent first (exact: internal)."""
    count = func.count().label("n")
    rows = session.execute(
        select(ServiceGap.service_type, func.min(ServiceGap.place), ServiceGap.language, count)
        .group_by(ServiceGap.service_type, ServiceGap.place_key, ServiceGap.language)
        .order_by(count.desc())
        .limit(MAX_GAP_ROWS)
    )
    return [(t, p, lang, int(n)) for t, p, lang, n in rows]


def protected_gaps(
    gaps: list[tuple[str, str | None, str | None, int]], draw: Callable[[str], float]
) -> list[GapCount]:
    """The same rule as the statistics page (``stats.disclosure``): no exact count, and no place or
    language named for fewer than 11 needs (see ``GapCount``). No total is shown, so nothing withheld can
    be worked out by subtraction."""
    shown: list[GapCount] = []
    rest: dict[str, int] = {}
    for kind, place, language, n in gaps:
        if n >= DISPLAY_THRESHOLD:
            shown.append(
                GapCount(kind, place, language, str(random_round(n, f"gap|{kind}|{place}|{language}", draw)))
            )
        else:
            rest[kind] = rest.get(kind, 0) + n
    for kind, n in sorted(rest.items()):
        text = display_count(n) if n < DISPLAY_THRESHOLD else str(random_round(n, f"gap|{kind}|rest", draw))
        shown.append(GapCount(kind, None, None, text, combined=True))
    return shown


def identification_decisions(session: Session, draw: Callable[[str], float]) -> DecisionCounts:
    """Decisions in force by stage kind and outcome, and by the working days taken, protected together
    with ``stats.disclosure.protect`` (both tables share their total, so they are audited as one)."""
    import numpy as np

    from opennrm.stats.dimensions import Dimension
    from opennrm.stats.disclosure import protect
    from opennrm.stats.tables import PersonFrame

    rows = session.execute(
        select(
            IdentificationDecision.stage_kind,
            IdentificationDecision.outcome,
            IdentificationDecision.working_days_taken,
        ).where(IdentificationDecision.in_force.is_(True))
    ).all()
    buckets = tuple(label for label, _, _ in DECISION_DAY_BUCKETS)
    dims = {
        "stage": Dimension("stage", "Stage", STAGE_KINDS),
        "outcome": Dimension("outcome", "Outcome", OUTCOMES),
        "days": Dimension("days", "Working days", tuple(f"d{i}" for i in range(len(buckets)))),
    }

    def bucket(days: int) -> int:
        return next(
            i
            for i, (_, low, high) in enumerate(DECISION_DAY_BUCKETS)
            if days >= low and (high is None or days < high)
        )

    kept = [(k, o, d) for k, o, d in rows if k in STAGE_KINDS and o in OUTCOMES]
    frame = PersonFrame(
        dimensions=dims,
        codes={
            "stage": np.asarray([STAGE_KINDS.index(k) for k, _, _ in kept], dtype=np.int64),
            "outcome": np.asarray([OUTCOMES.index(o) for _, o, _ in kept], dtype=np.int64),
            "days": np.asarray([bucket(max(0, int(d))) for _, _, d in kept], dtype=np.int64),
        },
        size=len(kept),
    )
    shown = protect(frame, [("stage", "outcome"), ("days",)], lambda text: draw(f"decisions|{text}")).shown
    return DecisionCounts(
        by_outcome={
            k: {o: shown[frozenset({("stage", k), ("outcome", o)})] for o in OUTCOMES} for k in STAGE_KINDS
        },
        by_days={label: shown[frozenset({("days", f"d{i}")})] for i, label in enumerate(buckets)},
        total=shown[frozenset()],
    )


def decline_reasons(session: Session) -> list[ReasonCount]:
    rows = session.execute(
        select(Referral.decline_reason, func.count())
        .where(Referral.status == ReferralStatus.DECLINED.value)
        .group_by(Referral.decline_reason)
    )
    return sorted((ReasonCount(r or "unknown", int(n)) for r, n in rows), key=lambda c: -c.count)


def coordinator_dashboard(db: Database, actor: Actor, *, at: dt.datetime | None = None) -> Dashboard:
    may = dashboard_decision(actor)
    if not may:
        refuse(db, actor, "dashboard.read", "dashboard", None, Forbidden(may.reason))
    at = at or now()
    with db.transaction() as session:
        names = _names(session)
        dashboard = Dashboard(
            generated_at=at,
            open_by_status=sorted(
                (
                    StatusCount(org, names.get(org, org), status, n)
                    for org, status, n in open_referrals_by_status(session)
                ),
                key=lambda c: (c.organisation.casefold(), c.status),
            ),
            overdue=_by_org(overdue_responses(session, at), names),
            open_escalations=_by_org(open_escalations(session), names),
            first_service=first_service_times(session),
            gaps=protected_gaps(service_gaps(session), keyed_draw(db)),
            declines=decline_reasons(session),
            decisions=identification_decisions(session, keyed_draw(db)),
        )
        audit.record_one(session, db.keyring, AuditEntry(actor.user_id, "dashboard.read", "dashboard", None))
    return dashboard


def _by_org(rows: list[tuple[str, int]], names: dict[str, str]) -> list[OrganisationCount]:
    return sorted(
        (OrganisationCount(org, names.get(org, org), n) for org, n in rows),
        key=lambda c: (-c.count, c.organisation),
    )
