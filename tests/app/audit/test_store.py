"""The audit store: the sync client's API, receipts and pruning, damaged and locked logs, two
processes appending at once, the schema Alembic creates."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.audit import schema
from app.audit.errors import AuditError, AuditErrorCode
from app.audit.events import AuditActor
from app.audit.journal import AuditJournal
from app.audit.opening import open_audit_log, workstation_id
from app.audit.session import open_journal
from app.audit.store import AuditStore
from app.audit.verify import BreakKind, verify_log
from app.audit.wire import GENESIS, check_shape, event_hash

ACTOR = AuditActor("an", "Nguyễn Văn An", "vien-truong")


def _store(path, count=0, mode="production"):
    store = AuditStore.open(path, workstation="ws-1")
    if count:
        store.append_many(mode=mode, items=[("app.started", {"i": i}) for i in range(count)], actor=ACTOR,
                          app_version="0.1.0")
    return store


def test_sync_client_api(tmp_path):
    store = _store(tmp_path / "a.sqlite3", 5)
    assert store.head(mode="practice") == (0, GENESIS)
    seq, digest = store.head(mode="production")
    events = store.events_after(mode="production", after_seq=2, limit=2)
    assert [e["seq"] for e in events] == [3, 4]
    for event in events:
        check_shape(event)
        assert event_hash(event) == event["hash"]  # the server recomputes the same hash
    assert events[0]["prev_hash"] == store.events_after(mode="production", after_seq=1, limit=1)[0]["hash"]
    assert (seq, digest) == (5, store.events_after(mode="production", after_seq=4, limit=9)[0]["hash"])
    assert store.acknowledged_seq(mode="production") == 0
    store.save_receipt(mode="production", receipt={"seq": 3, "hash": events[0]["hash"], "signature": "…"})
    assert store.acknowledged_seq(mode="production") == 3
    assert store.receipts(mode="production")[0]["signature"] == "…"
    with pytest.raises(AuditError) as wrong:
        store.save_receipt(mode="production", receipt={"seq": 4, "hash": "0" * 64})
    assert wrong.value.code is AuditErrorCode.RECEIPT_MISMATCH
    with pytest.raises(AuditError) as invalid:
        store.save_receipt(mode="production", receipt={"seq": "4"})
    assert invalid.value.code is AuditErrorCode.RECEIPT_INVALID
    assert store.workstation_id() == "ws-1" == store.chain_workstation()


def test_workstation_id_is_made_once(kyso_home):
    first = workstation_id()
    assert first == workstation_id() == (kyso_home / "workstation-id").read_text().strip()


def test_practice_and_production_are_separate_chains(tmp_path):
    store = _store(tmp_path / "a.sqlite3", 3)
    store.append(mode="practice", type="app.started", data={}, actor=ACTOR, app_version="0.1.0")
    assert store.head(mode="practice")[0] == 1
    assert store.events_after(mode="practice", after_seq=0, limit=5)[0]["prev_hash"] == GENESIS
    store.close()
    assert [(c.mode, c.events) for c in verify_log(tmp_path / "a.sqlite3").chains] == [("production", 3), ("practice", 1)]


def test_pruning_only_behind_a_receipt_and_the_rest_still_verifies(tmp_path):
    path = tmp_path / "a.sqlite3"
    store = _store(path, 10)
    later = datetime.now(UTC) + timedelta(days=1)
    assert store.prune(mode="production", older_than=later).pruned == 0  # no receipt: nothing goes
    store.save_receipt(mode="production", receipt={"seq": 6, "hash": store.event(mode="production", seq=6).hash})
    result = store.prune(mode="production", older_than=later)
    assert (result.pruned, result.checkpoint_seq) == (6, 6)
    assert store.events_after(mode="production", after_seq=0, limit=99)[0]["seq"] == 7
    store.append(mode="production", type="audit.pruned", data={"up_to_seq": 6}, actor=ACTOR, app_version="0.1.0")
    store.close()
    report = verify_log(path)
    assert report.ok and report.chains[0].checkpoint_seq == 6 and report.chains[0].events == 5
    conn = sqlite3.connect(path)  # a forged checkpoint that no receipt covers is found
    conn.execute("UPDATE audit_receipt SET seq = 5")
    conn.commit()
    conn.close()
    assert verify_log(path).first_break.kind is BreakKind.DELETED


def _damage_truncated(path):
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size // 2 + 100)


def _damage_garbage(path):
    path.write_bytes(os.urandom(path.stat().st_size))


def _damage_empty(path):
    path.write_bytes(b"")


def _damaged_log(path):
    store = _store(path, 200)
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.mark.parametrize("damage, reason", [(_damage_truncated, "truncated"), (_damage_garbage, "not_a_database"),
                                            (_damage_empty, "truncated")])
def test_a_damaged_log_is_set_aside_and_a_new_chain_records_it(damage, reason, kyso_home):
    path = kyso_home / "audit" / "audit.sqlite3"
    path.parent.mkdir(parents=True)
    _damaged_log(path)
    damage(path)
    original = path.read_bytes()
    journal = open_journal()
    assert [p.code for p in journal.problems] == [AuditErrorCode.LOG_DAMAGED]
    moved = journal.problems[0].params["moved_to"]
    assert Path(moved).read_bytes() == original  # intact, for investigation
    event = journal.record("sign.requested", document="a.pdf")  # signing goes on
    assert event is not None and event.seq == 2
    first = journal.store.events_after(mode="production", after_seq=0, limit=1)[0]
    assert first["type"] == "audit.restarted" and first["data"]["reason"] == reason
    assert first["workstation"].startswith(workstation_id() + "#")  # a new chain, never a fork of the old one
    journal.store.close()
    assert verify_log(path).ok


def test_a_log_locked_by_another_program(kyso_home, monkeypatch):
    path = kyso_home / "audit" / "audit.sqlite3"
    path.parent.mkdir(parents=True)
    _store(path, 3).close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
        "c.execute('PRAGMA locking_mode=EXCLUSIVE'); c.execute('BEGIN EXCLUSIVE'); "
        "c.execute('INSERT INTO audit_meta VALUES (\\'x\\', \\'y\\')'); print('locked', flush=True); sys.stdin.read()"),
        str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setattr(schema, "LOCK_CHECK_SECONDS", 0.3)
        monkeypatch.setattr("app.audit.store.LOCK_CHECK_SECONDS", 0.3)
        journal = open_journal()
        assert [p.code for p in journal.problems] == [AuditErrorCode.LOG_LOCKED]
        assert journal.record("sign.requested", document="a.pdf") is not None
        journal.store.close()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_a_write_failure_never_reaches_the_caller(tmp_path):
    store = _store(tmp_path / "a.sqlite3", 1)
    journal = AuditJournal(store, recover=False, actor=lambda: ACTOR)
    store.close()  # every write now fails
    assert journal.record("sign.requested", document="a.pdf") is None
    assert journal.problems[0].code is AuditErrorCode.WRITE_FAILED
    assert journal.record("sign.succeeded", amount=1.5) is None  # a float: refused by the format, not raised


_APPENDER = """
import sys
from app.audit.events import AuditActor
from app.audit.store import AuditStore
store = AuditStore.open(__import__("pathlib").Path(sys.argv[1]), workstation="ws-1")
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(sys.argv[2])):
    store.append(mode="production", type="app.started", data={"writer": sys.argv[3], "i": i},
                 actor=AuditActor("an"), app_version="0.1.0")
