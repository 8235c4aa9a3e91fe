"""Direct calls into a PKCS#11 library for what python-pkcs11 does not expose.

Two things need it: the token's PIN length limits (ulMinPinLen/ulMaxPinLen of CK_TOKEN_INFO),
checked before a PIN is sent, and reading attributes into fixed-size buffers for drivers whose
size query answers 0 (the `fixed_attribute_buffers` quirk). The library is the one python-pkcs11
already loaded and initialised (dlopen returns the same handle); these calls, like every other,
run on the module's thread.
"""

from __future__ import annotations

import ctypes
import functools
import sys

__all__ = ["NativeModule", "CKA_CLASS", "CKA_ID", "CKA_LABEL", "CKA_VALUE", "register_simulated"]

CKA_CLASS = 0x000
CKA_LABEL = 0x003
CKA_VALUE = 0x011
CKA_ID = 0x102
_BUFFER = 16 * 1024
_UNAVAILABLE = ctypes.c_ulong(-1).value  # CK_UNAVAILABLE_INFORMATION

_PACK = 1 if sys.platform == "win32" else 0  # cryptoki packs structs to 1 byte on Windows


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_ubyte), ("minor", ctypes.c_ubyte)]


class _TokenInfo(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = [
        ("label", ctypes.c_char * 32),
        ("manufacturerID", ctypes.c_char * 32),
        ("model", ctypes.c_char * 16),
        ("serialNumber", ctypes.c_char * 16),
        ("flags", ctypes.c_ulong),
        ("ulMaxSessionCount", ctypes.c_ulong),
        ("ulSessionCount", ctypes.c_ulong),
        ("ulMaxRwSessionCount", ctypes.c_ulong),
        ("ulRwSessionCount", ctypes.c_ulong),
        ("ulMaxPinLen", ctypes.c_ulong),
        ("ulMinPinLen", ctypes.c_ulong),
        ("ulTotalPublicMemory", ctypes.c_ulong),
        ("ulFreePublicMemory", ctypes.c_ulong),
        ("ulTotalPrivateMemory", ctypes.c_ulong),
        ("ulFreePrivateMemory", ctypes.c_ulong),
        ("hardwareVersion", _Version),
        ("firmwareVersion", _Version),
        ("utcTime", ctypes.c_char * 16),
    ]


class _Attribute(ctypes.Structure):
    _pack_ = _PACK
    _fields_ = [("type", ctypes.c_ulong), ("pValue", ctypes.c_void_p), ("ulValueLen", ctypes.c_ulong)]


class NativeModule:
    """ctypes entry points of an already initialised PKCS#11 library."""

    def __init__(self, path: str) -> None:
        loader = ctypes.CDLL
        self._dll = loader(path)
        self._get_token_info = self._function("C_GetTokenInfo", ctypes.c_ulong, ctypes.POINTER(_TokenInfo))
        self._get_attribute_value = self._function(
            "C_GetAttributeValue", ctypes.c_ulong, ctypes.c_ulong, ctypes.POINTER(_Attribute), ctypes.c_ulong
        )

    def _function(self, name: str, *argtypes):
        function = getattr(self._dll, name)
        function.argtypes = list(argtypes)
        function.restype = ctypes.c_ulong
        return function

    def pin_length_limits(self, slot_id: int) -> tuple[int, int] | None:
        """(min, max) PIN length the token accepts, or None when it does not say."""
        info = _TokenInfo()
        if self._get_token_info(slot_id, ctypes.byref(info)) != 0:
            return None
        low, high = info.ulMinPinLen, info.ulMaxPinLen
        if low in (0, _UNAVAILABLE) and high in (0, _UNAVAILABLE):
            return None
        return (0 if low == _UNAVAILABLE else low, 0 if high == _UNAVAILABLE else high)

    def read_attributes(self, session_handle: int, object_handle: int, types: list[int]) -> dict[int, bytes]:
        """Attribute values read into fixed 16 KiB buffers (no size query first)."""
        buffers = [ctypes.create_string_buffer(_BUFFER) for _ in types]
        template = (_Attribute * len(types))(
            *[_Attribute(kind, ctypes.cast(buffer, ctypes.c_void_p), _BUFFER) for kind, buffer in zip(types, buffers, strict=True)]
        )
        result = self._get_attribute_value(session_handle, object_handle, template, len(types))
        values = {}
        for kind, buffer, entry in zip(types, buffers, template, strict=True):
            if result in (0, 0x12, 0x11) and entry.ulValueLen not in (_UNAVAILABLE,) and entry.ulValueLen <= _BUFFER:
                values[kind] = buffer.raw[: entry.ulValueLen]
        return values


_simulated: dict[str, object] = {}


def register_simulated(path: str, native: object) -> None:
    """A simulated module (practice tokens, tokens/practice.py) answers these calls itself."""
    _simulated[path] = native


def native_module(path: str) -> NativeModule:
    simulated = _simulated.get(path)
    return simulated if simulated is not None else _loaded(path)  # type: ignore[return-value]


@functools.lru_cache(maxsize=16)
def _loaded(path: str) -> NativeModule:
    return NativeModule(path)


class _InitializeArgs(ctypes.Structure):
    _fields_ = [("CreateMutex", ctypes.c_void_p), ("DestroyMutex", ctypes.c_void_p),
                ("LockMutex", ctypes.c_void_p), ("UnlockMutex", ctypes.c_void_p),
                ("flags", ctypes.c_ulong), ("pReserved", ctypes.c_char_p)]


_CKF_OS_LOCKING_OK = 0x2
_CKR_CRYPTOKI_ALREADY_INITIALIZED = 0x191


def lib_with_init_args(path: str, init_args: str):
    """python-pkcs11's library object for a module whose C_Initialize needs arguments (NSS's
    softokn: its configuration directory in pReserved). python-pkcs11 always passes NULL: kyso
    calls the module's own C_Initialize first, with the arguments, and python-pkcs11's call then
    finds the module initialised."""
    from pkcs11 import _pkcs11
    from pkcs11.exceptions import PKCS11Error

    class _Lib(_pkcs11.lib):
        def initialize(self) -> None:
            _initialize_with(self.so, init_args)
            try:
                super().initialize()
            except PKCS11Error:  # CKR_CRYPTOKI_ALREADY_INITIALIZED: kyso's own call did it
                pass

    return _Lib(path)


def _initialize_with(path: str, init_args: str) -> None:
    native = ctypes.CDLL(path)
    functions = ctypes.c_void_p()
    rv = native.C_GetFunctionList(ctypes.byref(functions))
    if rv != 0:
        _raise(rv)
    # CK_FUNCTION_LIST: the CK_VERSION (padded to a pointer), then C_Initialize
    initialize = ctypes.CFUNCTYPE(ctypes.c_ulong, ctypes.c_void_p)(ctypes.cast(functions, ctypes.POINTER(ctypes.c_void_p))[1])
    arguments = _InitializeArgs(flags=_CKF_OS_LOCKING_OK, pReserved=init_args.encode("utf-8"))
    rv = initialize(ctypes.byref(arguments))
    if rv not in (0, _CKR_CRYPTOKI_ALREADY_INITIALIZED):
        _raise(rv)


def _raise(rv: int):
    """The python-pkcs11 exception for a CKR_ value (as its own calls raise), for one message path."""
    from pkcs11 import exceptions

    by_value = {0x2: "HostMemory", 0x7: "ArgumentsBad", 0x5: "GeneralError", 0x6: "FunctionFailed"}
    raise getattr(exceptions, by_value.get(rv, "PKCS11Error"), exceptions.PKCS11Error)(f"CKR 0x{rv:x}")
