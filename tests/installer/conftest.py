"""The MSI, built once per test session by the real build (installer/build's code) from the
locked wheels (cached in ~/.cache/kyso-installer, downloaded only on the first run)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class BuiltMsi:
    msi: Path
    payload: Path
    version: str
    seconds: float

    def table(self, name: str) -> list[list[str]]:
        """The rows of one MSI table, read back by msitools' msiinfo (not by our code)."""
        text = subprocess.run(["msiinfo", "export", str(self.msi), name], check=True, capture_output=True,
                              env={"WINDOWS_LANGUAGE": "vi", "PATH": "/usr/bin:/bin"}).stdout.decode("utf-8")
        return [line.split("\t") for line in text.split("\r\n")[3:] if line]


@pytest.fixture(scope="session")
def built_msi(tmp_path_factory) -> BuiltMsi:
    from installer.__main__ import build

    work = tmp_path_factory.mktemp("msi-work")
    result = build(out_dir=tmp_path_factory.mktemp("dist"), python_archive=None, work=work, log=lambda *_: None)
    return BuiltMsi(result.msi, work / "payload", result.version, result.seconds)
