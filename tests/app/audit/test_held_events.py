"""Events held for one transaction (a signing batch writes each document's outcome together with
the next document's request: one fsync instead of two) are written in order, none lost — also
when writing them together fails."""

from __future__ import annotations

import sqlite3

from app.audit.events import AuditActor
from app.audit.journal import AuditJournal
from app.audit.query import AuditFilter, AuditReader
from app.audit.store import AuditStore
from app.audit.verify import verify_log

ACTOR = AuditActor("an", "Nguyễn Văn An", "vien-truong")


def _journal(tmp_path):
    store = AuditStore.open(tmp_path / "audit.sqlite3", workstation="ws-1")
    return AuditJournal(store, actor=lambda: ACTOR, recover=False), store


def _types(path):
    with AuditReader(path) as reader:
        return [(e.type, e.data.get("n")) for e in reader.events(AuditFilter())]


def test_held_events_are_written_in_order_on_release(tmp_path):
    journal, store = _journal(tmp_path)
    journal.record("document.opened", n=1)
    journal.hold()
    journal.record("sign.succeeded", n=2)
    journal.record("sign.requested", n=3)
    assert _types(store.path) == [("document.opened", 1)]  # held: not written yet
    journal.release()
    journal.record("sign.succeeded", n=4)  # not held any more: written at once
    assert _types(store.path) == [("document.opened", 1), ("sign.succeeded", 2), ("sign.requested", 3),
                                  ("sign.succeeded", 4)]
    assert not journal.holding and verify_log(store.path).ok


def test_when_writing_together_fails_each_event_is_written_alone(tmp_path, monkeypatch):
    journal, store = _journal(tmp_path)

    journal.hold()
    for n in range(3):
        journal.record("sign.requested", n=n)
    calls = []
    original = store.append_many

    def once(**kwargs):
        calls.append(len(kwargs["items"]))
        if len(calls) == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return original(**kwargs)

    monkeypatch.setattr(store, "append_many", once)
    journal.release()
    assert calls == [3, 1, 1, 1]
    assert _types(store.path) == [("sign.requested", 0), ("sign.requested", 1), ("sign.requested", 2)]
    assert verify_log(store.path).ok and journal.problems == []
