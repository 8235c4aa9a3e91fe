"""The trainer's window (`kyso --practice PACK` without --trainee): the workshop's progress, one row
per trainee, each scenario done or not, mistakes and time — the same rows `kyso practice report`
writes (app/practice/progress.py), gathered from this workstation's practice chain and the logs
trainees hand in; exported as XLSX, CSV or PDF by app/practice/report.py."""

from __future__ import annotations

from pathlib import Path

from .errors import show_error
from .i18n import current_language, text
from .qt import (
    QAbstractItemView,
    QAction,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)
from .tasks import Operation

__all__ = ["WorkshopProgressDialog", "install_trainer"]


def install_trainer(window, session) -> None:
    """"Tiến độ lớp" in the practice menu and the toolbar of the trainer's window."""
    from .practice_window import _on_language_change

    action = QAction(window)
    action.setObjectName("practice-workshop")
    action.triggered.connect(lambda checked=False: WorkshopProgressDialog(session, parent=window).open())
    window.menu_tools.addAction(action)
    window.toolbar.addAction(action)

    def retranslate() -> None:
        action.setText(text("PRACTICE_DESK_WORKSHOP"))
        action.setToolTip(text("PRACTICE_DESK_WORKSHOP_TIP"))

    _on_language_change(window, retranslate)
    retranslate()
    window.act_practice_workshop = action


class WorkshopProgressDialog(QDialog):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("kyso-practice-workshop")
        self.session = session
        self.sources: list[Path] = []
        self.rows, self.gathered = [], None
        pack = session.pack
        self.setWindowTitle(text("PRACTICE_DESK_WORKSHOP_TITLE", workshop=pack.name))
        self.scenario_ids = list(pack.scenarios)
        headers = [text("PRACTICE_DESK_COLUMN_NUMBER"), text("PRACTICE_DESK_COLUMN_NAME"), text("PRACTICE_DESK_COLUMN_DONE")]
        headers += [str(index + 1) for index in range(len(self.scenario_ids))]
        headers += [text("PRACTICE_DESK_COLUMN_WRONG_PINS"), text("PRACTICE_DESK_COLUMN_REFUSED"),
                    text("PRACTICE_DESK_COLUMN_MINUTES")]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName("practice-workshop-table")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._scenario_tips()
        self.status = QLabel(self)
        add = QPushButton(text("PRACTICE_DESK_ADD_LOGS"), self)
        add.setObjectName("practice-add-logs")
        add.clicked.connect(lambda checked=False: self._add_logs())
        export = QPushButton(text("PRACTICE_DESK_EXPORT"), self)
        export.setObjectName("practice-export")
        export.clicked.connect(lambda checked=False: self._export())
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(add)
        row.addWidget(export)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self.resize(1000, 560)
        self.refresh()

    def _scenario_tips(self) -> None:
        from app.practice.scenarios import scenario

        for index, scenario_id in enumerate(self.scenario_ids):
            header = self.table.horizontalHeaderItem(3 + index)
            header.setToolTip(text(scenario(scenario_id).title_code))

    def refresh(self) -> None:
        from app.practice.progress import gather_events, workshop_progress

        pack, sources = self.session.pack, list(self.sources)

        def gather():
            gathered = gather_events(pack, sources=sources)
            return gathered, workshop_progress(pack, gathered.events)

        Operation(parent=self, op=gather, success=self._show).failure(lambda error: show_error(self, error)).run()

    def _show(self, value) -> None:
        self.gathered, self.rows = value
        self.table.setRowCount(len(self.rows))
        for row, trainee in enumerate(self.rows):
            cells = [str(trainee.number), trainee.name, f"{trainee.done_count}/{len(self.scenario_ids)}"]
            cells += ["✓" if trainee.done.get(scenario_id) else "" for scenario_id in self.scenario_ids]
            cells += [str(trainee.wrong_pins), str(trainee.refused), str(round(trainee.seconds / 60))]
            for column, value_text in enumerate(cells):
                item = QTableWidgetItem(value_text)
                if column != 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        gathered = self.gathered
        self.status.setText(text("PRACTICE_DESK_EVENTS", events=len(gathered.events), sources=len(gathered.sources),
                                 rejected=gathered.rejected))

    def _add_logs(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, text("PRACTICE_DESK_ADD_LOGS"), str(Path.home()),
                                                "kyso (*.jsonl *.sqlite *.db);;* (*)")
        if files:
            self.sources += [Path(f) for f in files if Path(f) not in self.sources]
            self.refresh()

    def _export(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, text("PRACTICE_DESK_EXPORT"),
                                                str(Path.home() / "bao-cao-tap-huan.xlsx"),
                                                "Excel (*.xlsx);;CSV (*.csv);;PDF (*.pdf)")
        if chosen:
            self.export_to(Path(chosen))

    def export_to(self, out: Path) -> None:
        from app.practice.report import write_report

        pack, rows, gathered, lang = self.session.pack, self.rows, self.gathered, current_language()
        Operation(parent=self, op=lambda: write_report(pack, rows, gathered, out=out, lang=lang),
                  success=lambda value: self.status.setText(text("PRACTICE_DESK_EXPORTED", file=out))
                  ).failure(lambda error: show_error(self, error)).run()
