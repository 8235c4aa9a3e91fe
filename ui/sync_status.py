"""The sync indicator in the status bar: is this workstation's audit log at the centre?

`SyncMonitor` runs app.sync's `SyncClient` (its own thread) when the workstation is enrolled and
brings every new status to the GUI thread; `SyncStatusWidget` shows it in a word and a colour,
with the details (server, last success, events waiting, last error, next try) in its tooltip.
A click asks for a sync now.
"""

from __future__ import annotations

from datetime import datetime

from app.sync.status import SyncPhase, SyncStatus

from .i18n import text
from .qt import QHBoxLayout, QLabel, QObject, Qt, QWidget, Signal
from .tasks import Operation, tasks

__all__ = ["SyncMonitor", "SyncStatusWidget"]


def _prepare(store, interval: float):
    """(status to show, client to start or None when this workstation is not enrolled)."""
    from app.deploy.first_start import enrol_from_deployment
    from app.sync import SyncClient, load_enrolment, read_status

    enrol_from_deployment()  # an MSI deployment's first start: enrol with the sealed code
    if load_enrolment() is None:  # none, or unreadable: kyso enroll again
        return SyncStatus(), None
    return read_status(), SyncClient(store=store, interval=interval)


class SyncMonitor(QObject):
    changed = Signal(object)  # SyncStatus

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.client = None
        self.stopped = False
        self.status = SyncStatus()

    def start(self, *, store, interval: float = 60.0) -> None:
        """Start syncing if the workstation is enrolled (`store`: a callable giving the
        AuditStore in use — the journal may have moved to a new log after damage). The
        enrolment is read and the client (httpx) loaded on a worker, not on the GUI thread."""
        Operation(parent=self.parent(), op=lambda: _prepare(store, interval), success=self._prepared).run()

    def _prepared(self, prepared) -> None:
        status, client = prepared
        if self.stopped:
            return  # the window closed meanwhile: the client never starts
        self._publish(status)
        if client is None:
            return
        self.client = client
        self.client.add_listener(lambda status: tasks().call_on_gui(lambda: self._publish(status)))
        self.client.start()

    def sync_now(self) -> None:
        if self.client is not None:
            self.client.sync_now()

    def stop(self) -> None:
        self.stopped = True
        if self.client is not None:
            self.client.stop(timeout=2.0)
            self.client = None

    def _publish(self, status: SyncStatus) -> None:
        self.status = status
        self.changed.emit(status)


class SyncStatusWidget(QWidget):
    def __init__(self, monitor: SyncMonitor, parent=None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.label = QLabel(self)
        self.label.setObjectName("sync-status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        monitor.changed.connect(self.show_status)
        self.show_status(monitor.status)

    def retranslate(self) -> None:
        self.show_status(self.monitor.status)

    def mousePressEvent(self, event) -> None:
        self.monitor.sync_now()
        super().mousePressEvent(event)

    def show_status(self, status: SyncStatus) -> None:
        label, colour = self._headline(status)
        self.label.setText(f"<span style='color:{colour}'>⇅</span> {label}")
        self.setToolTip("\n".join(self._details(status)))
        self.setAccessibleName(self.tr("Audit log sync") + ": " + label)

    def _headline(self, status: SyncStatus) -> tuple[str, str]:
        phase, pending = status.phase, status.pending or 0
        if phase is SyncPhase.NOT_ENROLLED:
            return self.tr("Log kept on this computer"), "#555"
        if phase is SyncPhase.SYNCING:
            return self.tr("Sending the log…"), "#1f5fa8"
        if phase is SyncPhase.WAITING:
            return self.tr("Log not sent: %n event(s) waiting", "", pending), "#a86400"
        if phase is SyncPhase.STOPPED:
            return self.tr("Sync stopped"), "#555"
        if pending:
            return self.tr("%n event(s) waiting to be sent", "", pending), "#1f5fa8"
        return self.tr("Log sent to the server"), "#1b7f3b"

    def _details(self, status: SyncStatus) -> list[str]:
        if status.phase is SyncPhase.NOT_ENROLLED:
            return [self.tr("This computer is not enrolled with the unit's audit server: the audit log is kept "
                            "here only. An administrator enrols it with: kyso enroll ADDRESS CODE")]
        lines = [
            self.tr("Server: %1").replace("%1", status.server_url or "—"),
            self.tr("Last successful sync: %1").replace("%1", _when(status.last_success_utc) or self.tr("never")),
            self.tr("Events waiting: %1").replace("%1", "—" if status.pending is None else str(status.pending)),
        ]
        if status.last_error_code:
            lines.append(self.tr("Last error: %1").replace("%1", text(status.last_error_code, **_params(status))))
        if status.next_attempt_utc and status.phase is SyncPhase.WAITING:
            lines.append(self.tr("Next try: %1").replace("%1", _when(status.next_attempt_utc)))
        lines.append(self.tr("Click to sync now."))
        return lines


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone().strftime("%d/%m/%Y %H:%M:%S") if moment else None


def _params(status: SyncStatus) -> dict[str, str]:
    """The error's parameters, with the ones a message expects filled in when missing."""
    return {"url": status.server_url or "—", **status.last_error_params}
