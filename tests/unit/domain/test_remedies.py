"""Remedy claims as data: money in integer minor units of an ISO 4217 currency, never floats; no field about
confiscation; the status rules."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from opennrm.domain.remedies import (
    ClaimStatus,
    RemedyClaimIn,
    RemedyRuleError,
    check_payment,
    check_status_change,
    format_minor,
    status_after_payment,
    to_minor,
)

CLAIM = {"route": "criminal", "payer": "trafficker", "currency": "eur", "amount_claimed": "100.10"}


def test_amounts_are_minor_units_of_the_currency() -> None:
    assert RemedyClaimIn.model_validate(CLAIM).claimed_minor == 10_010
    assert to_minor(Decimal("1500"), "JPY") == 1500 and to_minor(Decimal("1.005"), "BHD") == 1005
    assert format_minor(10_010, "EUR") == "100.10" and format_minor(7, "JPY") == "7"
    with pytest.raises(ValueError):
        to_minor(Decimal("1.5"), "JPY")


def test_floats_are_refused() -> None:
    with pytest.raises(ValidationError, match="not a floating-point number"):
        RemedyClaimIn.model_validate({**CLAIM, "amount_claimed": 100.1})


def test_a_claim_has_no_field_about_confiscation() -> None:
    names = " ".join(RemedyClaimIn.model_fields)
    assert "confisc" not in names and "asset" not in names and "seiz" not in names
    with pytest.raises(ValidationError):
        RemedyClaimIn.model_validate({**CLAIM, "assets_confiscated": False})


def test_status_rules() -> None:
    assert status_after_payment(1000, 999) is ClaimStatus.PAID_IN_PART
    assert status_after_payment(1000, 1000) is ClaimStatus.PAID
    with pytest.raises(RemedyRuleError):
        check_status_change("withdrawn", ClaimStatus.FILED)
    with pytest.raises(RemedyRuleError):
        check_status_change("filed", ClaimStatus.APPEALED)
    check_status_change("refused", ClaimStatus.APPEALED)
    with pytest.raises(RemedyRuleError):
        check_payment("filed", None)
