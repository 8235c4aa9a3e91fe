"""Data shipped with kyso: messages, trust anchors, fonts metadata, default catalogue."""

from __future__ import annotations

from importlib import resources as _resources
from pathlib import Path

__all__ = ["resource_path"]


def resource_path(*parts: str) -> Path:
    """Path of a file shipped in this package (installed or editable)."""
    return Path(str(_resources.files(__name__).joinpath(*parts)))
