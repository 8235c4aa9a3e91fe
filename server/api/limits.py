"""Request bodies larger than the limit are refused with 413 before they are read whole."""

from __future__ import annotations

import asyncio
import json

from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ServerErrorCode
from ..messages import language_from_header, server_message

__all__ = ["BodyLimit", "SignInGate", "StrictTransport"]

SIGN_IN_PATHS = frozenset({"/api/v1/auth/login", "/login"})  # the API's and the console's


class SignInGate:
    """A sign-in flood answered at the door: while the client's address (or the whole server) has
    no sign-in left, POST to a sign-in path gets its 429/503 here — no body read, no validation,
    no thread, no database — so the flood costs the server as little as it can (the guard still
    decides every attempt that gets through; this only peeks). The application calls it before
    its whole middleware stack (`KysoApi`), and the answers are made once and kept (a refusal
    differs only by code, language and seconds): a refused attempt is a dictionary look-up and
    two sends on the event loop, which ingestion shares."""

    def __init__(self, *, guard, hsts_seconds: int = 0, delay_seconds: float = 0.0, held: int = 1000) -> None:
        """`delay_seconds`: each refusal is sent after this pause (at most `held` refusals waiting
        at once; beyond, at once): an attacker waiting for its answers, as a script of threads
        does, makes a few attempts a second per connection instead of hundreds — at the cost of a
        sleeping coroutine, no thread and no CPU."""
        self.guard, self.delay, self.held_most_allowed = guard, delay_seconds, held
        self.held = 0
        self.hsts = f"max-age={hsts_seconds}; includeSubDomains".encode() if hsts_seconds else None
        self._answers: dict[tuple, tuple[int, list, bytes]] = {}

    async def refused(self, scope, send) -> bool:
        """True when the request was a sign-in refused here (its answer sent)."""
        if scope.get("method") != "POST" or scope.get("path") not in SIGN_IN_PATHS:
            return False
        client = scope.get("client")
        refusal = self.guard.peek_login(address=client[0] if client else "-")
        if refusal is None:
            return False
        lang = "vi"
        for name, value in scope.get("headers") or ():
            if name == b"accept-language":
                lang = language_from_header(value.decode("latin-1"))
                break
        https = scope.get("scheme") == "https" and self.hsts is not None
        key = (refusal.code, lang, refusal.extra.get("retry_after", 1), tuple(sorted(refusal.params.items())), https)
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = self._answer(refusal, lang, https=https)
            if len(self._answers) > 1024:  # a handful in practice; never unbounded
                self._answers.pop(next(iter(self._answers)))
        status, headers, body = answer
        if self.delay > 0 and self.held < self.held_most_allowed:
            self.held += 1
            try:
                await asyncio.sleep(self.delay)
            finally:
                self.held -= 1
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    def _answer(self, refusal, lang: str, *, https: bool) -> tuple[int, list, bytes]:
        code = refusal.code.value
        body = json.dumps({**refusal.extra, "code": code, "message": server_message(code, lang, **refusal.params),
                           "params": refusal.params}, ensure_ascii=False).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"retry-after", str(refusal.extra.get("retry_after", 1)).encode()), (b"cache-control", b"no-store")]
        if https:
            headers.append((b"strict-transport-security", self.hsts))
        return refusal.status, headers, body


class StrictTransport:
    """Strict-Transport-Security on every answer given over HTTPS (directly, or through a trusted
    proxy's X-Forwarded-Proto): a browser that once reached the server never falls back to HTTP."""

    def __init__(self, app, *, seconds: int) -> None:
        self.app, self.value = app, f"max-age={seconds}; includeSubDomains".encode() if seconds else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope.get("scheme") != "https" or self.value is None:
            await self.app(scope, receive, send)
            return

        async def with_header(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), (b"strict-transport-security", self.value)]}
            await send(message)

        await self.app(scope, receive, with_header)


class _TooLarge(StarletteHTTPException):
    """Raised from `receive`; an HTTPException so FastAPI's body parsing passes it on as a 413."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


class BodyLimit:
    """Pure ASGI middleware: Content-Length checked first, streamed bodies counted as they come."""

    def __init__(self, app, *, max_bytes: int, larger: dict[str, int] | None = None) -> None:
        """`larger`: paths allowed a larger body (the console's upload of an export to re-verify)."""
        self.app, self.max_bytes, self.larger = app, max_bytes, larger or {}

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.max_bytes)
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(headers, send, limit)
            return
        seen, started = 0, False

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(headers, send, limit)

    async def _refuse(self, headers: dict, send, limit: int) -> None:
        lang = language_from_header(headers.get(b"accept-language", b"").decode("latin-1"))
        code = ServerErrorCode.BODY_TOO_LARGE.value
        body = json.dumps({"code": code, "message": server_message(code, lang, limit=limit),
                           "params": {"limit": str(limit)}}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
