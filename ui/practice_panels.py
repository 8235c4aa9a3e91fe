"""The practice window's own panels: the rack of practice tokens (insert, pull out, the trainer's
unlock) and the exercises with the trainee's progress, judged from the practice audit chain.

They draw a `PracticeSession` (app/practice/session.py) and call its acts; reading the token
files and the log happens on workers. Inserting or pulling a token changes what the tokens layer
reports: the token status, the PIN dialog and the audit events follow from the real code.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from .errors import show_error
from .i18n import text
from .practice_window import add_dock
from .qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from .tasks import Operation

__all__ = ["ExercisePanel", "RackPanel", "UnlockDialog", "install_panels"]

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_MS = 2000  # the exercises are ticked again while the window is open


def install_panels(window, session) -> None:
    """The rack and the exercises, docked on the right of the practice window."""
    from .practice_window import _on_language_change

    window.practice_rack = RackPanel(window, session)
    window.practice_exercises = ExercisePanel(window, session)
    docks = [add_dock(window, window.practice_rack, name="practice-rack-dock", title_code="PRACTICE_DESK_RACK"),
             add_dock(window, window.practice_exercises, name="practice-exercises-dock",
                      title_code="PRACTICE_DESK_EXERCISES")]
    window.resizeDocks(docks, [360, 360], Qt.Orientation.Horizontal)
    window.resizeDocks(docks, [300, 460], Qt.Orientation.Vertical)
    for panel in (window.practice_rack, window.practice_exercises):
        _on_language_change(window, panel.retranslate)
    if session.trainee is None:  # the trainer's own window: the workshop's progress
        from .practice_trainer import install_trainer

        install_trainer(window, session)


# --- the rack -------------------------------------------------------------------------------------
class RackPanel(QWidget):
    COLUMNS = 2  # the token and its state, the act

    def __init__(self, window, session) -> None:
        super().__init__(window)
        self.setObjectName("practice-rack")
        self.window_, self.session = window, session
        self.tokens = []
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("practice-rack-table")
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.hint)
        layout.addWidget(self.table)
        window.token_monitor.changed.connect(lambda views: self.refresh())
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.hint.setText(text("PRACTICE_DESK_RACK_HINT"))
        self.table.setAccessibleName(text("PRACTICE_DESK_RACK"))
        self._draw()

    def refresh(self) -> None:
        Operation(parent=self, op=self.session.rack_tokens, success=self._show).run()

    def _show(self, tokens) -> None:
        self.tokens = tokens
        self._draw()

    def _draw(self) -> None:
        pins = {token.id: token.pin for token in self.session.pack.tokens}
        if self.session.trainee is not None:
            pins[self.session.trainee.token] = self.session.trainee.pin
        self.table.setRowCount(len(self.tokens))
        for row, token in enumerate(self.tokens):
            purpose = text("PRACTICE_TOKEN_" + token.purpose.upper().replace("-", "_")) if token.purpose else ""
            plugged = text("PRACTICE_DESK_IN" if token.inserted else "PRACTICE_DESK_OUT")
            state = plugged + ", " + text("PIN_STATE_" + token.pin_status.value.upper())
            item = QTableWidgetItem(f"{token.label}\n{purpose}\n{state}")
            item.setToolTip(f"{token.label} — {token.holder}\n{purpose}\n{state}\n"
                            + text("PRACTICE_DESK_PIN", pin=pins.get(token.id, "—")))
            item.setForeground(Qt.GlobalColor.darkRed if token.pin_status.value == "locked" else
                               Qt.GlobalColor.darkGreen if token.inserted else Qt.GlobalColor.darkGray)
            self.table.setItem(row, 0, item)
            self.table.setCellWidget(row, 1, self._act(token))
        self.table.resizeColumnToContents(1)
        self.table.resizeRowsToContents()

    def _act(self, token) -> QPushButton:
        if token.pin_status.value == "locked":
            button = QPushButton(text("PRACTICE_DESK_UNLOCK"), self.table)
            button.setObjectName(f"rack-unlock-{token.id}")
            button.clicked.connect(lambda checked=False, token=token: self.unlock(token))
            return button
        button = QPushButton(text("PRACTICE_DESK_PULL" if token.inserted else "PRACTICE_DESK_INSERT"), self.table)
        button.setObjectName(f"rack-plug-{token.id}")
        button.clicked.connect(lambda checked=False, token=token: self.plug(token.id, inserted=not token.inserted))
        return button

    def plug(self, token_id: str, *, inserted: bool) -> None:
        """Insert or pull out: the token watcher sees it as it sees a real USB token (and the
        audit log records it from there)."""
        act = self.session.insert if inserted else self.session.pull
        Operation(parent=self, op=lambda: act(token_id), success=lambda value: self._changed()
                  ).failure(lambda error: show_error(self.window_, error)).run()

    def _changed(self) -> None:
        self.window_.token_monitor.refresh()
        self.refresh()

    def unlock(self, token) -> None:
        dialog = UnlockDialog(token.label, parent=self.window_)
        dialog.accepted.connect(lambda: self._unlock(token, dialog.so_pin()))
        dialog.open()

    def _unlock(self, token, so_pin: str) -> None:
        journal = self.window_.desk.audit.journal

        def unlocked(value) -> None:
            self._changed()
            self.window_.statusBar().showMessage(text("PRACTICE_DESK_UNLOCKED", label=token.label), 8000)

        Operation(parent=self, op=lambda: self.session.unlock(token.id, so_pin=so_pin, journal=journal),
                  success=unlocked).failure(lambda error: show_error(self.window_, error)).run()


class UnlockDialog(QDialog):
    """The trainer's unblocking PIN (the practice token's SO PIN); never kept once closed."""

    def __init__(self, label: str, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-practice-unlock")
        self.setWindowTitle(text("PRACTICE_DESK_UNLOCK_TITLE"))
        layout = QVBoxLayout(self)
        explain = QLabel(text("PRACTICE_DESK_UNLOCK_TEXT", label=label), self)
        explain.setWordWrap(True)
        layout.addWidget(explain)
        form = QFormLayout()
        self.pin = QLineEdit(self)
        self.pin.setObjectName("so-pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(text("PRACTICE_DESK_SO_PIN"), self.pin)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._so_pin = ""
        self.resize(460, 200)

    def done(self, result: int) -> None:
        self._so_pin = self.pin.text() if result == QDialog.DialogCode.Accepted else ""
        self.pin.clear()
        super().done(result)

    def so_pin(self) -> str:
        pin, self._so_pin = self._so_pin, ""
        return pin


# --- the exercises ----------------------------------------------------------------------------------
class ExercisePanel(QWidget):
    """The scenarios, each ticked from the practice chain, and the exercise documents to open."""

    def __init__(self, window, session) -> None:
        super().__init__(window)
        self.setObjectName("practice-exercises")
        self.window_, self.session = window, session
        self.progress = None
        self.summary = QLabel(self)
        self.summary.setObjectName("practice-progress")
        self.summary.setWordWrap(True)
        self.scenarios = QListWidget(self)
        self.scenarios.setObjectName("practice-scenarios")
        self.scenarios.setWordWrap(True)
        self.documents_label = QLabel(self)
        self.documents = QListWidget(self)
        self.documents.setObjectName("practice-documents")
        self.documents.itemActivated.connect(self._open)
        self.open_all = QPushButton(self)
        self.open_all.setObjectName("practice-open-all")
        self.open_all.clicked.connect(lambda checked=False: self.open_exercises())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for widget, stretch in ((self.summary, 0), (self.scenarios, 3), (self.documents_label, 0),
                                (self.documents, 2), (self.open_all, 0)):
            layout.addWidget(widget, stretch)
        for signal in (window.signingFinished, window.documentsChecked, window.token_monitor.changed):
            signal.connect(lambda *args: self.refresh())
        self.timer = QTimer(self)
        self.timer.setInterval(PROGRESS_INTERVAL_MS)  # verifications end without a signal
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self._reading = False
        self.retranslate()
        self.refresh()

    def retranslate(self) -> None:
        self.documents_label.setText(text("PRACTICE_DESK_DOCUMENTS"))
        self.open_all.setText(text("PRACTICE_DESK_OPEN_EXERCISES"))
        self.scenarios.setAccessibleName(text("PRACTICE_DESK_EXERCISES"))
        self.documents.clear()
        for exercise, path in self.session.exercises():
            item = QListWidgetItem(Path(exercise.file).name, self.documents)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(exercise.purpose)
        self._draw()

    def refresh(self) -> None:
        if self._reading or self.session.trainee is None:
            return
        self._reading = True
        Operation(parent=self, op=self.session.progress, success=self._show).failure(self._failed).run()

    def _show(self, progress) -> None:
        self._reading = False
        self.progress = progress
        self._draw()

    def _failed(self, error: BaseException) -> None:
        self._reading = False
        log.info("practice progress could not be read: %s", error)

    def _draw(self) -> None:
        from app.practice.scenarios import scenario

        done = dict(self.progress.done) if self.progress is not None else {}
        ids = list(self.session.pack.scenarios)
        self.scenarios.clear()
        for scenario_id in ids:
            item_scenario = scenario(scenario_id)
            ticked = done.get(scenario_id, False)
            mark = "✓" if ticked else "○"
            state = text("PRACTICE_DESK_DONE" if ticked else "PRACTICE_DESK_TODO")
            item = QListWidgetItem(f"{mark} {text(item_scenario.title_code)} — {state}", self.scenarios)
            item.setData(Qt.ItemDataRole.UserRole, scenario_id)
            item.setToolTip(text(item_scenario.steps_code))
            item.setForeground(Qt.GlobalColor.darkGreen if ticked else Qt.GlobalColor.black)
        count = sum(1 for scenario_id in ids if done.get(scenario_id))
        summary = f"<b>{escape(text('PRACTICE_DESK_PROGRESS', done=count, total=len(ids)))}</b>"
        if self.progress is not None:
            p = self.progress
            summary += "<br><small>" + escape(text("PRACTICE_DESK_MISTAKES", wrong_pins=p.wrong_pins, refused=p.refused,
                                                   failed=p.failed, signed=p.signed)) + "</small>"
        self.summary.setText(summary)

    def ticked(self) -> set[str]:
        return {key for key, value in (self.progress.done.items() if self.progress else ()) if value}

    def _open(self, item: QListWidgetItem) -> None:
        self.window_.add_documents([Path(item.data(Qt.ItemDataRole.UserRole))])

    def open_exercises(self) -> None:
        self.window_.add_documents([path for _, path in self.session.exercises()])
