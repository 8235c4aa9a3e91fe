"""`kyso`: the one entry point, above both front ends — the window (ui/) and the CLI (app/cli/).

`kyso` alone or `kyso FILE…` opens the window; `kyso COMMAND …` runs the CLI, which never
imports Qt. Where there is no screen the window cannot open: kyso says so, in Vietnamese and
English, and exits with 2 (nothing was done) — never the CLI's help with success.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["EXIT_NO_DESKTOP", "main"]

EXIT_NO_DESKTOP = 2


def main(argv: Sequence[str] | None = None) -> int:
    from app.cli.main import main as cli_main

    return cli_main(argv, desktop=start_desktop)


def start_desktop(lang: str, files: Sequence[str] = (), *, practice: str | None = None,
                  trainee: int | None = None, sign: bool = False) -> int:
    """Open the window; without a screen (or without Qt installed) say why, in both languages.
    `practice`: a workshop pack — the window in practice mode (docs/practice.md); `sign`: sign
    `files` once they are checked (`kyso --sign FILE…`)."""
    if _headless():
        return _cannot_open("APP_NO_DISPLAY", lang)
    try:
        from ui.main import run_desktop
    except ImportError as exc:
        import logging

        logging.getLogger(__name__).warning("the desktop cannot be loaded: %s", exc)
        return _cannot_open("APP_NO_DESKTOP", lang, detail=str(exc))
    if practice is None:
        return run_desktop(list(files), sign=sign)
    from app.cli.report import Reporter

    try:
        from pathlib import Path

        from app.practice import open_practice

        session = open_practice(Path(practice), trainee=trainee)
    except Exception as exc:  # a pack that cannot be opened: one clear line, as every command
        return Reporter(lang=lang, json_mode=False, command="practice").fail(exc)
    return run_desktop(list(files), practice=session)


def _headless() -> bool:
    return sys.platform.startswith("linux") and not any(
        os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def _cannot_open(code: str, lang: str, **params: str) -> int:
    from app.i18n import message

    first, second = (lang, "en" if lang == "vi" else "vi")
    for language in (first, second):
        sys.stderr.write(f"kyso: [{code}] {message(code, language, **params)}\n")
    return EXIT_NO_DESKTOP
