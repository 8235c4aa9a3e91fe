"""Token status, always visible: none / inserted (label, CA, holder, expiry) / locked — live.

The modules are loaded once, off the GUI thread; a TokenWatcher (tokens layer) notices
insertions and removals; after each change the public objects are read again, off the GUI
thread, and the status bar is redrawn.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from app.desk.tokens import TokenState, TokenView, load_modules, read_tokens

from .i18n import text
from .qt import QHBoxLayout, QLabel, QObject, QWidget, Signal
from .tasks import Operation, tasks

__all__ = ["TokenMonitor", "TokenStatusWidget"]

log = logging.getLogger(__name__)


class TokenMonitor(QObject):
    """Owns the loaded modules and the watcher; publishes `changed(list[TokenView])`."""

    changed = Signal(list)

    def __init__(self, parent=None, *, interval: float = 1.5) -> None:
        super().__init__(parent)
        self.candidates = []
        self.views: list[TokenView] = []
        self.watcher = None
        self.interval = interval
        self._reading = False
        self._again = False
        self.on_event = None  # called with each TokenEvent on the watcher's thread (the audit log)
        self.stopped = False  # the window closed: answers still on their way are dropped
        self._prepared: set[bytes] = set()  # certificates whose TSA was asked ahead

    def start(self, configured: tuple[str, ...] = (), *, candidates=None) -> None:
        """Load the modules (or use `candidates` already loaded) and watch their tokens."""
        Operation(parent=None, op=lambda: self._load(configured, candidates), success=self._loaded
                  ).failure(self._failed).run()

    def _load(self, configured, candidates):
        """On a worker: load the modules, read the tokens, start watching (its first look
        lists what is there; later changes call `refresh` on the GUI thread)."""
        from app.desk.tokens import watch_tokens

        candidates = load_modules(configured) if candidates is None else list(candidates)
        views = read_tokens(candidates)
        modules = [c.module for c in candidates if c.module is not None]
        watcher = watch_tokens(modules, interval=self.interval, on_event=self._changed) if modules else None
        return candidates, views, watcher

    def _changed(self, event) -> None:
        """A token was inserted or removed (watcher thread): record it, then redraw."""
        try:
            if self.on_event is not None:
                self.on_event(event)
        finally:  # a failure is logged by the watcher, which goes on watching; the bar still redraws
            tasks().call_on_gui(self.refresh)

    def _loaded(self, value) -> None:
        candidates, views, watcher = value
        if self.stopped:  # stopped while the modules loaded: this watcher must not outlive it
            if watcher is not None:
                watcher.stop()
            return
        self.candidates, self.watcher = candidates, watcher
        self._publish(views)

    def _failed(self, error: BaseException) -> None:
        log.info("token modules could not be loaded: %s", error)
        self._publish([TokenView(TokenState.NO_MODULE, error_code=getattr(getattr(error, "code", None), "value", None))])

    def refresh(self) -> None:
        """Read the tokens again (after an insertion, a removal, a signing job)."""
        if self.stopped or not self.candidates:
            return
        if self._reading:
            self._again = True
            return
        self._reading = True
        Operation(parent=None, op=lambda: read_tokens(self.candidates), success=self._read).failure(self._read_failed).run()

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
        if self.stopped:
            return
        self.views = views
        self.changed.emit(views)
        self._prepare_levels(views)

    def _prepare_levels(self, views: list[TokenView]) -> None:
        """A certificate just became known: its TSA is asked now, on a worker, so signing finds
        the answer ready (the level is decided before the PIN without waiting)."""
        from app.desk.signing import prepare_level

        for view in views:
            for certificate in view.certificates:
                if certificate.der in self._prepared:
                    continue
                self._prepared.add(certificate.der)
                Operation(parent=None, op=lambda der=certificate.der: prepare_level(der),
                          success=lambda url: log.info("TSA ready before signing: %s", url or "none answers"),
                          ).failure(lambda error: log.info("TSA not asked ahead: %s", error)).run()

    def stop(self) -> None:
        self.stopped = True
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    def module_for(self, path: str):
        """The loaded module behind a token view, with its quirk options (for the signing job)."""
        candidate = next(c for c in self.candidates if c.path == path and c.module is not None)
        return candidate.module, candidate.options

    @property
    def ready(self) -> list[TokenView]:
        return [v for v in self.views if v.state is TokenState.READY and v.certificates]


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
