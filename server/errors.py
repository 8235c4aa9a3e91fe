"""The server's typed errors: a stable code, an HTTP status and parameters for the message.

Every refusal the API gives is one of these (docs/server.md lists them); the texts are in
resources/messages/server.<lang>.toml.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["ServerError", "ServerErrorCode"]


class ServerErrorCode(StrEnum):
    AUTH_REQUIRED = "SERVER_AUTH_REQUIRED"
    AUTH_INVALID = "SERVER_AUTH_INVALID"
    WORKSTATION_REVOKED = "SERVER_WORKSTATION_REVOKED"
    WRONG_WORKSTATION = "SERVER_WRONG_WORKSTATION"
    FORBIDDEN = "SERVER_FORBIDDEN"
    OTHER_UNIT = "SERVER_OTHER_UNIT"
    LOGIN_FAILED = "SERVER_LOGIN_FAILED"
    ACCOUNT_LOCKED = "SERVER_ACCOUNT_LOCKED"
    ENROLMENT_CODE_INVALID = "SERVER_ENROLMENT_CODE_INVALID"
    ENROLMENT_PROOF_INVALID = "SERVER_ENROLMENT_PROOF_INVALID"
    WORKSTATION_ID_TAKEN = "SERVER_WORKSTATION_ID_TAKEN"
    UNIT_UNKNOWN = "SERVER_UNIT_UNKNOWN"
    UNIT_EXISTS = "SERVER_UNIT_EXISTS"
    ACCOUNT_EXISTS = "SERVER_ACCOUNT_EXISTS"
    WORKSTATION_UNKNOWN = "SERVER_WORKSTATION_UNKNOWN"
    PASSWORD_WEAK = "SERVER_PASSWORD_WEAK"
    BATCH_EMPTY = "SERVER_BATCH_EMPTY"
    BATCH_TOO_LARGE = "SERVER_BATCH_TOO_LARGE"
    BATCH_MIXED_CHAINS = "SERVER_BATCH_MIXED_CHAINS"
    BATCH_DUPLICATE_SEQ = "SERVER_BATCH_DUPLICATE_SEQ"
    EVENT_INVALID = "SERVER_EVENT_INVALID"
    EVENT_HASH_MISMATCH = "SERVER_EVENT_HASH_MISMATCH"
    EVENT_NOT_CANONICAL = "SERVER_EVENT_NOT_CANONICAL"
    EVENT_TOO_LARGE = "SERVER_EVENT_TOO_LARGE"
    DATE_INVALID = "SERVER_DATE_INVALID"
    RATE_LIMITED = "SERVER_RATE_LIMITED"
    BUSY = "SERVER_BUSY"
    STORAGE_FULL = "SERVER_STORAGE_FULL"
    DATABASE_UNAVAILABLE = "SERVER_DATABASE_UNAVAILABLE"
    CHAIN_GAP = "SERVER_CHAIN_GAP"
    CHAIN_REWRITTEN = "SERVER_CHAIN_REWRITTEN"
    CONFIG_NOT_SET = "SERVER_CONFIG_NOT_SET"
    CONFIG_INVALID = "SERVER_CONFIG_INVALID"
    BODY_TOO_LARGE = "SERVER_BODY_TOO_LARGE"
    BODY_MALFORMED = "SERVER_BODY_MALFORMED"
    REQUEST_INVALID = "SERVER_REQUEST_INVALID"
    NOT_FOUND = "SERVER_NOT_FOUND"
    METHOD_NOT_ALLOWED = "SERVER_METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "SERVER_NOT_ACCEPTABLE"
    REPORT_FONT_MISSING = "SERVER_REPORT_FONT_MISSING"
    RECEIPT_KEY_MISSING = "SERVER_RECEIPT_KEY_MISSING"
    RECEIPT_KEY_MISMATCH = "SERVER_RECEIPT_KEY_MISMATCH"
    INTERNAL = "SERVER_INTERNAL"


_STATUS = {
    ServerErrorCode.AUTH_REQUIRED: 401, ServerErrorCode.AUTH_INVALID: 401,
    ServerErrorCode.WORKSTATION_REVOKED: 403, ServerErrorCode.WRONG_WORKSTATION: 403,
    ServerErrorCode.FORBIDDEN: 403, ServerErrorCode.OTHER_UNIT: 403,
    ServerErrorCode.LOGIN_FAILED: 401, ServerErrorCode.ACCOUNT_LOCKED: 403,
    ServerErrorCode.ENROLMENT_CODE_INVALID: 403, ServerErrorCode.ENROLMENT_PROOF_INVALID: 422,
    ServerErrorCode.WORKSTATION_ID_TAKEN: 409, ServerErrorCode.UNIT_UNKNOWN: 404,
    ServerErrorCode.UNIT_EXISTS: 409, ServerErrorCode.ACCOUNT_EXISTS: 409,
    ServerErrorCode.WORKSTATION_UNKNOWN: 404, ServerErrorCode.PASSWORD_WEAK: 422,
    ServerErrorCode.BATCH_EMPTY: 422, ServerErrorCode.BATCH_TOO_LARGE: 413,
    ServerErrorCode.BATCH_MIXED_CHAINS: 422, ServerErrorCode.BATCH_DUPLICATE_SEQ: 422,
    ServerErrorCode.EVENT_INVALID: 422, ServerErrorCode.EVENT_HASH_MISMATCH: 422,
    ServerErrorCode.EVENT_NOT_CANONICAL: 422, ServerErrorCode.EVENT_TOO_LARGE: 422,
    ServerErrorCode.DATE_INVALID: 422, ServerErrorCode.RATE_LIMITED: 429, ServerErrorCode.BUSY: 503,
    ServerErrorCode.STORAGE_FULL: 507, ServerErrorCode.DATABASE_UNAVAILABLE: 503,
    ServerErrorCode.CHAIN_GAP: 409, ServerErrorCode.CHAIN_REWRITTEN: 409,
    ServerErrorCode.CONFIG_NOT_SET: 404, ServerErrorCode.CONFIG_INVALID: 422,
    ServerErrorCode.BODY_TOO_LARGE: 413, ServerErrorCode.BODY_MALFORMED: 400,
    ServerErrorCode.REQUEST_INVALID: 422, ServerErrorCode.NOT_FOUND: 404,
    ServerErrorCode.METHOD_NOT_ALLOWED: 405, ServerErrorCode.NOT_ACCEPTABLE: 406,
    ServerErrorCode.REPORT_FONT_MISSING: 503, ServerErrorCode.INTERNAL: 500,
    ServerErrorCode.RECEIPT_KEY_MISSING: 503, ServerErrorCode.RECEIPT_KEY_MISMATCH: 503,
}


class ServerError(Exception):
    """A refusal with a stable code. `extra` members go into the JSON answer beside the code."""

    def __init__(self, code: ServerErrorCode, /, *, extra: dict[str, Any] | None = None,
                 **params: Any) -> None:
        self.code = code
        self.status = _STATUS[code]
        self.params = {key: str(value) for key, value in params.items()}
        self.extra = extra or {}
        super().__init__(f"{code.value}: {self.params}" if self.params else code.value)
