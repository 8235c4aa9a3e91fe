"""The desktop in practice mode: the same main window, framed so it can never pass for real work.

`open_practice_window(session)` builds a `MainWindow` on a `PracticeDesk` (app/desk/practice.py)
and adds what only practice has: the THỰC HÀNH banner and title on every window and dialog of
the session (`PracticeFrame`), the rack of practice tokens and the exercises with the trainee's
progress (ui/practice_panels.py), the trainer's unlock and the workshop's progress. The signing
flow, the PIN dialog, the token status and the audit code are the production ones: the window
does not know a token is simulated beyond the banner and the rack.

`install_try_entry(window)` gives a production window the newcomer's way in: "Thử ký số (thực
hành)" in the Tools menu, and in the status bar while no token is ready.
"""

from __future__ import annotations

import logging
from pathlib import Path

from .i18n import text
from .qt import (
    QAction,
    QApplication,
    QDockWidget,
    QEvent,
    QHBoxLayout,
    QLabel,
    QObject,
    QPushButton,
    QSettings,
    Qt,
    QWidget,
)
from .tasks import Operation

__all__ = ["PracticeFrame", "install_try_entry", "open_practice_window"]

log = logging.getLogger(__name__)
STRIP_HEIGHT = 28
STRIP_STYLE = "background:#c2410c; color:white; font-weight:bold; padding:0 10px;"
_open_windows: list = []  # practice windows opened from a production one (kept alive while shown)


# --- the frame on every window ------------------------------------------------------------------
_practice_windows: list = []  # the practice main windows of this process


class PracticeFrame(QObject):
    """Watches windows being shown; each one of a practice session gets "THỰC HÀNH — " before its
    title and an orange strip across its top with the banner (the main window: the whole banner
    with the workshop and the trainee). The signing progress gets a "Pull the token out" button
    in its strip: the batch's modal progress must not keep the trainee from pulling the token."""

    def __init__(self, *, banner, pull_now) -> None:
        super().__init__(QApplication.instance())
        self.banner = banner  # () -> the session's banner in the current language
        self.pull_now = pull_now  # () -> None: pull every inserted practice token
        self.strips: dict[int, tuple[QWidget, BannerStrip]] = {}
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.WindowTitleChange, QEvent.Type.LanguageChange) \
                and isinstance(watched, QWidget) and watched.isWindow() and _is_framed_kind(watched) \
                and _in_practice(watched):
            self.frame(watched)
        return False

    def frame(self, window: QWidget) -> None:
        _prefix_title(window)
        known = self.strips.get(id(window))
        if known is None or known[0] is not window:
            strip = BannerStrip(window, pull_now=self.pull_now if window.objectName() == "kyso-progress" else None)
            self.strips[id(window)] = (window, strip)
            window.destroyed.connect(lambda *args, key=id(window): self.strips.pop(key, None))
        else:
            strip = known[1]
        strip.show_text(self.banner() if window in _practice_windows else text("PRACTICE_DESK_BANNER_SHORT"),
                        tip=self.banner())


class BannerStrip(QWidget):
    """The orange strip across the top of one practice window (its contents moved down under it)."""

    def __init__(self, window: QWidget, *, pull_now=None) -> None:
        super().__init__(window)
        self.setObjectName("practice-banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#practice-banner {{{STRIP_STYLE}}}")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 4, 0)
        self.label = QLabel(self)
        self.label.setObjectName("practice-banner-text")
        self.label.setStyleSheet("color:white; font-weight:bold;")
        row.addWidget(self.label, 1)
        self.button = None
        if pull_now is not None:  # the signing batch: the token can be pulled out
            self.button = QPushButton(self)
            self.button.setObjectName("practice-pull-now")
            self.button.clicked.connect(lambda checked=False: pull_now())
            row.addWidget(self.button)
        margins = window.contentsMargins()
        window.setContentsMargins(margins.left(), margins.top() + STRIP_HEIGHT, margins.right(), margins.bottom())
        window.installEventFilter(self)  # its resizes reach the strip
        self.setGeometry(0, 0, window.width(), STRIP_HEIGHT)
        self.show()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(0, 0, watched.width(), STRIP_HEIGHT)
            self.raise_()
        return False

    def show_text(self, banner: str, *, tip: str) -> None:
        self.label.setText(banner)
        self.label.setToolTip(tip)
        self.label.setAccessibleName(text("PRACTICE_DESK_TITLE"))
        if self.button is not None:
            self.button.setText(text("PRACTICE_DESK_PULL_NOW"))
            self.button.setToolTip(text("PRACTICE_DESK_PULL_NOW_TIP"))
        self.raise_()


def _is_framed_kind(widget: QWidget) -> bool:
    return widget.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet)


