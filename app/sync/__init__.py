"""The sync client: sends the local audit log to the central server, in the background.

For the desktop (no Qt here): build a `SyncClient`, `start()` it, listen with `add_listener`,
call `sync_now()` from a button, `stop()` at exit. `kyso sync status|now` and `kyso enroll` use the
same pieces. See docs/server.md, "The sync client".
"""

from __future__ import annotations

from .client import SyncClient, sync_once
from .enrolment import Enrolment, enroll, load_enrolment
from .errors import SyncError, SyncErrorCode
from .retention import prune_acknowledged
from .status import SyncPhase, SyncStatus, read_status

__all__ = [
    "Enrolment", "SyncClient", "SyncError", "SyncErrorCode", "SyncPhase", "SyncStatus", "enroll",
    "load_enrolment", "prune_acknowledged", "read_status", "sync_once",
]
