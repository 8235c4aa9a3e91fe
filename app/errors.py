"""Typed errors of the application layer, and the one helper that reads any layer's error."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = ["AppError", "AppErrorCode", "error_code", "error_params"]


class AppErrorCode(StrEnum):
    NO_FILES = "APP_NO_FILES"
    OUT_DIR_MISSING = "APP_OUT_DIR_MISSING"
    KEY_ID_INVALID = "APP_KEY_ID_INVALID"
    CANCELLED = "APP_CANCELLED"
    TYPE_NOT_IN_CATALOGUE = "APP_TYPE_NOT_IN_CATALOGUE"
    INTERNAL = "APP_INTERNAL"


class AppError(Exception):
    def __init__(self, code: AppErrorCode, /, **params: Any) -> None:
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}
        detail = ", ".join(f"{key}={value}" for key, value in self.params.items())
        super().__init__(f"{code.value}: {detail}" if detail else code.value)


def error_code(exc: BaseException) -> str | None:
    """The stable code of a kyso error from any layer (tokens, signing, app), else None."""
    code = getattr(exc, "code", None)
    return str(code.value if hasattr(code, "value") else code) if code is not None else None


def error_params(exc: BaseException) -> dict[str, str]:
    return dict(getattr(exc, "params", {}) or {})