def _in_practice(widget: QWidget) -> bool:
    """A window of the practice session: the practice main window, anything opened over it —
    or any window at all when no production window is open (kyso --practice)."""
    current = widget
    while current is not None:
        if current in _practice_windows:
            return True
        current = current.parentWidget()
    return not any(w.objectName() == "kyso-main" and w not in _practice_windows
                   for w in QApplication.topLevelWidgets())


def _prefix_title(window: QWidget) -> None:
    prefix = text("PRACTICE_DESK_TITLE") + " — "
    title = window.windowTitle()
    if title.startswith(prefix):
        return
    for other in ("THỰC HÀNH — ", "PRACTICE — "):  # the language changed
        if title.startswith(other):
            title = title[len(other):]
    window.setWindowTitle(prefix + title)


# --- opening the practice window ------------------------------------------------------------------
def open_practice_window(session, *, files: list[Path] = (), ui_state: QSettings | None = None, warm_up: bool = True):
    """The main window in practice mode for `session` (a PracticeSession), shown."""
    from app.desk.practice import PracticeDesk
    from app.paths import data_home

    from .main_window import MainWindow
    from .practice_panels import install_panels

    state = ui_state or QSettings(str(data_home() / "ui-state-practice.ini"), QSettings.Format.IniFormat)
    window = MainWindow(ui_state=state, mode=PracticeDesk(session))
    _practice_windows.append(window)
    window.destroyed.connect(lambda *args: _practice_windows.remove(window) if window in _practice_windows else None)
    window.practice_frame = PracticeFrame(banner=lambda: session.banner(_lang()),
                                          pull_now=lambda: _pull_inserted(window))
    window.statusBar().setStyleSheet("QStatusBar { background:#fde7d3; }")
    install_panels(window, session)
    window.show()
    if warm_up:
        window.warm_up(list(files))
    return window


def _lang() -> str:
    from .i18n import current_language

    return current_language()


def _pull_inserted(window) -> None:
    """Every inserted practice token comes out (the watcher then records and shows it)."""
    session = window.mode.session
    for token in session.rack_tokens():
        if token.inserted:
            session.pull(token.id)
    window.token_monitor.refresh()
    panel = getattr(window, "practice_rack", None)
    if panel is not None:
        panel.refresh()


# --- the newcomer's way in from a production window ------------------------------------------------
def install_try_entry(window) -> None:
    """"Thử ký số (thực hành)": in the Tools menu, and in the status bar while no token is ready."""
    action = QAction(window)
    action.setObjectName("practice-try")
    action.triggered.connect(lambda checked=False: try_practice(window))
    window.menu_tools.addSeparator()
    window.menu_tools.addAction(action)
    link = QPushButton(window)
    link.setObjectName("practice-try-link")
    link.setFlat(True)
    link.setStyleSheet("QPushButton { color:#c2410c; text-decoration:underline; border:none; }")
    link.clicked.connect(lambda checked=False: try_practice(window))
    link.hide()
    window.statusBar().addPermanentWidget(link)
    window.act_practice_try, window.practice_try_link = action, link

    def retranslate() -> None:
        action.setText(text("PRACTICE_DESK_TRY"))
        action.setToolTip(text("PRACTICE_DESK_TRY_TIP"))
        action.setStatusTip(text("PRACTICE_DESK_TRY_TIP"))
        link.setText(text("PRACTICE_DESK_TRY"))
        link.setToolTip(text("PRACTICE_DESK_TRY_TIP"))

    def tokens_changed(views) -> None:
        link.setVisible(bool(views) and not window.token_monitor.ready)

    _on_language_change(window, retranslate)
    window.token_monitor.changed.connect(tokens_changed)
    retranslate()


def try_practice(window) -> None:
    """Make (first time) or reuse the one-trainee try-out workshop, then open its window."""
    from app.practice.demo import demo_session

    from .errors import show_error

    window.statusBar().showMessage(text("PRACTICE_DESK_TRY_PREPARING"))

    def opened(session) -> None:
        window.statusBar().clearMessage()
        practice = open_practice_window(session)
        _open_windows.append(practice)
        practice.destroyed.connect(lambda *args: _open_windows.remove(practice) if practice in _open_windows else None)

    Operation(parent=window, op=demo_session, success=opened).failure(lambda error: show_error(window, error)).run()


class _LanguageWatcher(QObject):
    def __init__(self, window, retranslate) -> None:
        super().__init__(window)
        self.retranslate = retranslate
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        return False


def _on_language_change(window, retranslate) -> None:
    window._practice_language = getattr(window, "_practice_language", [])
    window._practice_language.append(_LanguageWatcher(window, retranslate))


def add_dock(window, widget: QWidget, *, name: str, title_code: str, area=Qt.DockWidgetArea.RightDockWidgetArea) -> QDockWidget:
    dock = QDockWidget(window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)  # never closed: always in view
    window.addDockWidget(area, dock)
    _on_language_change(window, lambda: dock.setWindowTitle(text(title_code)))
    dock.setWindowTitle(text(title_code))
    return dock
