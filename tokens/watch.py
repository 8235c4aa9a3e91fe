"""Noticing tokens being plugged in and pulled out.

Every poll (1.5 s by default) compares each module's list of tokens with the previous one. A
blocking C_WaitForSlotEvent would have to run on the module's thread and hold up signing, and
a non-blocking one cannot be trusted to mean "nothing changed": SoftHSM answers "no event"
while its tokens vanish, and vendor modules are uneven. Listing is cheap (C_GetSlotList and
C_GetTokenInfo), so kyso always lists. Polls run on each module's own thread, paced by the
watcher's thread; subscribers are called on the watcher's thread (a GUI marshals them).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .errors import TokenError
from .module import Pkcs11Module
from .slots import TokenInfo, _token_infos

__all__ = ["TokenEvent", "TokenWatcher"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenEvent:
    kind: str  # "inserted" or "removed"
    module: str
    token: TokenInfo


class TokenWatcher:
    def __init__(
        self,
        modules: Sequence[Pkcs11Module],
        *,
        on_event: Callable[[TokenEvent], None],
        interval: float = 1.5,
    ) -> None:
        self.modules = list(modules)
        self.on_event = on_event
        self.interval = interval
        self._known: dict[str, dict[tuple, TokenInfo]] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll(self) -> list[TokenEvent]:
        """Look once at every module; report and return what changed since the last look."""
        events: list[TokenEvent] = []
        for module in self.modules:
            events += self._poll_module(module)
        for event in events:
            try:
                self.on_event(event)
            except Exception:  # a subscriber's failure never stops the watcher
                log.exception("token event subscriber failed")
        return events

    def start(self) -> None:
        self.poll()  # the first look reports every token already there as inserted
        self._thread = threading.Thread(target=self._run, name="kyso-token-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def _poll_module(self, module: Pkcs11Module) -> list[TokenEvent]:
        try:
            current = {info.identity: info for info in module.call(_token_infos, module.path)}
        except TokenError as error:
            log.info("cannot list tokens of %s: %s", module.path, error)
            current = {}
        before = self._known.get(module.path, {})
        self._known[module.path] = current
        inserted = [TokenEvent("inserted", module.path, info) for key, info in current.items() if key not in before]
        removed = [TokenEvent("removed", module.path, info) for key, info in before.items() if key not in current]
        return removed + inserted
