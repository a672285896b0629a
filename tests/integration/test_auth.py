"""Log-in: the second factor is required, codes work once, sessions end, and lock-out cannot be used by an
attacker to keep a person out of her own account."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pyotp
import pytest

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


def fail_five_times(inst: Installation) -> None:
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, "amina", "wrong password!", "000000")


def test_a_code_is_accepted_once(inst: Installation, amina: StaffUser) -> None:
    code = amina.code()
    auth.log_in(inst.db, "amina", PASSWORD, code)
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "amina", PASSWORD, code)


def test_after_repeated_failures_the_account_is_locked_against_guessing(
    inst: Installation, amina: StaffUser
) -> None:
    fail_five_times(inst)
    with inst.db.transaction() as s:
        assert s.query(User).filter_by(username="amina").one().locked_until is not None
    with pytest.raises(Unauthenticated):  # right password, no code: refused while locked
        auth.log_in(inst.db, "amina", PASSWORD, None)
    with pytest.raises(Unauthenticated):  # right password, wrong code: refused
        auth.log_in(inst.db, "amina", PASSWORD, "123456" if amina.code() != "123456" else "654321")


def test_an_attacker_cannot_lock_the_owner_out(inst: Installation, amina: StaffUser) -> None:
    fail_five_times(inst)
    assert auth.log_in(inst.db, "amina", PASSWORD, previous_code(amina))


def test_roles_without_a_second_factor_are_simply_locked(inst: Installation) -> None:
    make_org(inst.db, "Border Agency", "immigration_service")
    make_user(inst.db, "liaison", "Border Agency", "enforcement_liaison", enforcement=True)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(Unauthenticated):
            auth.log_in(inst.db, "liaison", "wrong password!", None)
    with pytest.raises(Unauthenticated):
        auth.log_in(inst.db, "liaison", PASSWORD, None)


def test_unknown_users_get_the_same_answer(inst: Installation, amina: StaffUser) -> None:
    with pytest.raises(Unauthenticated) as unknown:
        auth.log_in(inst.db, "nobody", PASSWORD, "123456")
    with pytest.raises(Unauthenticated) as wrong:
        auth.log_in(inst.db, "amina", "wrong password!", amina.code())
    assert unknown.value.message == wrong.value.message


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
