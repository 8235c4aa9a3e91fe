"""Typed errors of the sync client, with stable codes (texts in resources/messages/sync.*.toml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from base.errors import KysoError

__all__ = ["SyncError", "SyncErrorCode"]


class SyncErrorCode(StrEnum):
    NOT_ENROLLED = "SYNC_NOT_ENROLLED"
    ALREADY_ENROLLED = "SYNC_ALREADY_ENROLLED"
    CREDENTIAL_MISSING = "SYNC_CREDENTIAL_MISSING"
    UNREACHABLE = "SYNC_UNREACHABLE"
    TLS = "SYNC_TLS"
    TIMEOUT = "SYNC_TIMEOUT"
    REFUSED = "SYNC_REFUSED"
    AUTH = "SYNC_AUTH"
    REVOKED = "SYNC_REVOKED"
    ENROL_REFUSED = "SYNC_ENROL_REFUSED"
    HISTORY_REWRITTEN = "SYNC_HISTORY_REWRITTEN"
    RECEIPT_INVALID = "SYNC_RECEIPT_INVALID"
    RECEIPT_MISMATCH = "SYNC_RECEIPT_MISMATCH"
    SERVER_BEHIND = "SYNC_SERVER_BEHIND"
    PROTOCOL = "SYNC_PROTOCOL"
    LOG_UNAVAILABLE = "SYNC_LOG_UNAVAILABLE"
    CONFIG_REFUSED = "SYNC_CONFIG_REFUSED"
    PRUNE_UNVERIFIED = "SYNC_PRUNE_UNVERIFIED"
    PLAIN_HTTP = "SYNC_PLAIN_HTTP"
    CONFIG_UNSIGNED = "SYNC_CONFIG_UNSIGNED"
    CONFIG_SIGNATURE_INVALID = "SYNC_CONFIG_SIGNATURE_INVALID"
    SERVER_KEY_NOT_ENDORSED = "SYNC_SERVER_KEY_NOT_ENDORSED"


# Errors a retry cannot cure: the client keeps its slowest pace until `sync now` or a restart.
PERMANENT = frozenset({SyncErrorCode.NOT_ENROLLED, SyncErrorCode.CREDENTIAL_MISSING, SyncErrorCode.AUTH,
                       SyncErrorCode.REVOKED, SyncErrorCode.HISTORY_REWRITTEN, SyncErrorCode.RECEIPT_INVALID,
                       SyncErrorCode.RECEIPT_MISMATCH, SyncErrorCode.SERVER_BEHIND, SyncErrorCode.PLAIN_HTTP,
                       SyncErrorCode.SERVER_KEY_NOT_ENDORSED})


class SyncError(KysoError):
    def __init__(self, code: SyncErrorCode, /, **params: Any) -> None:
        super().__init__(code, **params)

    @property
    def permanent(self) -> bool:
        return self.code in PERMANENT
