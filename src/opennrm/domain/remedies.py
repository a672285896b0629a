"""Remedies (CEDAW GR38 §101, §108): compensation and back-wage claims of a woman or girl who was trafficked.

§101 asks States to ensure access to remedies, including compensation, through criminal, civil, labour and
administrative routes, and to set up a State compensation fund where the trafficker cannot or does not pay.
§108 asks that confiscated proceeds be used to compensate victims. So a claim records:

- the route (criminal, civil, labour, administrative), what is claimed (compensation, back wages) and who is
  to pay (a State fund, the trafficker, the employer, someone else);
- the amount claimed, awarded and paid (possibly in several payments), in one ISO 4217 currency, always as
  integer minor units (cents, fils, yen): never a float;
- where it stands (``ClaimStatus``) and the dates.

**No claim depends on assets being confiscated.** No field of a claim, an award or a payment says anything
about confiscation, and no rule here reads one: a claim can be filed, awarded and paid in full whether or not
anything was ever confiscated. Confiscated proceeds that a court or an authority allocates to her are a
separate record (``AllocationIn``) shown beside the claim; an allocation never changes the claim's status.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationInfo, field_validator

from opennrm.domain.records import LongText, ShortText, Strict, _check_date
from opennrm.domain.text import N_

NoteText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
#: The largest amount in minor units (a bound for the store's 64-bit integers, far above any award).
MAX_MINOR = 10**15


class RemedyRoute(StrEnum):
    """Through which proceedings she claims (§101)."""

    CRIMINAL = "criminal"
    """Compensation ordered in criminal proceedings against the trafficker."""
    CIVIL = "civil"
    LABOUR = "labour"
    """A labour court or tribunal, a labour inspectorate's wage claim."""
    ADMINISTRATIVE = "administrative"
    """A State compensation scheme or fund, decided by an administrative body."""


class ClaimKind(StrEnum):
    COMPENSATION = "compensation"
    BACK_WAGES = "back_wages"


class Payer(StrEnum):
    """Who is to pay (or paid)."""

    STATE_FUND = "state_fund"
    TRAFFICKER = "trafficker"
    EMPLOYER = "employer"
    OTHER = "other"


class ClaimStatus(StrEnum):
    PLANNED = "planned"
    FILED = "filed"
    AWARDED = "awarded"
    REFUSED = "refused"
    APPEALED = "appealed"
    PAID_IN_PART = "paid_in_part"
    PAID = "paid"
    WITHDRAWN = "withdrawn"


#: Statuses set by hand (awarded and paid follow from recording an award or a payment).
MANUAL_STATUSES = frozenset(
    {ClaimStatus.PLANNED, ClaimStatus.FILED, ClaimStatus.REFUSED, ClaimStatus.APPEALED, ClaimStatus.WITHDRAWN}
)
#: A claim in one of these is over: nothing more is recorded on it.
CLOSED_STATUSES = frozenset({ClaimStatus.PAID, ClaimStatus.WITHDRAWN})
#: Withdrawing cannot be undone: the pages ask first.
IRREVERSIBLE = frozenset({ClaimStatus.WITHDRAWN})

# ISO 4217 codes that are not money one is paid in (funds, precious metals, testing, "no currency").
_NOT_PAYABLE = frozenset(
    {"XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX", "BOV"}
    | {"CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"}
)
_CODE = re.compile(r"^[A-Z]{3}$")


@cache
def _currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(c for c in list_currencies() if _CODE.match(c) and c not in _NOT_PAYABLE)


def currency_code(value: str) -> str:
    """An ISO 4217 currency code, upper case; ``ValueError`` for anything else."""
    code = value.strip().upper()
    if not _CODE.match(code) or code not in _currencies():
        raise ValueError(N_("%(code)s is not an ISO 4217 currency code") % {"code": repr(value)})
    return code


