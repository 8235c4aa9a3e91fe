"""Verifying a folder from the window (a dropped folder, or "Xác minh thư mục…"): every PDF in it
and its subfolders verified on a worker, with progress and Cancel, one row per file in a summary
table (file, verdict, signer, time, reason) filled as they come, exported to CSV or XLSX by the
same function as `kyso verify DIR` (app/verification_summary.py)."""

from __future__ import annotations

from pathlib import Path

from shiboken6 import isValid

from .i18n import current_language, text
from .qt import (
    QAbstractItemView,
    QColor,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    Signal,
)
from .tasks import Operation, tasks
from .verify_panel import TONES, verdict_short

__all__ = ["FolderVerifyDialog"]

COLUMNS = ("VDESK_COL_FILE", "VDESK_COL_VERDICT", "VDESK_COL_SIGNER", "VDESK_COL_TIME", "VDESK_COL_REASON")
_TONE = {"valid": "valid", "indeterminate": "warning", "unsigned": "neutral"}


class FolderVerifyDialog(QDialog):
    finished_rows = Signal(object)  # the rows, when the verification ended (done or cancelled)

    def __init__(self, folder: Path, *, mode, audit, parent=None) -> None:
        super().__init__(parent)
        from app.desk.verification import CancelFlag

        self.setObjectName("kyso-folder-verify")
        self.folder = folder
        self.rows: list = []
        self.running = True
        self.cancelled = CancelFlag()
        self.setWindowTitle(text("VDESK_FOLDER_TITLE", folder=folder.name or str(folder)))
        layout = QVBoxLayout(self)
        self.status = QLabel(text("VDESK_FOLDER_LISTING"), self)
        self.status.setObjectName("folder-status")
        self.status.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setAccessibleName(text("VDESK_FOLDER_PROGRESS"))
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("folder-summary")
        self.table.setHorizontalHeaderLabels([text(code) for code in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((230, 150, 180, 170)):
            header.resizeSection(column, width)
        self.cancel_button = QPushButton(text("VDESK_CANCEL"), self)
        self.cancel_button.setObjectName("folder-cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.export_button = QPushButton(text("VDESK_EXPORT"), self)
        self.export_button.setObjectName("folder-export")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.choose_export)
        self.close_button = QPushButton(text("VDESK_CLOSE"), self)
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(1000, 560)
        self._start(mode, audit)

    def _start(self, mode, audit) -> None:
        from app.desk.verification import verify_folder

        manager, folder, cancelled = tasks(), self.folder, self.cancelled

        def progress(done: int, total: int, row) -> None:  # on the worker
            manager.call_on_gui(lambda: self._progress(done, total, row))

        Operation(parent=self, op=lambda: verify_folder(folder, mode=mode, audit=audit, progress=progress,
                                                        cancelled=cancelled),
                  success=self._done).failure(self._failed).run()

    # --- on the GUI thread --------------------------------------------------------------------
    def _progress(self, done: int, total: int, row) -> None:
        if not isValid(self):  # closed and deleted while its worker ran: nothing to draw
            return
        self.bar.setRange(0, total)
        self.bar.setValue(done)
        if not self.cancelled():
            self.status.setText(text("VDESK_FOLDER_PROGRESS_VALUE", done=done, total=total))
        self._add_row(row)

    def _add_row(self, row) -> None:
        if any(existing.path == row.path for existing in self.rows):
            return
        self.rows.append(row)
        index = self.table.rowCount()
        self.table.insertRow(index)
        for column, value in enumerate(_cells(row, self.folder)):
            item = QTableWidgetItem(value)
            if column == 0:
                item.setToolTip(str(row.path))
            if column == 1:
                item.setForeground(QColor(TONES[_TONE.get(row.verdict, "alarm")][0]))
            self.table.setItem(index, column, item)

    def _done(self, rows) -> None:
        if not isValid(self):  # closed and deleted while its worker ran: nothing to draw
            return
        for row in rows:  # the last progress calls may still be queued: every row is shown once
            self._add_row(row)
        self.running = False
        self.cancel_button.setEnabled(False)
        self.export_button.setEnabled(bool(self.rows))
        total = self.bar.maximum()
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(len(self.rows) if total else 1)
        counts = {verdict: sum(1 for r in self.rows if r.verdict == verdict)
                  for verdict in ("valid", "changed", "indeterminate", "invalid", "unsigned", "error")}
        code = "VDESK_FOLDER_CANCELLED" if self.cancelled() else "VDESK_FOLDER_DONE"
        self.status.setText(text(code, total=len(self.rows), **counts))
        self.finished_rows.emit(self.rows)

    def _failed(self, error: BaseException) -> None:
        if not isValid(self):  # closed and deleted while its worker ran: nothing to draw
            return
        from .errors import show_error

        self.running = False
        self.cancel_button.setEnabled(False)
        self.export_button.setEnabled(bool(self.rows))
        self.status.setText(text("VDESK_FOLDER_FAILED"))
        self.finished_rows.emit(self.rows)
        show_error(self, error)

    def cancel(self) -> None:
        self.cancelled.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText(text("VDESK_FOLDER_STOPPING"))

    def choose_export(self) -> None:
        start = str(self.folder / "ket-qua-xac-minh.xlsx")
        name, _ = QFileDialog.getSaveFileName(self, text("VDESK_EXPORT"), start, text("VDESK_EXPORT_FILTER"))
        if name:
            self.export(Path(name))

    def export(self, path: Path) -> Path | None:
        """Write the summary (CSV or XLSX, by the name's suffix) with the shared exporter."""
        from app.desk.verification import export_summary

        from .errors import show_error

        try:
            written = export_summary(self.rows, path, lang=current_language())
        except Exception as error:  # typed codes in the one error dialog
            show_error(self, error)
            return None
        self.status.setText(text("VDESK_EXPORTED", file=str(written)))
        return written

    def reject(self) -> None:  # Esc / close while running: stop first
        if self.running:
            self.cancel()
        super().reject()

    def closeEvent(self, event) -> None:
        if self.running:
            self.cancel()
        super().closeEvent(event)


def _cells(row, folder: Path) -> list[str]:
    from app.i18n import moment

    try:
        name = str(row.path.relative_to(folder))
    except ValueError:
        name = row.path.name
    verdict = text("VDESK_SHORT_ERROR") if row.verdict == "error" else verdict_short(row.verdict)
    when = ""
    if row.time is not None:
        when = moment(row.time) + ("" if row.time_proven else " " + text("VDESK_CLAIMED_MARK"))
    reason = ""
    if row.reason:
        reason = text(row.reason) if row.verdict != "error" else f"{text(row.reason)} [{row.reason}]"
    return [name, verdict, row.signer, when, reason]

