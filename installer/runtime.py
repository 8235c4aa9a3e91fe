"""The optional embeddable CPython: checked against the pinned SHA-256, then laid out so that it
finds kyso's lib\\ folder and nothing from the user's environment."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .inputs import BuildInputs, InputRefused, sha256_of

__all__ = ["check_runtime_archive", "extract_runtime"]


def check_runtime_archive(archive: Path, *, expected_sha256: str, expected_name: str) -> None:
    """Refuse any file but the pinned one (another version, a rebuilt or tampered archive)."""
    if not archive.is_file():
        raise InputRefused(f"{archive}: no such file")
    actual = sha256_of(archive)
    if actual != expected_sha256:
        raise InputRefused(f"{archive.name}: SHA-256 {actual} is not the pinned {expected_sha256} "
                           f"({expected_name}, installer/inputs.toml)")


def extract_runtime(archive: Path, target: Path, inputs: BuildInputs) -> Path:
    """Unpack the archive and replace its ._pth: the standard library zip, the runtime folder and
    ..\\lib (kyso and its dependencies). A ._pth also keeps PYTHONPATH and the user's site
    packages out (the runtime starts isolated)."""
    check_runtime_archive(archive, expected_sha256=inputs.runtime_sha256, expected_name=inputs.runtime_file)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(target)
    stem = "python" + inputs.python.replace(".", "")
    for required in (f"{stem}.dll", "python.exe", "pythonw.exe", f"{stem}.zip"):
        if not (target / required).is_file():
            raise InputRefused(f"{archive.name}: {required} missing — not a CPython {inputs.python} embeddable package")
    (target / f"{stem}._pth").write_text(f"{stem}.zip\r\n.\r\n..\\lib\r\n", encoding="ascii")
    return target
