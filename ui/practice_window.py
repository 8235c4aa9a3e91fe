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
    """Watches windows being shown (one for the process); each one of a practice session gets
    "THỰC HÀNH — " before its title and an orange strip across its top with the banner (the main
    window: the whole banner with the workshop and the trainee). The signing progress gets a
    "Pull the token out" button in its strip: the batch's modal progress must not keep the
    trainee from pulling the token."""

    def __init__(self) -> None:
        super().__init__(QApplication.instance())
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.WindowTitleChange, QEvent.Type.LanguageChange) \
                and isinstance(watched, QWidget) and watched.isWindow() and _is_framed_kind(watched):
            owner = _practice_owner(watched)
            if owner is not None:
                self.frame(watched, owner)
        return False

    def frame(self, window: QWidget, owner) -> None:
        _prefix_title(window)
        found = window.findChildren(QWidget, "practice-banner", Qt.FindChildOption.FindDirectChildrenOnly)
        pull = (lambda: _pull_inserted(owner)) if window.objectName() == "kyso-progress" else None
        strip = found[0] if found else BannerStrip(window, pull_now=pull)
        banner = owner.desk.mode.session.banner(_lang())
        _show_text(strip, banner if window is owner else text("PRACTICE_DESK_BANNER_SHORT"), tip=banner)


def _frame() -> PracticeFrame:
    app = QApplication.instance()
    frame = getattr(app, "_kyso_practice_frame", None)
    if frame is None:
        frame = app._kyso_practice_frame = PracticeFrame()
    return frame


class BannerStrip(QWidget):
    """The orange strip across the top of one practice window (its contents moved down under it)."""

    def __init__(self, window: QWidget, *, pull_now=None) -> None:
        super().__init__(window)
        self.setObjectName("practice-banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#practice-banner {{{STRIP_STYLE}}}")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 0, 4, 0)
        label = QLabel(self)
        label.setObjectName("practice-banner-text")
        label.setStyleSheet("color:white; font-weight:bold;")
        row.addWidget(label, 1)
        if pull_now is not None:  # the signing batch: the token can be pulled out
            button = QPushButton(self)
            button.setObjectName("practice-pull-now")
            button.clicked.connect(lambda checked=False: pull_now())
            row.addWidget(button)
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


def _show_text(strip: QWidget, banner: str, *, tip: str) -> None:
    label = strip.findChildren(QLabel, "practice-banner-text")[0]
    label.setText(banner)
    label.setToolTip(tip)
    label.setAccessibleName(text("PRACTICE_DESK_TITLE"))
    for button in strip.findChildren(QPushButton, "practice-pull-now"):
        button.setText(text("PRACTICE_DESK_PULL_NOW"))
        button.setToolTip(text("PRACTICE_DESK_PULL_NOW_TIP"))
    strip.raise_()


def _is_framed_kind(widget: QWidget) -> bool:
    return widget.windowType() in (Qt.WindowType.Window, Qt.WindowType.Dialog, Qt.WindowType.Sheet)


def _practice_owner(widget: QWidget):
    """The practice main window `widget` belongs to: itself, the one it was opened over — or,
    when no production window is open (kyso --practice), the practice window; else None."""
    current = widget
    while current is not None:
        if current in _practice_windows:
            return current
        current = current.parentWidget()
    if _practice_windows and not any(w.objectName() == "kyso-main" and w not in _practice_windows
                                     for w in QApplication.topLevelWidgets()):
        return _practice_windows[0]
    return None


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
    _frame()
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
    session = window.desk.mode.session
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
