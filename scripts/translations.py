"""Qt translations of the desktop application.

    .venv/bin/python scripts/translations.py update    # re-read ui/*.py into the .ts files
    .venv/bin/python scripts/translations.py compile   # .ts → .qm (the set-up does this)
    .venv/bin/python scripts/translations.py check     # untranslated or stale messages

The .ts files in resources/translations are the sources a translator edits (Qt Linguist);
the .qm files are built, never committed. kyso_vi.ts holds every text of ui/; kyso_en.ts only
the plural forms English needs (the source texts are English); qt_vi.ts the Vietnamese of
Qt's own buttons and menus, which Qt does not ship.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "resources" / "translations"
BIN = Path(sys.executable).parent


def sources() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / "ui").glob("*.py"))


def _lupdate(target: Path, *extra: str) -> None:
    subprocess.run([str(BIN / "pyside6-lupdate"), *sources(), "-locations", "none", "-no-obsolete", "-silent",
                    *extra, "-ts", str(target)], cwd=ROOT, check=True)


def update() -> None:
    _lupdate(FOLDER / "kyso_vi.ts", "-source-language", "en", "-target-language", "vi")
    _lupdate(FOLDER / "kyso_en.ts", "-source-language", "en", "-target-language", "en", "-pluralonly")


def compile_all() -> list[Path]:
    built = []
    for source in sorted(FOLDER.glob("*.ts")):
        target = source.with_suffix(".qm")
        subprocess.run([str(BIN / "pyside6-lrelease"), "-silent", str(source), "-qm", str(target)], check=True)
        built.append(target)
    return built


def unfinished(path: Path) -> list[str]:
    """Messages without a finished translation (every numerus form must be filled)."""
    missing = []
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            forms = translation.findall("numerusform") or [translation]
            if translation.get("type") in ("unfinished", "obsolete", "vanished") or any(not (f.text or "").strip() for f in forms):
                missing.append(f"{name}: {message.findtext('source')}")
    return missing


def stale() -> list[str]:
    """Texts in ui/ that the committed kyso_vi.ts does not have yet (run `update`)."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "kyso_vi.ts"
        shutil.copy(FOLDER / "kyso_vi.ts", copy)
        _lupdate(copy, "-source-language", "en", "-target-language", "vi")
        return [line for line in unfinished(copy) if line not in unfinished(FOLDER / "kyso_vi.ts")]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    missing = stale() + [f"{p.name}: {m}" for p in sorted(FOLDER.glob("*.ts")) for m in unfinished(p)]
    for line in missing:
        print(f"untranslated: {line}")
    return 1 if missing and command == "check" else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
