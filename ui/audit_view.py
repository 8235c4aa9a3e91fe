"""The audit view: the workstation's log as a table with filters, search, a detail pane,
integrity verification and export (docs/audit.md, "In the UI").

Every read runs on a worker with its own AuditReader (SQLite in WAL mode: reading never blocks
the journal writing); pages of 200 events are fetched as the table scrolls. Who sees whose
events is the policy's answer (`app.desk.audit.viewer_scope`): by default one's own, all for
an administrator.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

from app.audit.events import EventType
from app.audit.query import AuditFilter

from .errors import show_error
from .geometry import fit_to_screen
from .i18n import current_language, has_text, text
from .progress import CancellableProgress
from .qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QCheckBox,
    QComboBox,
    QCoreApplication,
    QDate,
    QDateEdit,
    QDesktopServices,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QMessageBox,
    QModelIndex,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    Qt,
    QTableView,
    QTimer,
    QUrl,
    QVBoxLayout,
    QWidget,
    Signal,
)
from .tasks import Operation, tasks

__all__ = ["AuditEventModel", "AuditWindow", "ExportDialog", "event_label"]

log = logging.getLogger(__name__)
PAGE = 200
FAMILIES = ("sign", "pin", "token", "document", "preflight", "verification", "settings", "audit", "app")
FORMATS = ("csv", "xlsx", "jsonl", "pdf")


def event_label(event_type: str) -> str:
    code = "AUDIT_EVENT_" + event_type.upper().replace(".", "_")
    return text(code) if has_text(code) else event_type


def outcome_label(outcome: str | None) -> str:
    return text("AUDIT_OUTCOME_" + (outcome or "none").upper())


class AuditEventModel(QAbstractTableModel):
    """Events newest first; more are asked for (`moreWanted`) as the view scrolls."""

    moreWanted = Signal()
    COLUMNS = ("at_local", "type", "outcome", "user", "document", "seq")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.events: list = []
        self.next_before: int | None = None
        self.more = False
        self.loading = False

    def clear(self) -> None:
        self.beginResetModel()
        self.events, self.next_before, self.more, self.loading = [], None, False, False
        self.endResetModel()

    def append(self, page) -> None:
        if page.events:
            self.beginInsertRows(QModelIndex(), len(self.events), len(self.events) + len(page.events) - 1)
            self.events.extend(page.events)
            self.endInsertRows()
        self.next_before, self.more, self.loading = page.next_before, page.next_before is not None, False

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self.more and not self.loading

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self.loading = True
            self.moreWanted.emit()

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return (self.tr("Time"), self.tr("Event"), self.tr("Result"), self.tr("User"), self.tr("Document"),
                self.tr("No."))[section]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        event = self.events[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(event, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == "document":
            return event.data.get("path") or event.data.get("input")
        if role == Qt.ItemDataRole.ForegroundRole and column == "outcome" and event.outcome in ("failed", "refused"):
            return Qt.GlobalColor.darkRed
        if role == Qt.ItemDataRole.TextAlignmentRole and column == "seq":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, event, column: str) -> str:
        if column == "at_local":
            return event.at_local[:19].replace("T", " ")
        if column == "type":
            return event_label(event.type)
        if column == "outcome":
            return outcome_label(event.outcome) if event.outcome else ""
        if column == "user":
            return event.user_name or event.os_user
        if column == "document":
            return event.document or ""
        mark = "*" if event.mode == "practice" else ""
        return f"{event.seq}{mark}"

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.events:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.events) - 1, len(self.COLUMNS) - 1))


class WorkProgress(CancellableProgress):
    """Progress of a long audit task (verification, export)."""

    def __init__(self, *, name: str, title: str, parent=None) -> None:
        super().__init__(name=name, title=title, bar_name=title,
                         stopping=QCoreApplication.translate("WorkProgress", "Stopping…"), parent=parent)

    def show_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        self.label.setText(self.tr("%1 of %2 events").replace("%1", f"{done:,}".replace(",", "."))
                           .replace("%2", f"{total:,}".replace(",", ".")))


class ExportDialog(QDialog):
    """Where and in which format to export what the current filters show."""

    def __init__(self, *, count: int | None, start_folder: Path, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-audit-export")
        self.setWindowTitle(self.tr("Export the audit log"))
        layout = QVBoxLayout(self)
        what = (self.tr("%n event(s) shown by the current filters will be exported.", "", count)
                if count is not None else self.tr("The events shown by the current filters will be exported."))
        layout.addWidget(QLabel(what, self))
        form = QFormLayout()
        self.format = QComboBox(self)
        for name, label in zip(FORMATS, (self.tr("CSV for Excel (UTF-8)"), self.tr("Excel workbook (XLSX)"),
                                         self.tr("JSON Lines with hashes (re-verifiable)"),
                                         self.tr("Printable report (PDF)")), strict=True):
            self.format.addItem(label, name)
        self.format.currentIndexChanged.connect(lambda index: self._suffix())
        form.addRow(self.tr("&Format:"), self.format)
        self.file = QLineEdit(str(start_folder / f"nhat-ky-kyso-{date.today().isoformat()}.csv"), self)
        self.file.setAccessibleName(self.tr("Export file"))
        browse = QPushButton(self.tr("&Browse…"), self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        form.addRow(self.tr("&File:"), row)
        form.labelForField(self.format).setBuddy(self.format)
        form.labelForField(row).setBuddy(self.file)
        layout.addLayout(form)
        buttons = QDialogButtonBox(self)
        buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 160)

    def chosen_format(self) -> str:
        return self.format.currentData()

    def target(self) -> Path:
        return Path(self.file.text().strip()).expanduser()

    def _suffix(self) -> None:
        path = self.target()
        self.file.setText(str(path.with_suffix("." + self.chosen_format())))

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export to"), str(self.target()),
                                              f"*.{self.chosen_format()}")
        if name:
            self.file.setText(name)


class AuditWindow(QDialog):
    """The audit log of this workstation (Tools → Audit log, Ctrl+L)."""

    pageShown = Signal()  # a page of events is in the table (tests wait for it)
    verified = Signal(object)  # the VerifyReport
    exported = Signal(object)  # the ExportDone

    def __init__(self, *, log_path: Path, audit=None, user_name: str | None = None,
                 administrator: bool | None = None, policy: dict | None = None, parent=None) -> None:
        from app.desk.audit import viewer_scope

        super().__init__(parent)
        self.setObjectName("kyso-audit")
        self.log_path = log_path
        self.audit = audit
        self.viewer, self.scope = viewer_scope(user_name=user_name, administrator=administrator, policy=policy)
        self.generation = 0
        self.count: int | None = None
        self.progress: WorkProgress | None = None
        self._build()
        self.retranslate()
        self.refresh()

    # --- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.scope_label = QLabel(self)
        self.scope_label.setObjectName("audit-scope")
        self.scope_label.setWordWrap(True)
        layout.addWidget(self.scope_label)
        layout.addWidget(self._filters())
        self.model = AuditEventModel(self)
        self.model.moreWanted.connect(self._load_more)
        self.table = QTableView(self)
        self.table.setObjectName("audit-events")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for column, width in enumerate((150, 235, 95, 150, 260, 70)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda current, previous: self._show_detail())
        self.detail = QPlainTextEdit(self)
        self.detail.setObjectName("audit-detail")
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([420, 200])
        layout.addWidget(self.splitter, 1)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("audit-verdict")
        self.verdict.setWordWrap(True)
        layout.addWidget(self.verdict)
        row = QHBoxLayout()
        self.count_label = QLabel(self)
        self.count_label.setObjectName("audit-count")
        row.addWidget(self.count_label, 1)
        self.refresh_button = QPushButton(self)
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button = QPushButton(self)
        self.verify_button.setObjectName("audit-verify")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("audit-export")
        self.export_button.setShortcut(QKeySequence("Ctrl+E"))
        self.export_button.clicked.connect(self.export)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.close)
        for button in (self.refresh_button, self.verify_button, self.export_button, self.close_button):
            button.setAutoDefault(False)
            row.addWidget(button)
        layout.addLayout(row)
        fit_to_screen(self, width=1100, height=720)

    def _filters(self) -> QWidget:
        box = QWidget(self)
        grid = QGridLayout(box)
        grid.setContentsMargins(0, 0, 0, 0)
        today = QDate.currentDate()
        self.use_from, self.date_from = QCheckBox(box), QDateEdit(today.addDays(-30), box)
        self.use_to, self.date_to = QCheckBox(box), QDateEdit(today, box)
        for check, edit in ((self.use_from, self.date_from), (self.use_to, self.date_to)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            check.toggled.connect(lambda on: self._filters_changed())
            edit.dateChanged.connect(lambda value: self._filters_changed())
        self.user = QLineEdit(box)
        self.user.setObjectName("audit-user")
        self.type = QComboBox(box)
        self.type.setObjectName("audit-type")
        self.outcome = QComboBox(box)
        self.outcome.setObjectName("audit-outcome")
        self.mode = QComboBox(box)
        self.mode.setObjectName("audit-mode")
        self.search = QLineEdit(box)
        self.search.setObjectName("audit-search")
        self.search.setClearButtonEnabled(True)
        self._typing = QTimer(self)  # search as the user types, once they pause
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda value: self._typing.start())
        self.user.editingFinished.connect(self._filters_changed)
        for combo in (self.type, self.outcome, self.mode):
            combo.currentIndexChanged.connect(lambda index: self._filters_changed())
        self.labels = {name: QLabel(box) for name in ("search", "type", "outcome", "mode", "user")}
        grid.addWidget(self.labels["search"], 0, 0)
        grid.addWidget(self.search, 0, 1, 1, 3)
        grid.addWidget(self.use_from, 0, 4)
        grid.addWidget(self.date_from, 0, 5)
        grid.addWidget(self.use_to, 0, 6)
        grid.addWidget(self.date_to, 0, 7)
        for column, name in enumerate(("type", "outcome", "mode", "user")):
            grid.addWidget(self.labels[name], 1, column * 2)
            grid.addWidget(getattr(self, name), 1, column * 2 + 1)
        for name in self.labels:
            self.labels[name].setBuddy(getattr(self, name))
        for column, stretch in ((1, 3), (3, 2), (5, 2), (7, 2)):
            grid.setColumnStretch(column, stretch)
        return box

    # --- texts --------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("kyso — audit log"))
        self.labels["search"].setText(self.tr("&Search documents:"))
        self.search.setPlaceholderText(self.tr("part of a document's name, with or without diacritics"))
        self.search.setAccessibleName(self.tr("Search document names"))
        self.use_from.setText(self.tr("&From"))
        self.use_to.setText(self.tr("T&o"))
        self.date_from.setAccessibleName(self.tr("From date"))
        self.date_to.setAccessibleName(self.tr("To date"))
        self.labels["type"].setText(self.tr("&Event:"))
        self.labels["outcome"].setText(self.tr("&Result:"))
        self.labels["mode"].setText(self.tr("&Mode:"))
        self.labels["user"].setText(self.tr("&User:"))
        self.user.setPlaceholderText(self.tr("name or computer account"))
        self._fill_combos()
        self.table.setAccessibleName(self.tr("Audit events"))
        self.detail.setAccessibleName(self.tr("Event details"))
        self.refresh_button.setText(self.tr("Re&fresh"))
        self.refresh_button.setToolTip(self.tr("Read the log again (F5)"))
        self.verify_button.setText(self.tr("&Verify integrity"))
        self.verify_button.setToolTip(self.tr("Check the whole hash chain: any edited, deleted, inserted or reordered event is found"))
        self.export_button.setText(self.tr("E&xport…"))
        self.export_button.setToolTip(self.tr("Export the events shown to CSV, Excel, JSON Lines or PDF (Ctrl+E)"))
        self.close_button.setText(self.tr("&Close"))
        if self.scope.everyone:
            self.scope_label.setText(self.tr("Showing the events of every user of this computer (administrator)."))
        else:
            self.scope_label.setText(self.tr("Showing your own events (%1). An administrator sees every user's.")
                                     .replace("%1", ", ".join(self.scope.users)))
        self.model.retranslate()
        self._show_count()
        self._show_detail()

    def _fill_combos(self) -> None:
        choices = {
            self.type: [(self.tr("All events"), None), (self.tr("Signing (every outcome)"), "sign")]
            + [(event_label(kind.value), kind.value) for kind in EventType],
            self.outcome: [(self.tr("Any result"), None)] + [(outcome_label(o), o) for o in ("ok", "failed", "refused")],
            self.mode: [(self.tr("Work and practice"), None), (text("AUDIT_MODE_PRODUCTION"), "production"),
                        (text("AUDIT_MODE_PRACTICE"), "practice")],
        }
        for combo, items in choices.items():
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for label, value in items:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(0, combo.findData(current)))
            combo.blockSignals(False)

    def changeEvent(self, event) -> None:
        from .qt import QEvent

        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # --- reading ------------------------------------------------------------------------------
    def current_filter(self) -> AuditFilter:
        users = tuple(name.strip() for name in self.user.text().split(",") if name.strip())
        return AuditFilter(
            date_from=self.date_from.date().toPython() if self.use_from.isChecked() else None,
            date_to=self.date_to.date().toPython() if self.use_to.isChecked() else None,
            users=users, types=(self.type.currentData(),) if self.type.currentData() else (),
            outcome=self.outcome.currentData(), mode=self.mode.currentData(),
            text=self.search.text().strip() or None,
        )

    def _filters_changed(self) -> None:
        self._typing.stop()
        self.refresh()

    def refresh(self) -> None:
        """Read the first page again under the current filters (older results are dropped)."""
        self.generation += 1
        self.count = None
        self.model.clear()
        self.model.loading = True
        self._show_count()
        self._read(before=None, count=True)

    def _load_more(self) -> None:
        self._read(before=self.model.next_before, count=False)

    def _read(self, *, before: int | None, count: bool) -> None:
        from app.desk.audit import read_page

        generation, audit_filter, scope, path = self.generation, self.current_filter(), self.scope, self.log_path
        Operation(parent=self, op=lambda: read_page(path, audit_filter, scope=scope, before=before, limit=PAGE,
                                                    count=count),
                  success=lambda value: self._page(generation, value)).failure(
            lambda error: self._read_failed(generation, error)).run()

    def _page(self, generation: int, value) -> None:
        if generation != self.generation:
            return  # the filters changed meanwhile
        page, count = value
        first = not self.model.events
        self.model.append(page)
        if count is not None:
            self.count = count
        self._show_count()
        if first and self.model.events:
            self.table.selectRow(0)
        self.pageShown.emit()

    def _read_failed(self, generation: int, error: BaseException) -> None:
        if generation == self.generation:
            self.model.loading = False
            self.count_label.setText("")
            show_error(self, error)

    def _show_count(self) -> None:
        if self.count is None:
            self.count_label.setText(self.tr("Reading the log…"))
        else:
            self.count_label.setText(self.tr("%n event(s)", "", self.count))

    def current_event(self):
        row = self.table.currentIndex().row()
        return self.model.events[row] if 0 <= row < len(self.model.events) else None

    def _show_detail(self) -> None:
        event = self.current_event()
        if event is None:
            self.detail.setPlainText("")
            return
        chain = text("AUDIT_MODE_" + event.mode.upper())
        user = event.user_name or "—"
        if event.user_role:
            user += f" — {event.user_role}"
        lines = [
            self.tr("Event: %1 (%2)").replace("%1", event_label(event.type)).replace("%2", event.type),
            self.tr("No.: %1 in the %2 chain").replace("%1", str(event.seq)).replace("%2", chain),
            self.tr("Time: %1 (UTC %2)").replace("%1", event.at_local).replace("%2", event.at_utc),
            self.tr("User: %1 (computer account %2)").replace("%1", user).replace("%2", event.os_user),
            self.tr("Workstation: %1, kyso %2").replace("%1", event.workstation).replace("%2", event.app_version),
            self.tr("Hash: %1").replace("%1", event.hash),
            self.tr("Previous hash: %1").replace("%1", event.prev_hash),
            "",
            self.tr("Details:"),
            json.dumps(event.data, ensure_ascii=False, indent=2, sort_keys=True),
        ]
        self.detail.setPlainText("\n".join(lines))

    # --- verification ---------------------------------------------------------------------------
    def verify(self) -> None:
        from app.desk.audit import verify_events

        if self.progress is not None:
            return
        progress = self._progress("kyso-audit-verify-progress", self.tr("Verifying the audit log"))
        path, audit = self.log_path, self.audit
        Operation(parent=self, op=lambda: verify_events(
            path, audit=audit, progress=self._progress_callback(progress),
            cancelled=lambda: progress.cancel_requested), success=self._verified).failure(self._task_failed).run()

    def _verified(self, report) -> None:
        self._close_progress()
        from app.audit.verify import describe_chain

        lines = [line.strip() for chain in report.chains for line in describe_chain(chain, text)]
        if report.ok:
            headline = text("CLI_AUDIT_VERIFY_OK", count=report.events)
            self.verdict.setStyleSheet("color: #1b7f3b")
        else:
            headline = text("CLI_AUDIT_VERIFY_FAILED__UI") if has_text("CLI_AUDIT_VERIFY_FAILED__UI") \
                else text("CLI_AUDIT_VERIFY_FAILED")
            self.verdict.setStyleSheet("color: #b3261e; font-weight: bold")
        self.verdict.setText(headline)
        box = QMessageBox(QMessageBox.Icon.Information if report.ok else QMessageBox.Icon.Critical,
                          self.tr("Audit log verification"), headline, QMessageBox.StandardButton.Close, self)
        box.setObjectName("kyso-audit-verified")
        box.setInformativeText("\n".join(lines))
        box.open()
        self.verified.emit(report)
        self.refresh()  # the verification is itself an event


    # --- export ---------------------------------------------------------------------------------
    def export(self) -> None:
        from app.desk.audit import export_events

        if self.progress is not None:
            return
        dialog = ExportDialog(count=self.count, start_folder=Path.home(), parent=self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        out, format = dialog.target(), dialog.chosen_format()
        progress = self._progress("kyso-audit-export-progress", self.tr("Exporting the audit log"))
        path, audit, audit_filter, scope, lang = self.log_path, self.audit, self.current_filter(), self.scope, \
            current_language()
        Operation(parent=self, op=lambda: export_events(
            path, audit_filter, scope=scope, format=format, out=out, lang=lang, audit=audit,
            progress=self._progress_callback(progress), cancelled=lambda: progress.cancel_requested),
            success=self._exported).failure(self._task_failed).run()

    def _exported(self, done) -> None:
        self._close_progress()
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Audit log exported"),
                          text("CLI_AUDIT_EXPORTED", count=done.count, file=done.out, format=done.format.upper()),
                          QMessageBox.StandardButton.Close, self)
        box.setObjectName("kyso-audit-exported")
        folder = box.addButton(self.tr("Open folder"), QMessageBox.ButtonRole.ActionRole)
        folder.clicked.disconnect()
        folder.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(done.out.parent))))
        box.open()
        self.exported.emit(done)
        self.refresh()  # the export is itself an event

    # --- long tasks -----------------------------------------------------------------------------
    def _progress(self, name: str, title: str) -> WorkProgress:
        self.progress = WorkProgress(name=name, title=title, parent=self)
        self.progress.open()
        return self.progress

    @staticmethod
    def _progress_callback(progress: WorkProgress):
        def report(done: int, total: int) -> None:  # worker thread
            tasks().call_on_gui(lambda: progress.show_progress(done, total))

        return report

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.done(0)
            self.progress.deleteLater()
            self.progress = None

    def _task_failed(self, error: BaseException) -> None:
        self._close_progress()
        show_error(self, error)
