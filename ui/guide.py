"""F1: the user guide, offline, in the window's language (resources/guide/<lang>.html)."""

from __future__ import annotations

from resources import resource_path

from .i18n import current_language, text
from .qt import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

__all__ = ["GuideDialog", "guide_path"]


def guide_path(lang: str):
    path = resource_path("guide", f"{lang}.html")
    return path if path.is_file() else resource_path("guide", "vi.html")


class GuideDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-guide")
        self.setWindowTitle(text("UI_GUIDE_TITLE"))
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)  # offline: nothing leaves the machine
        self.browser.setHtml(guide_path(current_language()).read_text(encoding="utf-8"))
        self.browser.setAccessibleName(text("UI_GUIDE_TITLE"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(text("UI_GUIDE_CLOSE"))
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        self.resize(720, 640)
