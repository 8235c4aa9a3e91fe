"""Typed errors of practice mode and workshops (codes PRACTICE_*, messages in
resources/messages/practice.vi.toml and practice.en.toml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from base.errors import KysoError

__all__ = ["PracticeError", "PracticeErrorCode"]


class PracticeErrorCode(StrEnum):
    PACK_NOT_FOUND = "PRACTICE_PACK_NOT_FOUND"
    PACK_INVALID = "PRACTICE_PACK_INVALID"
    OUT_NOT_EMPTY = "PRACTICE_OUT_NOT_EMPTY"
    TRAINEE_UNKNOWN = "PRACTICE_TRAINEE_UNKNOWN"
    TRAINEE_NEEDED = "PRACTICE_TRAINEE_NEEDED"
    TRAINEES_UNREADABLE = "PRACTICE_TRAINEES_UNREADABLE"
    TRAINEES_EMPTY = "PRACTICE_TRAINEES_EMPTY"
    TRAINEES_COUNT = "PRACTICE_TRAINEES_COUNT"
    TRAINEES_NUMBER_TWICE = "PRACTICE_TRAINEES_NUMBER_TWICE"
    TRAINEE_NAME_INVALID = "PRACTICE_TRAINEE_NAME_INVALID"
    TRAINEE_NUMBER_INVALID = "PRACTICE_TRAINEE_NUMBER_INVALID"
    TOKEN_UNKNOWN = "PRACTICE_TOKEN_UNKNOWN"
    OPTION_NOT_ALLOWED = "PRACTICE_OPTION_NOT_ALLOWED"
    LOG_UNREADABLE = "PRACTICE_LOG_UNREADABLE"
    REPORT_FORMAT = "PRACTICE_REPORT_FORMAT"


class PracticeError(KysoError):
    def __init__(self, code: PracticeErrorCode, /, **params: Any) -> None:
        super().__init__(code, **params)
