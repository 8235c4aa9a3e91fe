"""The one base of kyso's typed errors, below every layer (tokens, signing, app, ui import it).

A `KysoError` carries a stable `code` (a message key: resources/messages) and its `params`
(strings, never a PIN). `Cancelled` marks the errors that mean "the user chose to stop" (a PIN
dialog closed, an export interrupted): front ends say nothing alarming about them. The CLI's
reporter and the desktop's error dialog decide with `isinstance` — a `KysoError` gets its
message, a `Cancelled` no error, anything else APP_INTERNAL with its traceback in the log.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

__all__ = ["Cancelled", "KysoError"]


class KysoError(Exception):
    """A failure kyso expects and can name: `code` says which, `params` say about what."""

    def __init__(self, code: Any, /, **params: Any) -> None:
        self.code = code
        self.params = {key: str(value) for key, value in params.items()}
        text = code.value if isinstance(code, Enum) else str(code)
        detail = ", ".join(f"{key}={value}" for key, value in self.params.items())
        super().__init__(f"{text}: {detail}" if detail else text)

    @property
    def code_text(self) -> str:
        """The code as the messages and the audit log know it ("TOKEN_PIN_INCORRECT")."""
        return str(self.code.value if isinstance(self.code, Enum) else self.code)


class Cancelled(KysoError):
    """The user stopped the operation: not a failure to report, only to record."""
