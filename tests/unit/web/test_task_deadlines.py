"""The tasks page says each deadline in working days, the unit deadlines are counted in (issue 20)."""

from __future__ import annotations

import datetime as dt

from opennrm.services.tasks import Task
from opennrm.web import i18n
from opennrm.web.pages.tasks import when

FRIDAY = dt.date(2026, 12, 4)


def _task(due: dt.date, **params: object) -> Task:
    return Task("referral", "referral_waiting", "/referrals/x", None, due, params=dict(params))


def test_a_weekend_and_a_holiday_are_not_counted() -> None:
    with i18n.activated("en"):
        assert when(_task(dt.date(2026, 12, 7)), FRIDAY, frozenset()).endswith("Working days left: 1")
        holiday = frozenset({dt.date(2026, 12, 7)})
        assert when(_task(dt.date(2026, 12, 8)), FRIDAY, holiday).endswith("Working days left: 1")
        assert when(_task(FRIDAY), FRIDAY, frozenset()).endswith("due today")
        late = when(_task(dt.date(2026, 12, 2)), FRIDAY, frozenset())
        assert late.endswith("Working days past the deadline: 2")


def test_the_date_is_not_said_twice() -> None:
    with i18n.activated("en"):
        assert "Dec" not in when(_task(dt.date(2026, 12, 7), date=dt.date(2026, 12, 7)), FRIDAY, frozenset())
        assert "Dec" in when(_task(dt.date(2026, 12, 7)), FRIDAY, frozenset())
