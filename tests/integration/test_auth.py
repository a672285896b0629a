"""Log-in: the second factor is required, codes work once, sessions end, and lock-out cannot be used by an
attacker to keep a person out of her own account."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Literal

import pyotp
import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from opennrm.access import credentials
from opennrm.services import admin, auth
from opennrm.services.errors import Unauthenticated
from opennrm.store.tables import AuditEvent, LoginSession, RecoveryCode, User
from tests.conftest import Installation
from tests.support import PASSWORD, StaffUser, make_org, make_user


@pytest.fixture
def amina(inst: Installation) -> StaffUser:
    make_org(inst.db, "Safe Harbour")
    return make_user(inst.db, "amina", "Safe Harbour", "caseworker")


def previous_code(user: StaffUser) -> str:
    assert user.totp_secret
    totp = pyotp.TOTP(user.totp_secret)
    return totp.at(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=30))


def next_code(user: StaffUser) -> str:
    assert user.totp_secret
    totp = pyotp.TOTP(user.totp_secret)
    return totp.at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))


def wrong_code(user: StaffUser) -> str:
    right = {user.code(), previous_code(user), next_code(user)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in right)


def guess_codes(inst: Installation, user: StaffUser, times: int) -> None:
    """Someone who has the password guesses the one-time code."""
    for _ in range(times):
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, user.username, PASSWORD, wrong_code(user))


def account(inst: Installation, username: str = "amina") -> tuple[int, dt.datetime | None]:
    with inst.db.transaction() as s:
        row = s.query(User).filter_by(username=username).one()
        locked = row.locked_until
        if locked is not None and locked.tzinfo is None:
            locked = locked.replace(tzinfo=dt.UTC)
        return row.failed_logins, locked


def let_the_back_off_pass(inst: Installation, username: str = "amina") -> None:
    """Stand in for waiting: move the end of the back-off into the past."""
    with inst.db.transaction() as s:
        row = s.query(User).filter_by(username=username).one()
        row.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)


def test_a_code_is_accepted_once(inst: Installation, amina: StaffUser) -> None:
    code = amina.code()
    auth.log_in(inst.db, "amina", PASSWORD, code)
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "amina", PASSWORD, code)


def test_the_back_off_grows_from_seconds_to_hours() -> None:
    waits = [auth.backoff(n) for n in range(1, 20)]
    assert all(w == dt.timedelta(0) for w in waits[: auth.FREE_FAILURES])
    assert waits[auth.FREE_FAILURES] == auth.FIRST_DELAY
    growing = waits[auth.FREE_FAILURES :]
    assert all(b == min(2 * a, auth.LONGEST_DELAY) for a, b in itertools.pairwise(growing))
    assert waits[-1] == auth.LONGEST_DELAY >= dt.timedelta(hours=1)


def test_wrong_codes_with_the_right_password_are_counted_and_back_off(
    inst: Installation, amina: StaffUser
) -> None:
    guess_codes(inst, amina, auth.FREE_FAILURES)
    assert account(inst) == (auth.FREE_FAILURES, None)  # slips of the finger cost nothing
    guess_codes(inst, amina, 1)
    failures, locked = account(inst)
    assert failures == auth.FREE_FAILURES + 1
    assert locked is not None and locked > dt.datetime.now(dt.UTC)


def test_during_the_back_off_no_attempt_is_examined_not_even_the_right_one(
    inst: Installation, amina: StaffUser
) -> None:
    guess_codes(inst, amina, auth.FREE_FAILURES + 1)
    before = account(inst)
    with pytest.raises(Unauthenticated) as refused:
        auth.log_in(inst.db, "amina", PASSWORD, amina.code())  # right password, right code: refused
    with pytest.raises(Unauthenticated) as wrong:
        auth.log_in(inst.db, "amina", "wrong password!", wrong_code(amina))
    assert refused.value.message == wrong.value.message  # the back-off cannot be seen from outside
    assert account(inst) == before  # nor moved by attempts it does not examine
    let_the_back_off_pass(inst)
    assert auth.log_in(inst.db, "amina", PASSWORD, amina.code())
    assert account(inst) == (0, None)


def test_each_further_failure_doubles_the_wait(inst: Installation, amina: StaffUser) -> None:
    guess_codes(inst, amina, auth.FREE_FAILURES + 1)
    waits = []
    for _ in range(4):
        let_the_back_off_pass(inst)
        started = dt.datetime.now(dt.UTC)
        guess_codes(inst, amina, 1)
        _, locked = account(inst)
        assert locked is not None
        waits.append((locked - started).total_seconds())
    assert [round(w / waits[0]) for w in waits] == [1, 2, 4, 8]


def test_a_valid_code_with_wrong_passwords_is_counted_too(inst: Installation, amina: StaffUser) -> None:
    """Someone who holds her phone guesses her password."""
    for _ in range(auth.FREE_FAILURES + 1):
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, "amina", "wrong password!", amina.code())
    failures, locked = account(inst)
    assert failures == auth.FREE_FAILURES + 1 and locked is not None


def test_an_attacker_without_the_password_cannot_lock_the_owner_out(
    inst: Installation, amina: StaffUser
) -> None:
    for _ in range(3 * (auth.FREE_FAILURES + 1)):
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, "amina", "wrong password!", wrong_code(amina))
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, "amina", "wrong password!", None)
    assert account(inst) == (0, None)
    assert auth.log_in(inst.db, "amina", PASSWORD, amina.code())


def test_roles_without_a_second_factor_are_simply_locked(inst: Installation) -> None:
    make_org(inst.db, "Border Agency", "immigration_service")
    make_user(inst.db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True)
    for _ in range(auth.FREE_FAILURES + 1):
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, "liaison", "wrong password!", None)
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "liaison", PASSWORD, None)


class CountingHasher(PasswordHasher):
    """argon2id at the cheapest settings, counting every verification."""

    calls = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        CountingHasher.calls += 1
        return super().verify(hash, password)


@pytest.fixture
def counting_hasher() -> Iterator[type[CountingHasher]]:
    previous = credentials.current_hasher()
    credentials.use_hasher(CountingHasher.from_parameters(CHEAPEST))
    yield CountingHasher
    credentials.use_hasher(previous)


def test_every_path_does_the_same_hashing(inst: Installation, counting_hasher: type[CountingHasher]) -> None:
    """A name that does not exist, a wrong password, a wrong code, an account backing off or switched
    off: each attempt hashes as often as any other with a code of the same shape, so its time tells
    nothing (the request log does not record durations either)."""
    make_org(inst.db, "Safe Harbour")
    new = admin.add_user(inst.db, "joy", "Safe Harbour", "caseworker", PASSWORD)
    make_user(inst.db, "off", "Safe Harbour", "caseworker")
    with inst.db.transaction() as session:
        session.query(User).filter_by(username="off").one().active = False
    assert new.totp_secret
    right = pyotp.TOTP(new.totp_secret).now()
    recovery = new.recovery_codes[0]
    attempts = {
        "unknown name": ("nobody", PASSWORD),
        "wrong password": ("joy", "wrong password!"),
        "right password": ("joy", PASSWORD),
        "switched off": ("off", PASSWORD),
    }
    for code in ("000000", right, "AAAA-BBBB-CCCC-DDDD", recovery):
        counts = {}
        for what, (name, password) in attempts.items():
            counting_hasher.calls = 0
            with contextlib.suppress(Unauthenticated):
                auth.log_in(inst.db, name, password, code)
            counts[what] = counting_hasher.calls
        assert len(set(counts.values())) == 1, (code, counts)
    guess_codes_for(inst, "joy", auth.FREE_FAILURES + 1)
    for code in ("000000", "AAAA-BBBB-CCCC-DDDD"):
        counting_hasher.calls = 0
        with contextlib.suppress(Unauthenticated):
            auth.log_in(inst.db, "joy", PASSWORD, code)
        backing_off = counting_hasher.calls
        counting_hasher.calls = 0
        with contextlib.suppress(Unauthenticated):
            auth.log_in(inst.db, "nobody", PASSWORD, code)
        assert backing_off == counting_hasher.calls


def guess_codes_for(inst: Installation, username: str, times: int) -> None:
    for _ in range(times):
        with contextlib.suppress(Unauthenticated):
            auth.log_in(inst.db, username, PASSWORD, "000000")


def test_unknown_users_get_the_same_answer(inst: Installation, amina: StaffUser) -> None:
    with pytest.raises(Unauthenticated) as unknown:
        auth.log_in(inst.db, "nobody", PASSWORD, "123456")
    with pytest.raises(Unauthenticated) as wrong:
        auth.log_in(inst.db, "amina", "wrong password!", amina.code())
    assert unknown.value.message == wrong.value.message


def test_a_session_in_use_stays_open_and_is_written_at_most_every_granule(
    inst: Installation, amina: StaffUser
) -> None:
    """Activity keeps a session open past the idle time-out; a request soon after the last write only
    reads (auth.SEEN_GRANULARITY), so most requests commit nothing to disk."""
    token = auth.log_in(inst.db, "amina", PASSWORD, amina.code())
    idle = dt.timedelta(minutes=inst.settings.session_idle_minutes)

    def seen(ago: dt.timedelta | None = None) -> dt.datetime:
        with inst.db.transaction() as s:
            row = s.query(LoginSession).one()
            if ago is not None:
                row.last_seen_at = dt.datetime.now(dt.UTC) - ago
            return row.last_seen_at

    recent = seen(auth.SEEN_GRANULARITY / 3)
    auth.resolve(inst.db, inst.settings, token)
    assert seen() == recent  # within the granule: read only
    seen(idle - dt.timedelta(seconds=5))
    auth.resolve(inst.db, inst.settings, token)  # nearly idle, then active again
    assert dt.datetime.now(dt.UTC) - seen() < auth.SEEN_GRANULARITY
    seen(idle - dt.timedelta(seconds=5))
    assert auth.resolve(inst.db, inst.settings, token).username == "amina"


def test_sessions_end_after_idle_and_absolute_time_outs(inst: Installation, amina: StaffUser) -> None:
    token = auth.log_in(inst.db, "amina", PASSWORD, amina.code())
    assert auth.resolve(inst.db, inst.settings, token).username == "amina"
    with inst.db.transaction() as s:
        row = s.query(LoginSession).one()
        row.last_seen_at = dt.datetime.now(dt.UTC) - dt.timedelta(
            minutes=inst.settings.session_idle_minutes + 1
        )
    with pytest.raises(Unauthenticated):
        auth.resolve(inst.db, inst.settings, token)
    token = auth.log_in(inst.db, "amina", PASSWORD, next_code(amina))
    strict = dataclasses.replace(inst.settings, session_absolute_hours=0)
    with pytest.raises(Unauthenticated):
        auth.resolve(inst.db, strict, token)
    with pytest.raises(Unauthenticated):
        auth.resolve(inst.db, inst.settings, token)  # the expired session was removed


def test_log_out_ends_the_session(inst: Installation, amina: StaffUser) -> None:
    token = auth.log_in(inst.db, "amina", PASSWORD, amina.code())
    auth.log_out(inst.db, token)
    with pytest.raises(Unauthenticated):
        auth.resolve(inst.db, inst.settings, token)


def test_a_recovery_code_stands_in_for_the_one_time_code_once(inst: Installation) -> None:
    make_org(inst.db, "Safe Harbour")
    new = admin.add_user(inst.db, "joy", "Safe Harbour", "caseworker", PASSWORD)
    assert len(new.recovery_codes) == 10 and len(set(new.recovery_codes)) == 10
    code = new.recovery_codes[3].lower().replace("-", " ")  # however she types it
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "joy", "wrong password!", code)  # needs the password too
    assert auth.log_in(inst.db, "joy", PASSWORD, code)
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "joy", PASSWORD, code)  # used up
    with inst.db.transaction() as s:
        stored = [r.code_hash for r in s.query(RecoveryCode).all()]
    assert all(h.startswith("$argon2id$") for h in stored)
    assert not any(c.replace("-", "") in h for h in stored for c in new.recovery_codes)


def test_a_password_reset_never_bypasses_the_second_factor(inst: Installation, amina: StaffUser) -> None:
    token = auth.log_in(inst.db, "amina", PASSWORD, amina.code())
    admin.reset_password(inst.db, "amina", "a brand new passphrase")
    with pytest.raises(Unauthenticated):
        auth.resolve(inst.db, inst.settings, token)  # sessions ended
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "amina", "a brand new passphrase", None)
    assert auth.log_in(inst.db, "amina", "a brand new passphrase", next_code(amina))


def test_resetting_the_second_factor_retires_the_old_one(inst: Installation, amina: StaffUser) -> None:
    fresh = admin.reset_second_factor(inst.db, "amina")
    assert fresh.totp_secret and fresh.totp_secret != amina.totp_secret
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "amina", PASSWORD, amina.code())
    assert auth.log_in(inst.db, "amina", PASSWORD, pyotp.TOTP(fresh.totp_secret).now())
    with inst.db.transaction() as s:
        actions = [e.action for e in s.query(AuditEvent).all()]
    assert "user.second_factor_reset" in actions
