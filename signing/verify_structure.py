"""Structural checks that catch forged or broken signatures before any cryptography (verify.py).

- the file's end: bytes after the last proper `startxref … %%EOF` (appended data), a trailer
  repeated to hide them; the parser is then given only the file up to that end;
- bounded parsing: cross-reference sections that declare more entries than the file could hold
  (`/Index [0 99999999]`) are refused before the parser loops over them;
- each signature dictionary: /Contents a non-empty byte string, /ByteRange four non-negative
  integers, starting at 0, in order, within the file, and leaving out exactly the /Contents
  string — the same bytes the dictionary holds.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import BinaryIO

__all__ = ["BoundedStream", "FileEnd", "Malformed", "check_signature_dictionary", "check_xref_bounds", "file_end"]

_TAIL_WINDOW = 1 << 20  # appended data is looked for in the last MiB
_TRAILER = re.compile(rb"startxref\s+(\d+)\s*%%EOF")
_WHITESPACE = b" \t\r\n\f\0"
# a subsection header of a classic xref table, or an xref stream's /Index pairs
_INDEX = re.compile(rb"/Index\s*\[([\d\s]{1,4096})\]")
_TABLE_SUBSECTION = re.compile(rb"(?m)^xref\s*[\r\n]+\s*(\d{1,12})\s+(\d{1,12})\s*[\r\n]")


class Malformed(StrEnum):
    """What is wrong with a signature dictionary (the verdict says it is invalid, not kyso)."""

    CONTENTS = "VERIFY_CONTENTS_INVALID"  # /Contents missing, empty, null or not a string
    BYTE_RANGE = "VERIFY_BYTE_RANGE_INVALID"  # /ByteRange missing or not four non-negative integers
    BYTE_RANGE_MISMATCH = "VERIFY_BYTE_RANGE_MISMATCH"  # does not leave out exactly /Contents


@dataclass(frozen=True)
class FileEnd:
    """Where the file's last proper revision ends, and what follows it."""

    size: int
    end: int  # offset just after the last `startxref N %%EOF` (+ its line end)
    trailing: bytes  # what follows `end`, when it is more than white space (first bytes only)
    trailer_repeated: bool  # the last two trailers point at the same cross-reference

    @property
    def appended(self) -> bool:
        return bool(self.trailing) or self.trailer_repeated


def file_end(stream: BinaryIO, size: int) -> FileEnd:
    start = max(0, size - _TAIL_WINDOW)
    stream.seek(start)
    tail = stream.read(size - start)
    matches = list(_TRAILER.finditer(tail))
    if not matches:
        return FileEnd(size, size, b"", False)
    last = matches[-1]
    end = last.end()
    while end < len(tail) and tail[end:end + 1] in (b"\r", b"\n"):
        end += 1
    rest = tail[end:]
    trailing = rest[:64] if rest.strip(_WHITESPACE) else b""
    repeated = len(matches) > 1 and matches[-2].group(1) == last.group(1)
    return FileEnd(size, start + end, trailing, repeated)


def check_xref_bounds(stream: BinaryIO, size: int) -> bool:
    """False when a cross-reference section declares more entries than the file has bytes —
    a parser would loop over them (minutes for `/Index [0 99999999]`)."""
    limit = max(size, 4096)
    spans = [(0, size)] if size <= _SCAN_WHOLE else [(0, _SCAN_ENDS), (size - _SCAN_ENDS, size)]
    return all(_section_counts_ok(stream, start, end, limit) for start, end in spans)


_SCAN_WHOLE = 64 << 20  # files up to 64 MiB are scanned whole; larger ones at both ends,
_SCAN_ENDS = 4 << 20  # where writers put cross-reference sections (the big file stays one read)


def _section_counts_ok(stream: BinaryIO, start: int, end: int, limit: int) -> bool:
    chunk_size = 1 << 18  # small reads: inspection must not hold a page image's worth of bytes
    overlap = 4200
    offset = start
    previous = b""
    while offset < end:
        stream.seek(offset)
        chunk = previous + stream.read(min(chunk_size, end - offset))
        # the patterns only where their words are (a fast search): the regex engine alone
        # steps through every byte of a page image
        for match in (_INDEX.finditer(chunk) if b"/Index" in chunk else ()):
            numbers = [int(n) for n in match.group(1).split()]
            if sum(numbers[1::2]) > limit or any(n > 10 * limit for n in numbers[0::2]):
                return False
        for match in (_TABLE_SUBSECTION.finditer(chunk) if b"xref" in chunk else ()):
            if int(match.group(2)) > limit:
                return False
        previous = chunk[-overlap:]
        offset += chunk_size
    return True


