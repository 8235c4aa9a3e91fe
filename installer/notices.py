"""licences/THIRD-PARTY-NOTICES.txt: every distribution in the payload with its licence, the
Python runtime's licence, and every font file with the licence of the package that ships it."""

from __future__ import annotations

from email.parser import HeaderParser
from pathlib import Path

__all__ = ["FONT_SUFFIXES", "UnlicensedFont", "font_owners", "write_notices"]

FONT_SUFFIXES = {".ttf", ".otf", ".ttc", ".woff", ".woff2", ".pfb"}
_LICENCE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")


class UnlicensedFont(Exception):
    """A font file in the payload whose package ships no licence text."""


def _distributions(lib: Path) -> list[Path]:
    return sorted(lib.glob("*.dist-info"), key=lambda p: p.name.lower())


def _licence_files(dist_info: Path) -> list[Path]:
    return sorted(p for p in dist_info.rglob("*") if p.is_file() and p.name.upper().startswith(_LICENCE_NAMES))


def _licence_name(metadata: dict) -> str:
    expression = metadata.get("License-Expression")
    if expression:
        return expression
    classifiers = [c.split("::")[-1].strip() for c in metadata.get_all("Classifier", []) if c.startswith("License ::")]
    text = (metadata.get("License") or "").strip()
    return ", ".join(classifiers) or (text.splitlines()[0] if text else "see the licence files")


def font_owners(lib: Path) -> dict[str, Path]:
    """Each font file (relative to lib) → the dist-info of the distribution that installed it."""
    owners: dict[str, Path] = {}
    for dist_info in _distributions(lib):
        record = dist_info / "RECORD"
        for line in record.read_text(encoding="utf-8").splitlines() if record.is_file() else ():
            name = line.split(",", 1)[0]
            if Path(name).suffix.lower() in FONT_SUFFIXES:
                owners[name] = dist_info
    return owners


def write_notices(folder: Path, *, runtime_included: bool) -> Path:
    lib = folder / "lib"
    lines = ["kyso — third-party software shipped in this installation / phần mềm của bên thứ ba", ""]
    for dist_info in _distributions(lib):
        metadata = HeaderParser().parsestr((dist_info / "METADATA").read_text(encoding="utf-8", errors="replace"))
        files = [str(p.relative_to(folder)).replace("/", "\\") for p in _licence_files(dist_info)]
        lines.append(f"{metadata['Name']} {metadata['Version']} — {_licence_name(metadata)}")
        lines.extend(f"    {name}" for name in files)
    if runtime_included:
        lines += ["", "CPython (runtime\\) — Python Software Foundation License", "    runtime\\LICENSE.txt"]
    lines += ["", "Fonts / phông chữ:"]
    owners = font_owners(lib)
    for font, dist_info in sorted(owners.items()):
        if not _licence_files(dist_info):
            raise UnlicensedFont(f"{font}: {dist_info.name} ships no licence text")
        lines.append(f"    lib\\{font.replace('/', chr(92))} — licence: {dist_info.name} (above)")
    if not owners:
        lines.append("    none shipped: stamps use Times New Roman, which Windows provides")
    target = folder / "licences" / "THIRD-PARTY-NOTICES.txt"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return target
