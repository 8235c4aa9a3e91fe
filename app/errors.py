"""Typed errors of the application layer, and the one helper that reads any layer's error."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from base.errors import Cancelled, KysoError

__all__ = ["AppCancelled", "AppError", "AppErrorCode", "Cancelled", "KysoError", "error_code", "error_params", "prepare_out_dir"]


class AppErrorCode(StrEnum):
    NO_FILES = "APP_NO_FILES"
    OUT_DIR_MISSING = "APP_OUT_DIR_MISSING"
    OUT_DIR_NOT_FOLDER = "APP_OUT_DIR_NOT_FOLDER"
    OUT_DIR_UNUSABLE = "APP_OUT_DIR_UNUSABLE"
    KEY_ID_INVALID = "APP_KEY_ID_INVALID"
    CANCELLED = "APP_CANCELLED"
    TYPE_NOT_IN_CATALOGUE = "APP_TYPE_NOT_IN_CATALOGUE"
    SUMMARY_FORMAT = "APP_SUMMARY_FORMAT"  # the verification summary: .csv or .xlsx only
    SUMMARY_IS_INPUT = "APP_SUMMARY_IS_INPUT"  # ... never over a file being verified
    SUMMARY_WRITE_FAILED = "APP_SUMMARY_WRITE_FAILED"
    INTERNAL = "APP_INTERNAL"


class AppError(KysoError):
    def __init__(self, code: AppErrorCode, /, **params: Any) -> None:
        super().__init__(code, **params)


class AppCancelled(AppError, Cancelled):
    """The user stopped (APP_CANCELLED)."""

    def __init__(self, code: AppErrorCode = AppErrorCode.CANCELLED, /, **params: Any) -> None:
        super().__init__(code, **params)


def error_code(exc: BaseException) -> str | None:
    """The stable code of a kyso error from any layer (all derive from KysoError), else None."""
    return exc.code_text if isinstance(exc, KysoError) else None


def error_params(exc: BaseException) -> dict[str, str]:
    return dict(exc.params) if isinstance(exc, KysoError) else {}


def prepare_out_dir(folder: Path | None) -> None:
    """Create the folder the signed files go to (with its parents) when it does not exist yet, as
    `mkdir -p` would; a path that is a file, or a folder that cannot be created, is refused before
    anything is signed."""
    if folder is None or folder.is_dir():
        return
    if folder.exists():
        raise AppError(AppErrorCode.OUT_DIR_NOT_FOLDER, folder=folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AppError(AppErrorCode.OUT_DIR_UNUSABLE, folder=folder, reason=exc.strerror or str(exc)) from exc
