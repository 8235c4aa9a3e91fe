"""An on-path attacker for plain HTTP: a loopback reverse proxy that forwards every request to the
server and may rewrite the answers to GET /api/v1/config/<kind> on the way back (issue 16: an
on-path proxy replaced a unit's catalogue, which the workstation put in force). It also keeps
every Authorization header it saw — what such a proxy captures."""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

__all__ = ["TamperProxy"]

Rewrite = Callable[[str, bytes, dict[str, str]], tuple[bytes, dict[str, str]]]


class TamperProxy:
    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.rewrite: Rewrite | None = None  # (kind, body, headers) → (body, headers)
        self.captured: list[str] = []
        self.seen: dict[str, tuple[bytes, dict[str, str]]] = {}  # kind → the last genuine answer
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                if "Authorization" in headers:
                    proxy.captured.append(headers["Authorization"])
                answer = httpx.request(self.command, proxy.target + self.path, content=body, headers=headers,
                                       timeout=30)
                content, out = answer.content, {k: v for k, v in answer.headers.items()
                                                 if k.lower() not in ("content-length", "transfer-encoding",
                                                                      "connection", "content-encoding")}
                if self.path.startswith("/api/v1/config/") and answer.status_code == 200:
                    kind = self.path.rsplit("/", 1)[-1]
                    proxy.seen[kind] = (content, dict(out))
                    if proxy.rewrite is not None:
                        content, out = proxy.rewrite(kind, content, out)
                self.send_response(answer.status_code)
                for key, value in out.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = _forward  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="tamper-proxy")
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
