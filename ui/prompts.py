"""The PIN dialog and the bridges that let a signing job (on its worker thread) ask the user.

The job calls `ask_pin` / `accept` on its own thread; the bridge hands the question to the GUI
thread and waits for the answer (as Electrum's hardware-wallet handlers do). The tokens layer
has already read the PIN flags: a locked token never reaches this dialog.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from app.desk.pin import PinAnswer, PinRequest, PinStatus

from .i18n import text
from .qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
)
from .tasks import tasks

__all__ = ["PinDialog", "GuiPrompter", "GuiAcceptor", "LevelDialog", "WarningsDialog", "ask_on_gui", "password_dialog"]


class PinDialog(QDialog):
    def __init__(self, request: PinRequest, parent=None) -> None:
        super().__init__(parent)
        self.request = request
        self._answer: PinAnswer | None = None
        self.setObjectName("kyso-pin")
        self.setModal(True)
        layout = QVBoxLayout(self)
        self.about = QLabel(self)  # whose signature, what will be signed
        self.about.setWordWrap(True)
        self.about.setObjectName("pin-about")
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.warning = QLabel(self)
        self.warning.setWordWrap(True)
        self.warning.setObjectName("pin-warning")
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setObjectName("pin-field")
        if request.max_length:
            self.pin.setMaxLength(request.max_length)
        self.confirm = QCheckBox(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for widget in (self.about, self.intro, self.warning, self.pin, self.confirm, self.buttons):
            layout.addWidget(widget)
        self.pin.textChanged.connect(self._update)
        self.confirm.toggled.connect(self._update)
        self.set_request(request)

    def set_request(self, request: PinRequest) -> None:
        """Ask (again) with this request: after a wrong PIN, the same dialog shows the token's new
        state (flags read again) and waits for the next answer."""
        self.request = request
        self._answer = None
        self.pin.clear()
        self.confirm.setChecked(False)
        if request.max_length:
            self.pin.setMaxLength(request.max_length)
        self.pin.setVisible(not request.pin_pad)
        self.confirm.setVisible(request.status is PinStatus.FINAL_TRY)
        self.retranslate()
        self._update()
        self.adjustSize()  # sized for its text (at any scaling)
        self.pin.setFocus()

    def retranslate(self) -> None:
        request = self.request
        self.setWindowTitle(self.tr("PIN of the signing token"))
        intro = self.tr("Token %1 (serial %2).").replace("%1", request.token_label).replace("%2", request.token_serial)
        if request.document:
            intro += " " + self.tr("To sign %1.").replace("%1", Path(request.document).name)
        if request.pin_pad:
            intro += " " + self.tr("Enter the PIN on the reader's own keypad, then wait.")
        self.intro.setText(intro)
        self.about.setText(_about(request))
        self.about.setVisible(bool(self.about.text()))
        self.warning.setText(self._warning_text())
        self.warning.setVisible(bool(self.warning.text()))
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.pin.setAccessibleName(self.tr("PIN"))
        self.confirm.setText(self.tr("I understand: one more wrong PIN locks the token"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(
            self.tr("Continue") if self.request.pin_pad else self.tr("Sign"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))

    def _warning_text(self) -> str:
        status = self.request.status
        wrong = text("UI_PIN_WRONG", attempt=self.request.attempt - 1) + " " if self.request.attempt > 1 else ""
        if status is PinStatus.COUNT_LOW:
            return wrong + self.tr("A wrong PIN has been entered at least once on this token. Check it carefully.")
        if status is PinStatus.FINAL_TRY:
            return wrong + self.tr("Last try: if this PIN is wrong, the token will be locked.")
        return wrong.strip()

    def _update(self) -> None:
        request = self.request
        length = len(self.pin.text())
        ok = request.pin_pad or (length > 0 and (not request.min_length or length >= request.min_length))
        if request.status is PinStatus.FINAL_TRY:
            ok = ok and self.confirm.isChecked()
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)

    def answer(self) -> PinAnswer | None:
        """The answer given (None when cancelled); taken once, when the dialog closed."""
        return self._answer

    def done(self, result: int) -> None:
        accepted = result == QDialog.DialogCode.Accepted
        pin = None if self.request.pin_pad else self.pin.text()
        self._answer = PinAnswer(pin, final_try_confirmed=self.confirm.isChecked()) if accepted else None
        self.pin.clear()  # the PIN stays in no widget once the dialog is closed
        super().done(result)


def _about(request: PinRequest) -> str:
    """"Chữ ký của: Nguyễn Văn A — Sẽ ký: 3 văn bản, chữ ký cá nhân, mức B-LT."."""
    lines = []
    if request.holder:
        lines.append(text("UI_PIN_HOLDER", holder=request.holder))
    purpose = request.purpose
    if purpose is not None and purpose.documents:
        kinds = ", ".join(text("KIND_" + kind.upper()) for kind in purpose.kinds) or "-"
        lines.append(text("UI_PIN_PURPOSE", count=purpose.documents, kinds=kinds, level=purpose.level or "-"))
    return "\n".join(lines)


def password_dialog(request, parent=None) -> QInputDialog:
    """A document's open password (echo off), asked again after a wrong one."""
    key = "PASSWORD_PROMPT" if request.attempt == 1 else "PASSWORD_PROMPT_AGAIN"
    dialog = QInputDialog(parent)
    dialog.setObjectName("kyso-password")
    dialog.setWindowTitle("kyso")
    dialog.setLabelText(text(key, file=Path(request.document).name))
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    for label in dialog.findChildren(QLabel):  # the file's name can be long: wrapped, never cut
        label.setWordWrap(True)
    dialog.setMinimumWidth(420)
    return dialog


