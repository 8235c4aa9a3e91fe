"""Seeded mutations of PDF files for fuzz tests: the damage real and hostile files carry — random
byte flips, truncation, deleted and duplicated ranges, huge and negative numbers, broken keywords
(obj, stream, xref, trailer), bogus /Length, deep nesting, a damaged signature dictionary."""

from __future__ import annotations

import random
import re
from collections.abc import Callable

__all__ = ["MUTATORS", "mutate"]


def _flip(data: bytearray, rng: random.Random) -> None:
    for _ in range(rng.randint(1, 20)):
        at = rng.randrange(len(data))
        data[at] = rng.randrange(256)


def _truncate(data: bytearray, rng: random.Random) -> None:
    del data[rng.randrange(len(data) // 2, len(data)):]


def _delete_range(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    del data[start:start + rng.randint(1, 2000)]


def _duplicate_range(data: bytearray, rng: random.Random) -> None:
    start = rng.randrange(len(data))
    chunk = data[start:start + rng.randint(1, 4000)]
    at = rng.randrange(len(data))
    data[at:at] = chunk


def _numbers(data: bytearray, rng: random.Random) -> None:
    matches = list(re.finditer(rb"(?<=[\s\[/])\d{1,9}(?=[\s\]>/])", bytes(data)))
    for match in rng.sample(matches, min(len(matches), rng.randint(1, 8))):
        new = rng.choice([b"99999999999", b"-1", b"0", b"2147483648", b"1e308", b"4294967296"])
        data[match.start():match.end()] = new.ljust(match.end() - match.start())[:max(len(new), match.end() - match.start())]
        break  # offsets moved: one per call, the caller mutates again for more


def _keywords(data: bytearray, rng: random.Random) -> None:
    words = [rb"endobj", rb"endstream", rb"stream", rb"xref", rb"trailer", rb"startxref", rb"/Length", rb"/Root",
             rb"/Prev", rb"/Type", rb"/Kids", rb"/ByteRange", rb"/Contents", rb"/Filter", rb"/W", rb"/Index"]
    word = rng.choice(words)
    matches = [m.start() for m in re.finditer(re.escape(word), bytes(data))]
    if matches:
        at = rng.choice(matches)
        data[at:at + len(word)] = rng.choice([b"X" * len(word), b"", word[:-1], word + word])


def _nesting(data: bytearray, rng: random.Random) -> None:
    at = bytes(data).rfind(b"trailer")
    if at < 0:
        at = len(data) // 2
    depth = rng.choice([200, 2000, 20000])
    data[at:at] = b"[" * depth + b"]" * depth + b"\n" + b"<<" * (depth // 10) + b">>" * (depth // 10) + b"\n"


def _signature(data: bytearray, rng: random.Random) -> None:
    match = list(re.finditer(rb"/ByteRange\s*\[[^\]]*\]", bytes(data)))
    if not match:
        return _flip(data, rng)
    chosen = rng.choice(match)
    start, end = chosen.start(), chosen.end()
    junk = rng.choice([b"/ByteRange [0 -5 7 99999999999]", b"/ByteRange null", b"/ByteRange [0 0 0 0]",
                       b"/ByteRange (abc)", b"/ByteRange [1 2 3]"])
    data[start:end] = junk.ljust(end - start)


MUTATORS: tuple[Callable[[bytearray, random.Random], None], ...] = (
    _flip, _truncate, _delete_range, _duplicate_range, _numbers, _keywords, _nesting, _signature,
)


def mutate(data: bytes, seed: int) -> bytes:
    """`data` damaged by one to three mutations chosen by `seed` (the same seed, the same file)."""
    rng = random.Random(seed)
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if len(out) < 16:
            break
        rng.choice(MUTATORS)(out, rng)
    return bytes(out)
