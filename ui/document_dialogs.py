"""Decisions the user takes about one document: its type (when kyso cannot tell), and lifting
a block the catalogue allows to be lifted — explicitly, never silently."""

from __future__ import annotations

from collections.abc import Sequence

from .i18n import text
from .qt import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout

__all__ = ["TypeChoiceDialog", "OverrideDialog"]


class TypeChoiceDialog(QDialog):
    def __init__(self, names: Sequence[str], *, proposed: Sequence[str] = (), current: str | None = None,
                 parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-type-choice")
        self.setWindowTitle(self.tr("Document type"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Which type of document is this? The catalogue's rules for that type apply."), self))
        self.types = QComboBox(self)
        self.types.setAccessibleName(self.tr("Document type"))
        ordered = [*[n for n in proposed if n in names], *sorted(n for n in names if n not in proposed)]
        self.types.addItems(ordered)
        if current in ordered:
            self.types.setCurrentText(current)
        self.types.setEditable(True)  # type a few letters to find it
        self.types.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        layout.addWidget(self.types)
        self.names = set(names)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton(self.tr("Use this type"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.types.currentTextChanged.connect(lambda value: self.ok.setEnabled(value in self.names))
        layout.addWidget(buttons)
        self.resize(480, 140)

    def chosen(self) -> str:
        return self.types.currentText()


class OverrideDialog(QDialog):
    """Lift blocks the catalogue lets the signer lift, taking responsibility for it."""

    def __init__(self, document_name: str, findings, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-override")
        self.findings = tuple(findings)
        self.setWindowTitle(self.tr("Sign despite a block?"))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("%1 cannot be signed as it is:").replace("%1", document_name), self))
        items = QListWidget(self)
        items.setWordWrap(True)
        items.addItems([text(f.code.value, **f.params) for f in self.findings])
        layout.addWidget(items)
        self.responsible = QCheckBox(self.tr("I have checked this document and take responsibility for signing it"), self)
        layout.addWidget(self.responsible)
        buttons = QDialogButtonBox(self)
        self.ok = buttons.addButton(self.tr("Allow signing"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok.setEnabled(False)
        self.responsible.toggled.connect(self.ok.setEnabled)
        layout.addWidget(buttons)
        self.resize(520, 300)

    def codes(self) -> frozenset[str]:
        return frozenset(f.code.value for f in self.findings)
