"""Typed errors of the tokens layer, each with a stable code.

The code is what the CLI and the UI translate into Vietnamese or English; `params` fill the
message's placeholders. Nothing secret ever goes into an error: no PIN, no key material.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from base.errors import Cancelled, KysoError

__all__ = ["TokenCancelled", "TokenError", "TokenErrorCode"]


class TokenErrorCode(StrEnum):
    MODULE_NOT_CONFIGURED = "TOKEN_MODULE_NOT_CONFIGURED"
    MODULE_NOT_FOUND = "TOKEN_MODULE_NOT_FOUND"
    MODULE_LOAD_FAILED = "TOKEN_MODULE_LOAD_FAILED"
    MODULE_WRONG_ARCHITECTURE = "TOKEN_MODULE_WRONG_ARCHITECTURE"
    NO_TOKEN = "TOKEN_NOT_PRESENT"
    TOKEN_NOT_FOUND = "TOKEN_NOT_FOUND"
    TOKEN_AMBIGUOUS = "TOKEN_AMBIGUOUS"
    KEY_NOT_FOUND = "TOKEN_KEY_NOT_FOUND"
    KEY_AMBIGUOUS = "TOKEN_KEY_AMBIGUOUS"
    CERTIFICATE_MISSING = "TOKEN_CERTIFICATE_MISSING"
    KEY_TYPE_UNSUPPORTED = "TOKEN_KEY_TYPE_UNSUPPORTED"
    MECHANISM_UNSUPPORTED = "TOKEN_MECHANISM_UNSUPPORTED"
    PIN_CANCELLED = "TOKEN_PIN_CANCELLED"
    PIN_INCORRECT = "TOKEN_PIN_INCORRECT"
    PIN_LOCKED = "TOKEN_PIN_LOCKED"
    PIN_LENGTH = "TOKEN_PIN_LENGTH"
    PIN_FINAL_TRY_NOT_CONFIRMED = "TOKEN_PIN_FINAL_TRY_NOT_CONFIRMED"
    TOKEN_REMOVED = "TOKEN_REMOVED"
    TOKEN_BUSY = "TOKEN_BUSY"
    SIGN_FAILED = "TOKEN_SIGN_FAILED"
    DEVICE_ERROR = "TOKEN_DEVICE_ERROR"
    SO_PIN_INCORRECT = "TOKEN_SO_PIN_INCORRECT"  # the unblocking (trainer's) PIN of a practice token
    PRACTICE_FILE_DAMAGED = "TOKEN_PRACTICE_FILE_DAMAGED"  # a practice token file cannot be read


class TokenError(KysoError):
    """A token operation failed; `code` says which way, `params` say about what."""

    def __init__(self, code: TokenErrorCode, /, **params: Any) -> None:
        super().__init__(code, **params)


class TokenCancelled(TokenError, Cancelled):
    """The user closed the PIN dialog (TOKEN_PIN_CANCELLED): nothing was sent to the token."""

    def __init__(self, code: TokenErrorCode = TokenErrorCode.PIN_CANCELLED, /, **params: Any) -> None:
        super().__init__(code, **params)
