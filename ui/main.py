"""Start the desktop application: `kyso` or `kyso FILE...`.

The window is shown before anything slow is loaded: settings are a small TOML file; the
catalogue, token modules and pyhanko load on worker threads after the first paint.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["run_desktop", "create_application", "create_main_window"]

FIRST_PAINT_ENV = "KYSO_EXIT_AFTER_FIRST_PAINT"  # benchmarks: print the moment, then quit


def create_application(argv: Sequence[str] = ()):
    from .qt import QApplication

    # Worker threads (signing, preflight, rendering) share the interpreter with the GUI thread:
    # a shorter switch interval hands the GUI thread the GIL sooner (benchmarks/desktop.py).
    sys.setswitchinterval(0.001)
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("kyso")
    app.setOrganizationName("kyso")
    app.setApplicationDisplayName("kyso")
    return app


def create_main_window(*, practice=None):
    """The main window in the user's language (settings, else the system's, else Vietnamese);
    `practice`: a PracticeSession — the practice window (ui/practice_window.py), not warmed up."""
    from app.i18n import resolve_language
    from app.paths import data_home
    from app.settings import load_settings

    from .errors import install_hooks
    from .i18n import set_language
    from .main_window import MainWindow
    from .qt import QSettings

    settings = load_settings().settings
    lang = os.environ.get("KYSO_LANG") or settings.language or resolve_language()
    set_language(lang)
    if practice is not None:
        from .practice_window import open_practice_window

        window = open_practice_window(practice, warm_up=False)
    else:
        from .practice_window import install_try_entry

        window = MainWindow(ui_state=QSettings(str(data_home() / "ui-state.ini"), QSettings.Format.IniFormat))
        install_try_entry(window)  # a newcomer without a token: "Thử ký số (thực hành)"
    install_hooks(lambda: window)
    return window


def run_desktop(argv: Sequence[str], *, practice=None, sign: bool = False) -> int:
    """`practice`: a PracticeSession (`kyso --practice PACK [--trainee N]`); `sign`: the files are
    to be signed as soon as they are checked (`kyso --sign FILE…`, Explorer's "Ký số bằng kyso")."""
    started = time.perf_counter()
    from app.logs import setup_logging

    setup_logging(verbose=os.environ.get("KYSO_DEBUG") == "1")
    app = create_application()
    files = [Path(arg) for arg in argv]
    from app.paths import data_home

    from .single_instance import InstanceServer, claim_or_hand_over

    if practice is not None:  # a practice window is its own: files are never handed to it
        window = create_main_window(practice=practice)
        listen = lambda: None  # noqa: E731
    else:
        lock = claim_or_hand_over(home=data_home(), files=files, sign=sign)
        if lock is None:  # kyso is open already: it has taken the files
            return 0
        window = create_main_window()

        def listen() -> None:  # later `kyso FILE…` wait for this (seconds), the first paint does not
            window._instance = InstanceServer(home=data_home(), lock=lock, opened=window.bring_documents)

    if os.environ.get(FIRST_PAINT_ENV):
        _exit_after_first_paint(window, started)
    _after_first_paint(window, lambda: (listen(), window.warm_up(files, sign=sign)))  # nothing competes with the paint
    window.show()
    code = app.exec()
    from .tasks import tasks

    tasks().shutdown()
    return code


def _after_first_paint(window, action) -> None:
    """Run `action` once the window has painted (loading the catalogue, the audit log and the
    signing stack on workers would otherwise take the interpreter from the first paint)."""
    from .qt import QEvent, QObject, QTimer

    class Painted(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                watched.removeEventFilter(self)  # every later event would call into Python
                QTimer.singleShot(0, action)
            return False

    window._painted = Painted(window)
    window.centralWidget().installEventFilter(window._painted)


def _exit_after_first_paint(window, started: float) -> None:
    from .qt import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and not getattr(self, "seen", False):
                self.seen = True
                print(f"first-paint {time.perf_counter() - started:.4f}", flush=True)
                QTimer.singleShot(0, window.close)
            return False

    window._first_paint = FirstPaint(window)
    window.centralWidget().installEventFilter(window._first_paint)


def build_window():
    """Kept for callers of the former start window: the main window."""
    return create_main_window()
