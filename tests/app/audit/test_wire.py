"""The audit wire format: canonical bytes and hashes are fixed forever (docs/audit.md)."""

from __future__ import annotations

import hashlib

import pytest

from app.audit.wire import GENESIS, WireError, canonical_bytes, check_shape, seal

EVENT = {
    "v": 1, "workstation": "ws-1", "mode": "production", "seq": 1, "prev_hash": GENESIS,
    "type": "app.started", "at_utc": "2026-11-22T14:03:05.123456Z",
    "at_local": "2026-11-22T21:03:05.123456+07:00", "os_user": "an", "user_name": "Nguyễn Văn An",
    "user_role": None, "app_version": "0.1.0", "data": {"b": 1, "a": "ệ"},
}


def test_canonical_bytes_are_sorted_compact_utf8():
    expected = (
        '{"app_version":"0.1.0","at_local":"2026-11-22T21:03:05.123456+07:00",'
        '"at_utc":"2026-11-22T14:03:05.123456Z","data":{"a":"ệ","b":1},"mode":"production",'
        '"os_user":"an","prev_hash":"' + GENESIS + '","seq":1,"type":"app.started",'
        '"user_name":"Nguyễn Văn An","user_role":null,"v":1,"workstation":"ws-1"}'
    ).encode()
    assert canonical_bytes(EVENT) == expected
    sealed = seal(EVENT)
    assert sealed["hash"] == hashlib.sha256(expected).hexdigest()
    assert canonical_bytes(sealed) == expected  # the hash member is never hashed


@pytest.mark.parametrize(
    "change, complaint",
    [
        ({"data": {"amount": 1.5}}, "floats"),
        ({"seq": 0}, "seq"),
        ({"seq": True}, "seq"),
        ({"mode": "test"}, "mode"),
        ({"prev_hash": "ABC"}, "prev_hash"),
        ({"extra": 1}, "unknown"),
        ({"v": 2}, "version"),
    ],
)
def test_malformed_events_are_refused(change, complaint):
    with pytest.raises(WireError, match=complaint):
        check_shape({**EVENT, **change}, sealed=False)


def test_sealed_event_needs_its_hash():
    with pytest.raises(WireError, match="hash"):
        check_shape(EVENT, sealed=True)
    check_shape(seal(EVENT), sealed=True)


def _random_text(rng) -> str:
    if rng.random() < 0.5:  # plain text (no escapes): the fast path of compose_values
        return "".join(rng.choice("abcệắộ Đđ-_.:/😀") for _ in range(rng.randint(0, 12)))
    alphabet = ["a", "Z", "ệ", "ắ", "\"", "\\", "/", "\n", "\t", "\b", "\f", "\r", "\x00", "\x1f", "\x7f",
                "\u2028", "\ufeff", "😀", "\U0001f1fb", "<", "&", " "]
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def test_compose_canonical_equals_rfc8785_for_every_top_level_value():
    import random

    from app.audit.wire import compose_canonical, data_text

    rng = random.Random(8785)
    for _ in range(500):
        event = {**EVENT, "os_user": _random_text(rng), "user_name": rng.choice([None, _random_text(rng)]),
                 "user_role": rng.choice([None, _random_text(rng)]), "type": _random_text(rng),
                 "seq": rng.randint(1, 2**53 - 1), "data": {_random_text(rng): _random_text(rng), "n": rng.randint(-9, 9)}}
        assert compose_canonical(event, data=data_text(event["data"])) == canonical_bytes(event)


def test_compose_canonical_refuses_what_the_format_does_not_allow():
    from app.audit.wire import compose_canonical

    with pytest.raises(WireError, match="seq"):
        compose_canonical({**EVENT, "seq": 1.0}, data="{}")
    with pytest.raises(WireError, match="os_user"):
        compose_canonical({**EVENT, "os_user": 5}, data="{}")
    with pytest.raises(WireError, match="user_name"):
        compose_canonical({**EVENT, "user_name": 0}, data="{}")
    with pytest.raises(WireError, match="missing"):
        compose_canonical({k: v for k, v in EVENT.items() if k != "os_user"}, data="{}")


def test_check_link():
    from app.audit.wire import check_link

    first = seal(EVENT)
    check_link(first, head_seq=0, head_hash=GENESIS)
    with pytest.raises(WireError, match="prev_hash"):
        check_link({**EVENT, "seq": 2}, head_seq=1, head_hash=first["hash"])
    with pytest.raises(WireError, match="seq"):
        check_link(first, head_seq=1, head_hash=first["hash"])
