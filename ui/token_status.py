"""Token status, always visible: none / inserted (label, CA, holder, expiry) / locked — live.

The modules are loaded once, off the GUI thread; a TokenWatcher (tokens layer) notices
insertions and removals; after each change the public objects are read again, off the GUI
thread, and the status bar is redrawn.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.desk.tokens import TokenSet, TokenState, TokenView

from .i18n import text
from .qt import QHBoxLayout, QLabel, QObject, QWidget, Signal
from .tasks import Operation, tasks

__all__ = ["TokenMonitor", "TokenStatusWidget"]

log = logging.getLogger(__name__)


class TokenMonitor(QObject):
    """Runs the desk's token set (app/desk/tokens.py `TokenSet`) on workers and publishes
    `changed(list[TokenView])` on the GUI thread after each reading."""

    changed = Signal(list)

    def __init__(self, tokens: TokenSet | None = None, parent=None) -> None:
        super().__init__(parent)
        self.tokens = tokens if tokens is not None else TokenSet()
        self._reading = False
        self._again = False
        self.on_event = None  # called with each TokenEvent on the watcher's thread (the audit log)

    @property
    def views(self) -> list[TokenView]:
        return self.tokens.views

    @property
    def ready(self) -> list[TokenView]:
        return self.tokens.ready

    @property
    def watcher(self):
        return self.tokens.watcher

    @property
    def interval(self) -> float:
        return self.tokens.interval

    @interval.setter
    def interval(self, value: float) -> None:
        self.tokens.interval = value

    def start(self, configured: tuple[str, ...] = (), *, candidates=None) -> None:
        """Load the modules (or use `candidates` already loaded) and watch their tokens."""
        tokens = self.tokens
        Operation(parent=None, op=lambda: tokens.load(configured, candidates=candidates, on_event=self._changed),
                  success=self._loaded).failure(self._failed).run()

    def _changed(self, event) -> None:
        """A token was inserted or removed (watcher thread): record it, then redraw."""
        try:
            if self.on_event is not None:
                self.on_event(event)
        finally:  # a failure is logged by the watcher, which goes on watching; the bar still redraws
            tasks().call_on_gui(self.refresh)

    def _loaded(self, value) -> None:
        if self.tokens.loaded(value):
            self._publish(self.tokens.views)

    def _failed(self, error: BaseException) -> None:
        log.info("token modules could not be loaded: %s", error)
        if not self.tokens.stopped:
            self.tokens.failed(getattr(getattr(error, "code", None), "value", None))
            self.changed.emit(self.tokens.views)

    def refresh(self) -> None:
        """Read the tokens again (after an insertion, a removal, a signing job)."""
        if self.tokens.stopped or not self.tokens.candidates:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        Operation(parent=None, op=self.tokens.read, success=self._read).failure(self._read_failed).run()

    def _read(self, views) -> None:
        self._reading = False
        self._publish(views)
        if self._again:
            self._again = False
            self.refresh()

    def _read_failed(self, error: BaseException) -> None:
        self._reading = False
        log.info("reading tokens failed: %s", error)

    def _publish(self, views: list[TokenView]) -> None:
        if self.tokens.stopped:
            return
        new = self.tokens.publish(views)
        self.changed.emit(self.tokens.views)
        self._prepare_levels(new)

    @staticmethod
    def _prepare_levels(certificates: list[bytes]) -> None:
        """A certificate just became known: its TSA is asked now, on a worker, so signing finds
        the answer ready (the level is decided before the PIN without waiting)."""
        from app.desk.signing import prepare_level

        for der in certificates:
            Operation(parent=None, op=lambda der=der: prepare_level(der),
                      success=lambda url: log.info("TSA ready before signing: %s", url or "none answers"),
                      ).failure(lambda error: log.info("TSA not asked ahead: %s", error)).run()

    def stop(self) -> None:
        self.tokens.stop()


class TokenStatusWidget(QWidget):
    def __init__(self, monitor: TokenMonitor, parent=None) -> None:
        super().__init__(parent)
        self.monitor = monitor
        self.label = QLabel(self)
        self.label.setObjectName("token-status")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.label)
        monitor.changed.connect(self.show_views)
        self.show_views(monitor.views)

    def retranslate(self) -> None:
        self.show_views(self.monitor.views)

    def show_views(self, views: list[TokenView]) -> None:
        if not views:
            self._set("…", self.tr("Looking for signing tokens…"), "#555")
            return
        view = next((v for v in views if v.state is TokenState.READY), views[0])
        getattr(self, f"_show_{view.state.value}")(view, len(views))
        self.setAccessibleName(self.tr("Token status") + ": " + self.label.text())

    def _set(self, label: str, tooltip: str, colour: str) -> None:
        self.label.setText(f"<span style='color:{colour}'>●</span> {label}")
        self.setToolTip(tooltip)

    def _show_no_module(self, view: TokenView, count: int) -> None:
        self._set(self.tr("No token driver"), text("TOKEN_MODULE_NOT_CONFIGURED"), "#b3261e")

    def _show_no_token(self, view: TokenView, count: int) -> None:
        self._set(self.tr("No token inserted"), self.tr("Insert your signing token (USB)."), "#a86400")

    def _show_unreadable(self, view: TokenView, count: int) -> None:
        tip = text(view.error_code) if view.error_code else self.tr("The token cannot be read.")
        self._set(self.tr("Token cannot be read"), tip, "#b3261e")

    def _show_locked(self, view: TokenView, count: int) -> None:
        self._set(self.tr("Token %1 is locked").replace("%1", view.label), text("TOKEN_PIN_LOCKED", token=view.label), "#b3261e")

    def _show_ready(self, view: TokenView, count: int) -> None:
        expiry = view.not_after
        days = view.days_left(now=datetime.now(UTC))
        colour = "#1b7f3b"
        label = f"{view.label} — {view.holder}" if view.holder else view.label
        if expiry is not None and days is not None and days < 0:
            colour, label = "#b3261e", label + " — " + self.tr("certificate expired")
        elif view.expiring_soon():
            colour, label = "#a86400", label + " — " + self.tr("certificate expires in %n day(s)", "", days)
        lines = [
            self.tr("Token: %1 (serial %2)").replace("%1", view.label).replace("%2", view.serial),
            self.tr("Issued by: %1").replace("%1", view.issuer_ca or "—"),
            self.tr("Certificate holder: %1").replace("%1", view.holder or "—"),
            self.tr("Valid until: %1").replace("%1", expiry.date().isoformat() if expiry else "—"),
        ]
        if count > 1:
            lines.append(self.tr("%n token(s) inserted", "", count))
        self._set(label, "\n".join(lines), colour)
