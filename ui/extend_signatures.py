"""Extending the signatures of a received document from the window ("Gia hạn chữ ký…"): the
level asked (B-LT or B-LTA), then `kyso extend`'s code on a worker (app/desk/verification.py),
audited as the CLI is; the extended copy NAME.gia-han.pdf is written beside the file."""

from __future__ import annotations

from html import escape
from pathlib import Path

from .i18n import text
from .qt import QComboBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout

__all__ = ["ExtendDialog"]

LEVELS = ("B-LTA", "B-LT")


class ExtendDialog(QDialog):
    """Asks which level; `level()` once accepted."""

    def __init__(self, path: Path, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-extend")
        self.setWindowTitle(text("VDESK_EXTEND_TITLE"))
        layout = QVBoxLayout(self)
        about = QLabel(escape(text("VDESK_EXTEND_ABOUT", file=path.name)), self)
        about.setWordWrap(True)
        self.levels = QComboBox(self)
        self.levels.setObjectName("extend-level")
        for level in LEVELS:
            self.levels.addItem(text("VDESK_EXTEND_LEVEL_" + level.replace("-", "_")), level)
        self.levels.setAccessibleName(text("VDESK_EXTEND_LEVEL"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(about)
        layout.addWidget(self.levels)
        layout.addWidget(buttons)
        self.resize(460, 160)

    def level(self) -> str:
        return self.levels.currentData()

    def choose(self, level: str) -> None:
        self.levels.setCurrentIndex(LEVELS.index(level))
