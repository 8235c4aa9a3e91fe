"""The document list: name, type, preflight status (reason on hover), signatures, result."""

from __future__ import annotations

from pathlib import Path

from app.desk.documents import DeskDocument, DocumentStatus

from .i18n import text
from .qt import QAbstractTableModel, QColor, QCoreApplication, QModelIndex, Qt

__all__ = ["DocumentListModel", "status_label"]

COLUMNS = ("Document", "Type", "Status", "Signatures", "Result")
_COLOURS = {
    DocumentStatus.SIGNABLE: "#1b7f3b", DocumentStatus.CONFIRM: "#a86400", DocumentStatus.BLOCKED: "#b3261e",
    DocumentStatus.ERROR: "#b3261e", DocumentStatus.SIGNED: "#1b5fad", DocumentStatus.FAILED: "#b3261e",
}


def status_label(status: DocumentStatus) -> str:
    return {
        DocumentStatus.CHECKING: QCoreApplication.translate("DocumentListModel", "Checking…"),
        DocumentStatus.SIGNABLE: QCoreApplication.translate("DocumentListModel", "Ready to sign"),
        DocumentStatus.CONFIRM: QCoreApplication.translate("DocumentListModel", "Needs confirmation"),
        DocumentStatus.BLOCKED: QCoreApplication.translate("DocumentListModel", "Cannot be signed"),
        DocumentStatus.ERROR: QCoreApplication.translate("DocumentListModel", "Cannot be read"),
        DocumentStatus.SIGNED: QCoreApplication.translate("DocumentListModel", "Signed"),
        DocumentStatus.FAILED: QCoreApplication.translate("DocumentListModel", "Not signed"),
    }[status]


def _column_title(index: int) -> str:
    return [
        QCoreApplication.translate("DocumentListModel", "Document"), QCoreApplication.translate("DocumentListModel", "Type"),
        QCoreApplication.translate("DocumentListModel", "Status"), QCoreApplication.translate("DocumentListModel", "Signatures"),
        QCoreApplication.translate("DocumentListModel", "Result"),
    ][index]


class DocumentListModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.documents: list[DeskDocument] = []

    # --- Qt model interface -------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.documents)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _column_title(section)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        document = self.documents[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(document, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(document, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2 and document.status in _COLOURS:
            return QColor(_COLOURS[document.status])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{document.path.name}, {status_label(document.status)}"
        return None

    def _display(self, document: DeskDocument, column: int) -> str:
        if column == 0:
            return document.path.name
        if column == 1:
            return document.type_name or ("—" if document.checked else "")
        if column == 2:
            return status_label(document.status)
        if column == 3:
            return self._signatures(document)
        return self._result(document)

    @staticmethod
    def _signatures(document: DeskDocument) -> str:
        if document.result is None:
            return ""
        count = len(document.result.facts.signatures) + (1 if document.signed_path is not None else 0)
        return str(count) if count else "—"

    @staticmethod
    def _result(document: DeskDocument) -> str:
        if document.signed_path is not None:
            return document.signed_path.name
        if document.status is DocumentStatus.FAILED and document.error_code:
            return text(document.error_code, **document.error_params)
        return ""

    def _tooltip(self, document: DeskDocument, column: int) -> str:
        if column == 0:
            return str(document.path)
        if document.status is DocumentStatus.ERROR and document.error_code:
            return text(document.error_code, **document.error_params)
        reason = document.reason
        if column in (2, 4) and reason is not None:
            return text(reason.code.value, **reason.params)
        if column == 4 and document.error_code:
            return text(document.error_code, **document.error_params)
        return ""

    # --- the desk -----------------------------------------------------------------------------
    def add(self, paths: list[Path]) -> list[Path]:
        """Add documents not already listed; returns the ones added."""
        known = {d.path.resolve() for d in self.documents}
        new = [p for p in paths if p.resolve() not in known]
        if new:
            self.beginInsertRows(QModelIndex(), len(self.documents), len(self.documents) + len(new) - 1)
            self.documents += [DeskDocument(path) for path in new]
            self.endInsertRows()
        return new

    def replace(self, document: DeskDocument) -> None:
        for row, current in enumerate(self.documents):
            if current.path == document.path:
                self.documents[row] = document
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
                return

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(set(rows), reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.documents[row]
            self.endRemoveRows()

    def find(self, path: Path) -> DeskDocument | None:
        return next((d for d in self.documents if d.path == path), None)

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.documents:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.documents) - 1, len(COLUMNS) - 1))
