"""The pinned inputs of the Windows build (installer/inputs.toml) and the folders it uses."""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["INSTALLER", "ROOT", "BuildInputs", "InputRefused", "cache_dir", "load_inputs", "sha256_of"]

INSTALLER = Path(__file__).resolve().parent
ROOT = INSTALLER.parent
CACHE_ENV = "KYSO_INSTALLER_CACHE"


class InputRefused(Exception):
    """A build input is missing or is not the file pinned in installer/."""


@dataclass(frozen=True)
class BuildInputs:
    python: str  # "3.12"
    platform: str  # "win_amd64"
    runtime_file: str
    runtime_sha256: str
    launchers_wheel: str
    launchers_sha256: str

    @property
    def abi(self) -> str:
        return "cp" + self.python.replace(".", "")


def load_inputs(path: Path = INSTALLER / "inputs.toml") -> BuildInputs:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return BuildInputs(python=data["target"]["python"], platform=data["target"]["platform"],
                       runtime_file=data["runtime"]["file"], runtime_sha256=data["runtime"]["sha256"],
                       launchers_wheel=data["launchers"]["wheel"], launchers_sha256=data["launchers"]["sha256"])


def cache_dir() -> Path:
    """Downloaded wheels, kept between builds outside the repository, keyed by their SHA-256."""
    base = os.environ.get(CACHE_ENV) or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kyso-installer"
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
