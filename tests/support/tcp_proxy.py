"""A loopback TCP proxy that cuts connections: the network failing at random points.

Every connection is forwarded to the target; with `cut_after` set, each connection is closed
abruptly once that many bytes (chosen per connection by the function) have passed in either
direction. `pause()` refuses new connections (a network down), `resume()` lets them through. With
`swallow_responses` set, what the server answers is dropped on the floor: requests arrive and
are processed, the client never hears back (the answer lost on the way).
Threads only; the listening socket is on 127.0.0.1.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

__all__ = ["TcpProxy"]


class TcpProxy:
    def __init__(self, target: tuple[str, int], *, cut_after: Callable[[], int | None] | None = None) -> None:
        self.target = target
        self.cut_after = cut_after
        self.cuts = 0
        self.connections = 0
        self.swallowed = 0
        self.swallow_responses = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._paused = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._accept, daemon=True, name="tcp-proxy")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def retarget(self, target: tuple[str, int]) -> None:
        self.target = target

    def pause(self) -> None:
        self._paused.set()

    def resume(self) -> None:
        self._paused.clear()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(5)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            if self._paused.is_set():
                client.close()
                continue
            with self._lock:
                self.connections += 1
            budget = self.cut_after() if self.cut_after else None
            threading.Thread(target=self._serve, args=(client, budget), daemon=True).start()

    def _serve(self, client: socket.socket, budget: int | None) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            client.close()
            return
        state = {"left": budget, "closed": False}
        lock = threading.Lock()

        def close() -> None:
            with lock:
                if state["closed"]:
                    return
                state["closed"] = True
            for sock in (client, upstream):
                try:  # shutdown first: it wakes the other direction's thread blocked in recv()
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

        def pump(source: socket.socket, sink: socket.socket, answers: bool = False) -> None:
            try:
                while data := source.recv(65536):
                    if answers and self.swallow_responses.is_set():
                        with self._lock:
                            self.swallowed += len(data)
                        continue
                    with lock:
                        if state["left"] is not None:
                            if len(data) >= state["left"]:
                                data = data[:state["left"]]
                                state["left"] = 0
                            else:
                                state["left"] -= len(data)
                        cut = state["left"] == 0
                    if data:
                        sink.sendall(data)
                    if cut:
                        with self._lock:
                            self.cuts += 1
                        break
            except OSError:
                pass
            close()

        threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
        pump(upstream, client, answers=True)
