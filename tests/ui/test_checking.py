"""The document checker: one worker, in order, results in groups; a failing check does not stop
the others; once the window closes nothing more is checked or shown."""

from __future__ import annotations

import threading
from pathlib import Path

from app.desk.documents import DeskDocument
from ui.checking import DocumentChecker
from ui.main import create_application
from ui.qt import QApplication

PATHS = [Path(f"/nowhere/van-ban-{index}.pdf") for index in range(5)]


def _checker(check):
    create_application()
    delivered: list = []
    failed: list = []
    checker = DocumentChecker(parent=None, check=check, delivered=delivered.extend,
                              failed=lambda path, error: failed.append((path, str(error))))
    return checker, delivered, failed


def test_documents_are_checked_in_order_and_a_failure_does_not_stop_the_rest(qtbot):
    threads: set[int] = set()

    def check(path, options):
        threads.add(threading.get_ident())
        if path == PATHS[2]:
            raise RuntimeError("kyso failed here")
        return DeskDocument(path, checked=True)

    checker, delivered, failed = _checker(check)
    for path in PATHS:
        checker.check(path, None)
    assert checker.pending == 5
    qtbot.waitUntil(lambda: checker.pending == 0, timeout=10000)
    assert [d.path for d in delivered] == [p for p in PATHS if p != PATHS[2]]
    assert failed == [(PATHS[2], "kyso failed here")]
    assert len(threads) == 1 and threading.get_ident() not in threads


def test_after_stop_nothing_more_is_checked_or_delivered(qtbot):
    gate, seen = threading.Event(), []

    def check(path, options):
        seen.append(path)
        gate.wait(10)
        return DeskDocument(path, checked=True)

    checker, delivered, failed = _checker(check)
    for path in PATHS:
        checker.check(path, None)
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=10000)
    checker.stop()  # the window closes while the first document is being checked
    checker.check(Path("/nowhere/later.pdf"), None)
    gate.set()
    qtbot.waitUntil(lambda: not checker._working, timeout=10000)
    QApplication.processEvents()  # a delivery posted by the worker (it must not be) arrives here
    assert seen == PATHS[:1] and delivered == [] and failed == []
