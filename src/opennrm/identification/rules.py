"""The pure rules of identification decisions: what a decision may say, the order of stages, deadlines, the
recovery period before a final decision, the move-on period after a negative one, and where the case stands.

No input here can carry a fact about cooperation with the police, testimony or criminal proceedings: every
input model refuses such keys (``opennrm.domain.services.Unconditional``; GR38 §78, §92, §98(b); DESIGN rights
invariant 1). A decision rests on the screening and its indicators and on the panel's reasons, nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from enum import StrEnum

from pydantic import Field, ValidationInfo, field_validator

from opennrm.domain.records import NoteText, ShortText, _check_date
from opennrm.domain.services import Unconditional
from opennrm.domain.text import N_
from opennrm.domain.vocabularies import TraffickingStatus
from opennrm.identification.procedure import Procedure, Stage
from opennrm.identification.working_days import add_working_days


class Outcome(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"


class ReconsiderationResult(StrEnum):
    UPHELD = "upheld"
    OVERTURNED = "overturned"


class Standing(StrEnum):
    """Where a case stands in identification, lowest first. It only moves up, except by a reconsideration."""

    POSSIBLE = "possible"
    PRESUMED = "presumed"
    FIRST_DECISION = "first_decision"
    FINAL_DECISION = "final_decision"


LADDER = tuple(Standing)


def rank(standing: Standing) -> int:
    return LADDER.index(standing)


def standing_of(trafficking_status: str, decided_stage_kind: str | None) -> Standing:
    """Where a case stands: its last decision in force, else what screening established."""
    if decided_stage_kind == "final":
        return Standing.FINAL_DECISION
    if decided_stage_kind == "first":
        return Standing.FIRST_DECISION
    if trafficking_status == TraffickingStatus.POSSIBLE.value:
        return Standing.POSSIBLE
    return Standing.PRESUMED


def trafficking_status_after(stage: Stage, outcome: Outcome) -> TraffickingStatus:
    """The HTCDS trafficking status a decision in force gives the case."""
    if outcome is Outcome.NEGATIVE:
        return TraffickingStatus.NOT_A_VICTIM
    return TraffickingStatus.ACTUAL if stage.final else TraffickingStatus.PRESUMED


# -- inputs ---------------------------------------------------------------------------------------------

IndicatorCode = ShortText


class DecisionInput(Unconditional):
    """A panel's decision at one stage. ``indicators`` are the screening's indicators it rests on;
    ``reasons`` (encrypted when stored) say why in plain words; ``dissent`` is a member's disagreement."""

    stage: ShortText
    outcome: Outcome
    screening_id: ShortText
    indicators: list[IndicatorCode] = Field(default_factory=list, max_length=100)
    reasons: NoteText
    dissent: NoteText | None = None
    decided_on: dt.date | None = None

    @field_validator("decided_on")
    @classmethod
    def _decided_on(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)

    @field_validator("indicators")
    @classmethod
    def _indicators(cls, value: list[str]) -> list[str]:
        return sorted(set(value))


class PanelInput(Unconditional):
    """Convene a panel: the organisations that sit on it (the case's own organisation may be one)."""

    organisation_ids: list[ShortText] = Field(max_length=20)

    @field_validator("organisation_ids")
    @classmethod
    def _some(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(
                N_("tick the organisations that sit on the panel: at least two, of different types")
            )
        return value


class RecusalInput(Unconditional):
    organisation_id: ShortText
    reason: NoteText


class ReconsiderationRequestInput(Unconditional):
    """She (through her caseworker or lawyer) asks for a decision to be looked at again."""

    decision_id: ShortText
    grounds: NoteText


class ReconsiderationDecisionInput(Unconditional):
    result: ReconsiderationResult
    reasons: NoteText


class ConfirmationInput(Unconditional):
    """A second organisation's answer to what a member of another proposed (GR38 §78: multi-agency):
    confirm it, and it takes effect; or decline it, saying why, and the panel decides again."""

    confirm: bool
    reason: NoteText | None = Field(default=None, validate_default=True)

    @field_validator("reason")
    @classmethod
    def _a_decline_says_why(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("confirm") is False and not value:
            raise ValueError(N_("say why you decline the proposal"))
        return value


# -- dates ----------------------------------------------------------------------------------------------


def stage_deadline(start: dt.date, stage: Stage, holidays_of: Container[dt.date]) -> dt.date:
    """When a stage must be decided: its working days counted from ``start`` (the panel's convening for the
    first stage, the end of the recovery period for the final one)."""
    return add_working_days(start, stage.deadline_working_days, holidays_of)


def earliest_final(first_decided_on: dt.date, procedure: Procedure) -> dt.date:
    """No final decision before the recovery period after the first decision has run."""
    return first_decided_on + dt.timedelta(days=procedure.recovery_days)


def move_on_days(procedure: Procedure, minimum_reflection_days: int) -> int:
    """After a negative decision assistance goes on for the move-on period: the procedure's, and never less
    than the installation's reflection and recovery period."""
    return max(procedure.move_on_days, minimum_reflection_days)


def move_on_until(decided_on: dt.date, procedure: Procedure, minimum_reflection_days: int) -> dt.date:
    return decided_on + dt.timedelta(days=move_on_days(procedure, minimum_reflection_days))


def reconsideration_open_until(decided_on: dt.date, procedure: Procedure) -> dt.date:
    return decided_on + dt.timedelta(days=procedure.reconsideration_request_days)


def is_overdue(due_on: dt.date, today: dt.date) -> bool:
    return today > due_on
