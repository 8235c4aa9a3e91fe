"""Reading a PDF hex string (a signature's /Contents) in one pass instead of byte by byte.

pyhanko reads a hex string one byte per call (whitespace and comments skipped between digits):
a signature's /Contents, tens of thousands of hex digits, took about a third of the time kyso
verify spent per one-page document outside the validations (docs/performance.md §11). Here the
string up to its closing '>' is read in one go; when it holds only hex digits and PDF whitespace
(every string kyso or any signer writes) it is decoded at once, else — a comment, a stray
character, no closing '>' — pyhanko's own reader answers from the same position, so every result
and every error is exactly pyhanko's.
"""

from __future__ import annotations

import binascii

_HEX = b"0123456789abcdefABCDEF"
_WHITESPACE = b" \n\r\t\f\x00"  # pyhanko.pdf_utils.misc.PDF_WHITESPACE
_CHUNK = 1 << 16
_LIMIT = 1 << 26  # beyond this, pyhanko's reader (and its own limits) decide
_installed = False


def install_fast_hex_strings() -> None:
    global _installed
    if _installed:
        return
    from pyhanko.pdf_utils import generic

    original = generic.read_hex_string_from_stream

    def read_hex_string_from_stream(stream):
        start = stream.tell()
        digits = _read_plain(stream, start)
        if digits is None:
            stream.seek(start)
            return original(stream)
        if len(digits) % 2:
            digits += b"0"
        return generic.pdf_string(binascii.unhexlify(digits))

    read_hex_string_from_stream.__wrapped__ = original  # type: ignore[attr-defined]
    generic.read_hex_string_from_stream = read_hex_string_from_stream
    _installed = True


def _read_plain(stream, start: int) -> bytes | None:
    """The digits of the hex string at `start` ('<' included), the stream left after its '>';
    None when the string is not plain digits and whitespace."""
    stream.read(1)
    parts = []
    read = 0
    while read < _LIMIT:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return None
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(start + 1 + read + end + 1)
            body = b"".join(parts).translate(None, _WHITESPACE)
            return body if not body.translate(None, _HEX) else None
        parts.append(chunk)
        read += len(chunk)
    return None
