"""What the user sees of sync: a frozen status, also kept on disk for `kyso sync status`."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from app.paths import data_home

__all__ = ["SyncPhase", "SyncStatus", "read_status", "status_file", "write_status"]


class SyncPhase(StrEnum):
    NOT_ENROLLED = "not_enrolled"
    IDLE = "idle"  # everything sent, waiting for new events
    SYNCING = "syncing"
    WAITING = "waiting"  # the last attempt failed; retrying after a back-off
    STOPPED = "stopped"


@dataclass(frozen=True)
class SyncStatus:
    phase: SyncPhase = SyncPhase.NOT_ENROLLED
    server_url: str | None = None
    workstation_id: str | None = None
    last_success_utc: datetime | None = None  # the last attempt that sent everything pending
    last_attempt_utc: datetime | None = None
    pending: int | None = None  # events not yet covered by a verified receipt (None: unknown)
    last_error_code: str | None = None  # a SYNC_* code, None after a success
    last_error_params: dict[str, str] = field(default_factory=dict)
    next_attempt_utc: datetime | None = None
    consecutive_failures: int = 0

    def with_(self, **changes) -> SyncStatus:
        return replace(self, **changes)

    def to_json(self) -> dict:
        values = asdict(self)
        for name in ("last_success_utc", "last_attempt_utc", "next_attempt_utc"):
            values[name] = values[name].isoformat() if values[name] else None
        values["phase"] = self.phase.value
        return values

    @classmethod
    def from_json(cls, values: dict) -> SyncStatus:
        for name in ("last_success_utc", "last_attempt_utc", "next_attempt_utc"):
            values[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        values["phase"] = SyncPhase(values.get("phase", SyncPhase.NOT_ENROLLED))
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in values.items() if key in known})


def status_file() -> Path:
    return data_home() / "server" / "sync-status.json"


def read_status() -> SyncStatus:
    try:
        return SyncStatus.from_json(json.loads(status_file().read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return SyncStatus()


def write_status(status: SyncStatus) -> None:
    path = status_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_text(json.dumps(status.to_json(), indent=2), encoding="utf-8")
    os.replace(temporary, path)
