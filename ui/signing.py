"""One signing batch from the desktop: checks, certificate choice, confirmation, the job on
the signing thread with PIN and warnings asked on the GUI thread, progress, cancel, results."""

from __future__ import annotations

import logging
import threading

from .errors import show_code, show_error
from .prompts import GuiAcceptor, GuiPrompter
from .qt import QDialog, QMessageBox, QObject, Signal
from .sign_dialogs import (
    BatchConfirmDialog,
    CertificateChoiceDialog,
    ResultDialog,
    SigningProgressDialog,
)
from .tasks import Operation, tasks

__all__ = ["SigningFlow"]

log = logging.getLogger(__name__)


class SigningFlow(QObject):
    """Draws one signing batch of `desk` (app/desk/desk.py) over `parent`, a window; what it
    signs, with which token and what came of it are the desk's."""

    finished = Signal(object)  # SignReport, or None when nothing was signed
    checkAgain = Signal(object)  # a document's Path, changed since it was checked

    def __init__(self, desk, documents: list, *, parent) -> None:
        super().__init__(parent)
        self.desk = desk
        self.parent_window = parent
        self.documents = documents
        self.abandon = threading.Event()
        self.progress: SigningProgressDialog | None = None
        self.results: ResultDialog | None = None
        self.job = None
        self.prompter = None
        self.running = False

    # --- before the token -------------------------------------------------------------------
    def start(self) -> None:
        documents = self._signable()
        if documents is None:
            return self._finish(None)
        choice = self._certificate()
        if choice is None:
            return self._finish(None)
        view, certificate = choice
        confirm = BatchConfirmDialog(self.desk.batch_summary(documents), [d.path for d in documents],
                                     holder=self.desk.holder_name(certificate), parent=self.parent_window)
        if confirm.exec() != QDialog.DialogCode.Accepted:
            return self._finish(None)
        self._run(documents, view, certificate)

    def _signable(self) -> list | None:
        if self.desk.catalogue is None:
            self._inform(self.tr("kyso is still loading the catalogue; try again in a moment."))
            return None
        choice = self.desk.signing_choice(self.documents)
        for document in choice.changed:
            self.checkAgain.emit(document.path)
        if choice.changed:
            self._inform(self.tr("These documents changed after they were checked; they are checked again "
                                 "and not signed now:\n%1").replace("%1", "\n".join(d.path.name for d in choice.changed)))
        if not choice.documents:
            if not choice.changed:
                self._inform(self.tr("None of these documents can be signed now; the list shows why."))
            return None
        return list(choice.documents)

    def _certificate(self):
        tokens = self.desk.tokens
        if not tokens.ready:
            locked = tokens.locked
            if locked is not None:
                show_code(self.parent_window, "TOKEN_PIN_LOCKED", {"token": locked.label})
            else:
                show_code(self.parent_window, "UI_NO_TOKEN", {})
            return None
        choices = tokens.choices()
        if len(choices) == 1:
            return choices[0]
        dialog = CertificateChoiceDialog(tokens.ready, self.parent_window)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- the job ------------------------------------------------------------------------------
    def _run(self, documents: list, view, certificate) -> None:
        window, desk = self.parent_window, self.desk
        request = desk.sign_request(documents, token=view, key_id=certificate.key_id)
        self.progress = SigningProgressDialog(len(documents), window)
        parent = lambda: self.progress or window  # noqa: E731 - dialogs open over the progress
        self.prompter = GuiPrompter(parent, abandon=self.abandon)
        self.job = desk.sign_job(
            request, token=view, prompter=self.prompter, acceptor=GuiAcceptor(parent, abandon=self.abandon),
            progress=lambda done, total, path: tasks().call_on_gui(lambda: self._progress(done, total, path)),
            cancelled=lambda: self.abandon.is_set() or (self.progress is not None and self.progress.cancel_requested),
        )
        self.running = True
        self.progress.open()
        Operation(parent=window, op=self.job.run, success=self._done).failure(self._failed).on_signing_thread().run()

    def _progress(self, done: int, total: int, path) -> None:
        if self.progress is not None:
            self.progress.show_progress(done, total, path)

    def _done(self, report) -> None:
        self._close_progress()
        for path in self.desk.take_report(report):
            self.checkAgain.emit(path)  # what the list and preview show must be the file
        self.results = ResultDialog(report.outcomes, self.parent_window, decision=report.decision)
        self.results.open()
        self._finish(report)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        show_error(self.parent_window, error)
        self._finish(None)

    def _close_progress(self) -> None:
        self.running = False
        if getattr(self, "prompter", None) is not None:
            self.prompter.close()
        if self.progress is not None:
            self.progress.done(0)
            self.progress.deleteLater()
            self.progress = None

    def _finish(self, report) -> None:
        self.finished.emit(report)

    def may_close(self) -> bool:
        """Closing the window during a batch: stop after the current document, then close."""
        if not self.running:
            return True
        if self.progress is not None:
            self.progress.request_cancel()
        self.finished.connect(lambda report: self.parent_window.close())
        return False

    def _inform(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("kyso"), message, parent=self.parent_window)
        box.setObjectName("kyso-info")
        box.open()

