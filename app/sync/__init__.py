"""The sync client: sends the local audit log to the central server, in the background.

For the desktop (no Qt here): build a `SyncClient`, `start()` it, listen with `add_listener`,
call `sync_now()` from a button, `stop()` at exit. `kyso sync status|now` and `kyso enroll` use the
same pieces. See docs/server.md, "The sync client".
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import SyncClient, sync_once
    from .enrolment import Enrolment, enroll, load_enrolment
    from .errors import SyncError, SyncErrorCode
    from .retention import prune_acknowledged
    from .status import SyncPhase, SyncStatus, read_status

# Loaded on first use: the desktop paints its window before httpx (the client's) is imported.
_WHERE = {
    "SyncClient": "client", "sync_once": "client", "Enrolment": "enrolment", "enroll": "enrolment",
    "load_enrolment": "enrolment", "SyncError": "errors", "SyncErrorCode": "errors",
    "prune_acknowledged": "retention", "SyncPhase": "status", "SyncStatus": "status", "read_status": "status",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value

__all__ = [
    "Enrolment", "SyncClient", "SyncError", "SyncErrorCode", "SyncPhase", "SyncStatus", "enroll",
    "load_enrolment", "prune_acknowledged", "read_status", "sync_once",
]