"""


def test_two_processes_appending_at_once_never_fork_the_chain(tmp_path):
    path = tmp_path / "a.sqlite3"
    _store(path).close()
    writers = [subprocess.Popen([sys.executable, "-c", _APPENDER, str(path), "300", name], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True) for name in ("a", "b")]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    for writer in writers:  # both start together
        writer.stdin.write("go\n")
        writer.stdin.flush()
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    report = verify_log(path)
    assert report.ok and report.events == 600
    store = AuditStore.open(path, workstation="ws-1")
    order = [e["data"]["writer"] for e in store.events_after(mode="production", after_seq=0, limit=600)]
    assert order.count("a") == order.count("b") == 300  # every event of both, one gapless chain


def test_alembic_schema_matches_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from app.audit.models import AuditBase

    _store(tmp_path / "a.sqlite3").close()
    engine = create_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), AuditBase.metadata) == []
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == schema.HEAD_REVISION
    engine.dispose()
    newest = sorted(p.stem for p in (schema.MIGRATIONS / "versions").glob("0*.py"))[-1]
    assert newest.startswith(schema.HEAD_REVISION)


def test_open_audit_log_uses_the_data_folder(kyso_home):
    opened = open_audit_log()
    assert opened.incident is None and opened.store.path == kyso_home / "audit" / "audit.sqlite3"
    opened.store.close()
