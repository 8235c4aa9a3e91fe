"""The document list: name, type, preflight status (reason on hover), signatures, result."""

from __future__ import annotations

from pathlib import Path

from app.desk.documents import DeskDocument, DeskDocuments, DocumentStatus

from .i18n import text
from .qt import QColor, QCoreApplication, QStandardItem, QStandardItemModel, Qt

__all__ = ["DocumentListModel", "status_label"]

COLUMNS = ("Document", "Type", "Status", "Signatures", "Result")
_COLOURS = {
    DocumentStatus.SIGNABLE: "#1b7f3b", DocumentStatus.CONFIRM: "#a86400", DocumentStatus.BLOCKED: "#b3261e",
    DocumentStatus.ERROR: "#b3261e", DocumentStatus.SIGNED: "#1b5fad", DocumentStatus.FAILED: "#b3261e",
}


def status_label(status: DocumentStatus) -> str:
    return _STATUS_LABELS[status]()


_STATUS_LABELS = {  # translated when asked (the language can change)
    DocumentStatus.CHECKING: lambda: QCoreApplication.translate("DocumentListModel", "Checking…"),
    DocumentStatus.SIGNABLE: lambda: QCoreApplication.translate("DocumentListModel", "Ready to sign"),
    DocumentStatus.CONFIRM: lambda: QCoreApplication.translate("DocumentListModel", "Needs confirmation"),
    DocumentStatus.BLOCKED: lambda: QCoreApplication.translate("DocumentListModel", "Cannot be signed"),
    DocumentStatus.ERROR: lambda: QCoreApplication.translate("DocumentListModel", "Cannot be read"),
    DocumentStatus.SIGNED: lambda: QCoreApplication.translate("DocumentListModel", "Signed"),
    DocumentStatus.FAILED: lambda: QCoreApplication.translate("DocumentListModel", "Not signed"),
}


def _column_title(index: int) -> str:
    return [
        QCoreApplication.translate("DocumentListModel", "Document"), QCoreApplication.translate("DocumentListModel", "Type"),
        QCoreApplication.translate("DocumentListModel", "Status"), QCoreApplication.translate("DocumentListModel", "Signatures"),
        QCoreApplication.translate("DocumentListModel", "Result"),
    ][index]


class DocumentListModel(QStandardItemModel):
    """One row per open document. Each row's text, hover reason, colour and accessible text are
    stored in Qt items when the document changes, so painting the list never calls back into
    Python: a worker busy with the interpreter (preflight, signing) cannot stall a repaint."""

    def __init__(self, documents: DeskDocuments, parent=None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self._documents = documents
        self._verified: dict[Path, object] = {}  # path → "checking" or its ReceivedDocument (a received signed file)
        self._set_titles()
        for row in range(len(documents)):
            self.added(row)
        documents.listen(self)

    def _set_titles(self) -> None:
        self.setHorizontalHeaderLabels([_column_title(column) for column in range(len(COLUMNS))])

    def _fill(self, row: int, document: DeskDocument) -> None:
        status = document.status
        verified = self._received_status(document)
        accessible = f"{document.path.name}, {verified[0] if verified else status_label(status)}"
        for column in range(len(COLUMNS)):
            item = self.item(row, column)
            item.setText(verified[0] if verified and column == 2 else self._display(document, column))
            item.setToolTip(verified[1] if verified and column == 2 else self._tooltip(document, column))
            if column == 2:
                colour = verified[2] if verified else _COLOURS.get(status)
                item.setData(QColor(colour) if colour else None, Qt.ItemDataRole.ForegroundRole)
            item.setData(accessible, Qt.ItemDataRole.AccessibleTextRole)

    def _received_status(self, document: DeskDocument) -> tuple[str, str, str] | None:
        """A received signed document's status is its verification (text, hover, colour), never
        "cannot be signed": whether kyso would sign it again is on hover."""
        state = self._verified.get(document.path)
        if state is None or document.signed_path is not None:
            return None
        from .verify_panel import TONES, verdict_short

        if state == "checking":
            return text("VDESK_CHECKING"), "", TONES["neutral"][0]
        hover = text(state.verdict_code) + "\n" + text("VDESK_SIGN_AGAIN", status=status_label(document.status))
        return verdict_short(state.verdict), hover, TONES[state.tone][0]

    def set_verification(self, path: Path, state) -> None:
        """"checking", the ReceivedDocument, or None (not verified: the preflight status again)."""
        if state is None:
            self._verified.pop(path, None)
        else:
            self._verified[path] = state
        for row, document in enumerate(self._documents):
            if document.path == path:
                self._fill(row, document)

    @staticmethod
    def _new_row() -> list[QStandardItem]:
        items = [QStandardItem() for _ in COLUMNS]
        for item in items:
            item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
        return items

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

    # --- drawing the desk's documents (app/desk/documents.py DeskDocuments) ---------------------
    @property
    def documents(self) -> DeskDocuments:
        return self._documents

    def find(self, path: Path) -> DeskDocument | None:
        return self._documents.find(path)

    def added(self, row: int) -> None:
        self.appendRow(self._new_row())
        self._fill(row, self._documents[row])

    def changed(self, row: int) -> None:
        self._fill(row, self._documents[row])

    def removed(self, rows: list[int]) -> None:
        for row in rows:
            self.removeRow(row)
        present = {document.path for document in self._documents}
        self._verified = {path: state for path, state in self._verified.items() if path in present}

    def retranslate(self) -> None:
        self._set_titles()
        for row, document in enumerate(self.documents):
            self._fill(row, document)