def ask_on_gui(question: Callable[[], object], *, abandon: threading.Event | None = None):
    """Run `question` on the GUI thread and wait for its answer (call from a worker thread).
    `abandon` set (the window closing) ends the wait with None."""
    answered = threading.Event()
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = question()
        finally:
            answered.set()

    tasks().call_on_gui(run)
    while not answered.wait(0.1):
        if abandon is not None and abandon.is_set():
            return None
    return box.get("value")


class GuiPrompter:
    """PinPrompter for the signing job: shows PinDialog on the GUI thread. After a wrong PIN the
    tokens layer asks again (`asks_again`): the same dialog shows the token's new state; it is
    closed once the login succeeded (`pin_accepted`) or the job ends (`close`)."""

    asks_again = True

    def __init__(self, parent_getter, *, abandon: threading.Event) -> None:
        self.parent_getter = parent_getter
        self.abandon = abandon
        self.asked = 0
        self.dialog: PinDialog | None = None

    def ask_pin(self, request: PinRequest) -> PinAnswer | None:
        self.asked += 1

        def question():
            if self.dialog is None:
                self.dialog = PinDialog(request, self.parent_getter())
            else:
                self.dialog.set_request(request)
            self.dialog.exec()
            answer = self.dialog.answer()
            if answer is None:
                self._close()
            return answer

        return ask_on_gui(question, abandon=self.abandon)

    def pin_accepted(self) -> None:
        tasks().call_on_gui(self._close)

    def close(self) -> None:
        """The job ended: no dialog stays behind (GUI thread)."""
        self._close()

    def _close(self) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def ask_password(self, request) -> str | None:
        """A document's open password, asked on the GUI thread (echo off; kept by nothing)."""

        def question():
            dialog = password_dialog(request, self.parent_getter())
            accepted = dialog.exec() == QDialog.DialogCode.Accepted
            answer = dialog.textValue() if accepted else None
            dialog.setTextValue("")
            dialog.deleteLater()
            return answer or None

        return ask_on_gui(question, abandon=self.abandon)


class WarningsDialog(QDialog):
    """Warnings the user must accept explicitly before signing goes on."""

    def __init__(self, title: str, lines: Sequence[str], parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-warnings")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Read these warnings. Sign anyway?"), self)
        intro.setWordWrap(True)
        items = QListWidget(self)
        items.addItems(list(lines))
        items.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("Sign anyway"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Do not sign"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for widget in (intro, items, buttons):
            layout.addWidget(widget)
        self.resize(560, 300)


class GuiAcceptor:
    """WarningAcceptor for the signing job: certificate and preflight warnings, on the GUI thread."""

    def __init__(self, parent_getter, *, abandon: threading.Event) -> None:
        self.parent_getter = parent_getter
        self.abandon = abandon

    def accept(self, findings, report) -> bool:
        lines = [text(f.code.value, **f.params) for f in findings]
        return bool(ask_on_gui(lambda: self._ask(_title_certificate(), lines), abandon=self.abandon))

    def accept_preflight(self, items) -> bool:
        lines = [f"{Path(path).name}: {text(f.code.value, **f.params)}" for path, findings in items for f in findings]
        return bool(ask_on_gui(lambda: self._ask(_title_documents(), lines), abandon=self.abandon))

    def accept_lower_level(self, decision, *, may_lower: bool) -> str:
        """Before any PIN: the level cannot be reached — try again, sign lower (where the policy
        allows) or do not sign."""
        answer = ask_on_gui(lambda: _ask_level(self.parent_getter(), decision, may_lower), abandon=self.abandon)
        return answer or "stop"

    def _ask(self, title: str, lines: list[str]) -> bool:
        return WarningsDialog(title, lines, self.parent_getter()).exec() == QDialog.DialogCode.Accepted


def level_reason(decision) -> str:
    params = {"level": decision.requested.value, "url": "-", "issuer": "-"}
    return " ".join(text(code.value, **params) for code in decision.shortfalls)


def _ask_level(parent, decision, may_lower: bool) -> str:
    box = LevelDialog(decision, may_lower=may_lower, parent=parent)
    box.exec()
    answer = box.answer()
    box.deleteLater()
    return answer


class LevelDialog(QMessageBox):
    """Before any PIN: the catalogue's level cannot be reached now — try again, sign at the lower
    level (only where the policy allows) or do not sign."""

    def __init__(self, decision, *, may_lower: bool, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-level")
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle(text("UI_LEVEL_TITLE"))
        self.setText(text("LEVEL_NOT_REACHABLE", requested=decision.requested.value, reached=decision.reached.value,
                          reason=level_reason(decision)))
        self.setInformativeText(text("UI_LEVEL_ASK", reached=decision.reached.value) if may_lower
                                else text("LEVEL_NOT_REACHABLE_NO_LOWER"))
        self.retry = self.addButton(text("UI_LEVEL_RETRY"), QMessageBox.ButtonRole.AcceptRole)
        self.lower = self.addButton(text("UI_LEVEL_LOWER", reached=decision.reached.value),
                                    QMessageBox.ButtonRole.DestructiveRole) if may_lower else None
        self.stop = self.addButton(text("UI_LEVEL_STOP"), QMessageBox.ButtonRole.RejectRole)
        self.setDefaultButton(self.retry)
        self.setEscapeButton(self.stop)

    def answer(self) -> str:
        clicked = self.clickedButton()
        if clicked is self.retry:
            return "retry"
        if self.lower is not None and clicked is self.lower:
            return "lower"
        return "stop"


def _title_certificate() -> str:
    from .qt import QCoreApplication

    return QCoreApplication.translate("WarningsDialog", "Warnings about the certificate")


def _title_documents() -> str:
    from .qt import QCoreApplication

    return QCoreApplication.translate("WarningsDialog", "Warnings about the documents")
