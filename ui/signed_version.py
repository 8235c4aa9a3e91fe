"""The signed version of a signature (as Adobe's "view signed version"): the exact revision it
covers in a preview of its own, and beside it what changed since — every page that renders
differently, the signed page and the page now side by side with the differing areas framed
in red. The copy and the comparison are made on a worker (app/desk/verification.py)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from shiboken6 import isValid

from .i18n import text
from .qt import (
    QColor,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QImage,
    QLabel,
    QPainter,
    QPen,
    QPixmap,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .tasks import Operation

__all__ = ["SignedVersionDialog"]


class SignedVersionDialog(QDialog):
    ready = Signal()  # the signed version is shown and the comparison done (or failed)

    def __init__(self, received, number: int, *, folder: Path, parent=None) -> None:
        from .preview import PdfPreview

        super().__init__(parent)
        self.setObjectName("kyso-signed-version")
        self.received, self.number = received, number
        self.signed_path: Path | None = None
        self.comparison = None
        self.error: BaseException | None = None
        line = received.line(number)
        self.setWindowTitle(text("VDESK_SIGNED_TITLE", number=number, file=received.path.name))
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("signed-version-summary")
        self.summary.setWordWrap(True)
        self.summary.setText(escape(text("VDESK_SIGNED_ABOUT", signer=line.signer or "?",
                                         revision=(line.revision or 0) + 1, revisions=received.revisions)))
        self.tabs = QTabWidget(self)
        self.preview = PdfPreview(self)
        self.tabs.addTab(self.preview, text("VDESK_SIGNED_TAB"))
        self.changes = QScrollArea(self)
        self.changes.setWidgetResizable(True)
        self.changes_body = QWidget()
        self.changes_layout = QVBoxLayout(self.changes_body)
        self.changes_status = QLabel(text("VDESK_COMPARING"), self.changes_body)
        self.changes_status.setWordWrap(True)
        self.changes_layout.addWidget(self.changes_status)
        self.changes_layout.addStretch(1)
        self.changes.setWidget(self.changes_body)
        self.tabs.addTab(self.changes, text("VDESK_CHANGES_TAB"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1100, 700)
        current = received.path
        from app.desk.verification import CancelFlag

        self.cancelled = cancelled = CancelFlag()  # closed before the comparison ended: it stops

        def make():
            from app.desk.verification import compare_versions, signed_version_copy

            signed = signed_version_copy(received, number, folder=folder)
            return signed, compare_versions(signed, current, cancelled=cancelled)

        Operation(parent=self, op=make, success=self._made).failure(self._failed).run()

    def _made(self, value) -> None:
        if not isValid(self):  # closed and deleted while its worker ran
            return
        self.signed_path, self.comparison = value
        if self.cancelled():
            return
        self.preview.show_document(self.signed_path)
        self._show_comparison()
        self.ready.emit()

    def _failed(self, error: BaseException) -> None:
        if not isValid(self):  # closed and deleted while its worker ran
            return
        from .errors import show_error

        self.error = error
        self.changes_status.setText(text("VDESK_COMPARE_FAILED"))
        self.ready.emit()
        show_error(self, error)

    def _show_comparison(self) -> None:
        comparison = self.comparison
        if comparison.same:
            self.changes_status.setText(text("VDESK_PAGES_SAME", pages=comparison.current_pages))
            return
        self.changes_status.setText(text("VDESK_PAGES_DIFFER", count=len(comparison.pages),
                                         signed=comparison.signed_pages, current=comparison.current_pages))
        for page in comparison.pages:
            title = QLabel(f"<b>{escape(text('VDESK_PAGE', page=page.index + 1))}</b>", self.changes_body)
            row = QHBoxLayout()
            for label_code, image in (("VDESK_PAGE_SIGNED", page.signed), ("VDESK_PAGE_NOW", page.current)):
                column = QVBoxLayout()
                column.addWidget(QLabel(text(label_code), self.changes_body))
                picture = QLabel(self.changes_body)
                picture.setObjectName("changed-page")
                if image is None:
                    picture.setText(text("VDESK_PAGE_MISSING"))
                else:
                    picture.setPixmap(_framed(image, page.boxes, width=480))
                column.addWidget(picture)
                column.addStretch(1)
                row.addLayout(column)
            self.changes_layout.insertWidget(self.changes_layout.count() - 1, title)
            self.changes_layout.insertLayout(self.changes_layout.count() - 1, row)
        self.tabs.setCurrentIndex(1)

    def closeEvent(self, event) -> None:
        self.cancelled.cancel()
        self.preview.renderer.close()
        super().closeEvent(event)


def _framed(image, boxes, *, width: int) -> QPixmap:
    """A PIL page image as a pixmap `width` wide, the differing areas framed in red."""
    data = image.convert("RGB").tobytes()
    qimage = QImage(data, image.width, image.height, image.width * 3, QImage.Format.Format_RGB888).copy()
    painter = QPainter(qimage)
    pen = QPen(QColor("#d00000"))
    pen.setWidth(3)
    painter.setPen(pen)
    painter.setBrush(QColor(255, 0, 0, 40))
    for left, top, right, bottom in boxes:
        painter.drawRect(left, top, right - left, bottom - top)
    painter.end()
    return QPixmap.fromImage(qimage).scaledToWidth(width)
