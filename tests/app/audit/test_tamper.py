"""Tampering with the SQLite file directly (sqlite3 module): every change is found, at the
right position, with the right kind — 1,000 random tamperings of a 10,000-event log."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.audit.verify import BreakKind, verify_connection, verify_log
from app.audit.wire import compose_values

_HASHED = ("app_version", "at_local", "at_utc", "data", "mode", "os_user", "prev_hash", "seq", "type", "user_name",
           "user_role", "v", "workstation")
_EDITABLE = ("type", "at_utc", "at_local", "os_user", "user_name", "user_role", "app_version", "data", "prev_hash",
             "hash", "workstation")


def _row(conn, mode, seq) -> dict:
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM audit_event WHERE mode = ? AND seq = ?", (mode, seq)).fetchone()
    conn.row_factory = None
    return dict(row)


def _rehash(row: dict) -> str:
    return hashlib.sha256(compose_values(*(row[name] for name in _HASHED))).hexdigest()


def _changed(name: str, value):
    if name == "data":
        data = json.loads(value)
        data["document"] = data.get("document", "") + "x"
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if name in ("prev_hash", "hash"):
        return ("0" if value[0] != "0" else "1") + value[1:]
    return (value or "") + "ạ"


def _update(conn, row: dict, **values) -> None:
    sets = ", ".join(f"{name} = ?" for name in values)
    conn.execute(f"UPDATE audit_event SET {sets} WHERE id = ?", (*values.values(), row["id"]))


def _insert(conn, row: dict) -> None:
    names = [name for name in row if name != "id"]
    conn.execute(f"INSERT INTO audit_event ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                 [row[name] for name in names])


def edit(conn, rng, mode, last):
    seq = rng.randint(1, last)
    row = _row(conn, mode, seq)
    name = rng.choice(_EDITABLE)
    _update(conn, row, **{name: _changed(name, row[name])})
    return seq, BreakKind.EDITED


def edit_and_rehash(conn, rng, mode, last):
    seq = rng.randint(1, last)
    row = _row(conn, mode, seq)
    name = rng.choice(("type", "os_user", "user_name", "data", "at_utc"))
    row[name] = _changed(name, row[name])
    _update(conn, row, **{name: row[name], "hash": _rehash(row)})
    return seq, BreakKind.EDITED


def delete(conn, rng, mode, last):
    seq = rng.randint(1, last)
    count = rng.randint(1, 3)
    conn.execute("DELETE FROM audit_event WHERE mode = ? AND seq BETWEEN ? AND ?", (mode, seq, seq + count - 1))
    return seq, BreakKind.DELETED


def truncate(conn, rng, mode, last):
    count = rng.randint(1, 50)
    conn.execute("DELETE FROM audit_event WHERE mode = ? AND seq > ?", (mode, last - count))
    return last - count + 1, BreakKind.DELETED


def swap(conn, rng, mode, last):
    a, b = sorted(rng.sample(range(1, last + 1), 2))
    first, second = _row(conn, mode, a), _row(conn, mode, b)
    content = [name for name in first if name not in ("id", "seq")]
    _update(conn, first, **{name: second[name] for name in content})
    _update(conn, second, **{name: first[name] for name in content})
    return a, BreakKind.REORDERED


def append_forged(conn, rng, mode, last):
    row = _row(conn, mode, last)
    forged = {**row, "seq": last + 1, "prev_hash": row["hash"] if rng.random() < 0.5 else "ab" * 32,
              "type": "sign.succeeded", "data": '{"document":"giả.pdf","outcome":"ok"}'}
    forged["hash"] = _rehash(forged)
    _insert(conn, forged)
    return last + 1, BreakKind.INSERTED


def insert_inside(conn, rng, mode, last):
    """Drop the unique (mode, seq) constraint by rebuilding the table, then add a second event
    with an existing seq that links to the event before it."""
    seq = rng.randint(2, last)
    before = _row(conn, mode, seq - 1)
    conn.execute("CREATE TABLE rebuilt AS SELECT * FROM audit_event")
    conn.execute("DROP TABLE audit_event")
    conn.execute("ALTER TABLE rebuilt RENAME TO audit_event")
    forged = {**before, "id": None, "seq": seq, "prev_hash": before["hash"], "data": '{"document":"giả.pdf"}'}
    forged["hash"] = _rehash(forged)
    forged["id"] = conn.execute("SELECT max(id) + 1 FROM audit_event").fetchone()[0]
    _insert(conn, {**forged})
    conn.execute("UPDATE audit_event SET id = ? WHERE id IS NULL", (forged["id"],))
    return seq, BreakKind.INSERTED


def sequence_gap(conn, rng, mode, last):
    """Remove an event and re-forge the next one so that its link holds: only the number jumps."""
    seq = rng.randint(2, last - 1)
    before, after = _row(conn, mode, seq - 1), _row(conn, mode, seq + 1)
    conn.execute("DELETE FROM audit_event WHERE mode = ? AND seq = ?", (mode, seq))
    after["prev_hash"] = before["hash"]
    _update(conn, after, prev_hash=after["prev_hash"], hash=_rehash(after))
    return seq, BreakKind.SEQUENCE_GAP


TAMPERINGS = (edit, edit, edit_and_rehash, delete, truncate, swap, swap, append_forged, insert_inside, sequence_gap)
CHAINS = {"production": 9000, "practice": 1000}


def test_intact_log_verifies(log_copy):
    report = verify_log(log_copy)
    assert report.ok
    assert report.events == 10_000
    assert [(c.mode, c.first_seq, c.last_seq) for c in report.chains] == [("production", 1, 9000),
                                                                          ("practice", 1, 1000)]


def tamper_trials(path: str, trials: list[int]) -> list[tuple]:
    """Run the given trials on the log at `path`: each tampering is made in a transaction, the
    log verified through the same connection (it sees the change), then rolled back."""
    conn = sqlite3.connect(path, isolation_level=None)
    misses = []
    for trial in trials:
        rng = random.Random(f"tamper-{trial}")
        mode = "production" if rng.random() < 0.85 else "practice"
        tampering = rng.choice(TAMPERINGS)
        conn.execute("BEGIN")
        try:
            seq, kind = tampering(conn, rng, mode, CHAINS[mode])
            found = verify_connection(conn, path=Path(path), modes=(mode,)).first_break
        finally:
            conn.execute("ROLLBACK")  # the next trial starts from the intact log again
        if found is None or (found.mode, found.seq, found.kind) != (mode, seq, kind):
            misses.append((trial, tampering.__name__, mode, seq, kind, found))
    conn.close()
    return misses


def test_a_thousand_random_tamperings_are_each_found_where_they_are(log_10k, tmp_path):
    """Two worker processes (the machine's two cores), each on its own copy of the log."""
    copies = [shutil.copy2(log_10k, tmp_path / f"copy-{index}.sqlite3") for index in range(2)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        results = pool.starmap(tamper_trials, [(str(copies[0]), list(range(0, 1000, 2))),
                                               (str(copies[1]), list(range(1, 1000, 2)))])
    assert [miss for misses in results for miss in misses] == []


@pytest.mark.parametrize("tampering", [edit, delete, swap, truncate, append_forged])
def test_committed_tampering_is_found_by_verify_log(tampering, log_copy):
    found, seq, kind = tamper_and_verify(tampering, log_copy)
    assert (found.mode, found.seq, found.kind) == ("production", seq, kind)


def tamper_and_verify(tampering, log):
    """Tamper with the production chain at event 9000 of `log`, then verify it: (the first
    break verify_log reports, the sequence and kind the tampering made)."""
    conn = sqlite3.connect(log, isolation_level=None)
    seq, kind = tampering(conn, random.Random(tampering.__name__), "production", 9000)
    conn.close()
    return verify_log(log).first_break, seq, kind
