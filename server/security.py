"""Secrets: admin passwords (argon2id, memory-hard), bearer tokens and enrolment codes.

Workstation credentials, admin session tokens and enrolment codes are random (≥ 60 bits for a
typed code, 256 bits for the others) and stored only as their SHA-256: a hash that cannot be
brute-forced needs no memory-hard function, and ingestion checks one on every batch.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_log = logging.getLogger(__name__)

__all__ = [
    "ADMIN_TOKEN_PREFIX", "WORKSTATION_TOKEN_PREFIX", "check_password", "hash_password", "use_password_worker",
    "new_enrolment_code", "new_secret", "normalise_code", "password_problem", "secret_hash",
    "secret_matches", "split_workstation_token",
]

ADMIN_TOKEN_PREFIX = "ka."
WORKSTATION_TOKEN_PREFIX = "kw."
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (64 MiB, t=3, p=4)
_DUMMY = _hasher.hash("kyso: compared against when the account does not exist")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password: str, stored: str | None) -> bool:
    """Constant work whether or not the account exists (no user enumeration by timing). In the
    server, in a worker process of low priority (`use_password_worker`): argon2id with four lanes
    takes both cores of a small machine for its ~0.1 s, and ingestion must not wait behind it."""
    pool = _worker[0] if _worker else None
    if pool is not None:
        try:
            return pool.submit(_verify, password, stored).result(timeout=60)
        except Exception:  # noqa: BLE001 — the worker died or hangs: check here rather than fail the sign-in
            _log.warning("password worker failed; checking in the server process", exc_info=True)
    return _verify(password, stored)


def _verify(password: str, stored: str | None) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


_worker: list = []
_worker_lock = threading.Lock()


def use_password_worker(*, niceness: int = 15) -> None:
    """Check passwords in one worker process whose CPU priority is lowered by `niceness` (POSIX;
    elsewhere at normal priority): what is left of the machine goes to argon2, not the reverse.
    Made once per process, on first call."""
    with _worker_lock:
        if _worker:
            return
        import atexit
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_start, initargs=(niceness, os.getpid()))
        atexit.register(pool.shutdown, wait=True, cancel_futures=True)  # ended before the interpreter's teardown
        _worker.append(pool)


def _worker_start(niceness: int, parent: int) -> None:
    """In the worker: a lower CPU priority, and an end when the server process is gone — however
    it ended (SIGKILL, a crash, uvicorn's shutdown), no orphan is left holding 64 MiB per check."""
    if hasattr(os, "nice"):
        os.nice(niceness)
    threading.Thread(target=_end_with, args=(parent,), daemon=True, name="kyso-parent-watch").start()


def _end_with(parent: int) -> None:
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def password_problem(password: str) -> str | None:
    if len(password) < 12:
        return "at least 12 characters"
    if len(set(password)) < 5:
        return "too few different characters"
    return None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def new_enrolment_code() -> str:
    """Like "K7QM-4XRT-PA9C-ZD2W": 16 symbols of 32, 80 bits."""
    symbols = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(symbols[i:i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def split_workstation_token(token: str) -> tuple[str, str] | None:
    """"kw.<workstation id>.<secret>" → (id, secret), or None if it is not one."""
    if not token.startswith(WORKSTATION_TOKEN_PREFIX):
        return None
    workstation, _, secret = token[len(WORKSTATION_TOKEN_PREFIX):].partition(".")
    return (workstation, secret) if workstation and secret else None
