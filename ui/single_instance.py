"""One window per user: `kyso FILE…` started while kyso is open hands its files to that window.

Explorer starts one process per selected file for "Mở bằng kyso" / "Ký số bằng kyso"; without
this, selecting ten PDFs opened ten windows, each loading the catalogue and the token modules
and each asking for the PIN. The first process takes a lock file in the data folder and listens
on a local socket (a named pipe on Windows); a later one finds the lock taken, connects, sends
its files as one JSON line, waits for the answer and exits. A lock left by a process that died
is taken over (QLockFile checks the process).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from .qt import QLockFile, QObject

__all__ = ["InstanceServer", "claim_or_hand_over"]

log = logging.getLogger(__name__)
CONNECT_MS = 500
WAIT_FOR_FIRST_MS = 10_000  # the first process may still be starting: it listens within moments


def _name(home: Path) -> str:
    return "kyso-" + hashlib.sha256(str(home.resolve()).encode("utf-8")).hexdigest()[:20]


class InstanceServer(QObject):
    """The first window's end: files from later `kyso FILE…` reach `opened(paths, sign=False)`,
    from `kyso --sign FILE…` `opened(paths, sign=True)`."""

    def __init__(self, *, home: Path, lock: QLockFile, opened: Callable[..., None]) -> None:
        from .qt import QLocalServer

        super().__init__()
        self._lock = lock  # held while this process lives
        self._opened = opened
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        QLocalServer.removeServer(_name(home))  # a socket file left by a process that died
        if not self._server.listen(_name(home)):
            log.warning("single instance: cannot listen: %s", self._server.errorString())
        self._server.newConnection.connect(self._accept)

    def _accept(self) -> None:
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda socket=socket: self._read(socket))

    def _read(self, socket) -> None:
        if not socket.canReadLine():
            return
        try:
            request = json.loads(bytes(socket.readLine()).decode("utf-8"))
            files = [Path(item) for item in request.get("files", []) if isinstance(item, str)]
            sign = request.get("sign") is True
        except (ValueError, AttributeError) as exc:
            log.warning("single instance: unreadable request: %s", exc)
            socket.disconnectFromServer()
            return
        socket.write(b"ok\n")
        socket.flush()
        socket.disconnectFromServer()
        self._opened(files, sign=sign)


def claim_or_hand_over(*, home: Path, files: Sequence[Path], sign: bool = False) -> QLockFile | None:
    """The lock when this process is the first (it then opens the window), else None once the
    first process has taken `files` (to sign them when `sign`). Needs a Q(Core)Application."""
    import time

    home.mkdir(parents=True, exist_ok=True)
    lock = QLockFile(str(home / "window.lock"))
    lock.setStaleLockTime(0)  # never stale by age: only an owner that died frees it
    request = json.dumps({"files": [str(Path(f).resolve()) for f in files], "sign": sign}).encode("utf-8") + b"\n"
    deadline = time.monotonic() + WAIT_FOR_FIRST_MS / 1000
    while time.monotonic() < deadline:
        if lock.tryLock(0):
            return lock
        if _hand_over(home, request):
            return None
        time.sleep(0.1)  # the first process is starting and not listening yet
    log.warning("single instance: the other window did not answer; opening a second one")
    return lock  # not locked: this window runs beside the other


def _hand_over(home: Path, request: bytes) -> bool:
    from .qt import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(_name(home))
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(request)
    socket.waitForBytesWritten(CONNECT_MS)
    while not socket.canReadLine() and socket.waitForReadyRead(WAIT_FOR_FIRST_MS):
        pass
    answered = socket.canReadLine() and bytes(socket.readLine()).strip() == b"ok"
    socket.disconnectFromServer()
    return answered
