"""Typed errors and warnings of the audit log, with stable codes (texts: resources/messages/audit.*.toml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from base.errors import Cancelled, KysoError

__all__ = ["AuditCancelled", "AuditError", "AuditErrorCode"]


class AuditErrorCode(StrEnum):
    LOG_DAMAGED = "AUDIT_LOG_DAMAGED"  # found at open: moved aside, a new chain started
    LOG_LOCKED = "AUDIT_LOG_LOCKED"  # another program holds the log: moved aside, a new chain started
    WRITE_FAILED = "AUDIT_WRITE_FAILED"  # an event could not be written (signing went on)
    DB_MISSING = "AUDIT_DB_MISSING"
    DB_UNREADABLE = "AUDIT_DB_UNREADABLE"
    RECEIPT_INVALID = "AUDIT_RECEIPT_INVALID"
    RECEIPT_MISMATCH = "AUDIT_RECEIPT_MISMATCH"
    BAD_DATE = "AUDIT_BAD_DATE"
    OUT_DIR_MISSING = "AUDIT_OUT_DIR_MISSING"
    FONT_MISSING = "AUDIT_FONT_MISSING"
    CANCELLED = "AUDIT_CANCELLED"


class AuditError(KysoError):
    def __init__(self, code: AuditErrorCode, /, **params: Any) -> None:
        super().__init__(code, **params)


class AuditCancelled(AuditError, Cancelled):
    """The user stopped a verification or an export (AUDIT_CANCELLED)."""

    def __init__(self, code: AuditErrorCode = AuditErrorCode.CANCELLED, /, **params: Any) -> None:
        super().__init__(code, **params)
