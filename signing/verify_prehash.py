"""Hashing a large file's newest signed range while kyso starts (`kyso verify` of a 500 MB file).

A verification cannot be shorter than one hash of the signed bytes, and the command spends most
of its fixed cost importing pyhanko and loading the trust store, which hold the GIL; hashlib and
file reads release it. So, for each large file, a background thread finds the last /ByteRange in
the file's tail (the newest signature or document timestamp: it covers nearly all of the file),
hashes those ranges (SHA-256, in 4 MiB reads) on the second core, and keeps the digest with the
file's identity (device, inode, size, modification time, before and after the hash).

The digest is a hint, never trusted blindly: verify.py uses it only for a signature whose
/ByteRange, as pyhanko parsed it, is exactly those ranges, with the same algorithm, and only when
the file the verification opened has the identity the thread hashed; otherwise it hashes itself.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from .verify_structure import range_digest

__all__ = ["PREHASH_MIN_SIZE", "FileIdentity", "prehashed_digest", "start_prehash"]

_log = logging.getLogger(__name__)

PREHASH_MIN_SIZE = 16 << 20  # smaller files: the hash is too short to be worth a thread
_TAIL = 1 << 20  # where the newest signature dictionary is (its update, DSS data, the xref)
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s*\]")
_ALGORITHM = "sha256"


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, stat: os.stat_result) -> FileIdentity:
        return cls(stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass(frozen=True)
class _Prehashed:
    identity: FileIdentity
    byte_range: tuple[int, ...]
    digest: bytes


class _Job:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: _Prehashed | None = None


_jobs: dict[str, _Job] = {}
_lock = threading.Lock()


def _key(path: Path) -> str:
    return os.path.normcase(os.path.abspath(path))


def start_prehash(paths) -> None:
    """Hash the large files among `paths` on a background thread, one after the other, in order."""
    wanted = []
    with _lock:
        for path in paths:
            try:
                if Path(path).stat().st_size < PREHASH_MIN_SIZE or _key(path) in _jobs:
                    continue
            except OSError:  # the verification reports it
                continue
            _jobs[_key(path)] = job = _Job()
            wanted.append((Path(path), job))
    if wanted:
        threading.Thread(target=_run, args=(wanted,), name="kyso-prehash", daemon=True).start()


def _run(wanted) -> None:
    for path, job in wanted:
        try:
            job.result = _prehash(path)
        except (OSError, ValueError) as exc:  # unreadable, vanished: the verification hashes itself
            _log.debug("prehash of %s set aside: %r", path, exc)
        finally:
            job.done.set()


def _prehash(path: Path) -> _Prehashed | None:
    with open(path, "rb") as stream:
        before = FileIdentity.of(os.fstat(stream.fileno()))
        stream.seek(max(0, before.size - _TAIL))
        tail = stream.read(_TAIL)
        found = list(_BYTE_RANGE.finditer(tail))
        if not found:
            return None
        byte_range = tuple(int(value) for value in found[-1].groups())
        if byte_range[0] != 0 or byte_range[2] + byte_range[3] > before.size:
            return None
        digest = range_digest(stream, byte_range, _ALGORITHM)
        after = FileIdentity.of(os.fstat(stream.fileno()))
    return _Prehashed(before, byte_range, digest) if before == after and digest is not None else None


def prehashed_digest(path: Path, identity: FileIdentity, byte_range: tuple[int, ...], algorithm: str) -> bytes | None:
    """The background digest of exactly these ranges of this file (waiting for it if it is being
    made), or None."""
    with _lock:
        job = _jobs.get(_key(path))
    if job is None or algorithm.replace("-", "_") != _ALGORITHM:
        return None
    job.done.wait()
    result = job.result
    if result is None or result.identity != identity or result.byte_range != tuple(byte_range):
        return None
    with _lock:  # used once: a later verification of the file hashes (or prehashes) again
        _jobs.pop(_key(path), None)
    return result.digest
