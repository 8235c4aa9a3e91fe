"""What a PIN prompter is asked and answers, for the window's PIN dialog (the tokens layer
defines them; the window takes them from the desk, never from tokens/ itself)."""

from __future__ import annotations

from tokens.pin import PinAnswer, PinPurpose, PinRequest, PinStatus

__all__ = ["PinAnswer", "PinPurpose", "PinRequest", "PinStatus"]
