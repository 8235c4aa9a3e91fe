"""The main window: documents, preview with the signature box, details, token status, signing.

The window is built from light modules only, so it paints at once; the catalogue, the token
modules and the signing stack load on worker threads after the first paint (`warm_up`).
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from .checking import DocumentChecker
from .documents import DocumentListModel
from .errors import show_code, show_error
from .i18n import LANGUAGES, current_language, set_language
from .qt import (
    QAbstractItemView,
    QAction,
    QActionGroup,
    QEvent,
    QFileDialog,
    QHeaderView,
    QKeySequence,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSettings,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QToolBar,
    Signal,
)
from .geometry import fit_to_screen
from .tasks import Operation, tasks

__all__ = ["MainWindow"]

log = logging.getLogger(__name__)
MAX_RECENT = 10
SIGN_GATHER_MS = 1500  # Explorer starts one `kyso --sign FILE` per selected file: gather them into one batch


class MainWindow(QMainWindow):
    documentsChecked = Signal()  # every open document has its preflight result
    signingFinished = Signal(object)  # the SignReport (or None when nothing was signed)
    verificationFinished = Signal(object)  # the path whose signatures were verified (or failed)
    reportWritten = Signal(object)  # the validation report's path
    extended = Signal(object)  # the ExtendResult, or the error

    def __init__(self, *, ui_state: QSettings, mode=None) -> None:
        super().__init__()
        from app.desk.desk import Desk

        self.setObjectName("kyso-main")
        self.ui_state = ui_state
        # What the window draws: documents, checks, placements, verifications, tokens, the audited
        # session, the mode — production or a practice session (app/desk/desk.py, practice.py).
        self.desk = Desk(mode=mode, notify_audit=lambda problem: tasks().call_on_gui(lambda: self._audit_problem(problem)))
        self._waiting: list[Path] = []  # opened before loading finished (checked once it has)
        self._loading = 0  # parts of the warm-up still loading (no garbage collection meanwhile)
        self.checker = DocumentChecker(parent=self, check=self.desk.check, delivered=self._checked,
                                       failed=self._check_failed)
        self.signing = None
        self._sign_gather = QTimer(self, singleShot=True, interval=SIGN_GATHER_MS)
        self._sign_gather.timeout.connect(self._sign_requested)
        self.documentsChecked.connect(self._sign_requested)
        self.signingFinished.connect(lambda report: self._sign_requested())
        self.audit_window = None
        self.folder_dialog = None
        self.signed_dialog = None
        self._build()
        self.retranslate()
        self._restore_layout()

    # --- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        from .details import DetailsPanel
        from .preview import PdfPreview
        from .sync_status import SyncMonitor, SyncStatusWidget
        from .token_status import TokenMonitor, TokenStatusWidget
        from .verify_panel import SignaturePanel

        self.model = DocumentListModel(self.desk.documents, self)
        self.table = QTableView(self)
        self.table.setObjectName("documents")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((140, 110)):
            header.resizeSection(column, width)
        # Status and signature count: as wide as their words, computed once per language —
        # ResizeToContents would measure every row on every change (slow with 100 documents).
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.selectionModel().currentRowChanged.connect(lambda current, previous: self._show_current())
        self.preview = PdfPreview(self)
        self.preview.placementChanged.connect(self._placement_changed)
        self.details = DetailsPanel(self)
        self.signature_panel = SignaturePanel(self)
        self.signature_panel.signedVersionRequested.connect(self.show_signed_version)
        self.signature_panel.reportRequested.connect(self.write_verification_report)
        self.signature_panel.extendRequested.connect(self.extend_signatures)
        self.signature_panel.hide()
        self.side = QSplitter(Qt.Orientation.Vertical, self)  # the details, and a received file's signatures
        self.side.setObjectName("side-splitter")
        self.side.addWidget(self.signature_panel)
        self.side.addWidget(self.details)
        self.side.setStretchFactor(0, 3)
        self.side.setStretchFactor(1, 2)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("main-splitter")
        for widget, stretch in ((self.table, 2), (self.preview, 5), (self.side, 2)):

            self.splitter.addWidget(widget)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setSizes([450, 560, 290])
        self.setCentralWidget(self.splitter)
        self.token_monitor = TokenMonitor(self.desk.tokens, self)
        self.token_monitor.on_event = self._token_event
        self.token_status = TokenStatusWidget(self.token_monitor, self)
        self.sync_monitor = SyncMonitor(self)
        self.sync_status = SyncStatusWidget(self.sync_monitor, self)
        self.audit_alarm = QLabel(self)  # shown, in red, when the audit log itself has a problem
        self.audit_alarm.setObjectName("audit-alarm")
        self.audit_alarm.hide()
        self.statusBar().addPermanentWidget(self.audit_alarm)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.statusBar().addPermanentWidget(self.token_status)
        self.busy_label = QLabel(self)
        self.statusBar().addWidget(self.busy_label)
        self.setAcceptDrops(True)
        self._build_actions()
        self._build_menus()

    def _action(self, name: str, slot, shortcut=None) -> QAction:
        action = QAction(self)
        action.setObjectName(name)
        action.triggered.connect(lambda checked=False: slot())
        if shortcut is not None:
            action.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        S = QKeySequence.StandardKey
        self.act_open = self._action("open", self.open_files, S.Open)
        self.act_open_folder = self._action("open-folder", self.open_folder, "Ctrl+Shift+O")
        self.act_remove = self._action("remove", self.remove_selected, S.Delete)
        self.act_choose_type = self._action("choose-type", self.choose_type, "Ctrl+T")
        self.act_override = self._action("override", self.override_block)
        self.act_sign = self._action("sign", self.sign_selected, "Ctrl+S")
        self.act_sign_all = self._action("sign-all", self.sign_all, "Ctrl+Shift+S")
        self.act_audit = self._action("audit-log", self.open_audit, "Ctrl+L")
        self.act_verify_folder = self._action("verify-folder", self.verify_folder)
        self.act_verify_report = self._action("verify-report", self.write_verification_report)
        self.act_extend = self._action("extend", self.extend_signatures)
        self.act_sync_now = self._action("sync-now", self.sync_monitor.sync_now)
        self.act_settings = self._action("settings", self.open_settings, S.Preferences if QKeySequence(S.Preferences).toString() else "Ctrl+,")
        self.act_quit = self._action("quit", self.close, S.Quit if QKeySequence(S.Quit).toString() else "Ctrl+Q")
        self.act_zoom_in = self._action("zoom-in", self.preview.zoom_in, [QKeySequence(S.ZoomIn), QKeySequence("Ctrl+=")])
        self.act_zoom_out = self._action("zoom-out", self.preview.zoom_out, S.ZoomOut)
        self.act_fit = self._action("fit-width", self.preview.fit_width, "Ctrl+0")
        self.act_next = self._action("next-page", self.preview.next_page, "PgDown")
        self.act_previous = self._action("previous-page", self.preview.previous_page, "PgUp")
        self.act_help = self._action("help", self.show_help, S.HelpContents if QKeySequence(S.HelpContents).toString() else "F1")
        self.act_about = self._action("about", self.show_about)
        self.language_group = QActionGroup(self)
        self.act_languages = {}
        for code in LANGUAGES:
            action = self._action(f"language-{code}", lambda code=code: self.switch_language(code))
            action.setCheckable(True)
            action.setText(LANGUAGES[code])
            self.language_group.addAction(action)
            self.act_languages[code] = action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.menu_file.addActions([self.act_open, self.act_open_folder])
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_recent.aboutToShow.connect(self._fill_recent)
        self.menu_file.addSeparator()
        self.menu_file.addActions([self.act_remove])
        self.menu_file.addSeparator()
        self.menu_file.addAction(self.act_quit)
        self.menu_sign = bar.addMenu("")
        self.menu_sign.addActions([self.act_sign, self.act_sign_all])
        self.menu_sign.addSeparator()
        self.menu_sign.addActions([self.act_choose_type, self.act_override])
        self.menu_verify = bar.addMenu("")
        self.menu_verify.addActions([self.act_verify_folder, self.act_verify_report, self.act_extend])
        self.menu_view = bar.addMenu("")
        self.menu_view.addActions([self.act_zoom_in, self.act_zoom_out, self.act_fit, self.act_previous, self.act_next])
        self.menu_tools = bar.addMenu("")
        self.menu_tools.addActions([self.act_audit, self.act_sync_now])
        self.menu_tools.addSeparator()
        self.menu_tools.addAction(self.act_settings)
        self.menu_language = self.menu_tools.addMenu("")
        self.menu_language.addActions(list(self.act_languages.values()))
        self.menu_help = bar.addMenu("")
        self.menu_help.addActions([self.act_help, self.act_about])
        self.toolbar = QToolBar(self)
        self.toolbar.setObjectName("main-toolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([self.act_open, self.act_open_folder])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.act_sign, self.act_sign_all])
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.act_settings)
        self.addToolBar(self.toolbar)

    # --- texts --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("kyso — Digital signing of documents"))
        texts = {
            self.act_open: (self.tr("&Open documents…"), self.tr("Open PDF documents (Ctrl+O)")),
            self.act_open_folder: (self.tr("Open a &folder…"), self.tr("Open every PDF in a folder (Ctrl+Shift+O)")),
            self.act_remove: (self.tr("&Remove from the list"), self.tr("Remove the selected documents from the list (Delete)")),
            self.act_choose_type: (self.tr("Choose the document &type…"), self.tr("Say which type of document this is, when kyso cannot tell (Ctrl+T)")),
            self.act_override: (self.tr("Allow signing &despite a block…"), self.tr("Lift a block the catalogue allows you to lift, taking responsibility")),
            self.act_sign: (self.tr("&Sign selected"), self.tr("Sign the selected documents (Ctrl+S)")),
            self.act_sign_all: (self.tr("Sign &all"), self.tr("Sign every document that can be signed (Ctrl+Shift+S)")),
            self.act_settings: (self.tr("S&ettings…"), self.tr("Your name, position, signature images, output folder…")),
            self.act_quit: (self.tr("&Quit"), self.tr("Close kyso")),
            self.act_audit: (self.tr("Audit &log…"), self.tr("What was done on this computer: view, verify, export (Ctrl+L)")),
            self.act_sync_now: (self.tr("Send the log &now"), self.tr("Send the audit log to the unit's server now")),
            self.act_zoom_in: (self.tr("Zoom &in"), self.tr("Zoom in (Ctrl++)")),
            self.act_zoom_out: (self.tr("Zoom &out"), self.tr("Zoom out (Ctrl+−)")),
            self.act_fit: (self.tr("&Fit width"), self.tr("Fit the page to the window's width (Ctrl+0)")),
            self.act_next: (self.tr("&Next page"), self.tr("Next page (Page Down)")),
            self.act_previous: (self.tr("&Previous page"), self.tr("Previous page (Page Up)")),
            self.act_help: (self.tr("&Help"), self.tr("How to use kyso (F1)")),
            self.act_about: (self.tr("&About kyso"), self.tr("Version and data folder")),
        }
        for action, (label, tip) in texts.items():
            action.setText(label)
            action.setToolTip(tip)
            action.setStatusTip(tip)
        for action, (label, tip) in {
            self.act_verify_folder: ("VDESK_VERIFY_FOLDER", "VDESK_VERIFY_FOLDER_TIP"),
            self.act_verify_report: ("VDESK_REPORT", "VDESK_REPORT_TIP"),
            self.act_extend: ("VDESK_EXTEND", "VDESK_EXTEND_TIP"),
        }.items():
            action.setText(_text(label, {}))
            action.setToolTip(_text(tip, {}))
            action.setStatusTip(_text(tip, {}))
        self.menu_verify.setTitle(_text("VDESK_MENU", {}))
        self.menu_file.setTitle(self.tr("&File"))
        self.menu_recent.setTitle(self.tr("&Recent documents"))
        self.menu_sign.setTitle(self.tr("&Sign"))
        self.menu_view.setTitle(self.tr("&View"))
        self.menu_tools.setTitle(self.tr("&Tools"))
        self.menu_language.setTitle(self.tr("&Language"))
        self.menu_help.setTitle(self.tr("&Help"))
        self.toolbar.setWindowTitle(self.tr("Main toolbar"))
        self.table.setAccessibleName(self.tr("Documents"))
        self.act_languages[current_language()].setChecked(True)
        self.model.retranslate()
        self._size_columns()
        for widget in (self.preview, self.details, self.token_status, self.sync_status, self.signature_panel):
            widget.retranslate()
        self._update_busy()

    def _size_columns(self) -> None:
        from app.desk.documents import DocumentStatus

        from .documents import status_label

        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        padding = 24
        from .verify_panel import verdict_short

        words = [status_label(status) for status in DocumentStatus] + [self.model.headerData(2, Qt.Orientation.Horizontal)]
        words += [verdict_short(v) for v in ("valid", "changed", "indeterminate", "invalid")]
        header.resizeSection(2, max(metrics.horizontalAdvance(w) for w in words) + padding)
        header.resizeSection(3, metrics.horizontalAdvance(self.model.headerData(3, Qt.Orientation.Horizontal)) + padding)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- start-up -----------------------------------------------------------------------------
    def warm_up(self, files: list[Path], *, token_candidates=None, sign: bool = False) -> None:
        """After the first paint: settings, catalogue and token modules, off the GUI thread.
        `token_candidates`: modules already loaded (instead of discovering them); `sign`: sign
        `files` once they are checked (`kyso --sign FILE…`)."""
        desk = self.desk
        desk.load_settings()
        if token_candidates is None:
            token_candidates = desk.mode.token_candidates()
        self.token_monitor.start(desk.settings.pkcs11_modules, candidates=token_candidates)
        # Loading creates a million long-lived objects; a full collection of them holds the
        # interpreter for 70-150 ms at a time — a stalled window (benchmarks/desktop.py). No
        # collection while loading; then what was loaded is set aside for good (gc.freeze).
        # Documents are checked only after that, so no garbage of theirs is frozen with it.
        gc.disable()
        self._loading = 2  # the session (catalogue, audit log) and the signing stack
        Operation(parent=self, op=desk.start_session, success=self._catalogue_loaded
                  ).failure(self._session_failed).run()
        Operation(parent=self, op=_import_signing_stack, success=lambda value: self._one_loaded()
                  ).failure(self._stack_failed).run()
        if files and sign:
            self.open_to_sign(files)
        elif files:
            self.add_documents(files)

    def _one_loaded(self) -> None:
        self._loading -= 1
        if self._loading == 0:
            _loaded()
            self._check_waiting()

    def _catalogue_loaded(self, loaded) -> None:
        self.desk.session_started(loaded)
        self._start_sync()
        self._one_loaded()

    def _check_waiting(self) -> None:
        waiting, self._waiting = self._waiting, []
        for path in waiting:
            self._check(path)

    def _stack_failed(self, error: BaseException) -> None:
        self._one_loaded()
        show_error(self, error)

    def _session_failed(self, error: BaseException) -> None:
        """No catalogue (the audit log is open all the same): say why; nothing can be checked."""
        self._one_loaded()
        self._start_sync()
        show_error(self, error)

    def _start_sync(self) -> None:
        audit = self.desk.audit
        if audit.closed:
            return
        self.sync_monitor.start(store=lambda: audit.journal.store if audit.journal else None)

    # --- the audit log --------------------------------------------------------------------------
    def _token_event(self, event) -> None:
        """A token inserted or removed (watcher thread): recorded before the status bar changes."""
        self.desk.audit.token_changed(inserted=event.kind == "inserted", label=event.token.label,
                                 serial=event.token.serial, module=event.module)

    def _audit_problem(self, problem) -> None:
        """The audit log itself is damaged or cannot be written: loud, in the one error dialog,
        and in red in the status bar until kyso closes. Signing goes on."""
        message = _text(problem.code.value, dict(problem.params))
        self.audit_alarm.setText("<span style='color:#b3261e; font-weight:bold'>⚠ " + self.tr("Audit log problem") + "</span>")
        self.audit_alarm.setToolTip(message)
        self.audit_alarm.setAccessibleName(self.tr("Audit log problem") + ": " + message)
        self.audit_alarm.show()
        show_code(self, problem.code.value, dict(problem.params))

    def open_audit(self) -> None:
        from .audit_view import AuditWindow

        if self.audit_window is not None and self.audit_window.isVisible():
            self.audit_window.raise_()
            self.audit_window.activateWindow()
            return
        settings, audit = self.desk.settings, self.desk.audit
        self.audit_window = AuditWindow(log_path=audit.log_path, audit=audit,
                                        user_name=settings.full_name if settings else None, parent=self)
        self.audit_window.show()

    # --- documents ----------------------------------------------------------------------------
    def open_files(self) -> None:
        start = self.ui_state.value("last_folder", str(Path.home()))
        files, _ = QFileDialog.getOpenFileNames(self, self.tr("Open documents"), start, self.tr("PDF documents (*.pdf)"))
        if files:
            self.add_documents([Path(f) for f in files])

    def open_folder(self) -> None:
        start = self.ui_state.value("last_folder", str(Path.home()))
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a folder"), start)
        if folder:
            self.add_documents([Path(folder)])

    def bring_documents(self, paths: list[Path], *, sign: bool = False) -> None:
        """Files handed over by a later `kyso FILE…` (Explorer's "Mở bằng kyso"): this window
        comes to the front and opens them — and signs them once checked for `kyso --sign FILE…`
        ("Ký số bằng kyso")."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        if paths and sign:
            self.open_to_sign(paths)
        elif paths:
            self.add_documents(paths)

    def open_to_sign(self, paths: list[Path]) -> None:
        """Open `paths` and sign them, with whatever else arrives to be signed meanwhile, in one
        batch once every one is checked (app/desk/sign_on_open.py)."""
        desk = self.desk
        desk.sign_on_open.opening()
        self._sign_gather.start()  # (re)started by each arrival

        def opened(files: dict[Path, Path]) -> None:
            desk.sign_on_open.opened(files.values())
            self._add_files(files)
            self._sign_requested()

        def failed(error: BaseException) -> None:
            desk.sign_on_open.open_failed()
            show_error(self, error)

        Operation(parent=self, op=lambda: desk.open(paths), success=opened).failure(failed).run()

    def _sign_requested(self) -> None:
        if self._sign_gather.isActive() or self.signing is not None or not self.desk.sign_on_open.waiting:
            return
        documents = self.desk.sign_on_open.take_ready(self.desk.documents)
        if documents:
            self.sign_documents(documents)

    def add_documents(self, paths: list[Path]) -> None:
        desk = self.desk
        Operation(parent=self, op=lambda: desk.open(paths), success=self._add_files).run()  # folders may be slow

    def _add_files(self, files: dict[Path, Path]) -> None:
        if not files:
            return
        last = next(reversed(files))
        self.ui_state.setValue("last_folder", str(last.parent))
        self._remember_recent(list(files))
        added = self.desk.add(files)
        for path in added:
            self._check(path)
        if added and self.table.currentIndex().row() < 0:
            self.table.selectRow(self.model.rowCount() - len(added))

    def _check(self, path: Path) -> None:
        if self.desk.catalogue is None or self._loading:
            self._waiting.append(path)
            return
        self.checker.check(path, self.desk.check_options(path))  # desk.check on the worker: audited first
        self._update_busy()

    def _checked(self, documents: list) -> None:
        self._update_busy()
        current = self._current()
        taken = self.desk.take_checked(documents)
        for path in taken:  # a received signed file: its status is its verification
            self._verify(self.desk.documents.find(path))
        if current is not None and current.path in taken:
            self._show_current()
        if self.checker.pending == 0 and not self._waiting:
            self.documentsChecked.emit()

    def _check_failed(self, path: Path, error: BaseException) -> None:
        """kyso itself failed while checking `path` (not the file): shown, and the document
        marked as not checkable rather than left "Checking…"."""
        self.desk.check_failed(path, error)
        show_error(self, error)

    def _update_busy(self) -> None:
        pending = self.checker.pending
        self.busy_label.setText(self.tr("Checking %n document(s)…", "", pending) if pending else "")

    def remove_selected(self) -> None:
        self.desk.remove([document.path for document in self.selected_documents()])
        self._show_current()

    def choose_type(self) -> None:
        from .document_dialogs import TypeChoiceDialog

        document, catalogue = self._current(), self.desk.catalogue
        if document is None or catalogue is None:
            return
        proposed = document.result.recognition.candidates if document.result else ()
        dialog = TypeChoiceDialog([t.name for t in catalogue.types], proposed=proposed,
                                  current=document.type_name, parent=self)
        if dialog.exec() != dialog.DialogCode.Accepted:
            return
        self.desk.declare_type(document.path, dialog.chosen())
        self._check(document.path)

    def override_block(self) -> None:
        from .document_dialogs import OverrideDialog

        document = self._current()
        if document is None or not document.overridable_blocks:
            return
        dialog = OverrideDialog(document.path.name, document.overridable_blocks, parent=self)
        if dialog.exec() == dialog.DialogCode.Accepted:
            self.desk.lift_blocks(document.path, dialog.codes())
            self._show_current()

    # --- the current document -----------------------------------------------------------------
    def _current(self):
        row = self.table.currentIndex().row()
        documents = self.desk.documents
        return documents[row] if 0 <= row < len(documents) else None

    def selected_documents(self) -> list:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.desk.documents[row] for row in rows]

    def _show_current(self) -> None:
        document = self._current()
        self.act_override.setEnabled(bool(document and document.overridable_blocks))
        self.act_choose_type.setEnabled(bool(document and document.checked and document.signed_path is None))
        self.details.show_document(document, catalogue=self.desk.catalogue, verification=self.desk.verification(document))
        if document is not None:
            self._verify(document)
        self._show_signatures((document.signed_path or document.path) if document is not None and _has_signatures(document)
                              else None)
        if document is None:
            self.preview.show_document(None)
            return
        shown = document.signed_path or document.path
        if self.preview.path != shown:
            self.preview.show_document(shown)
        self.preview.clear_box()
        if document.signable and document.signed_path is None:
            self._propose(document)

    def _verify(self, document) -> None:
        """The signatures already in a document, verified once in the background (audited)."""
        path, desk = self.desk.needs_verification(document), self.desk
        if path is None:
            return
        self.model.set_verification(path, "checking")
        Operation(parent=self, op=lambda: desk.verify(path), success=lambda result: self._verified(path, result)
                  ).failure(lambda error: self._verify_failed(path, error)).run()

    def _verify_failed(self, path: Path, error: BaseException) -> None:
        from app.errors import error_code

        log.info("verification of %s failed: %s", path, error)
        self.desk.verify_failed(path)
        self.model.set_verification(path, None)
        current = self._current()
        if current is not None and path == (current.signed_path or current.path):
            code = error_code(error) or "APP_INTERNAL"
            self.signature_panel.show_failed(f"{_text(code, getattr(error, 'params', {}) or {})} [{code}]")
        self.verificationFinished.emit(path)

    def _verified(self, path: Path, result) -> None:
        self.desk.verified(path, result)
        self.model.set_verification(path, result)
        current = self._current()
        if current is not None and path in (current.path, current.signed_path):
            self.details.show_document(current, catalogue=self.desk.catalogue, verification=result)
            self._show_signatures(path if _has_signatures(current) else None)
        self.verificationFinished.emit(path)

    def _show_signatures(self, path: Path | None) -> None:
        """The signature panel for the document shown: its verification, or that it is running."""
        panel = self.signature_panel
        self.act_verify_report.setEnabled(self.desk.verifications.get(path) is not None)
        self.act_extend.setEnabled(self.desk.verifications.get(path) is not None)
        if path is None:
            panel.clear()
            panel.hide()
            return
        panel.show()
        received = self.desk.verifications.get(path)
        if received is not None:
            panel.show_received(received)
        elif self.desk.verifications.running(path):
            panel.show_checking()

    def _shown_received(self):
        document = self._current()
        if document is None:
            return None
        return self.desk.verifications.get(document.signed_path or document.path)

    # --- acts on a verification ---------------------------------------------------------------
    def show_signed_version(self, number: int) -> None:
        """The exact revision signature `number` covers, and what changed since (ui/signed_version.py)."""
        from app.paths import data_home

        from .signed_version import SignedVersionDialog

        received = self._shown_received()
        if received is None or not received.has_signed_version(number):
            return
        if self.signed_dialog is not None:
            self.signed_dialog.close()
        self.signed_dialog = SignedVersionDialog(received, number, folder=data_home() / "cache" / "ban-da-ky",
                                                 parent=self)
        self.signed_dialog.show()

    def write_verification_report(self, path: Path | None = None) -> None:
        """"Báo cáo xác minh…": the PDF report of `kyso verify --report` for the document shown."""
        from app.desk.verification import write_report

        from .i18n import current_language

        received = self._shown_received()
        if received is None:
            return
        if path is None:
            start = str(received.path.with_name(received.path.stem + ".bao-cao-xac-minh.pdf"))
            name, _ = QFileDialog.getSaveFileName(self, _text("VDESK_REPORT", {}), start, _text("VDESK_REPORT_FILTER", {}))
            if not name:
                return
            path = Path(name)
        lang = current_language()
        Operation(parent=self, op=lambda: write_report([received], path, lang=lang),
                  success=self._report_written).run()

    def _report_written(self, path: Path) -> None:
        self.statusBar().showMessage(_text("VDESK_REPORT_WRITTEN", {"file": str(path)}), 10000)
        self.reportWritten.emit(path)

    def verify_folder(self, folder: Path | None = None) -> None:
        """"Xác minh thư mục…" (or a folder dropped on the window): every PDF in it, a summary table."""
        from .folder_verify import FolderVerifyDialog

        if folder is None:
            start = self.ui_state.value("last_folder", str(Path.home()))
            chosen = QFileDialog.getExistingDirectory(self, _text("VDESK_VERIFY_FOLDER", {}), start)
            if not chosen:
                return
            folder = Path(chosen)
        if self.folder_dialog is not None and self.folder_dialog.running:
            self.folder_dialog.raise_()
            return
        self.folder_dialog = FolderVerifyDialog(folder, mode=self.desk.mode, audit=self.desk.audit, parent=self)
        self.folder_dialog.show()

    def extend_signatures(self, level: str | None = None) -> None:
        """"Gia hạn chữ ký…": B-LT / B-LTA through `kyso extend`'s code; the copy is opened."""
        from .extend_signatures import ExtendDialog

        received = self._shown_received()
        if received is None or not received.lines:
            return
        if level is None:
            dialog = ExtendDialog(received.path, parent=self)
            if dialog.exec() != dialog.DialogCode.Accepted:
                return
            level = dialog.level()
        audit, mode, path = self.desk.audit, self.desk.mode, received.path

        def extend():
            from app.desk.verification import extend_received

            return extend_received(path, level=level, mode=mode, audit=audit)

        self.statusBar().showMessage(_text("VDESK_EXTENDING", {"file": path.name}))
        Operation(parent=self, op=extend, success=self._extended).failure(self._extend_failed).run()

    def _extended(self, result) -> None:
        self.statusBar().showMessage(_text("VDESK_EXTENDED", {"file": str(result.output), "level": result.level.value}), 10000)
        self.extended.emit(result)
        self.add_documents([result.output])

    def _extend_failed(self, error: BaseException) -> None:
        self.statusBar().clearMessage()
        self.extended.emit(error)
        show_error(self, error)

    def _propose(self, document) -> None:
        desk = self.desk
        if document.path in desk.proposals:
            self._show_box(document, desk.proposals[document.path])
            return
        Operation(parent=self, op=lambda: desk.propose(document),
                  success=lambda proposal: self._proposed(document, proposal)).run()

    def _proposed(self, document, proposal) -> None:
        self.desk.proposed(document, proposal)
        current = self._current()
        if proposal is not None and current is not None and current.path == document.path:
            self._show_box(document, proposal)

    def _show_box(self, document, proposal) -> None:
        from .preview import AppearancePreview

        placement = self.desk.placement(document.path)
        if placement is None:
            return
        appearance = proposal.appearance
        from app.desk.placements import stamp_lines

        preview = AppearancePreview(
            image=appearance.image if appearance.image and appearance.image.is_file() else None,
            lines=stamp_lines(appearance),
            resizable=appearance.kind.value != "organisation",
        )
        box = placement.box
        self.preview.set_box(placement.page - 1, (box.x1, box.y1, box.x2, box.y2), preview)
        if proposal.error_code:
            self.statusBar().showMessage(_text(proposal.error_code, proposal.error_params), 8000)

    def _placement_changed(self, page: int, box: tuple) -> None:
        document = self._current()
        if document is not None:
            self.desk.place(document.path, page=page + 1, box=box, pages=self.preview.page_count)

    # --- signing ------------------------------------------------------------------------------
    def sign_selected(self) -> None:
        self.sign_documents(self.selected_documents())

    def sign_all(self) -> None:
        self.sign_documents(self.desk.documents.items)

    def sign_documents(self, documents: list) -> None:
        from .signing import SigningFlow

        if self.signing is not None:
            return
        self.signing = SigningFlow(self.desk, documents, parent=self)
        self.signing.checkAgain.connect(self._check)
        self.signing.finished.connect(self._signing_done)
        self.signing.start()

    def _signing_done(self, report) -> None:
        self.signing = None
        self.token_monitor.refresh()
        self.signingFinished.emit(report)
        self._show_current()

    # --- settings and language ----------------------------------------------------------------
    def open_settings(self) -> None:
        from app.settings import SettingLocked, load_settings

        from .settings_dialog import SettingsDialog

        dialog = SettingsDialog(load_settings(), roles=self.desk.roles(), parent=self)
        if dialog.exec() != dialog.DialogCode.Accepted:
            return
        changes = dialog.changes()
        if not changes:
            return
        try:
            self.desk.save_settings(changes)
        except SettingLocked as error:
            show_error(self, error)
            return
        if "language" in changes:
            self.switch_language(self.desk.settings.language, save=False)
        self._recheck_all()

    def switch_language(self, lang: str, *, save: bool = True) -> None:
        if save:
            from app.settings import SettingLocked

            try:
                self.desk.save_settings({"language": lang})
            except SettingLocked as error:
                self.act_languages[current_language()].setChecked(True)
                show_error(self, error)
                return
        set_language(lang)  # LanguageChange reaches every open window: documents stay open

    def _recheck_all(self) -> None:
        """Settings changed (position, images…): check every open document again."""
        for path in self.desk.documents_to_check_again():
            self._check(path)

    # --- help ---------------------------------------------------------------------------------
    def show_help(self) -> None:
        """F1: the user guide, offline, in the window's language (ui/guide.py)."""
        from .guide import GuideDialog

        if getattr(self, "guide", None) is not None:
            self.guide.deleteLater()  # made again: the language may have changed
        self.guide = GuideDialog(self)
        self.guide.show()
        self.guide.raise_()

    def show_about(self) -> None:
        from app import __version__
        from app.paths import data_home

        QMessageBox.about(self, self.tr("About kyso"), self.tr("kyso %1 — digital signing of documents for the People's Procuracy.\nData folder: %2")
                          .replace("%1", __version__).replace("%2", str(data_home())))

    # --- drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.dropped(paths)
            event.acceptProposedAction()

    def dropped(self, paths: list[Path]) -> None:
        """Files are opened; for a dropped folder the user says what it is for: open its PDFs
        to sign them, or verify the signatures of every PDF in it (a summary table)."""
        folders = [p for p in paths if p.is_dir()]
        if not folders:
            self.add_documents(paths)
            return
        choice = self._ask_folder_use(folders[0])
        if choice == "verify":
            self.verify_folder(folders[0])
            files = [p for p in paths if not p.is_dir()]
            if files:
                self.add_documents(files)
        elif choice == "open":
            self.add_documents(paths)

    def _ask_folder_use(self, folder: Path) -> str | None:
        box = QMessageBox(QMessageBox.Icon.Question, _text("VDESK_DROP_TITLE", {}),
                          _text("VDESK_DROP_QUESTION", {"folder": folder.name or str(folder)}), parent=self)
        box.setObjectName("kyso-folder-drop")
        verify = box.addButton(_text("VDESK_DROP_VERIFY", {}), QMessageBox.ButtonRole.AcceptRole)
        opened = box.addButton(_text("VDESK_DROP_OPEN", {}), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(verify)
        box.exec()
        clicked = box.clickedButton()
        return "verify" if clicked is verify else "open" if clicked is opened else None


    # --- layout memory ------------------------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.ui_state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            fit_to_screen(self, width=1280, height=800)
        for key, target in (("window_state", self.restoreState), ("splitter", self.splitter.restoreState)):
            value = self.ui_state.value(key)
            if value is not None:
                target(value)

    def _remember_recent(self, files: list[Path]) -> None:
        recent = [str(f) for f in files] + [p for p in self._recent() if p not in {str(f) for f in files}]
        self.ui_state.setValue("recent", recent[:MAX_RECENT])

    def _recent(self) -> list[str]:
        value = self.ui_state.value("recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _fill_recent(self) -> None:
        self.menu_recent.clear()
        recent = [p for p in self._recent() if Path(p).exists()]
        for path in recent:
            action = self.menu_recent.addAction(Path(path).name)
            action.setToolTip(path)
            action.triggered.connect(lambda checked=False, path=path: self.add_documents([Path(path)]))
        if not recent:
            empty = self.menu_recent.addAction(self.tr("(none)"))
            empty.setEnabled(False)

    def closeEvent(self, event) -> None:
        if self.signing is not None and not self.signing.may_close():
            event.ignore()
            return
        self.ui_state.setValue("geometry", self.saveGeometry())
        self.ui_state.setValue("window_state", self.saveState())
        self.ui_state.setValue("splitter", self.splitter.saveState())
        self.ui_state.sync()
        self.checker.stop()
        self.sync_monitor.stop()
        self.preview.renderer.close()
        if self.audit_window is not None:
            self.audit_window.close()
        self.desk.close()  # tokens unwatched, "app.stopped" recorded, the practice session closed
        super().closeEvent(event)


def _import_signing_stack() -> None:
    """Load pyhanko, the signing job and the page renderer while the user looks at the window."""
    import pypdfium2  # noqa: F401

    import app.desk.placements  # noqa: F401
    import app.signing_job  # noqa: F401  (and with it the signing engine and pyhanko)


def _loaded() -> None:
    """Catalogue, audit log and signing stack are loaded: the objects made so far live as long as
    the program, so the collector stops scanning them (gc.freeze) and collects new garbage as
    usual again."""
    gc.freeze()
    gc.enable()


def _has_signatures(document) -> bool:
    """A received signed document (or one just signed): its main status is the verification."""
    return document.signed_path is not None or bool(document.result and document.result.facts.signatures)


def _text(code: str, params: dict) -> str:
    from .i18n import text

    return text(code, **params)
