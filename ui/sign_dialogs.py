"""Dialogs around a signing batch: which certificate, confirm the batch, progress, results."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.desk.signing import BatchLine
from app.desk.tokens import TokenView

from .i18n import text
from .progress import CancellableProgress
from .qt import (
    QAbstractItemView,
    QCoreApplication,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QUrl,
    QVBoxLayout,
)

__all__ = ["CertificateChoiceDialog", "BatchConfirmDialog", "SigningProgressDialog", "ResultDialog"]


class CertificateChoiceDialog(QDialog):
    """Several tokens or certificates: the user says which one signs."""

    def __init__(self, views: Sequence[TokenView], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-certificate-choice")
        self.setWindowTitle(self.tr("Choose the certificate to sign with"))
        self.choices = [(view, cert) for view in views for cert in view.certificates]
        layout = QVBoxLayout(self)
        layout.addWidget(_wrapped(QLabel(self.tr("Several certificates can sign. Which one is yours for these documents?"), self)))
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Certificates"))
        for view, cert in self.choices:
            holder = _subject_cn(cert.der)
            line = self.tr("%1 — issued by %2, valid until %3 (token %4)")
            line = line.replace("%1", holder).replace("%2", cert.issuer_ca or "—")
            line = line.replace("%3", cert.not_after[:10]).replace("%4", view.label)
            self.list.addItem(QListWidgetItem(line))
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda item: self.accept())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("Use this certificate"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(620, 280)

    def chosen(self):
        return self.choices[self.list.currentRow()]


def _wrapped(label: QLabel) -> QLabel:
    """A label that wraps its words: whole at 100–200 % scaling and in longer translations."""
    label.setWordWrap(True)
    return label


def _subject_cn(der: bytes) -> str:
    from app.desk.tokens import certificate_holder_name

    return certificate_holder_name(der) or "?"


class BatchConfirmDialog(QDialog):
    """"12 documents, personal signature, level B-LT" — and the list, before the PIN."""

    def __init__(self, lines: Sequence[BatchLine], files: Sequence[Path], *, holder: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-batch-confirm")
        self.setWindowTitle(self.tr("Sign these documents?"))
        layout = QVBoxLayout(self)
        summary = [self.tr("%n document(s), %1, level %2", "", line.count)
                   .replace("%1", text("KIND_" + line.kind.upper())).replace("%2", line.level) for line in lines]
        self.summary = _wrapped(QLabel("<br>".join(f"<b>{s}</b>" for s in summary), self))
        self.summary.setObjectName("batch-summary")
        layout.addWidget(self.summary)
        layout.addWidget(_wrapped(QLabel(self.tr("Signed with the certificate of %1.").replace("%1", holder), self)))
        names = QListWidget(self)
        names.addItems([path.name for path in files])
        names.setAccessibleName(self.tr("Documents to sign"))
        layout.addWidget(names)
        buttons = QDialogButtonBox(self)
        self.sign_button = buttons.addButton(self.tr("Sign"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, 360)


class SigningProgressDialog(CancellableProgress):
    """The current file and a Cancel that stops after the document being signed."""

    def __init__(self, total: int, parent=None) -> None:
        context = "SigningProgressDialog"
        super().__init__(name="kyso-progress", title=QCoreApplication.translate(context, "Signing"),
                         bar_name=QCoreApplication.translate(context, "Signing progress"),
                         stopping=QCoreApplication.translate(context, "Stopping after the current document…"),
                         total=max(total, 1), parent=parent)

    def show_progress(self, done: int, total: int, path: Path) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)
        if done < total:
            self.label.setText(self.tr("Signing %1 (%2 of %3)…").replace("%1", path.name)
                               .replace("%2", str(done + 1)).replace("%3", str(total)))


class ResultDialog(QDialog):
    """Per file: signed (open the file, open its folder) or why not."""

    def __init__(self, outcomes, parent=None, *, decision=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-results")
        self.setWindowTitle(self.tr("Signing results"))
        self.outcomes = list(outcomes)
        signed = sum(1 for o in self.outcomes if o.ok)
        layout = QVBoxLayout(self)
        self.summary = _wrapped(QLabel(self.tr("%1 of %2 documents signed.").replace("%1", str(signed))
                                       .replace("%2", str(len(self.outcomes))), self))
        self.summary.setObjectName("result-summary")
        layout.addWidget(self.summary)
        self.shortfall = QLabel(self)  # signed below the level asked, accepted before the PIN: why
        self.shortfall.setObjectName("result-level")
        self.shortfall.setWordWrap(True)
        if decision is not None and decision.shortfalls and signed:
            from .prompts import level_reason

            self.shortfall.setText(text("UI_RESULT_LEVEL_LOWER", reached=decision.reached.value,
                                        requested=decision.requested.value, reason=level_reason(decision)))
        self.shortfall.setVisible(bool(self.shortfall.text()))
        layout.addWidget(self.shortfall)
        self.table = QTableWidget(len(self.outcomes), 2, self)
        self.table.setHorizontalHeaderLabels([self.tr("Document"), self.tr("Result")])
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName(self.tr("Signing results"))
        for row, outcome in enumerate(self.outcomes):
            self.table.setItem(row, 0, QTableWidgetItem(outcome.source.name))
            result = (self.tr("✓ signed: %1").replace("%1", outcome.output.name) if outcome.ok
                      else "✗ " + text(outcome.error_code or "APP_INTERNAL", **outcome.error_params))
            item = QTableWidgetItem(result)
            item.setToolTip(result)
            item.setForeground(Qt.GlobalColor.darkGreen if outcome.ok else Qt.GlobalColor.darkRed)
            self.table.setItem(row, 1, item)
        self.table.resizeColumnToContents(0)
        self.table.currentCellChanged.connect(lambda *args: self._update_buttons())
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(self)
        self.open_file = buttons.addButton(self.tr("Open file"), QDialogButtonBox.ButtonRole.ActionRole)
        self.open_folder = buttons.addButton(self.tr("Open folder"), QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.AcceptRole)
        for button in (self.open_file, self.open_folder):
            button.clicked.disconnect()
        self.open_file.clicked.connect(lambda: self._open(folder=False))
        self.open_folder.clicked.connect(lambda: self._open(folder=True))
        close.clicked.connect(self.accept)
        layout.addWidget(buttons)
        first_ok = next((row for row, o in enumerate(self.outcomes) if o.ok), 0)
        self.table.setCurrentCell(first_ok, 0)
        self._update_buttons()
        self.resize(720, 380)

    def _selected(self):
        row = self.table.currentRow()
        return self.outcomes[row] if 0 <= row < len(self.outcomes) else None

    def _update_buttons(self) -> None:
        outcome = self._selected()
        for button in (self.open_file, self.open_folder):
            button.setEnabled(bool(outcome and outcome.ok))

    def target(self, *, folder: bool) -> Path | None:
        outcome = self._selected()
        if outcome is None or not outcome.ok:
            return None
        return outcome.output.parent if folder else outcome.output

    def _open(self, *, folder: bool) -> None:
        target = self.target(folder=folder)
        if target is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
