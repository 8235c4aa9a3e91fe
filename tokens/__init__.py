"""USB tokens over PKCS#11: modules, tokens, PIN safety, keys found by CKA_ID.

Only this package talks PKCS#11. Every call for a module runs on that module's own thread.
Lower layers never prompt: a `PinPrompter` supplied by the CLI or the UI asks the user.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import TokenCancelled, TokenError, TokenErrorCode
    from .mechanisms import SignatureScheme
    from .module import ModuleOptions, Pkcs11Module, load_module
    from .pin import PinAnswer, PinPrompter, PinPurpose, PinRequest, PinStatus
    from .session import TokenKey, TokenSession
    from .slots import TokenInfo

# Loaded on first use: the desktop paints its window before python-pkcs11 and the session
# machinery are imported (its status bar needs only the names of the token states).
_WHERE = {
    "TokenError": "errors", "TokenErrorCode": "errors", "TokenCancelled": "errors", "SignatureScheme": "mechanisms",
    "ModuleOptions": "module", "Pkcs11Module": "module", "load_module": "module",
    "PinAnswer": "pin", "PinPrompter": "pin", "PinRequest": "pin", "PinStatus": "pin", "PinPurpose": "pin",
    "TokenKey": "session", "TokenSession": "session", "TokenInfo": "slots",
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "ModuleOptions",
    "PinAnswer",
    "PinPrompter",
    "PinRequest",
    "PinPurpose",
    "PinStatus",
    "Pkcs11Module",
    "SignatureScheme",
    "TokenError",
    "TokenCancelled",
    "TokenErrorCode",
    "TokenInfo",
    "TokenKey",
    "TokenSession",
    "load_module",
]
