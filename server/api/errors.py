"""Every refusal as JSON {code, message, params, …}: typed errors, validation, 404/405, the unexpected."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import ServerError, ServerErrorCode
from ..messages import language_from_header, server_message

__all__ = ["database_refusal", "error_body", "install_error_handlers"]

log = logging.getLogger("kyso.server")
_HTTP_CODES = {404: ServerErrorCode.NOT_FOUND, 405: ServerErrorCode.METHOD_NOT_ALLOWED,
               406: ServerErrorCode.NOT_ACCEPTABLE, 413: ServerErrorCode.BODY_TOO_LARGE,
               400: ServerErrorCode.BODY_MALFORMED, 401: ServerErrorCode.AUTH_REQUIRED}


def error_body(code: ServerErrorCode, *, lang: str, params: dict[str, str], extra: dict[str, Any] | None = None
               ) -> dict[str, Any]:
    return {**(extra or {}), "code": code.value, "message": server_message(code.value, lang, **params),
            "params": params}


def _respond(request: Request, error: ServerError) -> JSONResponse:
    lang = language_from_header(request.headers.get("accept-language"))
    headers = {"Cache-Control": "no-store"}
    if "retry_after" in error.extra:  # 429 and 503: when to come back
        headers["Retry-After"] = str(error.extra["retry_after"])
    return JSONResponse(error_body(error.code, lang=lang, params=error.params, extra=error.extra),
                        status_code=error.status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServerError)
    async def _typed(request: Request, exc: ServerError) -> JSONResponse:
        return _respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        code = ServerErrorCode.BODY_MALFORMED if first.get("type") == "json_invalid" else ServerErrorCode.REQUEST_INVALID
        return _respond(request, ServerError(code, detail=f"{where}: {first.get('msg', '')}"[:300]))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, ServerErrorCode.REQUEST_INVALID)
        if code is ServerErrorCode.BODY_TOO_LARGE:  # a streamed body counted past the limit (limits.py)
            error = ServerError(code, limit=request.app.state.kyso.settings.max_body_bytes)
        else:
            error = ServerError(code, detail=str(exc.detail)[:200])
        response = _respond(request, error)
        response.status_code = exc.status_code if exc.status_code >= 400 else error.status
        for name, value in (exc.headers or {}).items():  # WWW-Authenticate, Allow…
            response.headers[name] = value
        if exc.status_code == 405:  # every method the path has, not only its first route's (RFC 9110 §15.5.6)
            response.headers["Allow"] = ", ".join(_allowed_methods(request, (exc.headers or {}).get("Allow", "")))
        return response

    async def _unstorable(request: Request, exc: Exception) -> JSONResponse:
        """A value the database cannot hold (U+0000 in text, a number beyond its column): the
        request's fault, so 422, never 500."""
        log.info("unstorable value on %s %s: %s", request.method, request.url.path, str(exc).splitlines()[0][:200])
        return _respond(request, ServerError(ServerErrorCode.REQUEST_INVALID,
                                             detail="a value the database cannot store (U+0000 or out of range)"))

    for kind in _data_errors():
        app.add_exception_handler(kind, _unstorable)

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        """The database's trouble, answered here (the catch-all below runs in Starlette's outer
        middleware, which closes the connection after answering)."""
        known = database_refusal(exc)
        if known is None:
            log.exception("database error on %s %s", request.method, request.url.path)
            return _respond(request, ServerError(ServerErrorCode.INTERNAL))
        log.warning("%s on %s %s: %s", known.code.value, request.method, request.url.path, str(exc).splitlines()[0][:200])
        return _respond(request, known)

    for kind in _database_errors():
        app.add_exception_handler(kind, _database)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        known = database_refusal(exc)
        if known is not None:  # a lock waited too long, a full disk, the database away: said, retryable
            log.warning("%s on %s %s: %s", known.code.value, request.method, request.url.path,
                        str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
            return _respond(request, known)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _respond(request, ServerError(ServerErrorCode.INTERNAL))


def _allowed_methods(request: Request, named: str) -> list[str]:
    """Every method the path has: Starlette names only the first matching route's, and a path
    such as /api/v1/events has a GET route and a POST route. Read from the published schema
    (paths outside it, the console's, keep Starlette's answer `named`)."""
    from starlette.routing import compile_path

    table = getattr(request.app.state, "kyso_methods", None)
    if table is None:
        table = [(compile_path(path)[0], {method.upper() for method in item})
                 for path, item in request.app.openapi().get("paths", {}).items()]
        request.app.state.kyso_methods = table
    allowed = {part.strip() for part in named.split(",") if part.strip()}
    for pattern, methods in table:
        if pattern.match(request.url.path):
            allowed |= methods
    return sorted(allowed)


def database_refusal(exc: BaseException) -> ServerError | None:
    """The database's own failures as typed, retryable answers: a lock not granted in time or a
    statement cancelled (503 SERVER_BUSY), a full disk (507 SERVER_STORAGE_FULL), no connection
    (503 SERVER_DATABASE_UNAVAILABLE); None for anything else."""
    from sqlalchemy.exc import DBAPIError

    original = exc.orig if isinstance(exc, DBAPIError) else exc
    name, text, state = type(original).__name__, str(original).lower(), getattr(original, "sqlstate", None) or ""
    if state == "53100" or name == "DiskFull" or "disk is full" in text or "no space left" in text:
        return ServerError(ServerErrorCode.STORAGE_FULL, extra={"retry_after": 60})
    if state in ("55P03", "57014", "40P01") or "database is locked" in text or name in ("LockNotAvailable", "QueryCanceled"):
        return ServerError(ServerErrorCode.BUSY, extra={"retry_after": 2}, what="database", seconds=2)
    if isinstance(exc, DBAPIError) and exc.connection_invalidated or state.startswith("08") or (
            name == "OperationalError" and ("connection" in text or "could not connect" in text)):
        return ServerError(ServerErrorCode.DATABASE_UNAVAILABLE, extra={"retry_after": 5})
    return None


def _database_errors() -> tuple[type[Exception], ...]:
    import sqlite3

    from sqlalchemy.exc import DBAPIError

    try:
        import psycopg
    except ImportError:
        return (DBAPIError, sqlite3.Error)
    return (DBAPIError, sqlite3.Error, psycopg.Error)


def _data_errors() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import DataError

    try:
        import psycopg
    except ImportError:  # SQLite-only installation
        return (DataError,)
    return (DataError, psycopg.DataError)
