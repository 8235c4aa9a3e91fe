"""PIN safety as DigiDoc does it: flags read first, nothing sent that could cost a try needlessly."""

from __future__ import annotations

import pytest

from tests.support.fake_pkcs11 import (
    CKF_LOGIN_REQUIRED,
    CKF_PROTECTED_AUTHENTICATION_PATH,
    CKF_TOKEN_INITIALIZED,
    CKF_USER_PIN_FINAL_TRY,
    CKF_USER_PIN_LOCKED,
    FakeLibrary,
    FakeToken,
    fake_module,
)
from tests.support.signing import FixedPin
from tokens import PinStatus, TokenError, TokenErrorCode, TokenSession, load_module

BASE = CKF_TOKEN_INITIALIZED | CKF_LOGIN_REQUIRED


def _open(module, prompter, label="VGCA Token", issuer=""):
    return TokenSession.open(module=module, prompter=prompter, token_label=label, issuer=issuer)


def test_locked_token_is_never_asked_and_says_who_unlocks_it():
    token = FakeToken("VGCA Token", "123456", flags=BASE | CKF_USER_PIN_LOCKED)
    prompter = FixedPin("123456")
    with pytest.raises(TokenError) as caught:
        _open(fake_module(FakeLibrary(token)), prompter, issuer="Ban Cơ yếu Chính phủ")
    assert caught.value.code is TokenErrorCode.PIN_LOCKED
    assert caught.value.params["issuer"] == "Ban Cơ yếu Chính phủ"
    assert prompter.requests == [] and token.logins == []


def test_final_try_needs_explicit_confirmation():
    token = FakeToken("VGCA Token", "123456", flags=BASE | CKF_USER_PIN_FINAL_TRY)
    unconfirmed = FixedPin("123456", confirm_final_try=False)
    with pytest.raises(TokenError) as caught:
        _open(fake_module(FakeLibrary(token)), unconfirmed)
    assert caught.value.code is TokenErrorCode.PIN_FINAL_TRY_NOT_CONFIRMED
    assert unconfirmed.requests[0].status is PinStatus.FINAL_TRY
    assert token.logins == []  # nothing was sent
    confirmed = FixedPin("123456", confirm_final_try=True)
    _open(fake_module(FakeLibrary(token)), confirmed).close()
    assert token.logins == ["123456"]


def test_wrong_pins_are_never_retried_and_each_reports_the_new_state():
    token = FakeToken("VGCA Token", "123456")
    module = fake_module(FakeLibrary(token))
    statuses = []
    for _ in range(2):
        with pytest.raises(TokenError) as caught:
            _open(module, FixedPin("999999", confirm_final_try=True))
        statuses.append(caught.value.params["status"])
    assert statuses == ["count_low", "final_try"]
    assert token.logins == ["999999", "999999"]  # exactly one C_Login per answer
    prompter = FixedPin("999999", confirm_final_try=True)
    with pytest.raises(TokenError) as last:
        _open(module, prompter)
    assert prompter.requests[0].status is PinStatus.FINAL_TRY  # said before asking
    assert last.value.code is TokenErrorCode.PIN_LOCKED
    with pytest.raises(TokenError) as after:
        _open(module, FixedPin("123456"))
    assert after.value.code is TokenErrorCode.PIN_LOCKED
    assert len(token.logins) == 3


def test_pin_pad_reader_gets_no_pin_field():
    token = FakeToken("VGCA Token", "123456", flags=BASE | CKF_PROTECTED_AUTHENTICATION_PATH)
    prompter = FixedPin("ignored")
    _open(fake_module(FakeLibrary(token)), prompter).close()
    assert prompter.requests[0].pin_pad
    assert token.logins == [None]  # C_Login with no PIN: the user types on the reader


def test_pin_length_limits_are_enforced_before_sending(hsm):
    module = load_module(hsm.module)
    prompter = FixedPin("12")  # SoftHSM accepts 4 to 255 characters
    with pytest.raises(TokenError) as caught:
        TokenSession.open(module=module, prompter=prompter, token_label="KYSO-RSA")
    assert caught.value.code is TokenErrorCode.PIN_LENGTH
    assert caught.value.params == {"min": "4", "max": "255"}
    assert (prompter.requests[0].min_length, prompter.requests[0].max_length) == (4, 255)
    again = FixedPin(hsm.pin)
    TokenSession.open(module=module, prompter=again, token_label="KYSO-RSA").close()
    assert again.requests[0].status is PinStatus.OK  # the short PIN never reached the token


def test_second_session_on_a_busy_token_is_refused(hsm):
    module = load_module(hsm.module)
    with TokenSession.open(module=module, prompter=FixedPin(hsm.pin), token_label="KYSO-EC"):
        with pytest.raises(TokenError) as caught:
            TokenSession.open(module=module, prompter=FixedPin(hsm.pin), token_label="KYSO-EC")
        assert caught.value.code is TokenErrorCode.TOKEN_BUSY
    TokenSession.open(module=module, prompter=FixedPin(hsm.pin), token_label="KYSO-EC").close()
