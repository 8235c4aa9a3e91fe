"""One signing batch from the desktop: checks, certificate choice, confirmation, the job on
the signing thread with PIN and warnings asked on the GUI thread, progress, cancel, results."""

from __future__ import annotations

import logging
import threading

from app.desk.signing import batch_summary, desk_request

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
    finished = Signal(object)  # SignReport, or None when nothing was signed

    def __init__(self, window, documents: list) -> None:
        super().__init__(window)
        self.window = window
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
        confirm = BatchConfirmDialog(batch_summary(documents), [d.path for d in documents],
                                     holder=_holder(certificate), parent=self.window)
        if confirm.exec() != QDialog.DialogCode.Accepted:
            return self._finish(None)
        self._run(documents, view, certificate)

    def _signable(self) -> list | None:
        window = self.window
        if window.catalogue is None:
            self._inform(self.tr("kyso is still loading the catalogue; try again in a moment."))
            return None
        documents = [d for d in self.documents if d.signable and d.signed_path is None]
        changed = [d for d in documents if d.changed_since_checked]
        for document in changed:
            window._check(document.path)
        documents = [d for d in documents if d not in changed]
        if changed:
            self._inform(self.tr("These documents changed after they were checked; they are checked again "
                                 "and not signed now:\n%1").replace("%1", "\n".join(d.path.name for d in changed)))
        if not documents:
            if not changed:
                self._inform(self.tr("None of these documents can be signed now; the list shows why."))
            return None
        return documents

    def _certificate(self):
        monitor = self.window.token_monitor
        ready = monitor.ready
        if not ready:
            locked = next((v for v in monitor.views if v.state.value == "locked"), None)
            if locked is not None:
                show_code(self.window, "TOKEN_PIN_LOCKED", {"token": locked.label})
            else:
                show_code(self.window, "UI_NO_TOKEN", {})
            return None
        choices = [(view, cert) for view in ready for cert in view.certificates]
        if len(choices) == 1:
            return choices[0]
        dialog = CertificateChoiceDialog(ready, self.window)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- the job ------------------------------------------------------------------------------
    def _run(self, documents: list, view, certificate) -> None:
        from app.signing_job import SignJob

        window = self.window
        request = desk_request(
            documents=documents, settings=window.settings_state.settings, catalogue=window.catalogue,
            module_path=view.module_path, token_label=view.label, key_id=certificate.key_id,
            placements={d.path: window.placements[d.path] for d in documents if d.path in window.placements},
        )
        self.progress = SigningProgressDialog(len(documents), window)
        parent = lambda: self.progress or window  # noqa: E731 - dialogs open over the progress
        self.prompter = GuiPrompter(parent, abandon=self.abandon)
        self.job = SignJob(
            request,
            prompter=self.prompter,
            acceptor=GuiAcceptor(parent, abandon=self.abandon),
            progress=lambda done, total, path: tasks().call_on_gui(lambda: self._progress(done, total, path)),
            cancelled=lambda: self.abandon.is_set() or (self.progress is not None and self.progress.cancel_requested),
            picker=lambda request: window.token_monitor.module_for(view.module_path),
            journal=window.audit.journal,
            backend=window.mode.backend,  # production, or the practice session's (app/desk/practice.py)
        )
        self.running = True
        self.progress.open()
        Operation(parent=window, op=self.job.run, success=self._done).failure(self._failed).on_signing_thread().run()

    def _progress(self, done: int, total: int, path) -> None:
        if self.progress is not None:
            self.progress.show_progress(done, total, path)

    def _done(self, report) -> None:
        self._close_progress()
        model = self.window.model
        for outcome in report.outcomes:
            document = model.find(outcome.source)
            if document is None or outcome.error_code == "APP_CANCELLED":
                continue  # not tried: it stays as it was, ready to sign later
            model.replace(document.with_outcome(signed_path=outcome.output if outcome.ok else None,
                                                code=outcome.error_code, params=outcome.error_params))
            if outcome.error_code == "PDF_CHANGED_SINCE_CHECKED":
                self.window._check(outcome.source)  # what the list and preview show must be the file
        self.results = ResultDialog(report.outcomes, self.window, decision=report.decision)
        self.results.open()
        self._finish(report)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        show_error(self.window, error)
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
        self.finished.connect(lambda report: self.window.close())
        return False

    def _inform(self, message: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("kyso"), message, parent=self.window)
        box.setObjectName("kyso-info")
        box.open()


def _holder(certificate) -> str:
    from app.desk.tokens import certificate_holder_name

    return certificate_holder_name(certificate.der)
