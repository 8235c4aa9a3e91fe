"""The one-pass hex string reader answers exactly as pyhanko's own: value, position after the
string, and the error for anything that is not plain digits — for generated variants."""

import io
import random

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from signing.pdf_hex import install_fast_hex_strings


def _variants():
    rng = random.Random(14)
    alphabet = b"0123456789abcdefABCDEF"
    for n in range(300):
        digits = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 200)))
        spaced = bytearray()
        for d in digits:
            if rng.random() < 0.1:
                spaced += rng.choice([b" ", b"\n", b"\r\n", b"\t", b"\x00", b"\f"])
            spaced.append(d)
        body = bytes(spaced)
        kind = n % 6
        if kind == 1:
            body += b"%comment\n0A"
        elif kind == 2 and body:
            body = body[:len(body) // 2] + b"g" + body[len(body) // 2:]  # a stray character
        yield b"<" + body + b"> /Next 1", kind == 2 and bool(digits)


def _read(reader, data: bytes):
    stream = io.BytesIO(b"xx" + data)
    stream.seek(2)
    try:
        value = reader(stream)
    except PdfStreamError as exc:
        return ("error", type(exc)), stream.tell()
    return (type(value), bytes(value.original_bytes)), stream.tell()


def test_same_value_position_and_error_as_pyhanko():
    original = generic.read_hex_string_from_stream
    original = getattr(original, "__wrapped__", original)
    install_fast_hex_strings()
    fast = generic.read_hex_string_from_stream
    assert fast is not original
    for data, bad in _variants():
        expected = _read(original, data)
        assert _read(fast, data) == expected, data
        if bad:
            assert expected[0][0] == "error"


def test_a_large_contents_and_an_unterminated_string():
    install_fast_hex_strings()
    big = b"<" + b"3082" * 40000 + b"0" * 30000 + b">"
    value, _ = _read(generic.read_hex_string_from_stream, big)
    assert value[1] == bytes.fromhex("3082" * 40000 + "0" * 30000)
    with pytest.raises(PdfStreamError):
        generic.read_hex_string_from_stream(io.BytesIO(b"<3082"))
