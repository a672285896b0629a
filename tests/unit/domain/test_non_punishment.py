"""Non-punishment matters (GR38 §98): recorded only with her consent, and named for what was done to her —
no offender flag on a survivor's record (DESIGN invariant 6)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from opennrm.domain import non_punishment as np
from opennrm.stats.non_punishment import MatterFacts, count_non_punishment
from opennrm.store.tables import NonPunishmentMatter, RecordClearanceRequest

VALID = {
    "consent": True,
    "measure": "arrest",
    "jurisdiction_country": "gb",
    "link_to_trafficking": "Arrested in the raid on the flat where she was held and made to sell sex.",
}
OFFENDER_WORDS = re.compile(r"offen[cs]e|offender|criminal|suspect|perpetrat|culprit|guilt", re.IGNORECASE)


def test_a_matter_is_recorded_only_with_her_consent() -> None:
    assert np.NonPunishmentMatterIn.model_validate(VALID).jurisdiction_country == "GB"
    for consent in (False, None):
        with pytest.raises(ValidationError, match="consent"):
            np.NonPunishmentMatterIn.model_validate({**VALID, "consent": consent})
    with pytest.raises(ValidationError, match="consent"):
        np.NonPunishmentMatterIn.model_validate({k: v for k, v in VALID.items() if k != "consent"})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"jurisdiction_country": "XX"}, "jurisdiction_country"),
        ({"link_to_trafficking": "short"}, "link_to_trafficking"),
        ({"measure": "offence"}, "measure"),
        ({"occurred_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "occurred_on"),
        ({"occurred_on": "2025-05-02", "decided_on": "2025-05-01"}, "decided_on"),
        ({"cooperates_with_police": True}, "cooperates_with_police"),
    ],
)
def test_bad_input_is_refused_naming_the_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        np.NonPunishmentMatterIn.model_validate({**VALID, **change})
    assert field in str(caught.value)


def test_no_code_column_or_table_labels_her_as_an_offender() -> None:
    codes = [
        m.value
        for vocabulary in (np.MeasureTaken, np.MatterStatus, np.LegalAidStep, np.ClearanceStatus)
        for m in vocabulary
    ]
    names = [NonPunishmentMatter.__tablename__, RecordClearanceRequest.__tablename__]
    names += [c.name for c in NonPunishmentMatter.__table__.columns]
    names += [c.name for c in RecordClearanceRequest.__table__.columns]
    names += list(np.NonPunishmentMatterIn.model_fields)
    assert not [word for word in codes + names if OFFENDER_WORDS.search(word)]


def test_counts_show_small_cells_as_suppressed() -> None:
    matters = [MatterFacts(f"p{i % 12}", "arrest", "ongoing") for i in range(14)] + [
        MatterFacts("p0", "conviction", "penalty_imposed")
    ]
    counts = count_non_punishment(matters, ["filed"])
    assert counts.persons == "12"  # each person once
    assert counts.matters == "15"
    assert counts.by_measure["arrest"] == "14"
    assert counts.by_measure["conviction"] == "<11"
    assert counts.by_measure["detention"] == "<11"  # an empty cell looks like any small one
    assert counts.by_status["penalty_imposed"] == "<11"
    assert counts.clearance_requests == {s.value: "<11" for s in np.ClearanceStatus}
