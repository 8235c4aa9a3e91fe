"""What every request needs, built once per process: settings, database, receipt signer, and the
limit on batches ingested at once, the guard (rate limits, guard.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio

from ..config import ServerSettings
from ..db import Database
from ..guard import Guard, IngestQueue
from ..receipts import ReceiptSigner

__all__ = ["ServerState"]


@dataclass(frozen=True)
class ServerState:
    settings: ServerSettings
    database: Database
    signer: ReceiptSigner
    guard: Guard = field(default_factory=Guard)
    _ingest: list[anyio.CapacityLimiter] = field(default_factory=list, repr=False)
    _queue: list[IngestQueue] = field(default_factory=list, repr=False)

    @property
    def ingest_queue(self) -> IngestQueue:
        """Batches waiting for their turn, fairly between workstations and bounded (guard.py)."""
        if not self._queue:
            settings = self.settings
            self._queue.append(IngestQueue(slots=settings.ingest_concurrency, max_waiting=settings.ingest_queue,
                                           max_bytes=settings.ingest_queue_bytes))
        return self._queue[0]

    @property
    def ingest_limiter(self) -> anyio.CapacityLimiter:
        """The threads batches are checked and stored on (`ingest_concurrency`, the same number as
        the queue's slots): ingestion's own, never the pool other requests (sign-in, the console)
        use. Made on first use, inside the running event loop."""
        if not self._ingest:
            self._ingest.append(anyio.CapacityLimiter(self.settings.ingest_concurrency))
        return self._ingest[0]
