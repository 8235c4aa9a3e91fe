"""PKCS#11 modules: loaded once, kept loaded, every call made on the module's own thread.

Vendor modules are not reliably thread-safe and some break when finalised and initialised
again, so a module is loaded once per process and never unloaded, and each one gets a single
worker thread that makes every PKCS#11 call for it (Electrum's device thread is the model).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .errors import TokenError, TokenErrorCode

__all__ = ["ModuleOptions", "Pkcs11Module", "load_module"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ModuleOptions:
    """Per-module behaviour switches (vendor quirks live here; see docs/tokens.md)."""

    host_hash: bool = False  # never use combined hash-and-sign mechanisms; hash on the host
    read_only_session: bool = True  # signing never needs a read-write session
    login_before_search: bool = False  # never search objects before C_Login (some drivers hang)
    fixed_attribute_buffers: bool = False  # attribute size queries return 0: read into fixed buffers
    no_finalize_at_exit: bool = False  # the driver deadlocks in C_Finalize at process exit
    # C_Initialize's CK_C_INITIALIZE_ARGS.pReserved, for modules that need it (NSS's softokn:
    # "configdir='sql:/path' certPrefix='' keyPrefix='' secmod='secmod.db' flags=readOnly")
    init_args: str = ""


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


def load_module(path: str, *, options: ModuleOptions | None = None) -> Pkcs11Module:
    """Load a PKCS#11 module once per process (later calls return the same module).

    Its header is read first: a library built for another architecture is refused with a clear
    error instead of the loader's bare failure. Of `options`, only `no_finalize_at_exit`
    matters here; the others are given to each session.
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
        from pathlib import Path

        from .binary import check_loadable

        check_loadable(Path(real))
        module = _start_module(real, keep_at_exit=bool(options and options.no_finalize_at_exit),
                               init_args=options.init_args if options else "")
        _modules[real] = module
        return module


def _start_module(path: str, *, keep_at_exit: bool, init_args: str = "") -> Pkcs11Module:
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pkcs11")
    ident: list[int] = []

    def load() -> Any:
        ident.append(threading.get_ident())
        if init_args:
            from .native import lib_with_init_args

            return lib_with_init_args(path, init_args)
        import pkcs11

        return pkcs11.lib(path)

    try:
        lib = executor.submit(load).result()
    except Exception as exc:  # the vendor's loader can fail in many ways
        executor.shutdown(wait=False)
        log.warning("the PKCS#11 module %s cannot be loaded", path, exc_info=exc)
        raise TokenError(
            TokenErrorCode.MODULE_LOAD_FAILED, module=path, reason=_reason(exc), advice=load_advice(exc)
        ) from exc
    if keep_at_exit:
        _never_finalize(lib)
    return Pkcs11Module(path=path, _lib=lib, _executor=executor, _thread_ident=ident)


def _reason(exc: BaseException) -> str:
    """What the loader said: python-pkcs11's exception name is the CKR_ code in words."""
    from .translate import ckr_name

    return ckr_name(exc) or type(exc).__name__


def load_advice(exc: BaseException) -> str:
    """What to check when a module fails to load (worded by the message TOKEN_LOAD_ADVICE_<VALUE>)."""
    name = type(exc).__name__
    if name == "HostMemory":  # openCryptoki answers this when its pkcsslotd daemon is not running
        return "host_memory"
    if name == "ArgumentsBad":  # NSS's softokn without its configuration directory
        return "init_args"
    if isinstance(exc, OSError) or "load" in str(exc).lower():
        return "library"
    return "vendor"


_kept_alive: list[Any] = []


def _never_finalize(lib: Any) -> None:
    """Keep the library object alive past interpreter shutdown, so C_Finalize is never called.

    python-pkcs11 finalises the module when its `lib` object is destroyed; for drivers that
    deadlock in C_Finalize at exit, one extra reference that is never released (held by the
    interpreter itself, not by a Python container cleared at shutdown) prevents that.
    """
    import ctypes

    ctypes.pythonapi.Py_IncRef(ctypes.py_object(lib))
    _kept_alive.append(lib)
