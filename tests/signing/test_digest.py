"""One read of the input gives the copy, the input hash and the signature's prefix digest."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from signing import digest
from signing.digest import InputChangedError, copy_and_hash


def test_copy_and_hash(tmp_path):
    source = tmp_path / "vao.bin"
    source.write_bytes(bytes(range(256)) * 40_000)  # ~10 MB, several chunks
    target = tmp_path / "ra.bin"
    prefix = copy_and_hash(source, target, algorithms=("sha256", "sha384"))
    assert target.read_bytes() == source.read_bytes()
    assert prefix.length == source.stat().st_size
    assert prefix.hexdigest("sha256") == hashlib.sha256(source.read_bytes()).hexdigest()
    assert prefix.hexdigest("sha384") == hashlib.sha384(source.read_bytes()).hexdigest()


def test_input_changing_during_the_copy_is_detected(tmp_path, monkeypatch):
    source = tmp_path / "vao.bin"
    source.write_bytes(b"x" * 1_000_000)

    real_copy = shutil.copyfile

    def copy_while_someone_edits(src, dst):  # stands in for an editor saving mid-copy
        with open(src, "ab") as handle:
            handle.write(b"them")
        real_copy(src, dst)

    monkeypatch.setattr(digest.shutil, "copyfile", copy_while_someone_edits)
    with pytest.raises(InputChangedError):
        copy_and_hash(source, tmp_path / "ra.bin", algorithms=("sha256",))