class BoundedStream(io.RawIOBase):
    """A read-only view of the first `length` bytes of a seekable stream (the file up to its
    last proper %%EOF, so that appended data does not stop the parser)."""

    def __init__(self, inner: BinaryIO, length: int) -> None:
        super().__init__()
        self._inner = inner
        self._length = length
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def readinto(self, buffer) -> int:
        want = min(len(buffer), self._length - self._pos)
        if want <= 0:
            return 0
        self._inner.seek(self._pos)
        data = self._inner.read(want)
        buffer[:len(data)] = data
        self._pos += len(data)
        return len(data)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._length - self._pos
        size = min(size, self._length - self._pos)
        if size <= 0:
            return b""
        self._inner.seek(self._pos)
        data = self._inner.read(size)
        self._pos += len(data)
        return data


def check_signature_dictionary(sig_object, stream: BinaryIO, length: int) -> Malformed | None:
    """None when /Contents and /ByteRange are well formed and agree with the file's bytes."""
    from pyhanko.pdf_utils import generic

    try:
        contents = sig_object.raw_get("/Contents")
    except KeyError:
        return Malformed.CONTENTS
    if isinstance(contents, generic.IndirectObject):
        return Malformed.CONTENTS  # a signature's /Contents is written in place, never elsewhere
    if not isinstance(contents, (generic.ByteStringObject, generic.TextStringObject)):
        return Malformed.CONTENTS
    value = bytes(contents.original_bytes if hasattr(contents, "original_bytes") else contents)
    if not value.rstrip(b"\0"):
        return Malformed.CONTENTS
    try:
        byte_range = sig_object.raw_get("/ByteRange")
    except KeyError:
        return Malformed.BYTE_RANGE
    if not isinstance(byte_range, generic.ArrayObject) or len(byte_range) != 4:
        return Malformed.BYTE_RANGE
    numbers = [byte_range.raw_get(i) for i in range(4)]
    if not all(isinstance(n, generic.NumberObject) and not isinstance(n, bool) for n in numbers):
        return Malformed.BYTE_RANGE
    a, b, c, d = (int(n) for n in numbers)
    if min(a, b, c, d) < 0:
        return Malformed.BYTE_RANGE
    if a != 0 or b >= c or c + d > length or c - b < 2:
        return Malformed.BYTE_RANGE_MISMATCH
    return None if _gap_is_contents(stream, b, c, value) else Malformed.BYTE_RANGE_MISMATCH


def _gap_is_contents(stream: BinaryIO, start: int, end: int, value: bytes) -> bool:
    """The bytes left out of the hash are exactly the hex string `<…>` holding `value`."""
    if end - start > (1 << 24):  # no CMS is 8 MiB
        return False
    stream.seek(start)
    gap = stream.read(end - start)
    if len(gap) != end - start or gap[:1] != b"<" or gap[-1:] != b">":
        return False
    hexed = gap[1:-1]
    if not re.fullmatch(rb"[0-9A-Fa-f]*", hexed) or len(hexed) % 2:
        return False
    return bytes.fromhex(hexed.decode("ascii")).rstrip(b"\0") == value.rstrip(b"\0")


RANGE_CHUNK = 4 * 1024 * 1024  # one read per 4 MiB: the hash, not Python, sets the pace


def range_digest(stream: BinaryIO, byte_range: tuple[int, ...], algorithm: str) -> bytes | None:
    """The digest of the /ByteRange's ranges of `stream`, as pyhanko's byte_range_digest computes
    it (a range cut short by the end of the stream counts what is there), read in 4 MiB chunks
    through hashlib (OpenSSL, SHA extensions where the CPU has them, the GIL released) — pyhanko
    reads 4 KiB at a time: 128,000 Python-level steps for a 500 MB file. None when hashlib does
    not know the algorithm (pyhanko then hashes)."""
    import hashlib

    try:
        state = hashlib.new(algorithm.replace("-", "_"))
    except (ValueError, TypeError):
        return None
    if state.name.startswith("shake"):
        return None
    buffer = bytearray(RANGE_CHUNK)
    view = memoryview(buffer)
    for index in range(0, len(byte_range) - 1, 2):
        stream.seek(byte_range[index])
        remaining = byte_range[index + 1]
        while remaining > 0:
            count = stream.readinto(view[:min(RANGE_CHUNK, remaining)])
            if not count:
                break
            state.update(view[:count])
            remaining -= count
    return state.digest()