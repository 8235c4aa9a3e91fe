"""The fast path of verification (app/audit/chain_scan.py): it composes exactly the bytes the
wire module does, never passes a row the exact walk would refuse, and its two-process split
gives the same reports as one process."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from app.audit import chain_scan
from app.audit.chain_scan import fast_body
from app.audit.errors import AuditError, AuditErrorCode
from app.audit.verify import BreakKind, verify_connection, verify_log
from app.audit.wire import GENESIS, WireError, canonical_bytes, compose_values, data_text

from .test_tamper import (
    delete,
    edit,
    edit_and_rehash,
    sequence_gap,
    swap,
    tamper_and_verify,
    truncate,
)

_PLAIN = "abcxyzệắộĐđ Văn bản-_.:/😀\u2028\ufeff\x7f<&>'"
_SPECIAL = "\"\\\n\t\b\f\r\x00\x1f"


def _text(rng: random.Random) -> str:
    alphabet = _PLAIN + (_SPECIAL if rng.random() < 0.04 else "")
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))


def _members(rng: random.Random) -> dict:
    """Top-level members as stored (data as its canonical text), mostly plain, some that need an
    escape, and now and then a value of a type the format does not allow."""
    members = {
        "app_version": _text(rng), "at_local": "2026-11-22T21:03:05.123456+07:00", "at_utc": _text(rng),
        "data": data_text({_text(rng): _text(rng), "n": rng.randint(-9, 9), "list": [None, True, _text(rng)]}),
        "mode": rng.choice(["production", "practice"]), "os_user": _text(rng),
        "prev_hash": rng.choice([GENESIS, f"{rng.getrandbits(256):064x}"]),
        "seq": rng.choice([1, rng.randint(1, 2**53 - 1)] * 10 + [2**53, 1.0, "7"]), "type": _text(rng),
        "user_name": rng.choice([None, _text(rng), "Nguyễn Văn An"]), "user_role": rng.choice([None, _text(rng)]),
        "v": 1, "workstation": rng.choice(["ws-1", _text(rng)]),
    }
    if rng.random() < 0.05:
        members[rng.choice(["os_user", "type", "user_name", "at_utc"])] = rng.choice([0, 5, 1.5])
    return members


def _as_read(value):
    """What sqlite3 gives with text_factory=bytes for a TEXT (str) value."""
    return value.encode() if isinstance(value, str) else value


def test_fast_body_is_compose_values_byte_for_byte_or_declines():
    rng = random.Random(8785)
    composed = declined = 0
    for _ in range(5000):
        members = _members(rng)
        read = {name: _as_read(value) for name, value in members.items() if name != "v"}
        fast = fast_body(**{**read, "type": read["type"]})
        try:
            exact = compose_values(*members.values())
        except WireError:
            exact = None
        if fast is None:
            declined += 1
            continue
        composed += 1
        assert exact is not None and fast == exact
        assert fast == canonical_bytes({**members, "data": json.loads(members["data"])})  # rfc8785's bytes
    assert composed > 2000 and declined > 500  # most plain rows take the fast path


def test_fast_body_declines_invalid_utf8_and_numbers_in_strings():
    good = dict(app_version=b"0.1.0", at_local=b"2026", at_utc=b"2026Z", data=b"{}", mode=b"production",
                os_user=b"an", prev_hash=GENESIS.encode(), seq=1, type=b"app.started", user_name=None,
                user_role=b"van-thu", workstation=b"ws-1")
    assert fast_body(**good) == compose_values("0.1.0", "2026", "2026Z", "{}", "production", "an", GENESIS, 1,
                                               "app.started", None, "van-thu", 1, "ws-1")
    assert fast_body(**{**good, "os_user": b"\xff\xfe"}) is None
    assert fast_body(**{**good, "user_name": 0}) is None
    assert fast_body(**{**good, "type": 7}) is None
    assert fast_body(**{**good, "seq": 1.0}) is None
    assert fast_body(**{**good, "seq": True}) is None


@pytest.mark.parametrize("mode, column, value, kind", [
    ("production", "os_user", "CAST(os_user AS BLOB)", BreakKind.EDITED),  # the same bytes, as a BLOB
    ("production", "type", "42", BreakKind.EDITED),  # a number where a string belongs
    ("production", "user_role", "CAST('vien-truong' AS BLOB)", BreakKind.EDITED),
    ("production", "v", "2", BreakKind.EDITED),  # a version the fast path does not take
    ("production", "workstation", "'another'", BreakKind.EDITED),
    ("production", "data", "CAST(data AS BLOB)", BreakKind.EDITED),
    ("practice", "hash", "CAST(hash AS BLOB)", BreakKind.EDITED),
])
def test_storage_types_the_fast_path_cannot_take_go_to_the_exact_walk(log_copy, mode, column, value, kind):
    """(A seq cannot be stored as anything but an integer equal to it: the column's affinity.)"""
    conn = sqlite3.connect(log_copy, isolation_level=None)
    conn.execute(f"UPDATE audit_event SET {column} = {value} WHERE mode = ? AND seq = 234", (mode,))
    conn.close()
    found = verify_log(log_copy).first_break
    assert (found.mode, found.seq, found.kind) == (mode, 234, kind)


@pytest.fixture
def two_processes(monkeypatch):
    """Every log counts as large: the second half of the ids is read by a worker process."""
    monkeypatch.setattr(chain_scan, "PARALLEL_MIN", 1)


def test_two_processes_give_the_same_report_as_one(log_copy, two_processes):
    seen = []
    report = verify_log(log_copy, progress=lambda done, total: seen.append((done, total)))
    conn = sqlite3.connect(log_copy, isolation_level=None)
    alone = verify_connection(conn, path=log_copy)
    conn.close()
    assert report.ok and report.chains == alone.chains and report.events == 10_000
    assert seen[-1] == (10_000, 10_000) and [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.parametrize("tampering", [edit, edit_and_rehash, delete, truncate, swap, sequence_gap])
def test_two_processes_find_each_break_where_it_is(tampering, log_copy, two_processes):
    found, seq, kind = tamper_and_verify(tampering, log_copy)
    assert (found.mode, found.seq, found.kind) == ("production", seq, kind)


def test_cancelling_stops_the_worker_too(log_copy, two_processes):
    with pytest.raises(AuditError) as cancelled:
        verify_log(log_copy, cancelled=lambda: True)
    assert cancelled.value.code is AuditErrorCode.CANCELLED
