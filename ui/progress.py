"""A long task's progress with a working Cancel: the signing batch, the audit log's verification
and export. Cancel (or Esc, or the window's close button) asks the task to stop at its next
safe point; the owner closes the dialog when the task has ended."""

from __future__ import annotations

from .qt import (
    QCoreApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

__all__ = ["CancellableProgress"]


class CancellableProgress(QDialog):
    def __init__(self, *, name: str, title: str, bar_name: str, stopping: str, total: int = 0,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self.setModal(True)
        self.cancel_requested = False
        self._stopping = stopping
        layout = QVBoxLayout(self)
        self.label = QLabel(QCoreApplication.translate("CancellableProgress", "Preparing…"), self)
        self.label.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, total)
        self.bar.setAccessibleName(bar_name)
        self.cancel_button = QPushButton(QCoreApplication.translate("CancellableProgress", "Cancel"), self)
        self.cancel_button.clicked.connect(self.request_cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addLayout(row)
        self.resize(460, 140)

    def request_cancel(self) -> None:
        self.cancel_requested = True
        self.cancel_button.setEnabled(False)
        self.label.setText(self._stopping)

    def reject(self) -> None:  # Esc or the window's close button: the same as Cancel
        self.request_cancel()
