"""payload.wxs: one Component per file of the staged payload, under INSTALLDIR.

wixl needs every file spelled out (it has no harvesting at build time). Ids are derived from the
file's path, so they stay the same from one version to the next; so do the component GUIDs
(Guid="*": wixl derives them from the path), which is what upgrades in place need. Names are
written "SHORT~1.EXT|long name" because Windows Installer requires an 8.3 name beside a long one.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import quoteattr

__all__ = ["FIXED_IDS", "file_id", "msi_name", "write_payload_wxs"]

# Files the main source (kyso.wxs) refers to by id.
FIXED_IDS = {"kyso.exe": "kyso_exe", "kyso-gui.exe": "kyso_gui_exe", "kyso-start.py": "kyso_start_py",
             "kyso.ico": "kyso_ico", "runtime/python.exe": "runtime_python_exe",
             "runtime/pythonw.exe": "runtime_pythonw_exe"}
_SHORT_OK = re.compile(r"^[A-Z0-9_^$~!#%&{}@`'()-]{1,8}(\.[A-Z0-9_^$~!#%&{}@`'()-]{1,3})?$")
_SHORT_CHAR = re.compile(r"[^A-Z0-9_]")


def _digest(kind: str, relative: str) -> str:
    return f"{kind}_{hashlib.sha1(relative.encode()).hexdigest()[:20]}"


def file_id(relative: str) -> str:
    return FIXED_IDS.get(relative) or _digest("f", relative)


def _short_name(name: str, taken: set[str]) -> str:
    upper = name.upper()
    if _SHORT_OK.match(upper) and upper not in taken:
        return upper
    stem, _, ext = upper.rpartition(".") if "." in upper.lstrip(".") else (upper, "", "")
    stem, ext = _SHORT_CHAR.sub("", stem) or "F", _SHORT_CHAR.sub("", ext)[:3]
    for number in range(1, 100000):
        tail = f"~{number}"
        candidate = stem[: 8 - len(tail)] + tail + (f".{ext}" if ext else "")
        if candidate not in taken:
            return candidate
    raise ValueError(f"no short name left for {name}")


def msi_name(name: str, taken: set[str]) -> str:
    """'short|long', or the name alone when it is already a valid 8.3 name."""
    short = _short_name(name, taken)
    taken.add(short)
    return name if short == name.upper() and name == name.upper() else f"{short}|{name}"


def write_payload_wxs(folder: Path, target: Path) -> int:
    """Write the fragment for every file under `folder` (paths relative to it: wixl runs there)."""
    files = sorted(str(PurePosixPath(p.relative_to(folder).as_posix())) for p in folder.rglob("*") if p.is_file())
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<Wix xmlns="http://schemas.microsoft.com/wix/2006/wi"><Fragment>',
             '<DirectoryRef Id="INSTALLDIR">']
    components: list[str] = []
    _emit_directory(files, "", lines, components)
    lines.append("</DirectoryRef>")
    lines.append('<ComponentGroup Id="Payload">')
    lines.extend(f'<ComponentRef Id="{cid}"/>' for cid in components)
    lines.append("</ComponentGroup></Fragment></Wix>")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(files)


def _emit_directory(files: list[str], prefix: str, lines: list[str], components: list[str]) -> None:
    taken: set[str] = set()
    here = [f for f in files if "/" not in f[len(prefix):]]
    subdirs = sorted({f[len(prefix):].split("/", 1)[0] for f in files if "/" in f[len(prefix):]})
    for relative in here:
        name = relative[len(prefix):]
        cid = _digest("c", relative)
        components.append(cid)
        lines.append(f'<Component Id="{cid}" Guid="*"><File Id="{file_id(relative)}" '
                     f'Name={quoteattr(msi_name(name, taken))} Source={quoteattr(relative)} KeyPath="yes"/></Component>')
    for sub in subdirs:
        inner = f"{prefix}{sub}/"
        lines.append(f'<Directory Id="{_digest("d", inner)}" Name={quoteattr(msi_name(sub, taken))}>')
        _emit_directory([f for f in files if f.startswith(inner)], inner, lines, components)
        lines.append("</Directory>")
