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
                 delivered: Callable[[list], None], failed: Callable[[Path, BaseException], None]) -> None:
        """`check(path, options)` runs on the worker and returns the checked document;
        `delivered(documents)` runs on the GUI thread with each group of results, `failed(path,
        error)` for a document whose check itself failed (an error in kyso, not in the file)."""
        self._parent = parent
        self._check = check
        self._delivered = delivered
        self._failed_one = failed
        self._lock = threading.Lock()
        self._queue: deque[tuple[Path, object]] = deque()
        self._ready: list = []
        self._working = False
        self._stopped = False
        self.pending = 0  # asked for and not delivered yet (GUI thread)

    def check(self, path: Path, options) -> None:
        """Queue one document (GUI thread)."""
        if self._stopped:
            return
        self.pending += 1
        with self._lock:
            self._queue.append((path, options))
            start, self._working = not self._working, True
        if start:
            Operation(parent=self._parent, op=self._work, success=lambda value: None).failure(self._failed).run()

    def stop(self) -> None:
        """The window is closing: the document being checked is the last one (GUI thread)."""
        with self._lock:
            self._stopped = True
            self._queue.clear()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queue:
                    self._working = False
                    return
                path, options = self._queue.popleft()
            try:
                document = self._check(path, options)
            except Exception as error:  # noqa: BLE001 - this document's check failed; the rest go on
                document = _Failed(path, error)
            with self._lock:
                self._ready.append(document)
                first = len(self._ready) == 1
            if first:  # one GUI call collects everything that is ready by the time it runs
                tasks().call_on_gui(self._deliver)

    def _deliver(self) -> None:
        with self._lock:
            ready, self._ready = self._ready, []
        if not ready or self._stopped:
            return
        self.pending -= len(ready)
        failures = [item for item in ready if isinstance(item, _Failed)]
        for failure in failures:
            self._failed_one(failure.path, failure.error)
        self._delivered([item for item in ready if not isinstance(item, _Failed)])

    def _failed(self, error: BaseException) -> None:
        """The worker itself stopped (not a document's failure: those are delivered): the error
        goes to the one error dialog, and a new worker takes the documents still queued."""
        from .errors import show_error

        with self._lock:
            self._working = bool(self._queue) and not self._stopped
            restart = self._working
        self._deliver()
        show_error(self._parent, error)
        if restart:
            Operation(parent=self._parent, op=self._work, success=lambda value: None).failure(self._failed).run()


class _Failed:
    def __init__(self, path: Path, error: BaseException) -> None:
        self.path, self.error = path, error
