"""One pass over the input: copy it, hash it, and reuse that hash for the signature.

A signature's /ByteRange covers the whole original file plus the new incremental update,
minus the placeholder. pyhanko hashes the output file from byte 0; for a 500 MB scan that
second full read doubles the cost. Here the input bytes are hashed once while they are
copied, and the hash state is handed to the signature object, which then only hashes the
bytes appended after the original file. The same state gives the input's and the output's
SHA-256 for the audit record without reading either file again.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "CHUNK_SIZE",
    "InputChangedError",
    "PrefixDigests",
    "copy_and_hash",
    "finish_digest",
    "install_prefix_digest",
]

CHUNK_SIZE = 4 * 1024 * 1024


@dataclass
class PrefixDigests:
    """Hash states over the first `length` bytes (the original file) of the output."""

    length: int
    states: dict[str, object] = field(default_factory=dict)  # hash name -> hashlib object

    def hexdigest(self, name: str = "sha256") -> str:
        return self.states[name].copy().hexdigest()  # type: ignore[attr-defined]


def copy_and_hash(source: Path, target: Path, *, algorithms: tuple[str, ...]) -> PrefixDigests:
    """Copy `source` to `target` while hashing `source`, on two threads at once.

    The copy is the operating system's (copy_file_range/sendfile where available); hashing
    runs meanwhile and releases the GIL, so the pair costs about the longer of the two rather
    than their sum. If the input changes while this runs (size or modification time), the
    copy cannot be trusted to match the hash and the input is refused.
    """
    before = os.stat(source)
    if before.st_size <= SMALL_FILE:
        return _copy_small(source, target, before, algorithms)
    failure: list[BaseException] = []

    def copy() -> None:
        try:
            shutil.copyfile(source, target)
        except BaseException as exc:  # handed back to the calling thread
            failure.append(exc)

    copier = threading.Thread(target=copy, name="kyso-copy")
    copier.start()
    try:
        states, length = _hash_file(source, algorithms)
    finally:
        copier.join()
    if failure:
        raise failure[0]
    after = os.stat(source)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or length != after.st_size:
        raise InputChangedError(str(source))
    return PrefixDigests(length=length, states=states)


SMALL_FILE = 1024 * 1024
"""Up to this size the input is read once into memory, hashed and written from the same bytes:
no thread, no 4 MiB buffer — most documents are tens of kilobytes, signed by the hundred."""


def _copy_small(source: Path, target: Path, before: os.stat_result, algorithms: tuple[str, ...]) -> PrefixDigests:
    with open(source, "rb", buffering=0) as handle:
        data = handle.read(SMALL_FILE + 1)
    with open(target, "wb") as out:
        out.write(data)
    states = {name: hashlib.new(name, data) for name in dict.fromkeys(algorithms)}
    after = os.stat(source)
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) or len(data) != after.st_size:
        raise InputChangedError(str(source))
    return PrefixDigests(length=len(data), states=states)


class InputChangedError(OSError):
    """The input file changed while it was being copied."""


def _hash_file(path: Path, algorithms: tuple[str, ...]) -> tuple[dict, int]:
    states = {name: hashlib.new(name) for name in dict.fromkeys(algorithms)}
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    length = 0
    with open(path, "rb", buffering=0) as handle:
        while count := handle.readinto(buffer):
            chunk = view[:count]
            for state in states.values():
                state.update(chunk)
            length += count
    return states, length


def finish_digest(prefix: PrefixDigests, stream: BinaryIO, *, name: str = "sha256") -> str:
    """SHA of the whole finished output: the prefix state plus everything appended after it."""
    state = prefix.states[name].copy()  # type: ignore[attr-defined]
    stream.seek(prefix.length)
    _update_from(state, stream, prefix.length, stream.seek(0, 2))
    return state.hexdigest()


def install_prefix_digest(sig_object, prefix: PrefixDigests) -> bool:
    """Make pyhanko's signature object start its /ByteRange digest from `prefix`.

    Returns False (and changes nothing) when the object is not the kind expected, so pyhanko
    then hashes the whole file as usual.
    """
    from pyhanko.sign.signers.pdf_byterange import PdfByteRangeDigest

    if not isinstance(sig_object, PdfByteRangeDigest):
        return False
    sig_object.fill = types.MethodType(_prefix_fill(prefix), sig_object)
    return True


def _prefix_fill(prefix: PrefixDigests):
    def fill(self, writer, md_algorithm, in_place=False, output=None, chunk_size=CHUNK_SIZE):
        # Mirrors pyhanko's PdfByteRangeDigest.fill for in-place incremental writes, except
        # that hashing resumes after the original file instead of starting at byte 0.
        from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest

        assert in_place, "kyso always signs its own copy in place"
        writer.digest_aware_write = True
        output = writer.prev.stream
        writer.write_in_place()
        eof = output.tell()
        sig_start, sig_end = self.contents.offsets
        self.byte_range.fill_offsets(output, sig_start, sig_end, eof)
        state = _resumable_state(prefix, md_algorithm, sig_start, output)
        _update_from(state, output, output.seek(prefix.length), sig_start)
        _update_from(state, output, output.seek(sig_end), eof)
        prepared = PreparedByteRangeDigest(
            document_digest=state.digest(),
            reserved_region_start=sig_start,
            reserved_region_end=sig_end,
        )
        cms_data = yield prepared, output
        yield prepared.fill_with_cms(output, cms_data)

    return fill


def _resumable_state(prefix: PrefixDigests, md_algorithm: str, sig_start: int, output):
    state = prefix.states.get(md_algorithm)
    if state is not None and sig_start >= prefix.length:
        return state.copy()  # type: ignore[attr-defined]
    # Not precomputed (or the placeholder sits inside the original bytes): hash from 0.
    fresh = hashlib.new(md_algorithm)
    _update_from(fresh, output, output.seek(0), prefix.length)
    return fresh


def _update_from(state, stream: BinaryIO, start: int, end: int) -> None:
    stream.seek(start)
    remaining = end - start
    buffer = bytearray(min(CHUNK_SIZE, max(remaining, 1)))
    view = memoryview(buffer)
    while remaining > 0:
        count = stream.readinto(view[: min(len(buffer), remaining)])
        if not count:
            raise EOFError("output ended before the expected length")
        state.update(view[:count])
        remaining -= count
