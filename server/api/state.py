"""What every request needs, built once per process: settings, database, receipt signer, and the
limit on batches ingested at once, the guard (rate limits, guard.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import anyio

from ..config import ServerSettings
from ..db import Database
from ..guard import Guard
from ..receipts import ReceiptSigner

__all__ = ["ServerState"]


@dataclass(frozen=True)
class ServerState:
    settings: ServerSettings
    database: Database
    signer: ReceiptSigner
    guard: Guard = field(default_factory=Guard)
    _ingest: list[anyio.CapacityLimiter] = field(default_factory=list, repr=False)

    @property
    def ingest_limiter(self) -> anyio.CapacityLimiter:
        """Batches checked and stored at once (`ingest_concurrency`); the rest wait on the event
        loop, not in threads fighting for the interpreter lock and database connections.
        Made on first use, inside the running event loop."""
        if not self._ingest:
            self._ingest.append(anyio.CapacityLimiter(self.settings.ingest_concurrency))
        return self._ingest[0]
