"""The background hash of a large file's newest signed range (signing/verify_prehash.py) is used
only for exactly those ranges of exactly that file: the verdict is the same with and without it,
and a file changed after it was hashed is hashed again (its change found)."""

from __future__ import annotations

import asyncio
import os

import pytest

import signing.verify as verify_module
from benchmarks.large_pdf import write_large_pdf
from signing.trust import TrustStore
from signing.verify import Problem, verify_document
from signing.verify_prehash import PREHASH_MIN_SIZE, _jobs, _key, start_prehash
from tests.support import attacks

pytestmark = [pytest.mark.pki]


@pytest.fixture(scope="module")
def large_signed(tmp_path_factory, pki):
    folder = tmp_path_factory.mktemp("prehash")
    source = folder / "lon.pdf"
    write_large_pdf(source, target_bytes=PREHASH_MIN_SIZE + (1 << 20))
    signed = attacks.sign_into_field(source.read_bytes(), key_pem=pki.key_path("signer-rsa2048"),
                                     cert_der=pki.cert_der("signer-rsa2048"), chain=(pki.cert_der("interm"),),
                                     field="Chu ky", new_box=(60, 60, 260, 120))
    path = folder / "lon.signed.pdf"
    path.write_bytes(signed)
    return path


def _verify(path, trust_dir, monkeypatch):
    calls = []
    original = verify_module.range_digest

    def counted(*args, **kwargs):
        calls.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(verify_module, "range_digest", counted)
    document = asyncio.run(verify_document(path, trust=TrustStore.load(extra_dirs=[trust_dir]), allow_fetching=False))
    return document.signatures[0], calls


def test_the_background_digest_is_used_and_changes_nothing(large_signed, trust_dir, monkeypatch, tmp_path):
    copy = tmp_path / "a.pdf"
    copy.write_bytes(large_signed.read_bytes())
    alone, calls = _verify(copy, trust_dir, monkeypatch)
    assert calls  # no prehash started: hashed in place
    start_prehash([copy])
    prehashed, calls = _verify(copy, trust_dir, monkeypatch)
    assert calls == [] and prehashed == alone and prehashed.intact


def test_a_file_changed_after_its_prehash_is_hashed_again(large_signed, trust_dir, monkeypatch, tmp_path):
    copy = tmp_path / "b.pdf"
    data = bytearray(large_signed.read_bytes())
    copy.write_bytes(data)
    start_prehash([copy])
    _jobs[_key(copy)].done.wait()
    data[1000] ^= 0xFF  # inside the signed range (a page image): the content changed
    with open(copy, "r+b") as handle:
        handle.seek(1000)
        handle.write(bytes([data[1000]]))
    stat = copy.stat()
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    signature, calls = _verify(copy, trust_dir, monkeypatch)
    assert calls and not signature.intact and Problem.INTEGRITY in signature.problems


def test_a_byte_range_planted_in_the_tail_is_not_taken_for_the_signatures(large_signed, trust_dir, monkeypatch, tmp_path):
    copy = tmp_path / "c.pdf"
    copy.write_bytes(large_signed.read_bytes() + b"%/ByteRange [0 100 200 300]\n")
    start_prehash([copy])
    signature, calls = _verify(copy, trust_dir, monkeypatch)
    assert calls and signature.intact  # the planted ranges are not the signature's: it hashed its own
