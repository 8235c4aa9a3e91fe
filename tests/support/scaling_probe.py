"""Run in a child process with QT_SCALE_FACTOR and an offscreen screen of a given size: builds
each dialog of a signing in Vietnamese and prints, as JSON, how each is sized against the screen
and its labels (tests/ui/test_scaling.py)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path


def _problems(widget, screen) -> list[str]:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    problems = []
    area = screen.availableGeometry()
    frame = widget.frameGeometry()
    if frame.width() > area.width() or frame.height() > area.height():
        problems.append(f"{frame.width()}×{frame.height()} does not fit the screen's {area.width()}×{area.height()}")
    elif not area.contains(frame):
        problems.append(f"placed at {frame.x()},{frame.y()}: partly off the screen {area}")
    layout = widget.layout()
    least = layout.totalMinimumSize() if layout is not None else widget.minimumSizeHint()
    tall = layout.totalHeightForWidth(widget.width()) if layout is not None and layout.hasHeightForWidth() else -1
    if widget.width() < least.width() or widget.height() < max(least.height(), tall):
        problems.append(f"{widget.width()}×{widget.height()} smaller than its text needs "
                        f"({least.width()}×{max(least.height(), tall)})")
    for label in widget.findChildren(QLabel):
        text = label.text().strip()
        if not label.isVisibleTo(widget) or not text:
            continue
        if len(text.split()) > 3 and not label.wordWrap():
            problems.append(f"label without word wrap: {text[:60]!r}")
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height():
                problems.append(f"label clipped ({label.height()} high, needs {needed}): {text[:60]!r}")
        elif label.sizeHint().width() > label.width() or label.sizeHint().height() > label.height():
            problems.append(f"label clipped ({label.width()}×{label.height()}, needs "
                            f"{label.sizeHint().width()}×{label.sizeHint().height()}): {text[:60]!r}")
    for button in widget.findChildren(QAbstractButton):
        if button.isVisibleTo(widget) and button.text() and button.sizeHint().width() > button.width():
            problems.append(f"button clipped: {button.text()!r}")
    return problems


def main() -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from tests.support.desk_windows import SIGNING_TIME, build
    from ui.i18n import set_language
    from ui.main import create_application

    app = create_application()
    set_language("vi")
    screen = app.primaryScreen()
    parent = QMainWindow()
    parent.resize(900, 600)
    parent.show()
    folder = Path(tempfile.mkdtemp(prefix="kyso-scaling-"))
    report = {"screen": [screen.geometry().width(), screen.geometry().height()],
              "ratio": screen.devicePixelRatio(), "dialogs": {}}
    for name in SIGNING_TIME:
        widget = build(name, parent, folder)
        QTimer.singleShot(50, app.quit)
        app.exec()  # the layout settles, the window is placed
        report["dialogs"][name] = _problems(widget, screen)
        widget.close()
        widget.deleteLater()
    print(json.dumps(report, ensure_ascii=False))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
