"""What an audit event is in the users' world: its type, who, when, and what happened.

The event types and the members of their "data" are listed in docs/audit.md. Every event type
that ends in a result carries data["outcome"] ("ok", "failed" or "refused"); every event about
one document carries data["document"] (the file name), which the audit view searches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["AuditActor", "AuditEvent", "EventType", "Outcome", "MODES", "PRODUCTION", "PRACTICE"]

PRODUCTION = "production"
PRACTICE = "practice"
MODES = (PRODUCTION, PRACTICE)


class EventType(StrEnum):
    APP_STARTED = "app.started"
    APP_STOPPED = "app.stopped"
    DOCUMENT_OPENED = "document.opened"
    PREFLIGHT_DONE = "preflight.done"
    SIGN_REQUESTED = "sign.requested"
    SIGN_SUCCEEDED = "sign.succeeded"
    SIGN_FAILED = "sign.failed"
    SIGN_REFUSED = "sign.refused"
    SIGN_RECOVERED = "sign.recovered"
    PIN_WRONG = "pin.wrong"
    PIN_LOCKED = "pin.locked"
    TOKEN_INSERTED = "token.inserted"
    TOKEN_REMOVED = "token.removed"
    VERIFICATION_DONE = "verification.done"
    DOCUMENT_EXTENDED = "document.extended"  # kyso extend: signatures given LTV data / a document timestamp
    SETTINGS_CHANGED = "settings.changed"
    CATALOGUE_LOADED = "catalogue.loaded"
    POLICY_LOADED = "policy.loaded"
    LOG_EXPORTED = "audit.exported"
    LOG_VERIFIED = "audit.verified"
    LOG_PRUNED = "audit.pruned"
    LOG_RESTARTED = "audit.restarted"  # first event of a new chain after a damaged log was set aside
    LOG_WRITE_FAILED = "audit.write_failed"  # events that could not be written (recorded once it works again)
    SERVER_KEY_FOLLOWED = "server.key_followed"  # the pinned server key followed to its endorsed successor
    PRACTICE_UNLOCKED = "practice.unlocked"  # a trainer unlocked a practice token (practice chain only)


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    REFUSED = "refused"


@dataclass(frozen=True)
class AuditActor:
    """Who acts: the operating-system account and the kyso user (from settings)."""

    os_user: str
    user_name: str | None = None
    user_role: str | None = None


@dataclass(frozen=True)
class AuditEvent:
    """One sealed event of a chain, as stored and as sent to the server."""

    seq: int
    mode: str
    type: str
    at_utc: str
    at_local: str
    workstation: str
    os_user: str
    user_name: str | None
    user_role: str | None
    app_version: str
    prev_hash: str
    hash: str
    data: Mapping[str, Any] = field(default_factory=dict)
    v: int = 1

    @property
    def outcome(self) -> str | None:
        value = self.data.get("outcome")
        return value if isinstance(value, str) else None

    @property
    def document(self) -> str | None:
        value = self.data.get("document")
        return value if isinstance(value, str) else None

    def to_wire(self) -> dict[str, Any]:
        """The event as the wire format defines it (app/audit/wire.py), "hash" included."""
        return {
            "v": self.v, "workstation": self.workstation, "mode": self.mode, "seq": self.seq,
            "prev_hash": self.prev_hash, "type": self.type, "at_utc": self.at_utc, "at_local": self.at_local,
            "os_user": self.os_user, "user_name": self.user_name, "user_role": self.user_role,
            "app_version": self.app_version, "data": dict(self.data), "hash": self.hash,
        }

    @classmethod
    def from_row(cls, row: Mapping[str, Any] | Any) -> AuditEvent:
        """From an audit_event row (sqlite3.Row or a mapping with the column names)."""
        return cls(
            seq=row["seq"], mode=row["mode"], type=row["type"], at_utc=row["at_utc"], at_local=row["at_local"],
            workstation=row["workstation"], os_user=row["os_user"], user_name=row["user_name"],
            user_role=row["user_role"], app_version=row["app_version"], prev_hash=row["prev_hash"],
            hash=row["hash"], data=json.loads(row["data"]), v=row["v"],
        )
