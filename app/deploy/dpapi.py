"""Windows DPAPI, machine scope: data sealed on this computer opens only on this computer.

Used for the enrolment code an MSI deployment carries: at rest it is never in clear, and a copy
of the disk, an image or a backup taken elsewhere cannot open it. Any account on the same
computer can open it (that is what lets each user's first start enrol); the code is one-time, so
once used it is worth nothing. Windows only (crypt32); not exercised by the Linux test suite.
"""

from __future__ import annotations

import ctypes
from ctypes import wintypes

__all__ = ["protect_machine", "unprotect_machine"]

_CRYPTPROTECT_UI_FORBIDDEN = 0x1
_CRYPTPROTECT_LOCAL_MACHINE = 0x4


class _Blob(ctypes.Structure):
    _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]


def _call(function_name: str, data: bytes, flags: int) -> bytes:
    crypt32 = ctypes.WinDLL("crypt32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    buffer = ctypes.create_string_buffer(data, len(data))
    source = _Blob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char)))
    result = _Blob()
    function = getattr(crypt32, function_name)
    if not function(ctypes.byref(source), None, None, None, None, flags, ctypes.byref(result)):
        raise OSError(ctypes.get_last_error(), f"{function_name} failed")  # type: ignore[attr-defined]
    try:
        return ctypes.string_at(result.pbData, result.cbData)
    finally:
        kernel32.LocalFree(result.pbData)


def protect_machine(data: bytes) -> bytes:
    return _call("CryptProtectData", data, _CRYPTPROTECT_UI_FORBIDDEN | _CRYPTPROTECT_LOCAL_MACHINE)


def unprotect_machine(sealed: bytes) -> bytes:
    return _call("CryptUnprotectData", sealed, _CRYPTPROTECT_UI_FORBIDDEN)
