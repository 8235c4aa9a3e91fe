"""Checking opened documents: one worker, in the order they were opened, results handed to the
GUI thread in groups.

Preflight is pure Python. A second checking thread would not finish sooner (one interpreter
lock) but would take the interpreter from the GUI thread twice as often; and one GUI call per
document would, with a hundred documents, keep the GUI thread queueing for the interpreter. So
one thread checks, and the GUI thread takes whatever results are ready at once
(benchmarks/desktop.py measures the GUI thread while a hundred documents open).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path

from .tasks import Operation, tasks

__all__ = ["DocumentChecker"]


class DocumentChecker:
    def __init__(self, *, parent, check: Callable[[Path, object], object],
                 delivered: Callable[[list], None]) -> None:
        """`check(path, options)` runs on the worker and returns the checked document;
        `delivered(documents)` runs on the GUI thread with each group of results."""
        self._parent = parent
        self._check = check
        self._delivered = delivered
        self._lock = threading.Lock()
        self._queue: deque[tuple[Path, object]] = deque()
        self._ready: list = []
        self._working = False
        self.pending = 0  # asked for and not delivered yet (GUI thread)

    def check(self, path: Path, options) -> None:
        """Queue one document (GUI thread)."""
        self.pending += 1
        with self._lock:
            self._queue.append((path, options))
            start, self._working = not self._working, True
        if start:
            Operation(parent=self._parent, op=self._work, success=lambda value: None).failure(self._failed).run()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._working = False
                    return
                path, options = self._queue.popleft()
            document = self._check(path, options)
            with self._lock:
                self._ready.append(document)
                first = len(self._ready) == 1
            if first:  # one GUI call collects everything that is ready by the time it runs
                tasks().call_on_gui(self._deliver)

    def _deliver(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
        if ready:
            self.pending -= len(ready)
            self._delivered(ready)

    def _failed(self, error: BaseException) -> None:
        """The worker itself failed (not one document: `check` reports those): the documents it
        did not reach are given up, and the error goes to the one error dialog."""
        from .errors import show_error

        with self._lock:
            self._queue.clear()
            self._working = False
        self._deliver()
        self.pending = 0
        show_error(self._parent, error)
