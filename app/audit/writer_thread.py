"""Writing an export on a thread of its own while the next rows are built.

File writes, fsync, zlib and crc32 release the GIL: on a second core they cost the export
nothing. But each time the writer thread comes back from one of them it must wait for the GIL
(up to the 5 ms switch interval while the main thread builds rows), so it is handed few, large
pieces (Chunks: 8 MiB). The file is also flushed to disk every 64 MiB, so the final fsync has
little left.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import IO

__all__ = ["BackgroundCalls", "Chunks", "SyncedWrites"]

_SYNC_EVERY = 64 << 20
_CHUNK = 8 << 20


class BackgroundCalls:
    """Runs calls in order on one thread; the first error is raised by the next run() or by
    finish(). Use as a context manager: leaving it waits for the calls (and raises their error
    unless an exception is already on its way)."""

    def __init__(self, *, pending: int = 4) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=pending)  # a few chunks of ~1 MB in flight
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="export-writer", daemon=True)
        self._thread.start()

    def __enter__(self) -> BackgroundCalls:
        return self

    def __exit__(self, kind, exc, traceback) -> None:
        self.finish(check=exc is None)

    def run(self, call: Callable, *args) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put((call, args))

    def finish(self, *, check: bool = True) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if check and self._error is not None:
            raise self._error

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    item[0](*item[1])
                except BaseException as exc:  # kept for the caller's thread
                    self._error = exc


class SyncedWrites:
    """Writes to `handle`, flushing it to disk every 64 MiB; sync() at the end."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self._unsynced = 0

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self._unsynced += len(data)
        if self._unsynced >= _SYNC_EVERY:
            self.sync()

    def sync(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self._unsynced = 0


class Chunks:
    """Collects bytes and hands them to `deliver` in pieces of at least 8 MiB; flush() the rest."""

    def __init__(self, deliver: Callable[[bytes], None], *, size: int = _CHUNK) -> None:
        self._deliver, self._size = deliver, size
        self._parts: list[bytes] = []
        self._pending = 0

    def add(self, data: bytes) -> None:
        self._parts.append(data)
        self._pending += len(data)
        if self._pending >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            data = b"".join(self._parts)
            self._parts, self._pending = [], 0
            self._deliver(data)
