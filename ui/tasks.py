"""Work off the GUI thread, results back on it (after Anki's QueryOp and task manager).

    Operation(parent=self, op=lambda: slow(), success=self.show_result).failure(...).run()

`op` runs on a worker thread; `success` / `failure` run on the GUI thread. A failure nobody
handles goes to the one error dialog. Token and signing work uses `SIGNING` (one thread: one
signing job at a time); everything else the general pool.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from .qt import QObject, Qt, Signal

__all__ = ["Operation", "TaskManager", "tasks"]

log = logging.getLogger(__name__)


class TaskManager(QObject):
    _finished = Signal(object, object, object)  # callback, value, error

    def __init__(self) -> None:
        super().__init__()
        self.general = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kyso-work")
        self.signing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kyso-signing")
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.running = 0

    def submit(self, fn: Callable[[], Any], *, done: Callable[[Any, BaseException | None], None],
               executor: ThreadPoolExecutor | None = None) -> Future:
        self.running += 1
        future = (executor or self.general).submit(fn)
        future.add_done_callback(lambda f: self._finished.emit(done, *_outcome(f)))
        return future

    def call_on_gui(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the GUI thread (from any thread)."""
        self._finished.emit(lambda value, error: fn(), None, None)

    def _deliver(self, done, value, error) -> None:
        self.running = max(0, self.running - 1)
        done(value, error)

    def shutdown(self) -> None:
        self.general.shutdown(wait=False, cancel_futures=True)
        self.signing.shutdown(wait=False, cancel_futures=True)


def _outcome(future: Future) -> tuple[Any, BaseException | None]:
    error = future.exception()
    return (None, error) if error is not None else (future.result(), None)


_manager: TaskManager | None = None


def tasks() -> TaskManager:
    global _manager
    if _manager is None:
        _manager = TaskManager()
    return _manager


class Operation:
    def __init__(self, *, parent, op: Callable[[], Any], success: Callable[[Any], None]) -> None:
        self._parent = parent
        self._op = op
        self._success = success
        self._failure: Callable[[BaseException], None] | None = None
        self._executor = None

    def failure(self, handler: Callable[[BaseException], None]) -> Operation:
        self._failure = handler
        return self

    def on_signing_thread(self) -> Operation:
        self._executor = tasks().signing
        return self

    def run(self) -> Future:
        return tasks().submit(self._op, done=self._done, executor=self._executor)

    def _done(self, value, error: BaseException | None) -> None:
        if error is None:
            self._success(value)
            return
        if self._failure is not None:
            self._failure(error)
            return
        from .errors import show_error

        show_error(self._parent, error)
