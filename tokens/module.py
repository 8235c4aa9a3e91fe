"""PKCS#11 modules: loaded once, kept loaded, every call made on the module's own thread.

Vendor modules are not reliably thread-safe and some break when finalised and initialised
again, so a module is loaded once per process and never unloaded, and each one gets a single
worker thread that makes every PKCS#11 call for it (Electrum's device thread is the model).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import TokenError, TokenErrorCode

__all__ = ["ModuleOptions", "Pkcs11Module", "load_module"]

T = TypeVar("T")


@dataclass(frozen=True)
class ModuleOptions:
    """Per-module behaviour switches (vendor quirks live here; see docs/tokens.md)."""

    host_hash: bool = False  # never use combined hash-and-sign mechanisms; hash on the host
    read_only_session: bool = True  # signing never needs a read-write session


@dataclass
class Pkcs11Module:
    """A loaded module with the one thread that may call it."""

    path: str
    _lib: Any = field(repr=False)
    _executor: ThreadPoolExecutor = field(repr=False)
    _thread_ident: list[int] = field(default_factory=list, repr=False)

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run `fn(lib, *args, **kwargs)` on the module thread; returns a future."""
        return self._executor.submit(fn, self._lib, *args, **kwargs)

    def call(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run `fn(lib, *args, **kwargs)` on the module thread and wait for the result."""
        if self.on_module_thread():
            return fn(self._lib, *args, **kwargs)
        return self.submit(fn, *args, **kwargs).result()

    def on_module_thread(self) -> bool:
        return bool(self._thread_ident) and threading.get_ident() == self._thread_ident[0]


_modules: dict[str, Pkcs11Module] = {}
_modules_lock = threading.Lock()


def load_module(path: str) -> Pkcs11Module:
    """Load a PKCS#11 module once per process (later calls return the same module).

    How kyso uses the module (its quirks, `ModuleOptions`) is given per session, not here.
    """
    if not path:
        raise TokenError(TokenErrorCode.MODULE_NOT_CONFIGURED)
    real = os.path.realpath(path)
    with _modules_lock:
        module = _modules.get(real)
        if module is not None:
            return module
        if not os.path.isfile(real):
            raise TokenError(TokenErrorCode.MODULE_NOT_FOUND, module=path)
        module = _start_module(real)
        _modules[real] = module
        return module


def _start_module(path: str) -> Pkcs11Module:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pkcs11")
    ident: list[int] = []

    def load() -> Any:
        ident.append(threading.get_ident())
        import pkcs11

        return pkcs11.lib(path)

    try:
        lib = executor.submit(load).result()
    except Exception as exc:  # the vendor's loader can fail in many ways
        executor.shutdown(wait=False)
        raise TokenError(
            TokenErrorCode.MODULE_LOAD_FAILED, module=path, reason=type(exc).__name__
        ) from exc
    return Pkcs11Module(path=path, _lib=lib, _executor=executor, _thread_ident=ident)
