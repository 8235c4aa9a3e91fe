"""How the tokens layer asks for a PIN without ever showing a dialog itself.

The token's flags are read *before* asking; the request tells the prompter what is at stake
(count low, final try, PIN pad). The CLI and the UI each implement `PinPrompter`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

__all__ = ["PinAnswer", "PinPrompter", "PinPurpose", "PinRequest", "PinStatus"]


class PinStatus(Enum):
    """What the token says about its user PIN, read from CKF_USER_PIN_* flags."""

    OK = "ok"
    COUNT_LOW = "count_low"  # a wrong PIN was entered at least once since the last good one
    FINAL_TRY = "final_try"  # the next wrong PIN locks the token
    LOCKED = "locked"

    @classmethod
    def from_flags(cls, flags: int) -> PinStatus:
        if flags & 0x00040000:
            return cls.LOCKED
        if flags & 0x00020000:
            return cls.FINAL_TRY
        if flags & 0x00010000:
            return cls.COUNT_LOW
        return cls.OK


@dataclass(frozen=True)
class PinRequest:
    """Everything a prompter needs to ask well; never contains a PIN."""

    token_label: str
    token_serial: str
    status: PinStatus
    pin_pad: bool = False  # protected authentication path: the user types on the reader
    context_specific: bool = False  # a key that demands the PIN before each signature
    min_length: int = 0
    max_length: int = 0
    document: str | None = None  # for per-signature requests: which document
    attempt: int = 1  # 2, 3…: the PIN given before was wrong; `status` is the token's state now
    holder: str = ""  # whose certificate signs (tokens/holder.py)
    purpose: PinPurpose | None = None  # what will be signed, for the prompter to say


@dataclass(frozen=True)
class PinPurpose:
    """What a login is for: "3 documents, personal signature, level B-LT" (the prompter words it)."""

    documents: int
    kinds: tuple[str, ...] = ()  # signature kinds ("personal", "organisation"…)
    level: str = ""


@dataclass(frozen=True)
class PinAnswer:
    """The prompter's answer. `pin` is None for a PIN pad; `final_try_confirmed` must be True
    to send a PIN when the token is at its final try."""

    pin: str | None
    final_try_confirmed: bool = False


class PinPrompter(Protocol):
    def ask_pin(self, request: PinRequest) -> PinAnswer | None:
        """Return the answer, or None when the user cancels."""
        ...

    # Optional: `asks_again = True` — after a wrong PIN the prompter is asked again in the same
    # login (request.attempt > 1, the flags read again): one C_Login per answer, never a PIN
    # resent by kyso. `pin_accepted()` — called once the login succeeded (a dialog can close).
