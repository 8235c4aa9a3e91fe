"""One read of the input gives the copy, the input hash and the signature's prefix digest."""

from __future__ import annotations

import hashlib
import os
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


def test_input_changing_while_a_small_file_is_read_is_detected(tmp_path, monkeypatch):
    """Small files are read once into memory: an edit between the first look and the read is seen."""
    source = tmp_path / "vao.bin"
    source.write_bytes(b"x" * 30_000)
    real_open = open

    def open_while_someone_edits(path, mode="r", *args, **kwargs):
        if path == source and "r" in mode:
            with real_open(path, "ab") as handle:
                handle.write(b"them")
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(digest, "open", open_while_someone_edits, raising=False)
    with pytest.raises(InputChangedError):
        copy_and_hash(source, tmp_path / "ra.bin", algorithms=("sha256",))


def test_a_small_file_is_copied_and_hashed_like_a_large_one(tmp_path):
    import hashlib

    for size in (0, 1, digest.SMALL_FILE, digest.SMALL_FILE + 1):
        source = tmp_path / f"vao-{size}.bin"
        source.write_bytes(os.urandom(size))
        prefix = copy_and_hash(source, tmp_path / f"ra-{size}.bin", algorithms=("sha256", "sha384"))
        assert (tmp_path / f"ra-{size}.bin").read_bytes() == source.read_bytes() and prefix.length == size
        assert prefix.hexdigest() == hashlib.sha256(source.read_bytes()).hexdigest()
        assert prefix.hexdigest("sha384") == hashlib.sha384(source.read_bytes()).hexdigest()


def test_input_changing_during_the_copy_is_detected(tmp_path, monkeypatch):
    source = tmp_path / "vao.bin"
    source.write_bytes(b"x" * (digest.SMALL_FILE + 1_000_000))  # the threaded copy ∥ hash

    real_copy = shutil.copyfile

    def copy_while_someone_edits(src, dst):  # stands in for an editor saving mid-copy
        with open(src, "ab") as handle:
            handle.write(b"them")
        real_copy(src, dst)

    monkeypatch.setattr(digest.shutil, "copyfile", copy_while_someone_edits)
    with pytest.raises(InputChangedError):
        copy_and_hash(source, tmp_path / "ra.bin", algorithms=("sha256",))