def minor_digits(currency: str) -> int:
    """How many digits after the decimal point the currency has (ISO 4217: 2 for EUR, 0 for JPY, 3 for
    KWD)."""
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` (major units) in integer minor units; ``ValueError`` when it has more decimals than the
    currency, is not positive or is absurdly large."""
    digits = minor_digits(currency)
    if not amount.is_finite() or amount <= 0:
        raise ValueError(N_("the amount must be more than 0"))
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise ValueError(
            N_("%(currency)s has %(digits)s decimal place(s)") % {"currency": currency, "digits": digits}
        )
    minor = int(amount.scaleb(digits))
    if minor > MAX_MINOR:
        raise ValueError(N_("the amount is too large"))
    return minor


def format_minor(minor: int, currency: str) -> str:
    """Minor units as a plain decimal text in major units (``123456, "EUR"`` → ``"1234.56"``)."""
    digits = minor_digits(currency)
    return str(Decimal(minor).scaleb(-digits).quantize(Decimal(1).scaleb(-digits)))


def _fits(value: Decimal, info: ValidationInfo) -> Decimal:
    """The amount is valid in the currency given before it (skipped when the currency is itself wrong)."""
    currency = info.data.get("currency")
    if currency is not None:
        to_minor(value, currency)
    return value


#: An amount as people type it: digits, a comma only between thousands, a point before the cents ("1250.50",
#: "1,250.50"). A decimal comma ("1,5", "1.250,50") is refused rather than guessed: read as a thousands
#: separator it would turn 1.5 into 15.
AMOUNT_TEXT = re.compile(r"[+-]?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?")


def parse_amount(text: str) -> Decimal | None:
    """The amount ``text`` says (``"1,250.50"`` → 1250.50), or ``None`` when it is not written that way."""
    cleaned = text.strip()
    if not AMOUNT_TEXT.fullmatch(cleaned):
        return None
    try:
        return Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        return None


def _amount(value: Any) -> Any:
    """Amounts arrive as text ("1250.50") or integers, never as floats (binary fractions lose cents)."""
    if isinstance(value, float):
        raise ValueError(N_("give the amount as text or an integer, not a floating-point number"))
    if isinstance(value, str):
        parsed = parse_amount(value)
        if parsed is None:
            raise ValueError(N_("the amount is not a number"))
        return parsed
    return value


class _Money(Strict):
    """An amount in a currency; ``minor`` is the amount in integer minor units."""

    currency: str = Field(description="ISO 4217 code, e.g. EUR, USD, JPY")

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return currency_code(value)


class RemedyClaimIn(_Money):
    """A claim as her caseworker or her lawyer records it. No field about confiscation exists (see the
    module docstring): nothing about the trafficker's assets is an input to her claim."""

    route: RemedyRoute
    kind: ClaimKind = ClaimKind.COMPENSATION
    payer: Payer
    amount_claimed: Decimal = Field(description='In major units, as text: "1250.50"')
    status: ClaimStatus = ClaimStatus.PLANNED
    filed_on: dt.date | None = Field(default=None, validate_default=True)
    notes: NoteText | None = Field(default=None, description="Encrypted")

    _amount_in = field_validator("amount_claimed", mode="before")(_amount)

    @field_validator("amount_claimed")
    @classmethod
    def _amount_fits(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        return _fits(value, info)

    @field_validator("status")
    @classmethod
    def _new(cls, value: ClaimStatus) -> ClaimStatus:
        if value not in {ClaimStatus.PLANNED, ClaimStatus.FILED}:
            raise ValueError(N_("a new claim is planned or filed; record an award or a payment on it"))
        return value

    @field_validator("filed_on")
    @classmethod
    def _date(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        if value is None and info.data.get("status") is ClaimStatus.FILED:
            raise ValueError(N_("give the day the claim was filed"))
        return _check_date(value)

    @property
    def claimed_minor(self) -> int:
        return to_minor(self.amount_claimed, self.currency)


class AwardIn(Strict):
    """What was awarded (in the claim's currency) and when."""

    amount_awarded: Decimal
    awarded_on: dt.date
    payer: Payer | None = Field(default=None, description="Who was ordered to pay, when it changed")

    _amount_in = field_validator("amount_awarded", mode="before")(_amount)

    @field_validator("awarded_on")
    @classmethod
    def _date(cls, value: dt.date) -> dt.date:
        checked = _check_date(value)
        assert checked is not None  # noqa: S101 - a date in, a date out
        return checked


class PaymentIn(Strict):
    """One payment she received on the claim, in the claim's currency."""

    amount_paid: Decimal
    paid_on: dt.date
    payer: Payer

    _amount_in = field_validator("amount_paid", mode="before")(_amount)

    @field_validator("paid_on")
    @classmethod
    def _date(cls, value: dt.date) -> dt.date:
        checked = _check_date(value)
        assert checked is not None  # noqa: S101
        return checked


class StatusIn(Strict):
    """A change of where the claim stands (planned, filed, refused, appealed, withdrawn)."""

    status: ClaimStatus
    on: dt.date | None = Field(default=None, description="The day it happened (filed on, refused on …)")
    notes: NoteText | None = Field(default=None, description="Encrypted; replaces the notes when given")

    @field_validator("status")
    @classmethod
    def _manual(cls, value: ClaimStatus) -> ClaimStatus:
        if value not in MANUAL_STATUSES:
            raise ValueError(N_("record an award or a payment to make a claim awarded or paid"))
        return value

    @field_validator("on")
    @classmethod
    def _date(cls, value: dt.date | None) -> dt.date | None:
        return _check_date(value)


class AllocationIn(_Money):
    """Confiscated proceeds allocated to her (§108), as the finance module records them: an amount, its
    currency, where it comes from (encrypted) and the day it was allocated. Shown on her claim; it changes
    nothing about the claim."""

    amount: Decimal
    source: LongText = Field(description="The confiscation order or fund it comes from (encrypted)")
    allocated_on: dt.date

    _amount_in = field_validator("amount", mode="before")(_amount)

    @field_validator("allocated_on")
    @classmethod
    def _date(cls, value: dt.date) -> dt.date:
        checked = _check_date(value)
        assert checked is not None  # noqa: S101
        return checked

    @field_validator("amount")
    @classmethod
    def _amount_fits(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        return _fits(value, info)

    @property
    def minor(self) -> int:
        return to_minor(self.amount, self.currency)


# -- the rules ----------------------------------------------------------------------------------------


class RemedyRuleError(ValueError):
    """A change the claim's state does not allow; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_open(status: str) -> None:
    if status in CLOSED_STATUSES:
        raise RemedyRuleError(f"the claim is {status}: nothing more is recorded on it", "status")


def check_status_change(current: str, new: ClaimStatus) -> None:
    """A claim that is paid or withdrawn is over; an appeal follows an award or a refusal."""
    check_open(current)
    if new is ClaimStatus.APPEALED and current not in {
        ClaimStatus.AWARDED,
        ClaimStatus.REFUSED,
        ClaimStatus.PAID_IN_PART,
    }:
        raise RemedyRuleError("an appeal follows an award or a refusal", "status")


def award_minor(award: AwardIn, currency: str) -> int:
    try:
        return to_minor(award.amount_awarded, currency)
    except ValueError as exc:
        raise RemedyRuleError(str(exc), "amount_awarded") from None


def check_award(status: str) -> None:
    check_open(status)
    if status == ClaimStatus.PLANNED:
        raise RemedyRuleError("the claim was never filed: mark it filed first", "status")


def payment_minor(payment: PaymentIn, currency: str) -> int:
    try:
        return to_minor(payment.amount_paid, currency)
    except ValueError as exc:
        raise RemedyRuleError(str(exc), "amount_paid") from None


def check_payment(status: str, awarded_minor: int | None) -> None:
    """A payment is recorded on an award (a State fund's advance is an award of the fund, route
    administrative)."""
    check_open(status)
    if awarded_minor is None:
        raise RemedyRuleError("record the award before a payment on it", "amount_paid")


def check_allocation(
    status: str, claim_currency: str, currency: str, allocated_minor: int, amount_minor: int, owed_minor: int
) -> None:
    """Confiscated proceeds go to a claim that is not withdrawn, in its currency, and never beyond what she
    claimed or, once awarded, was awarded (``owed_minor``) — so one claim cannot take what other victims are
    owed (GR38 §108). A paid claim may still receive proceeds up to that amount (a State fund that advanced
    the award is then repaid from them)."""
    if status == ClaimStatus.WITHDRAWN:
        raise RemedyRuleError(N_("The claim is withdrawn: no proceeds are allocated to it."), "status")
    if currency != claim_currency:
        raise RemedyRuleError(
            N_("These proceeds are in %(currency)s and her claim in %(claim_currency)s.")
            % {"currency": currency, "claim_currency": claim_currency},
            "currency",
        )
    left = owed_minor - allocated_minor
    if amount_minor > left:
        raise RemedyRuleError(
            N_("At most %(left)s %(currency)s more can go to this claim (what she claimed or was awarded).")
            % {"left": format_minor(max(left, 0), claim_currency), "currency": claim_currency},
            "amount",
        )


def status_after_payment(awarded_minor: int, paid_minor: int) -> ClaimStatus:
    """Paid when what she received reaches what was awarded; paid in part before that."""
    return ClaimStatus.PAID if paid_minor >= awarded_minor else ClaimStatus.PAID_IN_PART


__all__ = [
    "AllocationIn",
    "AwardIn",
    "ClaimKind",
    "ClaimStatus",
    "Payer",
    "PaymentIn",
    "RemedyClaimIn",
    "RemedyRoute",
    "RemedyRuleError",
    "ShortText",
    "StatusIn",
]
