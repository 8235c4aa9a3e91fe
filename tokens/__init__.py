"""USB tokens over PKCS#11: modules, tokens, PIN safety, keys found by CKA_ID.

Only this package talks PKCS#11. Every call for a module runs on that module's own thread.
Lower layers never prompt: a `PinPrompter` supplied by the CLI or the UI asks the user.
"""

from __future__ import annotations

from .errors import TokenError, TokenErrorCode
from .mechanisms import SignatureScheme
from .module import ModuleOptions, Pkcs11Module, load_module
from .pin import PinAnswer, PinPrompter, PinRequest, PinStatus
from .session import TokenKey, TokenSession
from .slots import TokenInfo

__all__ = [
    "ModuleOptions",
    "PinAnswer",
    "PinPrompter",
    "PinRequest",
    "PinStatus",
    "Pkcs11Module",
    "SignatureScheme",
    "TokenError",
    "TokenErrorCode",
    "TokenInfo",
    "TokenKey",
    "TokenSession",
    "load_module",
]
