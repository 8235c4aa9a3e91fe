"""Start the desktop application.

The full main window (documents, preview, placement, signing) is built by the desktop issue;
until then this window says what kyso is, where its data lives and how to sign from the
command line, so the one set-up command always ends with something on screen.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["run_desktop"]


def run_desktop(argv: Sequence[str]) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    window = build_window()
    window.show()
    return app.exec()


def build_window():
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

    from app import __version__
    from app.paths import data_home

    window = QMainWindow()
    window.setWindowTitle(window.tr("kyso — Ký số văn bản"))
    body = QWidget()
    layout = QVBoxLayout(body)
    text = window.tr(
        "<h2>kyso {version}</h2>"
        "<p>Ký số văn bản PDF theo chuẩn PAdES cho Viện kiểm sát nhân dân.</p>"
        "<p>Dữ liệu: {home}</p>"
        "<p>Ký từ dòng lệnh: <code>kyso sign TỆP.pdf</code> — xem <code>kyso --help</code>.</p>"
    ).format(version=__version__, home=data_home())
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    layout.addWidget(label)
    window.setCentralWidget(body)
    window.resize(640, 320)
    return window
