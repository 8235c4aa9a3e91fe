"""The one place where python-pkcs11 exceptions become kyso's typed token errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import TokenCancelled, TokenError, TokenErrorCode

__all__ = ["ckr_name", "translate_exception", "translated"]

F = TypeVar("F", bound=Callable[..., Any])

_BY_NAME = {
    "PinIncorrect": TokenErrorCode.PIN_INCORRECT,
    "PinInvalid": TokenErrorCode.PIN_INCORRECT,
    "PinLocked": TokenErrorCode.PIN_LOCKED,
    "PinLenRange": TokenErrorCode.PIN_LENGTH,
    "DeviceRemoved": TokenErrorCode.TOKEN_REMOVED,
    "TokenNotPresent": TokenErrorCode.TOKEN_REMOVED,
    "SessionHandleInvalid": TokenErrorCode.TOKEN_REMOVED,
    "SessionClosed": TokenErrorCode.TOKEN_REMOVED,
    "TokenNotRecognised": TokenErrorCode.TOKEN_REMOVED,
    "UserNotLoggedIn": TokenErrorCode.PIN_CANCELLED,
    "MechanismInvalid": TokenErrorCode.MECHANISM_UNSUPPORTED,
    "MechanismParamInvalid": TokenErrorCode.MECHANISM_UNSUPPORTED,
    "KeyTypeInconsistent": TokenErrorCode.KEY_TYPE_UNSUPPORTED,
    "DeviceError": TokenErrorCode.DEVICE_ERROR,
    "DeviceMemory": TokenErrorCode.DEVICE_ERROR,
    "FunctionFailed": TokenErrorCode.SIGN_FAILED,
    "GeneralError": TokenErrorCode.DEVICE_ERROR,
}


def ckr_name(exc: BaseException) -> str | None:
    """The CKR_ code a python-pkcs11 exception stands for ("HostMemory" → "CKR_HOST_MEMORY"),
    None for anything else."""
    import re

    try:
        from pkcs11.exceptions import PKCS11Error
    except ImportError:
        return None
    if not isinstance(exc, PKCS11Error) or type(exc) is PKCS11Error:
        return None
    return "CKR_" + re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).upper()


def translate_exception(exc: BaseException) -> TokenError:
    """Map a python-pkcs11 exception (by its class) to a TokenError with a stable code."""
    for klass in type(exc).__mro__:
        code = _BY_NAME.get(klass.__name__)
        if code is TokenErrorCode.PIN_CANCELLED:
            return TokenCancelled(reason=klass.__name__)
        if code is not None:
            return TokenError(code, reason=klass.__name__)
    return TokenError(TokenErrorCode.DEVICE_ERROR, reason=type(exc).__name__)


def translated(fn: F) -> F:
    """Run `fn`, turning any PKCS#11 failure into a TokenError (chained, for the log)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except TokenError:
            raise
        except Exception as exc:
            from pkcs11.exceptions import PKCS11Error

            if isinstance(exc, PKCS11Error):
                raise translate_exception(exc) from exc
            raise

    return wrapper  # type: ignore[return-value]
