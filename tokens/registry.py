"""The registry of known PKCS#11 modules, kept as data (resources/tokens/modules.toml).

An administrator extends or overrides it with a file of the same format (KYSO_HOME/modules.toml
or the file named by KYSO_MODULES_FILE); entries with the same `id` replace shipped ones.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .module import ModuleOptions

__all__ = ["ModuleEntry", "ModuleRegistry", "QUIRKS", "MODULES_FILE_ENV"]

MODULES_FILE_ENV = "KYSO_MODULES_FILE"
QUIRKS = frozenset(
    {"read_only_session", "login_before_search", "fixed_attribute_buffers", "no_finalize_at_exit", "host_hash"}
)
_LINUX_FOLDERS = ("/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/local/lib")


@dataclass(frozen=True)
class ModuleEntry:
    id: str
    name: str
    issuer: str
    files: dict[str, tuple[str, ...]]
    folders: dict[str, tuple[str, ...]]
    quirks: frozenset[str] = field(default_factory=frozenset)
    certainty: str = "lead"
    init_args: str = ""  # C_Initialize's pReserved (NSS's softokn: its configuration directory)

    @property
    def options(self) -> ModuleOptions:
        return ModuleOptions(
            host_hash="host_hash" in self.quirks,
            read_only_session=True,  # kyso never needs a read-write session to sign
            login_before_search="login_before_search" in self.quirks,
            fixed_attribute_buffers="fixed_attribute_buffers" in self.quirks,
            no_finalize_at_exit="no_finalize_at_exit" in self.quirks,
            init_args=self.init_args,
        )

    def candidate_paths(self, platform: str | None = None) -> list[Path]:
        """Every path where this module may be installed on this platform, in order."""
        system = _system(platform)
        paths: list[Path] = []
        for name in self.files.get(system, ()):
            if os.path.isabs(name):
                paths.append(Path(name))
                continue
            folders = self.folders.get(system) or (_LINUX_FOLDERS if system == "linux" else ("{System32}",))
            paths.extend(Path(_expand(folder)) / name for folder in folders)
        return list(dict.fromkeys(paths))


class ModuleRegistry:
    def __init__(self, entries: Iterable[ModuleEntry]) -> None:
        self.entries = tuple(entries)

    @classmethod
    def load(cls, *, extra_files: Iterable[Path] = ()) -> ModuleRegistry:
        from resources import resource_path

        merged: dict[str, ModuleEntry] = {}
        sources = [resource_path("tokens", "modules.toml"), *extra_files]
        env_file = os.environ.get(MODULES_FILE_ENV)
        if env_file:
            sources.append(Path(env_file))
        for source in sources:
            if source.is_file():
                for entry in parse_registry(source.read_text(encoding="utf-8")):
                    merged[entry.id] = entry
        return cls(merged.values())

    def entry_for(self, path: Path | str) -> ModuleEntry | None:
        """The registry entry whose file name matches `path`, if any."""
        name = Path(path).name.lower()
        for entry in self.entries:
            for files in entry.files.values():
                if any(Path(candidate).name.lower() == name for candidate in files):
                    return entry
        return None


def parse_registry(text: str) -> list[ModuleEntry]:
    """Entries of a modules.toml text; unknown quirks are rejected with a clear error."""
    data = tomllib.loads(text)
    entries = []
    for raw in data.get("module", []):
        quirks = frozenset(raw.get("quirks", []))
        unknown = quirks - QUIRKS
        if unknown:
            raise ValueError(f"module {raw.get('id')!r}: unknown quirks {sorted(unknown)}")
        entries.append(
            ModuleEntry(
                id=raw["id"],
                name=raw.get("name", raw["id"]),
                issuer=raw.get("issuer", ""),
                files={os_: tuple(names) for os_, names in raw.get("files", {}).items()},
                folders={os_: tuple(names) for os_, names in raw.get("folders", {}).items()},
                quirks=quirks,
                certainty=raw.get("certainty", "lead"),
                init_args=str(raw.get("init_args", "")),
            )
        )
    return entries


def _system(platform: str | None) -> str:
    platform = platform or sys.platform
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    return "linux"


def _expand(folder: str) -> str:
    windir = os.environ.get("WINDIR", r"C:\Windows")
    values = {
        "System32": os.path.join(windir, "System32"),
        "SysWOW64": os.path.join(windir, "SysWOW64"),
        "ProgramFiles": os.environ.get("ProgramFiles", r"C:\Program Files"),
        "ProgramFiles(x86)": os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)"),
        "LocalAppData": os.environ.get("LOCALAPPDATA", ""),
    }
    for key, value in values.items():
        folder = folder.replace("{" + key + "}", value)
    return folder
