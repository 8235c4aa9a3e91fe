"""Where the log lives, this workstation's id, and what happens when the log is damaged.

A damaged log (truncated, not a database, malformed, locked by another program) is found at
open, moved aside intact into `audit/damaged/<stamp>/` with its -wal/-shm companions, and a new
log is started whose events carry "<workstation id>#<stamp>": a new chain, so the server never
sees two different events with one (workstation, mode, seq). Its first event records the incident.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.paths import data_home

from .schema import DamagedLog, file_set
from .store import AuditStore

__all__ = ["AuditIncident", "OpenedLog", "audit_dir", "default_log_path", "open_audit_log", "workstation_id"]

log = logging.getLogger(__name__)
LOG_NAME = "audit.sqlite3"
_POINTER = "current"  # names the log file when the usual one could not be moved aside


@dataclass(frozen=True)
class AuditIncident:
    """The previous log could not be used: why, and where it was put."""

    reason: str  # DamagedLog.reason
    detail: str
    moved_to: Path | None  # None: it could not be moved (kept in place, a new file is used)
    previous_path: Path


@dataclass(frozen=True)
class OpenedLog:
    store: AuditStore
    incident: AuditIncident | None


def audit_dir() -> Path:
    path = data_home() / "audit"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_log_path() -> Path:
    folder = audit_dir()
    try:
        name = (folder / _POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        name = ""
    return folder / (name or LOG_NAME)


def workstation_id() -> str:
    """This workstation's id: a UUID made on first use, kept in the data folder."""
    path = data_home() / "workstation-id"
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    except FileNotFoundError:
        pass
    made = str(uuid.uuid4())
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    temporary.write_text(made + "\n", encoding="utf-8")
    try:
        os.link(temporary, path)  # never replaces an id another process wrote first
    except FileExistsError:
        pass
    except OSError:
        if not path.exists():
            temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


def open_audit_log(path: Path | None = None, *, force_aside: str | None = None, detail: str = "") -> OpenedLog:
    """Open the log, setting a damaged one aside and starting a new chain if need be.

    `force_aside` (a DamagedLog reason) sets the log aside without trying it: a write failed on it.
    """
    path = path or default_log_path()
    workstation = workstation_id()
    try:
        if force_aside is not None:
            raise DamagedLog(force_aside, detail)
        return OpenedLog(AuditStore.open(path, workstation=workstation), None)
    except DamagedLog as damage:
        log.error("audit log %s unusable (%s); setting it aside", path, damage)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        moved = _set_aside(path, stamp)
        new_path = path if moved is not None else _fresh_path(path.parent, stamp)
        store = AuditStore.open(new_path, workstation=workstation, chain_workstation=f"{workstation}#{stamp}")
        return OpenedLog(store, AuditIncident(damage.reason, damage.detail, moved, path))


def _set_aside(path: Path, stamp: str) -> Path | None:
    """Move the log and its companions into damaged/<stamp>/, untouched; None if impossible."""
    target = path.parent / "damaged" / stamp
    target.mkdir(parents=True, exist_ok=True)
    try:
        for member in file_set(path):
            os.replace(member, target / member.name)
    except OSError as exc:  # e.g. Windows: another program keeps it open
        log.error("cannot move %s aside: %s; copying it instead", path, exc)
        for member in file_set(path):
            try:
                shutil.copy2(member, target / member.name)
            except OSError:
                pass
        return None
    return target / path.name


def _fresh_path(folder: Path, stamp: str) -> Path:
    name = f"audit-{stamp}.sqlite3"
    (folder / _POINTER).write_text(name + "\n", encoding="utf-8")
    return folder / name
