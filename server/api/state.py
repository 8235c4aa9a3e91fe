"""What every request needs, built once per process: settings, database, receipt signer."""

from __future__ import annotations

from dataclasses import dataclass

from ..config import ServerSettings
from ..db import Database
from ..receipts import ReceiptSigner

__all__ = ["ServerState"]


@dataclass(frozen=True)
class ServerState:
    settings: ServerSettings
    database: Database
    signer: ReceiptSigner
