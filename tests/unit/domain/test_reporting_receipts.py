"""Receipts of anonymous reports (issue 15): at least 80 bits, digit groups with a check digit, any script's
digits accepted; stored only as Argon2id (64 MiB, t=3) with a pepper; a wrong receipt costs the same work as
a right one."""

from __future__ import annotations

import base64
import math
import statistics
import time
from collections import Counter

import pytest
from argon2.low_level import Type, hash_secret_raw

from opennrm.domain.reporting import (
    RECEIPT_BITS,
    RECEIPT_LENGTH,
    format_receipt,
    new_receipt,
    normalise_receipt,
)
from opennrm.services import reporting


def test_length_and_alphabet_give_at_least_80_bits() -> None:
    receipts = [new_receipt() for _ in range(2000)]
    digits = [normalise_receipt(r) for r in receipts]
    assert all(d is not None and len(d) == RECEIPT_LENGTH for d in digits)
    # the random part: 27 decimal digits; the last digit is the check digit and adds nothing
    assert pytest.approx(27 * math.log2(10)) == RECEIPT_BITS and RECEIPT_BITS >= 80
    assert all(set(r) <= set("0123456789 ") for r in receipts)
    assert all([len(g) for g in r.split(" ")] == [4] * 7 for r in receipts)
    assert len(set(receipts)) == len(receipts)
    # every digit of the random part is used about equally (a gross bias would fail)
    counts = Counter(ch for d in digits for ch in (d or "")[:-1])
    expected = sum(counts.values()) / 10
    chi2 = sum((counts[str(k)] - expected) ** 2 / expected for k in range(10))
    assert chi2 < 40  # 9 degrees of freedom: p < 1e-5 beyond this


def test_check_digit_catches_a_typo_and_a_swap() -> None:
    digits = normalise_receipt(new_receipt())
    assert digits is not None
    typo = digits[:5] + str((int(digits[5]) + 1) % 10) + digits[6:]
    assert normalise_receipt(typo) is None
    if digits[3] != digits[4]:
        assert normalise_receipt(digits[:3] + digits[4] + digits[3] + digits[5:]) is None
    assert normalise_receipt(digits[:-1]) is None
    assert normalise_receipt(digits + "0") is None
    assert normalise_receipt("abcd") is None


def test_any_script_of_digits_and_separators() -> None:
    digits = normalise_receipt(new_receipt())
    assert digits is not None
    arabic_indic = digits.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    persian = digits.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    full_width = digits.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for typed in (
        arabic_indic,
        persian,
        full_width,
        format_receipt(digits),
        format_receipt(digits).replace(" ", "-"),
        format_receipt(arabic_indic),
        " " + format_receipt(digits) + " ",
    ):
        assert normalise_receipt(typed) == digits, typed


def test_stored_hash_is_argon2id_with_the_stated_parameters() -> None:
    production = reporting.PRODUCTION_HASHING
    assert production.memory_kib >= 64 * 1024 and production.time_cost >= 3
    pepper = reporting.Pepper(bytes(range(32)))
    digits = normalise_receipt(new_receipt())
    assert digits is not None
    stored = reporting.receipt_hash(pepper, digits, production)
    assert stored.startswith(f"$argon2id$v=19$m={production.memory_kib},t={production.time_cost},p=1$")
    # it is what Argon2id computes over the peppered receipt, and nothing of the receipt shows
    import hashlib
    import hmac

    password = hmac.new(pepper.secret, b"receipt\x00" + digits.encode(), hashlib.sha256).digest()
    salt = hmac.new(pepper.secret, b"receipt-salt", hashlib.sha256).digest()[:16]
    raw = hash_secret_raw(password, salt, 3, production.memory_kib, 1, 32, Type.ID)
    assert stored.rsplit("$", 1)[1] == base64.b64encode(raw).decode().rstrip("=")
    assert digits not in stored
    # another pepper, another hash: a copy of the database without the pepper file is no help
    assert reporting.receipt_hash(reporting.Pepper(bytes(32)), digits, production) != stored


def test_a_wrong_receipt_costs_the_same_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same Argon2id work for a right, a wrong and a malformed receipt (timed with the production
    parameters; medians within noise)."""
    monkeypatch.setattr(reporting, "_hashing", reporting.PRODUCTION_HASHING)
    pepper = reporting.Pepper(bytes(range(32)))
    right = new_receipt()
    wrong = new_receipt()

    def timed(receipt: str) -> float:
        start = time.perf_counter()
        reporting._lookup_hash(pepper, receipt)
        return time.perf_counter() - start

    samples: dict[str, list[float]] = {"right": [], "wrong": [], "malformed": []}
    for _ in range(3):
        for name, receipt in (("right", right), ("wrong", wrong), ("malformed", "12")):
            samples[name].append(timed(receipt))
    medians = {k: statistics.median(v) for k, v in samples.items()}
    assert min(medians.values()) > 0.02  # the work is really done (64 MiB Argon2id)
    assert max(medians.values()) / min(medians.values()) < 1.5, medians


def test_pepper_file_is_private_and_outside_the_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "reporting.pepper"
    first = reporting.Pepper.load(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert reporting.Pepper.load(path) == first
    path.chmod(0o644)
    with pytest.raises(reporting.Unavailable):
        reporting.Pepper.load(path)
