"""Who owns a file or folder, for the install-time step's trust in %ProgramData%\\kyso.

Trusted owners are the accounts only an administrator acts as: SYSTEM, Administrators and
TrustedInstaller on Windows (read with GetNamedSecurityInfoW, not exercised by the Linux test
suite); root or the account running the step elsewhere (the step runs as SYSTEM on Windows).
The link itself is examined, never what it points to.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["TRUSTED_SIDS", "owner_is_trusted", "owner_sid"]

TRUSTED_SIDS = frozenset({
    "S-1-5-18",  # SYSTEM
    "S-1-5-32-544",  # BUILTIN\Administrators
    "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",  # NT SERVICE\TrustedInstaller
})
_SE_FILE_OBJECT = 1
_OWNER_SECURITY_INFORMATION = 0x1


def owner_sid(path: Path) -> str:
    """The owner's SID of `path` as text (Windows only)."""
    import ctypes
    from ctypes import wintypes

    advapi32 = ctypes.WinDLL("advapi32", use_last_error=True)  # type: ignore[attr-defined]
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    advapi32.GetNamedSecurityInfoW.argtypes = [wintypes.LPCWSTR, ctypes.c_int, wintypes.DWORD,
                                               ctypes.POINTER(ctypes.c_void_p), ctypes.c_void_p, ctypes.c_void_p,
                                               ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
    advapi32.GetNamedSecurityInfoW.restype = wintypes.DWORD
    advapi32.ConvertSidToStringSidW.argtypes = [ctypes.c_void_p, ctypes.POINTER(wintypes.LPWSTR)]
    kernel32.LocalFree.argtypes = [ctypes.c_void_p]
    owner, descriptor = ctypes.c_void_p(), ctypes.c_void_p()
    error = advapi32.GetNamedSecurityInfoW(str(path), _SE_FILE_OBJECT, _OWNER_SECURITY_INFORMATION,
                                           ctypes.byref(owner), None, None, None, ctypes.byref(descriptor))
    if error:
        raise OSError(error, "GetNamedSecurityInfoW failed", str(path))
    try:
        text = wintypes.LPWSTR()
        if not advapi32.ConvertSidToStringSidW(owner, ctypes.byref(text)):
            raise OSError(ctypes.get_last_error(), "ConvertSidToStringSidW failed", str(path))  # type: ignore[attr-defined]
        try:
            return str(text.value)
        finally:
            kernel32.LocalFree(text)
    finally:
        kernel32.LocalFree(descriptor)


def owner_is_trusted(path: Path) -> bool:
    if os.name == "nt":
        return owner_sid(path) in TRUSTED_SIDS
    return os.lstat(path).st_uid in {0, os.geteuid()}
