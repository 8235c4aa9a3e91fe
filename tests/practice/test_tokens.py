"""Practice tokens through kyso's real token code: listed like PKCS#11 tokens, the same PIN flags
before every prompt, locked after three wrong PINs, unlocked only with the trainer's PIN, plugged
in and pulled out — and a hand-edited PIN state reads as locked."""

from __future__ import annotations

import json

import pytest

from app.practice import PracticeSession, load_pack
from tests.support.signing import FixedPin
from tokens import PinStatus, TokenError, TokenSession
from tokens.listing import list_tokens
from tokens.practice_file import read_practice_token, unlock_practice_token
from tokens.slots import token_infos
from tokens.watch import TokenWatcher


@pytest.fixture
def session(pack_dir):
    pack = load_pack(pack_dir)
    opened = PracticeSession(pack, pack.trainee(7))
    yield opened
    opened.close()


def test_listed_like_a_pkcs11_token(session):
    (listing,) = list_tokens(session.rack.module())
    assert listing.info.label == "THỰC HÀNH 07" and listing.info.manufacturer == "kyso (THỰC HÀNH)"
    assert (listing.info.min_pin, listing.info.max_pin) == (4, 16)
    signer = next(c for c in listing.certificates if not c.is_ca)
    assert signer.subject.startswith("Common Name: ") and "(THỰC HÀNH)" in signer.subject
    assert signer.issuer_ca == "THỰC HÀNH — không có giá trị pháp lý" and len(signer.key_id) == 8
    assert signer.key_type == "ec" and signer.key_bits == 256
    assert {c.is_ca for c in listing.certificates} == {True, False}  # the chain travels with the key


def test_pin_flags_lock_and_the_trainers_unlock(session, made_pack):
    module, label = session.rack.module(), session.trainee.token_label
    wrong = FixedPin("9999", confirm_final_try=True)
    codes = []
    for _ in range(4):
        with pytest.raises(TokenError) as caught:
            TokenSession.open(module=module, prompter=wrong, token_label=label)
        codes.append((caught.value.code.value, caught.value.params.get("status")))
    assert codes == [("TOKEN_PIN_INCORRECT", "count_low"), ("TOKEN_PIN_INCORRECT", "final_try"),
                     ("TOKEN_PIN_LOCKED", None), ("TOKEN_PIN_LOCKED", None)]
    assert [r.status for r in wrong.requests] == [PinStatus.OK, PinStatus.COUNT_LOW, PinStatus.FINAL_TRY]
    path = session.rack.slot(session.trainee.token).path
    with pytest.raises(TokenError, match="TOKEN_SO_PIN_INCORRECT"):
        unlock_practice_token(path, so_pin=session.trainee.pin)  # the trainee's own PIN does not unlock it
    unlock_practice_token(path, so_pin=made_pack.trainer_pin)
    with TokenSession.open(module=module, prompter=FixedPin(session.trainee.pin), token_label=label) as opened:
        assert opened.key().key_type == "ec"


def test_a_pin_of_the_wrong_length_costs_no_try(session):
    with pytest.raises(TokenError, match="TOKEN_PIN_LENGTH"):
        TokenSession.open(module=session.rack.module(), prompter=FixedPin("12"))
    assert read_practice_token(session.rack.slot(session.trainee.token).path).tries_left == 3


def test_a_hand_edited_pin_state_reads_as_locked(session, made_pack):
    path = session.rack.slot(session.trainee.token).path
    session.rack.module()
    with pytest.raises(TokenError):
        TokenSession.open(module=session.rack.module(), prompter=FixedPin("9999"))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["state"].update(tries_left=3, count_low=False)  # "resetting" the counter in an editor
    path.write_text(json.dumps(data), encoding="utf-8")
    assert token_infos(session.rack.module())[0].pin_status is PinStatus.LOCKED
    unlock_practice_token(path, so_pin=made_pack.trainer_pin)
    assert token_infos(session.rack.module())[0].pin_status is PinStatus.OK


def test_insert_and_pull_are_seen_by_the_watcher_and_by_another_process(session, pack_dir):
    events = []
    watcher = TokenWatcher([session.rack.module()], on_event=events.append)
    watcher.poll()
    session.insert("to-chuc")
    watcher.poll()
    session.pull(session.trainee.token)
    watcher.poll()
    assert [(e.kind, e.token.label) for e in events] == [
        ("inserted", "THỰC HÀNH 07"), ("inserted", "THỰC HÀNH TỔ CHỨC"), ("removed", "THỰC HÀNH 07")]
    other = PracticeSession(load_pack(pack_dir), load_pack(pack_dir).trainee(7))  # a second kyso, same state
    try:
        assert [t.id for t in other.rack_tokens() if t.inserted] == ["to-chuc"]
    finally:
        other.close()


def test_a_damaged_token_file_is_not_listed(session):
    session.rack.slot(session.trainee.token).path.write_text("{not json", encoding="utf-8")
    assert token_infos(session.rack.module()) == []
    assert [t.pin_status for t in session.rack_tokens() if t.id == session.trainee.token] == [PinStatus.LOCKED]
