"""Which PKCS#11 module to use when none is named (grows into the module registry)."""

from __future__ import annotations

import os
import sys

__all__ = ["MODULE_ENV", "module_candidates"]

MODULE_ENV = "KYSO_PKCS11_MODULE"

_LINUX = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
    "/usr/lib/viettel-ca_v6.so",
    "/usr/lib/fptca_v4.so",
)
_WINDOWS = (
    "bit4xpki.dll",
    "eTPKCS11.dll",
    "vnptca_p11_v8.dll",
    "viettel-ca_v6.dll",
    "fptca_v4.dll",
    "BkavCA.dll",
    "CA2_csp11.dll",
    "eps2003csp11v2.dll",
)


def module_candidates(explicit: str | None = None) -> list[str]:
    """The module named on the command line, else KYSO_PKCS11_MODULE, else known ones present."""
    if explicit:
        return [explicit]
    from_env = os.environ.get(MODULE_ENV)
    if from_env:
        return [from_env]
    if sys.platform == "win32":
        system32 = os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "System32")
        paths = [os.path.join(system32, name) for name in _WINDOWS]
    else:
        paths = list(_LINUX)
    return [path for path in paths if os.path.isfile(path)]
