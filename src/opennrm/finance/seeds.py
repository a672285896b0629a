"""Seeds from identifiers: phones, e-mails, addresses or registration numbers (for example those the ad
scanner linked into an actor network) matched to accounts through the accounts file."""

from __future__ import annotations

import re

from opennrm.finance.ingest import Transactions

FIELDS = ("phone", "email", "address", "registration_number")


class SeedError(ValueError):
    """No accounts file, or no account matches."""


def _key(value: str) -> str:
    text = value.strip().lower()
    if re.fullmatch(r"[+\d][\d\s().-]{5,}", text):
        return re.sub(r"[^\d]", "", text)
    return re.sub(r"\s+", "", text)


def match_identifiers(transactions: Transactions, identifiers: list[str]) -> list[str]:
    acc = transactions.accounts_frame
    if acc is None:
        raise SeedError(
            "matching identifiers needs --accounts with phone, email, address or registration_number"
        )
    wanted = {_key(i) for i in identifiers if i.strip()}
    present = [f for f in FIELDS if f in acc.columns]
    if not present:
        raise SeedError("the accounts file has no phone, email, address or registration_number column")
    found: set[str] = set()
    for row in acc.select("account", *present).iter_rows():
        account, values = row[0], row[1:]
        if any(v is not None and _key(str(v)) in wanted for v in values):
            found.add(str(account))
    seen = set(transactions.accounts)
    matched = sorted(found & seen)
    if not matched:
        raise SeedError("no account in the transactions matches the identifiers given")
    return matched
