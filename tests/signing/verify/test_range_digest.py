"""The signed ranges' digest kyso computes in 4 MiB reads (verify_structure.range_digest) is
pyhanko's byte_range_digest, for any ranges: inside, across chunk borders, cut short by the end of
the file, empty, overlapping — and over a bounded view of the file."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.sign.general import byte_range_digest

from signing.verify_structure import RANGE_CHUNK, BoundedStream, range_digest


@pytest.mark.parametrize("algorithm", ["sha256", "sha384", "sha512", "sha1", "sha3_256"])
def test_range_digest_is_pyhankos(algorithm):
    rng = random.Random(f"ranges-{algorithm}")
    data = rng.randbytes(RANGE_CHUNK * 2 + 12345)
    for _ in range(40):
        ranges = []
        for _ in range(rng.choice((1, 2, 3))):
            start = rng.randrange(0, len(data) + 100)
            ranges += [start, rng.choice((0, 1, rng.randrange(0, RANGE_CHUNK * 3)))]
        stream = io.BytesIO(data)
        assert range_digest(stream, tuple(ranges), algorithm) == byte_range_digest(
            io.BytesIO(data), ranges, algorithm)[1], ranges
        bounded = len(data) - rng.randrange(0, 5000)
        view = BoundedStream(io.BytesIO(data), bounded)
        assert range_digest(view, tuple(ranges), algorithm) == byte_range_digest(
            io.BytesIO(data[:bounded]), ranges, algorithm)[1], ranges


def test_an_algorithm_hashlib_does_not_know_is_left_to_pyhanko():
    assert range_digest(io.BytesIO(b"x"), (0, 1), "shake256") is None
    assert range_digest(io.BytesIO(b"x"), (0, 1), "gost") is None
